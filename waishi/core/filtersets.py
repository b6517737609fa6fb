import django_filters
from django import forms
from django.conf import settings
from django.forms import NullBooleanSelect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import RowChoiceIterator, search_source, style
from waishi.core.models import field_path


class FilterForm(forms.Form):
    """A filter set's form: it leaves out the filters that cannot narrow the user's list
    (``FilterSet.inert``), as soon as it needs to know. As it validates, such a filter's value that it does
    not offer (a bookmark's office, for a user who has none to choose) is dropped rather than refused, and
    the other filters still apply; as it is shown, the filter is not. A filter's choices are read then, as
    its select reads them: a list page reads nothing more, and an export, which shows no form, reads them
    only for such a value."""

    filterset = None  # the filter set whose inert filters are left out; None keeps them all

    def full_clean(self):
        super().full_clean()
        self.drop_inert([name for name in self._errors if name in self.fields])

    def __iter__(self):
        self.drop_inert(list(self.fields))
        return super().__iter__()

    def drop_inert(self, names) -> None:
        if self.filterset is None:
            return
        for name in names:
            if name in self.fields and self.filterset.inert(name):
                del self.fields[name]
                if self._errors is not None:
                    self._errors.pop(name, None)
                getattr(self, "cleaned_data", {}).pop(name, None)


class FilterSet(django_filters.FilterSet):
    """Base filter set: Bootstrap widgets; related-record choices narrowed to what the user may see; and
    the filters that cannot narrow what the user sees left out (``inert``, ``FilterForm``).

    A filter of organizations (or of other records ``restrict`` narrows to the user's organization) is
    inert for a user when the records it offers him, once narrowed, are none (nothing can be chosen: a
    unit's clerk is offered no office), or one that every record he sees holds. The second holds for a
    filter on the list model's ``scope_field`` (``restrict`` keeps only his organization's subtree, and
    the filter offers that subtree: a unit clerk's single unit), and for the filters a subclass names in
    ``scope_filters``. An inert filter is not shown, and a value of it that it does not offer is ignored:
    a bookmark that still names it gets the list with the other filters, not an invalid form. The API
    keeps every filter its schema documents (``drop_inert=False``, ``core.api.filters``)."""

    search_key: str | None = None  # search_source(), for each subclass
    # Filters on a field other than the scope field whose value, in every record the user sees, is one of
    # the records the filter offers him (or lies below it, for an office-and-below filter) whenever it
    # offers any: with a single choice they cannot narrow the list either (a county office's trips all go
    # to that office).
    scope_filters: tuple[str, ...] = ()

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        """A generated filter's label follows the user's language: django-filter would fix it as a string in
        whatever language was active when it first read it."""
        filter_ = super().filter_for_field(field, field_name, lookup_expr or "exact")
        if filter_._label is None and filter_.lookup_expr == "exact" and "__" not in field_name:
            filter_.label = capfirst(field.verbose_name)
        return filter_

    def __init__(self, *args, request=None, drop_inert=True, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for name, filter_ in self.filters.items():
            # django-filter makes every multiple-choice filter DISTINCT; only a join to many rows needs it,
            # and DISTINCT over a whole row costs a sort of every matching row.
            if filter_.distinct and field_path(self._meta.model, filter_.field_name.split("__")):
                filter_.distinct = False
            queryset = getattr(filter_, "queryset", None)
            if queryset is not None and not callable(queryset) and hasattr(queryset, "restrict"):
                self.filters[name].queryset = self.choice_queryset(name, queryset, user)
        for field in self.form.fields.values():
            if isinstance(field.widget, NullBooleanSelect):
                field.widget.choices = (("unknown", _("Any")), ("true", _("Yes")), ("false", _("No")))
        style(self.form, self.search_key)
        if drop_inert:
            self.form.filterset = self

    @classmethod
    def choice_queryset(cls, name: str, queryset, user):
        """The records of ``queryset`` that filter ``name`` offers ``user``: those ``restrict`` lets him see
        (a filter set may offer others for a filter). The list, the API and the search of a select of many
        records (``core.forms.searchable_queryset``) all offer these."""
        return queryset.restrict(user, "view")

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (FilterForm, form_class), {})

    def inert(self, name: str) -> bool:
        """Whether filter ``name`` cannot narrow the list for this user (see the class). Its choices are
        read as its select lists them (``RowChoiceIterator.first_rows``), which then shows them without
        reading them again."""
        filter_, field = self.filters[name], self.form.fields[name]
        choices = getattr(field.widget, "choices", None)
        if (
            not isinstance(filter_, django_filters.filters.QuerySetRequestMixin)
            or getattr(getattr(filter_.queryset, "model", None), "scope_field", None) is None
            or getattr(field, "null_label", None) is not None
            or not (isinstance(choices, RowChoiceIterator) and choices.reads_rows)
            or getattr(field.widget, "search", None) is None
        ):
            return False
        rows = choices.first_rows(settings.WAISHI_CHOICES_INLINE_MAX)
        if not rows:
            return True
        scope = getattr(self._meta.model, "scope_field", None)
        return len(rows) == 1 and (filter_.field_name == scope or name in self.scope_filters)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.search_key = search_source(cls)
