import datetime
import io
from decimal import Decimal

import lxml.html
import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from waishi.core.testing.factories import PersonFactory
from waishi.core.testing.views import ModelViewTests
from waishi.travel.choices import BudgetKind
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripLeg, TripMember
from waishi.travel.tests import factories as f
from waishi.travel.views import PerDiemRateViews, PlanEntryViews, TripViews


def make_trip(organization, mission="赴日本开展陶瓷文化交流"):
    trip = Trip.objects.create(
        applicant_unit=organization,
        office=organization.office(),
        category="abroad",
        mission=mission,
        depart_date=datetime.date(2026, 5, 1),
        return_date=datetime.date(2026, 5, 5),
    )
    TripMember.objects.create(trip=trip, person=PersonFactory(organization=organization), role="head")
    return trip


class TestTripViews(ModelViewTests):
    views = TripViews
    allowed_role = "unit_clerk"
    denied_role = "system_admin"

    def make(self, world, organization):
        return make_trip(organization)

    def make_many(self, world, organization, numbers):
        trips = [make_trip(organization, mission=f"交流{n}") for n in numbers]
        for trip in trips:  # the list shows the countries of the itinerary
            TripLeg.objects.create(
                trip=trip, country_id="JP", arrive=trip.depart_date, depart=trip.return_date
            )
        return trips

    def list_text(self, obj):
        return str(obj.applicant_unit)


class TestPlanEntryViews(ModelViewTests):
    views = PlanEntryViews
    allowed_role = "unit_clerk"
    denied_role = "audit_admin"

    def make(self, world, organization):
        return PlanEntry.objects.create(
            unit=organization, year=2026, title=f"{organization.code} 赴意大利交流"
        )

    def make_many(self, world, organization, numbers):
        return [PlanEntry.objects.create(unit=organization, year=2026, title=f"交流{n}") for n in numbers]

    def list_text(self, obj):
        return obj.title


class TestPerDiemRateViews(ModelViewTests):
    views = PerDiemRateViews
    allowed_role = "fao_staff"
    denied_role = "audit_admin"
    scoped = False

    def make(self, world, organization):
        return PerDiemRate.objects.create(
            country_id="JP",
            city_name="东京",
            currency="JPY",
            lodging=Decimal(20000),
            meals=Decimal(10000),
            incidentals=Decimal(5000),
        )

    def make_many(self, world, organization, numbers):
        return [
            PerDiemRate.objects.create(
                country_id="JP",
                city_name=f"城市{n}",
                currency="JPY",
                lodging=Decimal(20000),
                meals=Decimal(10000),
                incidentals=Decimal(5000),
            )
            for n in numbers
        ]

    def list_text(self, obj):
        return "东京"


@pytest.mark.django_db
def test_dates_in_trip_names_read_as_the_language_writes_them(world):
    """An application without a number is named by its date, in Chinese as 2026年5月1日 (not ISO)."""
    from django.utils import timezone, translation

    from waishi.travel.tables import TripTable

    trip = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="交流",
        depart_date=datetime.date(2026, 5, 1),
        return_date=datetime.date(2026, 5, 4),
    )
    created = timezone.localtime(trip.created_at).date()
    with translation.override("zh-hans"):
        assert str(trip) == f"{world.unit_a.name} 2026年5月1日"
        name = TripTable([trip]).render_approval_number(trip)
        assert name == f"{created.year}年{created.month}月{created.day}日的申请"
    with translation.override("en"):
        assert "2026-05-01" not in str(trip)


@pytest.mark.django_db
def test_trip_page_writes_its_dates_in_chinese(client, world):
    """The application's departure and return dates read 2026年5月1日 on the trip page, not ISO."""
    trip = make_trip(world.unit_a)
    client.force_login(world.user("unit_clerk"))
    page = client.get(trip.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "2026年5月1日" in page and "2026年5月5日" in page
    assert "2026-05-01" not in page and "2026-05-05" not in page


@pytest.mark.django_db
def test_the_trip_lists_add_button_is_named_as_the_menu_names_it(client, world):
    from django.urls import reverse

    client.force_login(world.user("unit_clerk"))
    page = client.get(reverse("travel:trip_list")).content.decode()
    assert "新建出访申请</a>" in page and "新增出访团组" not in page


# --- amounts of money read 28,500.00 (waishi.core.money) in Chinese and in English ------------------------


def budget_cells(page: str) -> list[list[str]]:
    rows = lxml.html.fromstring(page).xpath('//table[@id="budget"]/tbody/tr')
    return [[" ".join(td.text_content().split()) for td in row.xpath("td")] for row in rows]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_trip_page_shows_the_budget_with_thousands_separators(client, world, settings, tmp_path, language):
    """Django's Chinese has no thousands separator and English groups only with USE_THOUSAND_SEPARATOR:
    the budget table groups its amounts in both, to the cent."""
    f.speed_up(settings, tmp_path)
    budget = [{"kind": BudgetKind.INTERNATIONAL_TRAVEL, "currency": "CNY", "amount": Decimal("28500")}]
    trip = f.make_trip(world, budget=budget)
    client.force_login(f.clerk(world))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(trip.get_absolute_url())
    assert response["Content-Language"] == language
    with translation.override(language):
        labels = [str(kind.label) for kind in BudgetKind]
    # Tokyo, 5 days (4 nights), 2 people at 20000, 10000 and 5000 JPY: nothing claimed beside the standard.
    assert budget_cells(response.content.decode()) == [
        [labels[0], "CNY", "28,500.00", "—"],
        [labels[1], "JPY", "—", "160,000.00"],
        [labels[2], "JPY", "—", "100,000.00"],
        [labels[3], "JPY", "—", "50,000.00"],
    ]


def make_rate() -> PerDiemRate:
    return PerDiemRate.objects.create(
        country_id="JP",
        city_name="东京",
        currency="JPY",
        lodging=Decimal("28500"),
        meals=Decimal("1234.5"),
        incidentals=Decimal("500"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_per_diem_rates_show_their_amounts_with_thousands_separators(client, world, settings, language):
    rate = make_rate()
    client.force_login(world.user("fao_staff"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get(reverse("travel:perdiemrate_list")).content.decode()
    row = lxml.html.fromstring(page).xpath("//table//tbody/tr")[0]
    cells = [" ".join(td.text_content().split()) for td in row.xpath("td")]
    assert cells[-3:] == ["28,500.00", "1,234.50", "500.00"]
    assert all("text-end" in td.get("class") for td in row.xpath("td")[-3:])
    detail = lxml.html.fromstring(client.get(rate.get_absolute_url()).content.decode())
    shown = [
        " ".join(td.text_content().split())
        for td in detail.xpath('//table[contains(@class, "detail-table")]//td')
    ]
    assert shown[-3:] == ["28,500.00", "1,234.50", "500.00"]


@pytest.mark.django_db
def test_per_diem_export_keeps_the_amounts_numbers(client, world):
    """The workbook holds numbers a spreadsheet can add up, not the page's text."""
    make_rate()
    client.force_login(world.user("fao_staff"))
    response = client.get(reverse("travel:perdiemrate_export"))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert list(rows[1][-3:]) == [28500, 1234.5, 500]


@pytest.mark.django_db
def test_the_list_and_its_export_show_each_trips_own_delegation_and_countries(
    client, world, settings, tmp_path
):
    """The members' names and the stops' countries come as rows a page (or an export's chunk) and go to
    their own trip: an export of chunks of two trips lists every trip's people and countries, in order."""
    f.speed_up(settings, tmp_path)
    settings.WAISHI_EXPORT_CHUNK_ROWS = 2
    first, second, last = (datetime.date(2026, 5, day) for day in (1, 3, 5))
    stops = [
        [f.leg("JP", "东京", first, second), f.leg("KR", "首尔", second, last)],
        [f.leg("KR", "首尔", first, last)],
        [f.leg("JP", "东京", first, second), f.leg("JP", "大阪", second, last)],
    ]
    trips = [f.make_trip(world, legs=legs, members=n + 1) for n, legs in enumerate(stops * 2)]
    expected = {
        trip.pk: (
            "、".join(m.person.name for m in trip.members.order_by("order", "id")),
            "、".join(
                dict.fromkeys(leg.country.name_zh for leg in trip.legs.order_by("order", "arrive", "id"))
            ),
        )
        for trip in trips
    }
    assert {countries for _, countries in expected.values()} == {"日本、韩国", "韩国", "日本"}
    client.force_login(world.user("fao_staff"))
    content = b"".join(client.get(reverse("travel:trip_export")).streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    members, countries = header.index("团组"), header.index("国家和地区")
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(trips)
    assert sorted((row[members], row[countries]) for row in rows) == sorted(expected.values())

    page = client.get(reverse("travel:trip_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for trip in trips:
        head = trip.members.get(role="head").person.name
        assert f"{head}等{trip.members.count()}人" in page
