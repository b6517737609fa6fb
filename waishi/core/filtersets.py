import django_filters
from django.core.exceptions import FieldDoesNotExist
from django.forms import NullBooleanSelect
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from waishi.core.forms import style


def single_valued(model, path: str) -> bool:
    """Whether ``path`` (``state``, ``office__path``) names one value a row of ``model``: no join to many."""
    opts = model._meta
    for part in path.split("__"):
        try:
            field = opts.get_field(part)
        except FieldDoesNotExist:
            return False
        if field.is_relation and not (field.many_to_one or field.one_to_one):
            return False
        if not field.is_relation:
            return True  # a column (a lookup may follow)
        opts = field.related_model._meta
    return True


class FilterSet(django_filters.FilterSet):
    """Base filter set: Bootstrap widgets; related-record choices narrowed to what the user may see."""

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
            if filter_.distinct and single_valued(self._meta.model, filter_.field_name):
                filter_.distinct = False
            queryset = getattr(filter_, "queryset", None)
            if queryset is not None and not callable(queryset) and hasattr(queryset, "restrict"):
                self.filters[name].queryset = queryset.restrict(user, "view")
        for field in self.form.fields.values():
            if isinstance(field.widget, NullBooleanSelect):
                field.widget.choices = (("unknown", _("Any")), ("true", _("Yes")), ("false", _("No")))
        style(self.form)
