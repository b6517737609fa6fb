import django_filters
from django.forms import NullBooleanSelect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import search_source, style
from waishi.core.models import field_path


class FilterSet(django_filters.FilterSet):
    """Base filter set: Bootstrap widgets; related-record choices narrowed to what the user may see."""

    search_key: str | None = None  # search_source(), for each subclass

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        """A generated filter's label follows the user's language: django-filter would fix it as a string in
        whatever language was active when it first read it."""
        filter_ = super().filter_for_field(field, field_name, lookup_expr or "exact")
        if filter_._label is None and filter_.lookup_expr == "exact" and "__" not in field_name:
            filter_.label = capfirst(field.verbose_name)
        return filter_

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = getattr(request, "user", None)
        for name, filter_ in self.filters.items():
            # django-filter makes every multiple-choice filter DISTINCT; only a join to many rows needs it,
            # and DISTINCT over a whole row costs a sort of every matching row.
            if filter_.distinct and field_path(self._meta.model, filter_.field_name.split("__")):
                filter_.distinct = False
            queryset = getattr(filter_, "queryset", None)
            if queryset is not None and not callable(queryset) and hasattr(queryset, "restrict"):
                self.filters[name].queryset = queryset.restrict(user, "view")
        for field in self.form.fields.values():
            if isinstance(field.widget, NullBooleanSelect):
                field.widget.choices = (("unknown", _("Any")), ("true", _("Yes")), ("false", _("No")))
        style(self.form, self.search_key)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.search_key = search_source(cls)
