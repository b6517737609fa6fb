"""Form and filter widgets: the fast select (core.forms.FastOptions) writes the same HTML as Django's
template-rendered widget; generated filter labels follow the language."""

import pytest
from django import forms
from django.test.html import parse_html

from waishi.core.forms import FastOptions, fast_options, style

CHOICES = [
    ("", "---------"),
    ("cn", "中国 & <China>"),
    ("Asia", [("jp", "日本"), ("kr", '韩国 "ROK"')]),
    (3, "three"),
]


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=CHOICES, attrs={"class": "form-select", "id": "id_c"}), "jp"),
        (forms.Select(choices=CHOICES), None),
        (forms.Select(choices=CHOICES), 3),
        (forms.SelectMultiple(choices=CHOICES, attrs={"required": True}), ["cn", "kr"]),
        (forms.NullBooleanSelect(), True),
        (forms.NullBooleanSelect(), None),
    ],
)
def test_same_html_as_django(widget, value):
    expected = widget.render("c", value)
    fast = fast_options(type(widget))
    widget.__class__ = fast
    assert parse_html(widget.render("c", value)) == parse_html(expected)


def test_style_gives_selects_the_fast_rendering_and_leaves_other_choice_widgets():
    class Form(forms.Form):
        one = forms.ChoiceField(choices=CHOICES)
        many = forms.MultipleChoiceField(choices=CHOICES)
        boxes = forms.MultipleChoiceField(choices=CHOICES, widget=forms.CheckboxSelectMultiple)

    form = Form()
    style(form)
    style(form)  # twice: still one wrapper
    assert isinstance(form.fields["one"].widget, FastOptions)
    assert type(form.fields["one"].widget).__mro__[1:3] == (FastOptions, forms.Select)
    assert isinstance(form.fields["many"].widget, FastOptions)
    assert not isinstance(form.fields["boxes"].widget, FastOptions)
    assert 'class="form-select"' in str(form["one"])


def test_generated_filter_labels_follow_the_language_whatever_read_them_first():
    from django.utils import translation

    from waishi.directory.filtersets import PersonFilterSet
    from waishi.travel.filtersets import TripFilterSet

    for filterset in (PersonFilterSet, TripFilterSet):
        with translation.override("en"):
            english = [str(f.label) for f in filterset.base_filters.values()]
        with translation.override("zh-hans"):
            chinese = [str(f.label) for f in filterset.base_filters.values()]
        assert "Gender" not in chinese and "State" not in chinese, chinese
        assert english != chinese
