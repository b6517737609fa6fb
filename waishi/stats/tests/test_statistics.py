import datetime
import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from waishi.directory.demo import load_directory
from waishi.directory.models import Organization
from waishi.passports.demo import load_documents
from waishi.stats import report, selectors
from waishi.travel.demo import load_trips
from waishi.travel.models import Trip, TripLeg, TripMember
from waishi.users.demo import load_accounts
from waishi.users.models import User

TODAY = datetime.date(2026, 11, 22)
SEED_SENTENCE = (
    "共审核、审批因公出国团组13批42人次，其中双跨团组2批6人次，赴港澳团组2批7人次，未成行团组1批2人次"
)


@pytest.fixture
def demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load_directory()
    load_accounts()
    load_trips(today=TODAY)
    load_documents(today=TODAY)
    return Organization.objects.get(code="jdz-fao")


def jingdezhen_2023(office):
    return selectors.Scope(office, datetime.date(2023, 1, 1), datetime.date(2023, 11, 30))


def test_jingdezhen_2023_reproduces_the_seed_and_the_report_says_it(demo, client, tmp_path):
    data = selectors.statistics(jingdezhen_2023(demo))
    places = {"countries": 0, "regions": 0, "by_continent": {}, "travelled": {}}
    assert data["outbound"] | places == {
        "batches": 13,
        "person_times": 42,
        "cross_unit": {"batches": 2, "person_times": 6},
        "hkmo": {"batches": 2, "person_times": 7},
        "cancelled": {"batches": 1, "person_times": 2},
        **places,
    }
    assert data["outbound"]["travelled"]["batches"] == 12  # 13 approved, 1 did not travel
    assert data["passports"] == {
        "due": 40,
        "returned_on_time": 40,
        "collection_rate": 1.0,
        "custody_rate": 1.0,
    }
    assert sum(data["outbound"]["by_continent"].values()) == data["outbound"]["countries"] > 0
    assert data["checks"] == []

    text = "\n".join(p.text for p in Document(io.BytesIO(report.document(jingdezhen_2023(demo)))).paragraphs)
    assert SEED_SENTENCE in text
    assert "护照的收缴率为100%，集中保管率为100%" in text

    # The command and the API give the same JSON.
    out = tmp_path / "stats.json"
    with open(out, "w") as handle:
        call_command(
            "stats", "--office", "jdz-fao", "--from", "2023-01-01", "--to", "2023-11-30", stdout=handle
        )
    client.force_login(User.objects.get(username="director"))
    response = client.get(
        reverse("api:stats"), {"office": "jdz-fao", "from": "2023-01-01", "to": "2023-11-30"}
    )
    assert response.status_code == 200
    assert response.json() == json.loads(out.read_text()) == json.loads(json.dumps(data))


def test_annual_report_command_writes_docx_and_xlsx(demo, tmp_path):
    docx_path, xlsx_path = tmp_path / "report.docx", tmp_path / "report.xlsx"
    call_command(
        "annual_report",
        "--office",
        "jdz-fao",
        "--year",
        "2023",
        "--to",
        "2023-11-30",
        "--out",
        str(docx_path),
        "--xlsx",
        str(xlsx_path),
    )
    document = Document(str(docx_path))
    assert document.sections[0].page_width.mm == pytest.approx(210, abs=0.5)
    assert document.sections[0].top_margin.mm == pytest.approx(37, abs=0.5)
    assert document.paragraphs[0].runs[0].font.size.pt == 22  # title in 2号
    assert any(SEED_SENTENCE in p.text for p in document.paragraphs)
    sheets = load_workbook(xlsx_path, read_only=True)
    trips = list(sheets["出访团组"].iter_rows(values_only=True))
    assert len(trips) == 1 + 13
    assert sum(row[5] for row in trips[1:]) == 42
    # each check-out due in the span, marked on time as the summary counts them
    summary = {row[0]: row[1] for row in sheets["汇总"].iter_rows(values_only=True)}
    checkouts = list(sheets["证照收缴"].iter_rows(values_only=True))[1:]
    assert len(checkouts) == summary["应交回证照（本）"] > 0
    on_time = [row for row in checkouts if row[4] == "是"]
    assert 0 < len(on_time) == summary["按期交回（本）"]
    assert all((row[3] is not None and row[3] <= row[2]) == (row[4] == "是") for row in checkouts)
    if shutil.which("libreoffice") or shutil.which("soffice"):
        binary = shutil.which("libreoffice") or shutil.which("soffice")
        subprocess.run(
            [binary, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx_path)],
            check=True,
            timeout=120,
            capture_output=True,
        )
        assert (tmp_path / "report.pdf").stat().st_size > 1000


def test_a_zero_base_is_said_in_words_not_divided_by():
    assert report.growth(5, 0) == "上年同期为零"
    assert report.growth(0, 0) == "与上年同期均为零"
    assert report.growth(357, 128) == "同比增长178.9%"
    assert report.growth(3, 4) == "同比下降25%"
    assert selectors.change({"a": 5, "b": {"c": 2}}, {"a": 0, "b": {"c": 1}}) == {"a": None, "b": {"c": 1.0}}


def test_year_on_year_compares_the_same_span_a_year_earlier(demo):
    scope = jingdezhen_2023(demo)
    data = selectors.statistics(scope)
    assert data["previous"]["from"] == "2022-01-01" and data["previous"]["to"] == "2022-11-30"
    previous = data["previous"]["outbound"]["batches"]
    assert (
        previous == Trip.objects.filter(office=demo, approved_on__range=("2022-01-01", "2022-11-30")).count()
    )
    assert data["change"]["outbound"]["batches"] == round((13 - previous) / previous, 4)


def make_trips(office, unit, years, categories):
    for year in years:
        for index, category in enumerate(categories):
            trip = Trip.objects.create(
                applicant_unit=unit,
                office=office,
                category=category,
                mission="x",
                state="closed",
                depart_date=datetime.date(year, 3, 1 + index),
                return_date=datetime.date(year, 3, 5 + index),
                approved_on=datetime.date(year, 2, 1 + index),
            )
            from waishi.core.testing.factories import PersonFactory

            TripMember.objects.create(trip=trip, person=PersonFactory(organization=unit), role="head")
            TripLeg.objects.create(
                trip=trip,
                country_id="HK" if category == "hkmo" else "JP",
                city="c",
                arrive=trip.depart_date,
                depart=trip.return_date,
            )


def test_query_count_does_not_depend_on_categories_or_years(world):
    def count(scope):
        with CaptureQueriesContext(connection) as queries:
            selectors.statistics(scope)
        return len(queries)

    make_trips(world.city_a, world.unit_a, [2023], ["abroad"])
    few = count(selectors.Scope(world.city_a, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31)))
    make_trips(
        world.city_a, world.unit_a, [2019, 2020, 2021, 2022, 2023], ["abroad", "hkmo", "abroad", "hkmo"]
    )
    many = count(selectors.Scope(world.city_a, datetime.date(2019, 1, 1), datetime.date(2023, 12, 31)))
    assert few == many


def test_a_country_visited_on_several_stops_and_trips_counts_once(world):
    make_trips(world.city_a, world.unit_a, [2023], ["abroad", "abroad", "hkmo"])
    for trip in Trip.objects.filter(category="abroad"):
        TripLeg.objects.create(
            trip=trip, country_id="JP", city="d", arrive=trip.return_date, depart=trip.return_date, order=2
        )
    data = selectors.outbound(
        selectors.Scope(world.city_a, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    )
    assert data["countries"] == 2  # Japan (4 stops on 2 trips) and Hong Kong
    assert sum(data["by_continent"].values()) == 2


def test_include_lower_adds_the_offices_below(world):
    county = Organization.objects.create(
        code="county", name="县外办", kind="fao", level="county", parent=world.city_a
    )
    county_unit = Organization.objects.create(
        code="county-unit", name="县商务局", kind="unit", level="county", parent=county
    )
    make_trips(world.city_a, world.unit_a, [2023], ["abroad"])
    make_trips(county, county_unit, [2023], ["abroad", "hkmo"])
    span = (datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    assert selectors.outbound(selectors.Scope(world.city_a, *span))["batches"] == 1
    assert selectors.outbound(selectors.Scope(world.city_a, *span, include_lower=True))["batches"] == 3


def test_the_api_is_scoped_to_the_users_offices(client, world):
    client.force_login(world.user("fao_staff"))
    assert client.get(reverse("api:stats"), {"office": "city-a"}).status_code == 200
    response = client.get(reverse("api:stats"), {"office": "city-b"})
    assert response.status_code == 404 and set(response.json()) == {"code", "message", "extra"}
    assert client.get(reverse("api:stats"), {"office": "city-a", "from": "2023-13-01"}).status_code == 400
    client.force_login(world.user("system_admin", world.province))
    assert client.get(reverse("api:stats"), {"office": "city-a"}).status_code == 403
    client.logout()
    assert client.get(reverse("api:stats"), {"office": "city-a"}).status_code == 401


def test_dashboard_and_downloads(client, world):
    make_trips(world.city_a, world.unit_a, [2023], ["abroad", "hkmo"])
    client.force_login(world.user("fao_leader"))
    query = {"office": world.city_a.pk, "start": "2023-01-01", "end": "2023-12-31"}
    page = client.get(reverse("stats:dashboard"), query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "approved_from=2023-01-01" in html and "category=hkmo" in html
    docx = client.get(reverse("stats:annual_report", args=["docx"]), query)
    assert "批2人次" in "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    xlsx = client.get(reverse("stats:annual_report", args=["xlsx"]), query)
    assert load_workbook(io.BytesIO(xlsx.content), read_only=True).sheetnames[0] == "汇总"
    client.force_login(world.user("unit_clerk"))
    assert client.get(reverse("stats:dashboard")).status_code == 403


def test_a_figure_that_does_not_add_up_is_listed_with_its_records(world):
    trip = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission="无成员的团组",
        state="approved",
        depart_date=datetime.date(2023, 5, 1),
        return_date=datetime.date(2023, 5, 3),
        approved_on=datetime.date(2023, 4, 1),
    )
    data = selectors.statistics(
        selectors.Scope(world.city_a, datetime.date(2023, 1, 1), datetime.date(2023, 12, 31))
    )
    members = next(check for check in data["checks"] if check["code"] == "outbound.members")
    assert [record["id"] for record in members["records"]] == [trip.pk]
    assert members["records"][0]["url"] == trip.get_absolute_url()


def test_dashboard_cards_link_to_the_records_behind_them(client, world):
    make_trips(world.city_a, world.unit_a, [2023], ["abroad", "hkmo"])
    client.force_login(world.user("fao_leader"))
    query = {"office": world.city_a.pk, "start": "2023-01-01", "end": "2023-12-31"}
    cards = client.get(reverse("stats:dashboard"), query).context["cards"]
    countries = client.get(cards[4]["url"])  # countries and regions: the trips that travelled
    assert countries.status_code == 200
    assert len(countries.context["table"].rows) == 2  # the two trips that travelled
    hkmo = client.get(cards[2]["url"])
    assert [row.record.category for row in hkmo.context["table"].rows] == ["hkmo"]
    assert f"office={world.city_a.pk}" in cards[0]["url"]
    lower = client.get(reverse("stats:dashboard"), {**query, "include_lower": "on"}).context["cards"]
    assert f"office_tree={world.city_a.pk}" in lower[0]["url"]


def test_target_progress_is_in_the_statistics_and_the_report(world):
    from waishi.partners.models import Target

    Target.objects.create(
        office=world.city_a,
        metric="new_intents",
        value=4,
        start=datetime.date(2024, 1, 1),
        deadline=datetime.date(2025, 12, 31),
    )
    for start, deadline in [
        (datetime.date(2021, 1, 1), datetime.date(2023, 12, 31)),  # ended before 2024
        (datetime.date(2026, 1, 1),) * 2,  # starts after the span
    ]:
        Target.objects.create(
            office=world.city_a, metric="new_sisters", value=1, start=start, deadline=deadline
        )
    scope = selectors.Scope(world.city_a, datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
    targets = selectors.statistics(scope)["partners"]["targets"]
    assert targets == [  # not one that ended before the year before the span, nor one starting after it
        {
            "metric": "new_intents",
            "goal": 4.0,
            "current": 0.0,
            "as_of": "2025-12-31",
            "deadline": "2025-12-31",
            "met": False,
            "behind": True,
        }
    ]
    text = "\n".join(p.text for p in Document(io.BytesIO(report.document(scope))).paragraphs)
    assert "目标4个（2025年12月31日前），截至2025年12月31日（目标期限）为0个，未完成" in text


def test_no_cell_of_the_annual_workbook_is_run_as_a_formula(demo):
    """QUALITY.md Security 12: names typed by users (people, units, missions, countries) that start with
    = + - @ are written as text in every sheet."""
    from waishi.directory.models import Country, Person

    Person.objects.update(name='=HYPERLINK("http://example.org","x")')
    Organization.objects.filter(kind="unit").update(name="-1+1", short_name="-1+1")
    Country.objects.update(name_zh="@SUM(A1)")
    Trip.objects.update(mission="+1")
    book = load_workbook(io.BytesIO(report.workbook(jingdezhen_2023(demo))))
    texts = [
        cell.value
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
    ]
    assert any("HYPERLINK" in text for text in texts) and any("@SUM" in text for text in texts)
    assert [text for text in texts if text.startswith(("=", "+", "-", "@"))] == []


def reference_outbound(scope):
    """The outbound figures of one span counted one by one from its approved trips, its members and the
    stops of those that travelled."""
    trips = selectors.approved_trips(scope)
    members = TripMember.objects.filter(trip__in=trips)
    conditions = {
        "cross_unit": {"is_cross_unit": True},
        "hkmo": {"category": "hkmo"},
        "cancelled": {"state": "cancelled"},
        "travelled": {"state__in": selectors.TRAVELLED},
    }
    places = {
        (leg.country_id, leg.country.continent, leg.country.is_region)
        for leg in TripLeg.objects.filter(trip__in=trips).select_related("trip", "country")
        if leg.trip.state in selectors.TRAVELLED and not leg.transit_airside
    }  # read off the stops one by one, not through the selectors' own stops_visited
    continents = {}
    for _code, continent, _region in places:
        continents[continent] = continents.get(continent, 0) + 1
    return {
        "batches": trips.count(),
        "person_times": members.count(),
        **{
            key: {
                "batches": trips.filter(**lookups).count(),
                "person_times": members.filter(**{f"trip__{k}": v for k, v in lookups.items()}).count(),
            }
            for key, lookups in conditions.items()
        },
        "countries": len(places),
        "regions": sum(1 for _code, _continent, region in places if region),
        "by_continent": dict(sorted(continents.items())),
    }


@pytest.mark.parametrize("include_lower", [False, True])
def test_outbound_of_several_spans_at_once_counts_each_span_as_alone(demo, include_lower):
    """Both years of the statistics come from the same two queries; a trip in two overlapping spans
    counts in both."""
    province = Organization.objects.filter(kind="fao", parent__isnull=True).first()
    for office in (demo, province):
        for start, end in [
            (datetime.date(2023, 1, 1), datetime.date(2023, 11, 30)),
            (datetime.date(2022, 6, 1), datetime.date(2024, 5, 31)),  # overlaps the year before
            (datetime.date(2030, 1, 1), datetime.date(2030, 12, 31)),  # nothing approved
        ]:
            scope = selectors.Scope(office, start, end, include_lower)
            spans = [scope, scope.previous()]
            with CaptureQueriesContext(connection) as queries:
                found = selectors.outbound_spans(spans)
            assert len(queries) == 2
            assert found == [reference_outbound(span) for span in spans], (office.code, start, end)
