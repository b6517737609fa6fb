"""The statistics page and the annual report say the same thing: every month on the monthly chart, one scope
for "countries and regions" on the page, in the .docx and in the .xlsx, and a date on every figure."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from docx import Document
from openpyxl import load_workbook

from waishi.core.testing.factories import PersonFactory
from waishi.partners.tests import factories as partner_factories
from waishi.stats import report, selectors, views
from waishi.travel.models import Trip, TripLeg, TripMember

pytestmark = pytest.mark.django_db

D = datetime.date


def trip(world, approved_on, state="closed", stops=("JP",), category="abroad", members=2, airside=()):
    made = Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category=category,
        mission="交流",
        state=state,
        depart_date=approved_on + datetime.timedelta(days=20),
        return_date=approved_on + datetime.timedelta(days=25),
        approved_on=approved_on,
    )
    for index in range(members):
        TripMember.objects.create(
            trip=made,
            person=PersonFactory(organization=world.unit_a),
            role="head" if index == 0 else "member",
        )
    for order, country in enumerate(stops):
        TripLeg.objects.create(
            trip=made,
            country_id=country,
            city="c",
            arrive=made.depart_date,
            depart=made.depart_date,
            order=order,
            transit_airside=country in airside,
        )
    return made


# 1. Approvals by month


def test_every_month_of_the_span_is_there_with_zeros(world):
    for day in (D(2026, 6, 4), D(2026, 6, 25), D(2026, 7, 28), D(2026, 9, 7), D(2026, 11, 3)):
        trip(world, day)
    rows = selectors.by_month(selectors.Scope(world.city_a, D(2026, 1, 1), D(2026, 11, 22)))
    assert [month for month, _b, _p in rows] == [D(2026, m, 1) for m in range(1, 12)]
    assert rows[7] == (D(2026, 8, 1), 0, 0)  # August: nothing approved, still on the axis
    assert rows[5] == (D(2026, 6, 1), 2, 4)
    assert sum(b for _m, b, _p in rows) == 5 and sum(p for _m, _b, p in rows) == 10
    assert selectors.months(D(2025, 11, 30), D(2026, 2, 1)) == [
        D(2025, 11, 1),
        D(2025, 12, 1),
        D(2026, 1, 1),
        D(2026, 2, 1),
    ]


def test_months_are_labelled_as_readers_write_them():
    one_year = [D(2026, 6, 1), D(2026, 7, 1)]
    across = [D(2025, 12, 1), D(2026, 1, 1)]
    with translation.override("en"):
        assert views.month_labels(one_year) == ["Jun", "Jul"]
        assert views.month_labels(across) == ["December 2025", "January 2026"]
    with translation.override("zh-hans"):
        assert views.month_labels(across) == ["2025年12月", "2026年1月"]
        # 6月 once the format is translated (n月), 六月 before: never the ISO 2026-06.
        assert all(label.endswith("月") and "-" not in label for label in views.month_labels(one_year))


def test_the_dashboard_charts_every_month(client, world):
    trip(world, D(2026, 6, 4))
    trip(world, D(2026, 9, 7))
    client.force_login(world.user("fao_leader"))
    query = {"office": world.city_a.pk, "start": "2026-01-01", "end": "2026-11-22"}
    with translation.override("en"):
        months = client.get(reverse("stats:dashboard"), query, HTTP_ACCEPT_LANGUAGE="en").context["charts"][
            "months"
        ]
    assert len(months) == 11
    assert [m[1] for m in months] == [0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0]
    assert not any(re.fullmatch(r"\d{4}-\d{2}", m[0]) for m in months)


# 3. Countries and regions: one scope everywhere


@pytest.fixture
def places(world):
    """Travelled: Japan (twice), Hong Kong, France with an airside transit in the Emirates. Not travelled:
    Thailand (approved, not yet left) and Germany (did not travel)."""
    trip(world, D(2026, 6, 4), stops=("JP", "JP"))
    trip(world, D(2026, 6, 25), state="returned_home", stops=("JP",))
    trip(world, D(2026, 7, 1), stops=("HK",), category="hkmo")
    trip(world, D(2026, 7, 9), state="departed", stops=("AE", "FR"), airside=("AE",))
    trip(world, D(2026, 11, 20), state="approved", stops=("TH",))
    trip(world, D(2026, 11, 3), state="cancelled", stops=("DE",))
    return selectors.Scope(world.city_a, D(2026, 1, 1), D(2026, 11, 22))


def test_the_figure_and_the_tables_count_the_same_places(places, client, world):
    out = selectors.outbound(places)
    assert out["travelled"] == {"batches": 4, "person_times": 8}
    assert (out["countries"], out["regions"]) == (3, 1)  # Japan, France; Hong Kong
    visited = selectors.places_visited(places)
    assert [(row["code"], row["batches"]) for row in visited["countries"]] == [("JP", 2), ("FR", 1)]
    assert [row["code"] for row in visited["regions"]] == ["HK"]
    assert len(visited["countries"]) + len(visited["regions"]) == out["countries"]

    client.force_login(world.user("fao_leader"))
    query = {"office": world.city_a.pk, "start": "2026-01-01", "end": "2026-11-22"}
    page = client.get(reverse("stats:dashboard"), query)
    card = next(card for card in page.context["cards"] if card["value"] == out["countries"])
    assert "2" in str(card["sub"]) and "1" in str(card["sub"]) and "4" in str(card["note"])
    html = page.content.decode()
    table = html.split('id="countries"')[1].split("</table>")[0]
    regions = html.split('id="regions"')[1].split("</table>")[0]
    assert table.count("<tr>") - 1 == 2 and "日本" in table and "法国" in table
    assert "泰国" not in table and "德国" not in table and "阿联酋" not in table
    assert "中国香港" not in table and regions.count("<tr>") - 1 == 1 and "中国香港" in regions
    assert [c["code"] for c in page.context["charts"]["chart_countries"]] == ["JP", "FR"]


def test_the_report_and_its_workbook_say_the_same_places(places):
    text = "\n".join(p.text for p in Document(io.BytesIO(report.document(places))).paragraphs)
    assert (
        "已成行的4批团组出访国家和地区共3个（机场中转不计），其中国家2个（亚洲1个、欧洲1个），"
        "地区1个（中国香港）。" in text
    )
    book = load_workbook(io.BytesIO(report.workbook(places)), read_only=True)
    rows = list(book["国家和地区"].iter_rows(values_only=True))
    assert rows[0][0].startswith("已成行的4批团组出访国家和地区3个") and "国家2个，地区1个" in rows[0][0]
    assert rows[1] == ("国家", "所在洲", "团组（批）")
    blank = rows.index(())
    countries = rows[2:blank]
    assert countries == [("日本", "亚洲", 2), ("法国", "欧洲", 1)]
    assert rows[blank + 1][0] == "地区（中国）" and rows[blank + 2 :] == [("中国香港", None, 1)]
    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(values_only=True)}
    assert summary["已成行团组（批）"] == 4
    assert summary["已成行团组出访国家和地区（个，机场中转不计）"] == 3
    assert summary["其中国家（个）"] == len(countries) and summary["其中地区（个）"] == 1
    trips = {row[9]: row[6] for row in book["出访团组"].iter_rows(min_row=2, values_only=True)}
    assert trips[datetime.datetime(2026, 7, 9)] == "阿联酋（机场中转）、法国"


# 4. Every partnership figure says its date


def test_active_share_and_targets_say_the_day_they_are_measured_on(world):
    kept = partner_factories.partnership(world.city_a, signed_on=D(2020, 1, 1))
    lapsed = partner_factories.partnership(world.city_a, signed_on=D(2020, 1, 1), country="FR")
    partner_factories.exchange([kept, lapsed], D(2025, 6, 1))
    partner_factories.exchange([kept], D(2026, 6, 1))
    partner_factories.target(world.city_a, "active_share", 75, D(2024, 1, 1), D(2025, 12, 31), level="sister")
    partner_factories.target(world.city_a, "active_share", 75, D(2026, 1, 1), D(2026, 12, 31), level="sister")
    scope = selectors.Scope(world.city_a, D(2026, 1, 1), D(2026, 11, 30))
    partners = selectors.statistics(scope)["partners"]
    assert partners["active_share"] == 0.5
    assert [(t["as_of"], t["current"]) for t in partners["targets"]] == [
        ("2025-12-31", 100.0),
        ("2026-11-30", 50.0),
    ]

    with translation.override("zh-hans"):
        text = "\n".join(p.text for p in Document(io.BytesIO(report.document(scope))).paragraphs)
    assert "截至2026年11月30日，活跃友城占比50%。" in text
    assert "目标75%（2025年12月31日前），截至2025年12月31日（目标期限）为100%，已完成。" in text
    assert "目标75%（2026年12月31日前），截至2026年11月30日为50%，进度滞后。" in text
    assert "目前" not in text  # no undated "now"


def test_places_with_as_many_delegations_are_listed_in_pinyin_order(world):
    """德国, 法国, 澳大利亚 once each: 澳 (ào), 德 (dé), 法 (fǎ), not the characters' code points."""
    for day, country in ((4, "FR"), (11, "DE"), (18, "AU")):
        trip(world, D(2026, 6, day), stops=(country,))
    trip(world, D(2026, 7, 2), stops=("JP",))
    trip(world, D(2026, 7, 9), stops=("JP",))
    visited = selectors.places_visited(selectors.Scope(world.city_a, D(2026, 1, 1), D(2026, 11, 22)))
    assert [row["code"] for row in visited["countries"]] == ["JP", "AU", "DE", "FR"]
