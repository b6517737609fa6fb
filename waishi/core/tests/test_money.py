"""Amounts of money read 28,500.00 in every language (waishi.core.money): pages, tables, documents."""

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from waishi.core.money import MoneyField, money
from waishi.core.tables import MoneyColumn

WRITTEN = re.compile(r"-?\d{1,3}(,\d{3})*\.\d{2}")
CENTS = st.decimals(
    min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=2, allow_nan=False, allow_infinity=False
)
ANY = st.decimals(
    min_value=Decimal("-1e30"), max_value=Decimal("1e30"), allow_nan=False, allow_infinity=False
)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("28500.00"), "28,500.00"),
        (Decimal("28500"), "28,500.00"),
        (Decimal("-28500.5"), "-28,500.50"),
        (Decimal("999.99"), "999.99"),
        (Decimal("1000"), "1,000.00"),
        (Decimal("1234567.891"), "1,234,567.89"),
        (Decimal("0"), "0.00"),
        (Decimal("-0.004"), "0.00"),  # never -0.00
        (Decimal("0.005"), "0.01"),  # half up, as an accountant rounds
        (Decimal("-1234.565"), "-1,234.57"),
        (Decimal("999.995"), "1,000.00"),
        (28500, "28,500.00"),
        (2.675, "2.68"),  # the float as written, not its binary 2.67499…
        ("1234.5", "1,234.50"),
        (Decimal("1E+30"), "1,000,000,000,000,000,000,000,000,000,000.00"),
        (Decimal("9" * 30 + ".995"), "1" + ",000" * 10 + ".00"),  # 33 digits: more than the context's 28
    ],
)
def test_an_amount_has_two_decimals_and_groups_of_three(value, written):
    assert money(value) == written


def test_no_amount_is_the_placeholder():
    assert money(None) == "—"
    assert money("") == "—"
    assert money(None, empty="") == ""


@pytest.mark.parametrize("value", ["abc", "1,000.00", [], True])
def test_what_is_no_amount_is_refused(value):
    with pytest.raises((ValueError, TypeError)):
        money(value)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("NaN"), "NaN"),
        (Decimal("-NaN"), "-NaN"),
        (Decimal("sNaN"), "sNaN"),
        (Decimal("Infinity"), "Infinity"),
        (Decimal("-Infinity"), "-Infinity"),
        (float("nan"), "NaN"),
        (float("inf"), "Infinity"),
        (float("-inf"), "-Infinity"),
        ("NaN", "NaN"),
        ("-inf", "-Infinity"),
    ],
)
def test_a_number_that_is_not_finite_reads_as_it_is_in_every_language(value, written):
    """Not an amount a page should hold, but one it shows rather than fails on: ``money()`` is called
    unguarded (MoneyColumn, detail pages, BudgetLine.__str__, the budget form and rule)."""
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert money(value) == written
            assert MoneyColumn().render(value) == written


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_every_decimal_is_written_and_none_raises(amount):
    written = money(amount)
    if amount.is_finite():
        assert WRITTEN.fullmatch(written), written
    else:
        assert written == str(amount)


@given(CENTS)
def test_removing_the_commas_gives_the_amount_back(amount):
    written = money(amount)
    assert WRITTEN.fullmatch(written), written
    assert Decimal(written.replace(",", "")) == amount
    whole = written.lstrip("-").split(".")[0]
    assert [len(group) for group in whole.split(",")[1:]] == [3] * whole.count(",")
    assert written.startswith("-") == (amount < 0)


@given(ANY)
def test_any_decimal_is_rounded_half_up_to_the_cent(amount):
    written = money(amount)
    assert WRITTEN.fullmatch(written), written
    with localcontext() as context:
        context.prec = 100  # the default 28 digits cannot hold 1e30 to the cent
        assert Decimal(written.replace(",", "")) == amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_whole_numbers_get_two_zero_decimals(number):
    assert money(number) == f"{number:,}.00"


@given(CENTS)
def test_the_language_and_its_separators_change_nothing(amount):
    """Django's Simplified Chinese has no THOUSAND_SEPARATOR; English has ",", used only with
    USE_THOUSAND_SEPARATOR. Neither decides how an amount reads."""
    written = money(amount)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert money(amount) == written
    with override_settings(USE_THOUSAND_SEPARATOR=True, THOUSAND_SEPARATOR=" ", NUMBER_GROUPING=4):
        assert money(amount) == written


def test_the_template_filter():
    template = Template(
        '{% load waishi_money %}{{ a|money }}|{{ b|money }}|{{ b|money:"" }}|{{ c|money }}|{{ d|money }}'
    )
    context = Context({"a": Decimal("28500"), "b": None, "c": "n/a", "d": Decimal("-1234567.8")})
    for language in ("zh-hans", "en"):
        with translation.override(language):
            assert template.render(context) == "28,500.00|—||n/a|-1,234,567.80"


def test_a_money_column_writes_the_amount_and_exports_the_number():
    column = MoneyColumn()
    assert column.render(Decimal("28500.00")) == "28,500.00"
    assert column.value(Decimal("28500.00")) == Decimal("28500.00")


def test_a_money_field_is_a_decimal_field_to_migrations():
    field = MoneyField("amount", max_digits=12, decimal_places=2)
    _name, path, _args, kwargs = field.deconstruct()
    assert path == "django.db.models.DecimalField"
    assert kwargs == {"verbose_name": "amount", "max_digits": 12, "decimal_places": 2}
