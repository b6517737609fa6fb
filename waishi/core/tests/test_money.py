"""Amounts of money read 28,500.00 in every language (waishi.core.money): pages, tables, documents."""

import re
from decimal import ROUND_HALF_UP, Decimal, localcontext

import lxml.html
import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import Context, Template
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from waishi.core import services
from waishi.core.models import ChangeLog
from waishi.core.money import MoneyField, money
from waishi.core.tables import MoneyColumn
from waishi.travel.models import PerDiemRate

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


# --- the change log page -----------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_change_log_page_writes_amounts_as_every_page_does(client, world, settings, language):
    """A record's change log shows a MoneyField's before and after with ``money()``; the log keeps the
    decimal's text (entries written before this page formatted them read the same)."""
    staff = world.user("fao_staff", world.province)
    rate = services.model_create(
        actor=staff,
        obj=PerDiemRate(
            country_id="JP", currency="JPY", lodging=Decimal("25000"), meals=Decimal("900"), incidentals=1
        ),
    )
    edited = PerDiemRate.objects.get(pk=rate.pk)
    edited.lodging, edited.meals, edited.city_name = Decimal("160000"), Decimal("12345.5"), "東京"
    services.model_update(actor=staff, obj=edited, version=rate.version)
    entry = ChangeLog.objects.get(object_id=str(rate.pk), action="update")
    assert (entry.before["lodging"], entry.after["lodging"]) == ("25000.00", "160000")  # the decimals' text
    diff = {name: (old, new) for name, old, new in entry.diff}
    assert diff["lodging"] == ("25,000.00", "160,000.00")
    assert diff["meals"] == ("900.00", "12,345.50")
    assert diff["city_name"] == ("", "東京")  # what is no amount is as stored
    assert "incidentals" not in diff

    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("travel:perdiemrate_changelog", args=[rate.pk]))
    assert response.status_code == 200 and response.headers["Content-Language"] == language
    update, create = [
        {r[0].text_content(): (r[1].text_content(), r[2].text_content()) for r in table.xpath(".//tbody/tr")}
        for table in lxml.html.fromstring(response.content.decode()).xpath("//table")
    ]  # the newest first
    assert update["lodging"] == ("25,000.00", "160,000.00")
    assert update["meals"] == ("900.00", "12,345.50")
    assert create["lodging"] == ("", "25,000.00")
    assert "160000" not in response.content.decode()


@pytest.mark.django_db
def test_a_stored_value_that_is_no_amount_is_shown_as_stored(world):
    """An entry whose MoneyField holds text no number (written by hand, or before the field held money)."""
    rate_type = ContentType.objects.get_for_model(PerDiemRate)
    entry = ChangeLog(
        content_type=rate_type,
        object_id="1",
        action="update",
        before={"lodging": "n/a"},
        after={"lodging": "5"},
    )
    assert entry.diff == [("lodging", "n/a", "5.00")]
