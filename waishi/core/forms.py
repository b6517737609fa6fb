"""Form base: Bootstrap widgets, and choices of related records narrowed by ``restrict``."""

import copy
import html
from functools import cache

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import connections
from django.db.models import Q, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.forms.widgets import Widget
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_filters import fields as filter_fields

# The forms and filter sets whose record choices may be searched (``record_choices``), by dotted path: a
# select of more records than ``WAISHI_CHOICES_INLINE_MAX`` lists only the chosen ones and asks the
# server for the others as the user types.
SEARCH_SOURCES: dict[str, type] = {}


def search_source(cls: type) -> str:
    """Register a form or filter set class as a source of searchable choices; its key."""
    key = f"{cls.__module__}.{cls.__qualname__}"
    SEARCH_SOURCES[key] = cls
    return key


def searchable_queryset(key: str, name: str, user) -> QuerySet | None:
    """The records that field ``name`` of the form or filter set ``key`` offers ``user``, as its choices
    are narrowed (``restrict``, or a filter set's ``choice_queryset``); None when there is no such field or
    its records have no label field."""
    cls = SEARCH_SOURCES.get(key)
    fields = getattr(cls, "base_filters", None) or getattr(cls, "base_fields", None) or {}
    queryset = getattr(fields.get(name), "queryset", None)
    if not isinstance(queryset, QuerySet) or getattr(queryset.model, "label_field", None) is None:
        return None
    narrow = getattr(cls, "choice_queryset", None)
    return narrow(name, queryset, user) if narrow is not None else queryset.restrict(user, "view")


def matching_choices(queryset: QuerySet, text: str) -> list[tuple]:
    """``(pk, label)`` of the first records ``text`` finds, at most ``WAISHI_CHOICES_SEARCH_LIMIT``: by the
    model's own ``search_choices(queryset, text)`` when it has one, else those whose ``search_fields`` (or
    label field) contain it."""
    model = queryset.model
    text = text.strip()
    if text and hasattr(model, "search_choices"):
        queryset = model.search_choices(queryset, text)
    elif text:
        match = Q()
        for name in getattr(model, "search_fields", (model.label_field,)):
            match |= Q(**{f"{name}__icontains": text})
        queryset = queryset.filter(match)
    return list(queryset.values_list("pk", model.label_field)[: settings.WAISHI_CHOICES_SEARCH_LIMIT])


class FastOptions:
    """A select whose options are written in Python, not through Django's template per option: a list's
    filters offer hundreds of organizations and countries, and rendering those templates took most of the
    page's time. The same HTML as Django's widget (tested)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = Widget.get_context(self, name, value, attrs)["widget"]
        # The selected values: a list of strings (NullBooleanSelect's is one string, matched as Django does).
        selected = widget["value"]
        attrs = widget["attrs"] | ({"multiple": True} if self.allow_multiple_selected else {})
        choices = self.choices
        search = getattr(self, "search", None)
        if search is not None and isinstance(choices, RowChoiceIterator):
            choices = choices.bounded(settings.WAISHI_CHOICES_INLINE_MAX, selected)
        has_selected, parts = False, []

        def option(value, label):
            nonlocal has_selected
            value = "" if value is None else str(value)
            chosen = (not has_selected or self.allow_multiple_selected) and value in selected
            has_selected |= chosen
            mark = " selected" if chosen else ""
            return f'<option value="{html_escape(value)}"{mark}>{html_escape(label)}</option>'

        for value, label in choices:
            if isinstance(label, (list, tuple)):
                options = "".join(option(*choice) for choice in label)
                parts.append(f'<optgroup label="{html_escape(value)}">{options}</optgroup>')
            else:
                parts.append(option(value, label))
        if getattr(choices, "searching", False):
            attrs = attrs | {
                "data-search-url": reverse("core:record_choices", args=search),
                "data-search-empty": _("Nothing matches."),
                "data-search-loading": _("Searching…"),
            }
        return mark_safe(f'<select name="{html_escape(name)}"{flatatt(attrs)}>{"".join(parts)}</select>')  # noqa: S308  (every value and label escaped)


# Django's widget templates that only include input.html.
INPUT_TEMPLATES = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "text",
        "number",
        "email",
        "url",
        "tel",
        "search",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
    )
}


class FastInput:
    """An ``<input>`` written in Python, not through Django's three templates (the widget's, ``input.html``
    and ``attrs.html``): a list's filter form has half a dozen. The same HTML as Django's (tested)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{html_escape(widget["value"])}"'
        return mark_safe(  # noqa: S308  (every value escaped)
            f'<input type="{html_escape(widget["type"])}" name="{html_escape(name)}"{shown}'
            f"{flatatt(widget['attrs'])}>"
        )


def html_escape(text) -> str:
    """Django's conditional_escape without its lazy-string wrapper (a select writes thousands of these)."""
    return str(text.__html__()) if hasattr(text, "__html__") else html.escape(str(text))


class RowChoiceIterator(ModelChoiceIterator):
    """The choices of a model choice field as ``(pk, label)`` rows of one plain query, when the model names
    the field its ``__str__`` shows (``label_field``) and the form field labels records by ``__str__``:
    Django builds a model instance a choice through a server-side cursor, which for a list's filters (500
    units, 250 countries) cost tens of milliseconds a page.

    ``bounded(limit, selected)``: the same choices when there are at most ``limit`` records, else only the
    ``selected`` ones, and ``searching`` set (the widget then searches the others on the server)."""

    limit: int | None = None
    selected: tuple = ()
    searching = False

    @property
    def reads_rows(self) -> bool:
        """Whether the choices are read as rows (else as Django reads them): the records have a label field,
        the form field labels them by ``__str__`` and names them by their key (django-filter names a
        foreign key's records by the field they point to, their key)."""
        field, model = self.field, self.queryset.model
        plain = type(field).label_from_instance is forms.ModelChoiceField.label_from_instance
        label = getattr(model, "label_field", None)
        return label is not None and field.to_field_name in (None, "", model._meta.pk.name) and plain

    def __iter__(self):
        field = self.field
        if not self.reads_rows:
            yield from super().__iter__()
            return
        if field.empty_label is not None:
            yield ("", field.empty_label)
        rows = self.queryset.values_list("pk", self.queryset.model.label_field)
        if self.limit is not None:
            listed = self.first_rows(self.limit)
            if len(listed) <= self.limit:
                yield from listed
                return
            self.searching = True
            keys = self._selected_keys()
            rows = rows.filter(pk__in=keys) if keys else ()
        yield from rows

    def first_rows(self, limit: int) -> list:
        """The first ``limit + 1`` records' ``(pk, label)`` rows, read once a field: a filter set counts them
        (``core.filtersets``) and its select then lists them without reading them again."""
        read = getattr(self.field, "_first_rows", None)
        if read is None or read[0] is not self.queryset or read[1] != limit:
            label = self.queryset.model.label_field
            read = (self.queryset, limit, list(self.queryset.values_list("pk", label)[: limit + 1]))
            self.field._first_rows = read
        return read[2]

    def bounded(self, limit: int, selected) -> "RowChoiceIterator":
        bounded = copy.copy(self)
        bounded.limit, bounded.selected = limit, tuple(selected)
        return bounded

    def _selected_keys(self) -> list:
        """The selected values that can name a record: a value the key field refuses (not a number, beyond
        the column's integers or length, a NUL character no database stores in text) names none."""
        pk = self.queryset.model._meta.pk
        keys = []
        for value in self.selected:
            try:
                key = pk.to_python(value)
                if key in pk.empty_values:
                    continue
                pk.run_validators(key)
                ProhibitNullCharactersValidator()(str(key))
            except ValidationError:
                continue
            keys.append(key)
        return keys


class FilterRowChoiceIterator(filter_fields.ModelChoiceIterator, RowChoiceIterator):
    """django-filter's iterator (its "null" choice) over the rows above."""


ROW_ITERATORS = {
    ModelChoiceIterator: RowChoiceIterator,
    filter_fields.ModelChoiceIterator: FilterRowChoiceIterator,
}


@cache
def fast_options(widget_class: type) -> type:
    return type(widget_class.__name__, (FastOptions, widget_class), {})


@cache
def fast_input(widget_class: type) -> type:
    return type(widget_class.__name__, (FastInput, widget_class), {})


def style(form: forms.BaseForm, source: str | None = None) -> None:
    """Bootstrap classes, the fast select, and choices read as rows; ``source``: the key of the form or
    filter set class (``search_source``), whose selects of many records then search."""
    for name, field in form.fields.items():
        widget = field.widget
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input"
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
            stock = widget.template_name in {forms.Select.template_name, forms.SelectMultiple.template_name}
            if stock and not isinstance(widget, FastOptions):
                widget.__class__ = fast_options(type(widget))
        else:
            css = "form-control"
            # Only a widget whose HTML is its template's (django-filter's CSVWidget renders its own).
            stock = type(widget).render is forms.Widget.render
            if stock and widget.template_name in INPUT_TEMPLATES and not isinstance(widget, FastInput):
                widget.__class__ = fast_input(type(widget))
        if getattr(field, "iterator", None) in ROW_ITERATORS:
            field.iterator = ROW_ITERATORS[field.iterator]
            widget.choices = field.choices
        if (
            source is not None
            and isinstance(widget, FastOptions)
            and isinstance(widget.choices, RowChoiceIterator)
        ):
            widget.search = (source, name)
        classes = widget.attrs.get("class", "").split()
        widget.attrs["class"] = " ".join(classes if css in classes else [*classes, css])
        if isinstance(field, forms.DateField):
            widget.input_type = "date"
            widget.format = "%Y-%m-%d"


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, but a number beyond the database's integers is an invalid choice, not a server error
    (the ``__in`` query it runs, unlike the single-choice lookup, hands such a number to SQLite, which
    overflows)."""

    def _check_values(self, value):
        model = self.queryset.model
        field = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
        ops = connections[self.queryset.db].ops
        if field.get_internal_type() not in ops.integer_field_ranges:
            return super()._check_values(value)
        low, high = ops.integer_field_range(field.get_internal_type())
        for pk in value if isinstance(value, (list, tuple)) else ():
            try:
                number = int(pk)
            except (TypeError, ValueError):
                continue  # Django's own check names it
            if (low is not None and number < low) or (high is not None and number > high):
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class ModelForm(forms.ModelForm):
    search_key: str | None = None  # search_source(), for each subclass

    def __init__(self, *args, user=None, querysets: dict | None = None, **kwargs):
        """``querysets``: ``restricted_querysets(user)``, worked out once for many forms of the same user
        (an import builds a form a row: narrowing its choices again for each was a tenth of the import)."""
        super().__init__(*args, **kwargs)
        self.user = user
        if querysets is None:
            querysets = self.restricted_querysets(user)
        for name, queryset in querysets.items():
            if name in self.fields:
                self.fields[name].queryset = queryset
        style(self, self.search_key)

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.search_key = search_source(cls)

    @classmethod
    def restricted_querysets(cls, user) -> dict:
        """The record choices of the form's fields narrowed to what ``user`` may see, by field name."""
        return {
            name: field.queryset.restrict(user, "view")
            for name, field in cls.base_fields.items()
            if hasattr(getattr(field, "queryset", None), "restrict")
        }


class Form(forms.Form):
    """A plain form with Bootstrap widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
