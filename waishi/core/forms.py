"""Form base: Bootstrap widgets, and choices of related records narrowed by ``restrict``."""

from functools import cache

from django import forms
from django.core.exceptions import ValidationError
from django.db import connections
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastOptions:
    """A select whose options are written in Python, not through Django's template per option: a list's
    filters offer hundreds of organizations and countries, and rendering those templates took most of the
    page's time. The same HTML as Django's widget (tested)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((option["value"], flatatt(option["attrs"]), option["label"]) for option in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group, rendered) if group else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            mark_safe("".join(groups)),  # noqa: S308
        )


@cache
def fast_options(widget_class: type) -> type:
    return type(widget_class.__name__, (FastOptions, widget_class), {})


def style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
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
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "restrict"):
                field.queryset = queryset.restrict(user, "view")
        style(self)


class Form(forms.Form):
    """A plain form with Bootstrap widgets."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style(self)
