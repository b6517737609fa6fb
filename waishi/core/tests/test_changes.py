"""A record's changes as a page shows them (``core.changes``): the change log page and what it reads."""

from datetime import date
from decimal import Decimal

import lxml.html
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from waishi.core import services
from waishi.core.changes import readable_changes
from waishi.core.models import ChangeLog
from waishi.core.testing.factories import PersonFactory
from waishi.directory.models import Country, Person
from waishi.passports.models import TravelDocument
from waishi.travel.choices import TripCategory
from waishi.travel.models import PerDiemRate, Trip
from waishi.travel.tests.factories import make_trip

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(world):
    return world.user("fao_staff", world.province)


def field_name(model, name: str) -> str:
    return str(model._meta.get_field(name).verbose_name)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_kind_of_value_reads_as_the_records_page_writes_it(world, staff, language):
    """A related record by its name, a choice by its label, a date, a moment, yes or no, a list by its items;
    each under its field's name, in the order of the model's fields."""
    changes = [
        ("return_date", "2027-01-02", "2027-01-12"),
        ("applicant_unit_id", world.unit_a.pk, world.unit_a2.pk),
        ("category", TripCategory.ABROAD, TripCategory.HKMO),
        ("invitation_signed", False, True),
        ("invitation_invitees", ["张三", "李四"], ["张三"]),
        ("inviter_country_id", None, "JP"),
        ("created_at", "2026-11-21T01:00:00+00:00", "2026-11-22T01:00:00+00:00"),
    ]
    with translation.override(language):
        [rows] = readable_changes(Trip, [changes], staff)
        assert rows == [  # not the time it was created, which no one edits
            (field_name(Trip, "applicant_unit"), world.unit_a.name, world.unit_a2.name),
            (field_name(Trip, "category"), str(TripCategory.ABROAD.label), str(TripCategory.HKMO.label)),
            (field_name(Trip, "return_date"), date_format(date(2027, 1, 2)), date_format(date(2027, 1, 12))),
            (field_name(Trip, "inviter_country"), "", str(Country.objects.get(code="JP"))),
            (field_name(Trip, "invitation_invitees"), "张三；李四", "张三"),
            (field_name(Trip, "invitation_signed"), _("No"), _("Yes")),
        ]
    if language == "zh-hans":  # the page's words, not the snapshot's
        assert rows[-1][1:] == ("否", "是") and rows[1][1:] == ("出国", "赴港澳")


def test_what_is_no_field_is_named_and_written_by_the_caller_and_a_stale_value_shown_as_stored(world, staff):
    changes = [
        ("members", ["张三 (团长)"], ["张三 (团长)", "李四 (团员)"]),
        ("depart_date", "n/a", "2027-01-02"),
    ]
    [rows] = readable_changes(Trip, [changes], staff, labels={"members": "团组成员"})
    assert rows[1] == ("团组成员", "张三 (团长)", "张三 (团长)；李四 (团员)")
    assert rows[0][1:] == ("n/a", date_format(date(2027, 1, 2)))
    [rows] = readable_changes(
        Trip, [changes], staff, labels={"members": "团组成员"}, formats={"members": len}
    )
    assert rows[1] == ("团组成员", 1, 2)


def test_the_related_records_are_read_once_a_model_whatever_the_number_of_changes(
    world, staff, django_assert_num_queries
):
    readable_changes(Trip, [[("applicant_unit_id", None, world.unit_a.pk)]], staff)  # the user's permissions
    entries = [[("applicant_unit_id", world.unit_a.pk, unit.pk), ("office_id", None, world.city_a.pk)]
               for unit in (world.unit_a2, world.unit_b) * 20]  # fmt: skip
    with django_assert_num_queries(1):  # the organizations, for both fields and every entry
        read = readable_changes(Trip, entries, staff)
    assert read[1][0][2] == world.unit_b.name and read[1][1][2] == world.city_a.name


def test_a_related_record_since_deleted_is_named_by_its_key(world, staff):
    [rows] = readable_changes(Trip, [[("applicant_unit_id", 999999, world.unit_a.pk)]], staff)
    assert rows[0][1:] == ("#999999", world.unit_a.name)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_change_log_page_writes_amounts_as_every_page_does(client, world, settings, language):
    """A record's change log shows a MoneyField's before and after with ``money()``, under the field's
    name; the log keeps the decimal's text (entries written before this page formatted them read the same)."""
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

    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("travel:perdiemrate_changelog", args=[rate.pk]))
    assert response.status_code == 200 and response.headers["Content-Language"] == language
    update, create = [
        {r[0].text_content(): (r[1].text_content(), r[2].text_content()) for r in table.xpath(".//tbody/tr")}
        for table in lxml.html.fromstring(response.content.decode()).xpath("//table")
    ]  # the newest first
    with translation.override(language):
        lodging, meals, city = (field_name(PerDiemRate, n) for n in ("lodging", "meals", "city_name"))
        country = field_name(PerDiemRate, "country")
    assert update[lodging] == ("25,000.00", "160,000.00")
    assert update[meals] == ("900.00", "12,345.50")
    assert update[city] == ("", "東京")
    assert field_name(PerDiemRate, "incidentals") not in update
    assert create[lodging] == ("", "25,000.00")
    assert create[country] == ("", str(Country.objects.get(code="JP")))
    assert "160000" not in response.content.decode()


def test_a_stored_amount_that_is_no_number_is_shown_as_stored(world):
    """An entry whose MoneyField holds text that is no number (written by hand, or before the field held
    money)."""
    entry = ChangeLog(
        content_type=ContentType.objects.get_for_model(PerDiemRate),
        object_id="1",
        action="update",
        before={"lodging": "n/a"},
        after={"lodging": "5"},
    )
    with translation.override("en"):
        assert readable_changes(PerDiemRate, [entry.changes], world.user("fao_staff", world.province)) == [
            [(field_name(PerDiemRate, "lodging"), "n/a", "5.00")]
        ]


def test_a_related_record_the_user_may_not_see_is_named_by_its_key(world):
    """A document moved from a holder of unit A to one of unit A2: unit A2's clerk reads the old holder's
    key, not his name; the office above his unit, which he does not see but knows of, by its name."""
    old, new = (
        PersonFactory(organization=world.unit_a, name="机密人甲"),
        PersonFactory(organization=world.unit_a2),
    )
    changes = [("person_id", old.pk, new.pk), ("custodian_id", world.unit_a2.pk, world.city_a.pk)]
    [rows] = readable_changes(TravelDocument, [changes], world.user("unit_clerk", world.unit_a2))
    assert rows == [
        (field_name(TravelDocument, "person"), f"#{old.pk}", new.name),
        (field_name(TravelDocument, "custodian"), world.unit_a2.name, world.city_a.name),
    ]


def test_what_no_one_edits_and_what_reads_the_same_are_left_out(world, staff):
    """The blind indexes' digests, the pinyin, the path; an empty text that became None; an old value that
    names no record (a snapshot of before a field's change) is shown as stored."""
    changes = [
        ("id_number_index", "a" * 64, "b" * 64),
        ("pinyin", "zhangsan", "zhangsanfeng"),
        ("position", "", None),
        ("organization_id", "甲市商务局", world.unit_a2.pk),
        ("name", "张三", "张三丰"),
    ]
    [rows] = readable_changes(Person, [changes], staff)
    assert rows == [
        (field_name(Person, "name"), "张三", "张三丰"),
        (field_name(Person, "organization"), "甲市商务局", world.unit_a2.name),
    ] or rows == [
        (field_name(Person, "organization"), "甲市商务局", world.unit_a2.name),
        (field_name(Person, "name"), "张三", "张三丰"),
    ]


def test_records_whose_names_read_other_records_cost_no_query_each(world, staff):
    """A trip without an approval number is named by its unit (``Trip.__str__``): read with it."""
    trips = [make_trip(world, attach=False) for _n in range(6)]  # drafts: no approval number
    entries = [[("trip_id", None, trip.pk)] for trip in trips]
    readable_changes(TravelDocument, entries[:1], staff)
    with CaptureQueriesContext(connection) as one:
        readable_changes(TravelDocument, entries[:1], staff)
    with CaptureQueriesContext(connection) as six:
        read = readable_changes(TravelDocument, entries, staff)
    assert len(six) == len(one)
    assert [rows[0][2] for rows in read] == [str(trip) for trip in trips]
