"""Form and filter widgets: the fast select (core.forms.FastOptions) writes the same HTML as Django's
template-rendered widget; generated filter labels follow the language."""

import datetime

import pytest
from django import forms
from django.test.html import parse_html

from waishi.core.forms import FastInput, FastOptions, fast_input, fast_options, style

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


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(attrs={"class": "form-control", "id": "id_c", "maxlength": 20}), '王 & "李" <b>'),
        (forms.TextInput(), None),
        (forms.TextInput(attrs={"required": True, "disabled": False}), ""),
        (forms.NumberInput(attrs={"min": 1900, "max": 2999}), 2024),
        (forms.DateInput(format="%Y-%m-%d"), datetime.date(2026, 5, 1)),
        (forms.EmailInput(), "a@b.cn"),
        (forms.PasswordInput(), "secret"),
        (forms.PasswordInput(render_value=True), "secret"),
        (forms.HiddenInput(), 7),
    ],
)
def test_inputs_same_html_as_django(widget, value):
    expected = widget.render("c", value)
    widget.__class__ = fast_input(type(widget))
    assert parse_html(widget.render("c", value)) == parse_html(expected)


def test_style_gives_inputs_the_fast_rendering_but_not_checkboxes_or_files():
    class Form(forms.Form):
        text = forms.CharField()
        day = forms.DateField()
        box = forms.BooleanField()
        file = forms.FileField()

    form = Form()
    style(form)
    style(form)  # twice: still one wrapper
    assert isinstance(form.fields["text"].widget, FastInput)
    assert type(form.fields["day"].widget).__mro__[1:3] == (FastInput, forms.DateInput)
    assert not isinstance(form.fields["box"].widget, FastInput)
    assert not isinstance(form.fields["file"].widget, FastInput)
    assert 'type="date"' in str(form["day"]) and 'class="form-control"' in str(form["text"])


def test_an_input_that_renders_itself_keeps_its_rendering():
    """django-filter's CSVWidget (a text input) writes its list as "1,2" in a render() of its own."""
    from django_filters.widgets import CSVWidget

    class Form(forms.Form):
        ids = forms.CharField(widget=CSVWidget)

    form = Form()
    style(form)
    assert not isinstance(form.fields["ids"].widget, FastInput)
    assert 'value="1,2"' in form.fields["ids"].widget.render("ids", ["1", "2"])


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


@pytest.mark.django_db
def test_a_filters_choices_are_rows_of_one_query_labelled_as_the_records(world, django_assert_num_queries):
    """Units and countries come as (pk, label) rows, not records: the same options as Django's iterator
    gives, narrowed to what the user may see, in one query a select."""
    from django.forms.models import ModelChoiceIterator
    from django.test import RequestFactory

    from waishi.core.forms import RowChoiceIterator
    from waishi.directory.models import Organization
    from waishi.travel.filtersets import TripFilterSet

    request = RequestFactory().get("/")
    request.user = world.user("fao_staff")
    filterset = TripFilterSet({}, request=request)
    field = filterset.form.fields["applicant_unit"]
    assert isinstance(field.widget.choices, RowChoiceIterator)
    with django_assert_num_queries(1):
        options = list(iter(field.widget.choices))  # as a select reads them (no len(): a COUNT)
    visible = Organization.objects.restrict(request.user, "view")
    assert options[1:] == [(unit.pk, unit.name) for unit in visible]
    assert options[1:] == [(value.value, label) for value, label in list(ModelChoiceIterator(field))[1:]]
    assert world.city_b.pk not in {value for value, _label in options}
    html = str(filterset.form["applicant_unit"])
    assert f'<option value="{world.unit_a.pk}">{world.unit_a.name}</option>' in html


def test_a_field_with_its_own_labels_keeps_djangos_iterator():
    from waishi.core.forms import ModelForm, RowChoiceIterator
    from waishi.directory.models import Organization

    class Labelled(forms.ModelChoiceField):
        def label_from_instance(self, obj):
            return f"{obj.code}: {obj.name}"

    class Form(ModelForm):
        unit = Labelled(queryset=Organization.objects.none())

        class Meta:
            model = Organization
            fields = ["parent"]

    form = Form()
    assert type(form.fields["parent"].widget.choices) is RowChoiceIterator
    assert type(form.fields["unit"].widget.choices) is RowChoiceIterator  # the iterator steps aside itself
    assert list(form.fields["unit"].widget.choices) == [("", "---------")]


@pytest.mark.django_db
def test_a_filter_generated_for_a_foreign_key_reads_its_choices_as_rows(world, django_assert_num_queries):
    """django-filter names a foreign key's records by the field it points to, their key: rows too, and the
    same options as Django's iterator gives."""
    from django.forms.models import ModelChoiceIterator
    from django.test import RequestFactory

    from waishi.core.forms import RowChoiceIterator
    from waishi.directory.filtersets import PersonFilterSet

    request = RequestFactory().get("/")
    request.user = world.user("fao_staff")
    field = PersonFilterSet({}, request=request).form.fields["organization"]
    assert field.to_field_name == "id"
    assert isinstance(field.widget.choices, RowChoiceIterator) and field.widget.choices.reads_rows
    with django_assert_num_queries(1):
        options = list(iter(field.widget.choices))
    assert options[1:] == [(unit.pk, unit.name) for unit in (world.city_a, world.unit_a, world.unit_a2)]
    assert all(type(value) is int for value, _label in options[1:])  # rows, not records
    assert options[1:] == [(value.value, label) for value, label in list(ModelChoiceIterator(field))[1:]]


@pytest.mark.django_db
def test_only_a_filter_across_a_join_to_many_rows_is_distinct(world):
    from django.test import RequestFactory

    from waishi.travel.filtersets import TripFilterSet
    from waishi.travel.models import Trip

    request = RequestFactory().get("/")
    request.user = world.user("fao_staff")
    on_a_column = TripFilterSet(
        {"state": ["closed", "approved"]}, queryset=Trip.objects.all(), request=request
    )
    assert "DISTINCT" not in str(on_a_column.qs.query)
    across_legs = TripFilterSet({"country": "JP"}, queryset=Trip.objects.all(), request=request)
    assert "DISTINCT" in str(across_legs.qs.query)
