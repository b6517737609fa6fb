"""The demo data tells the seeds' story when the figures are computed from its records."""

import time
from datetime import date

import pytest

from waishi.directory.demo import load_directory
from waishi.directory.models import Organization
from waishi.partners import selectors
from waishi.partners.demo import load_partners
from waishi.partners.models import Approval, LevelChange, PartnerExchange, Partnership, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    load_directory()
    started = time.monotonic()
    counts = load_partners()
    return counts, time.monotonic() - started


def office(code):
    return selectors.office_partnerships(Organization.objects.get(code=code))


def names(partnerships) -> set[str]:
    return {p.city.name_zh for p in partnerships}


def test_load_partners_is_idempotent(demo):
    counts, _seconds = demo
    assert counts["partnerships"] > 70 and counts["exchanges"] > 150 and counts["targets"] == 6
    tables = (Partnership, LevelChange, PartnerExchange, Approval, Target)
    before = [model.objects.count() for model in tables]
    assert load_partners() == counts
    assert [model.objects.count() for model in tables] == before
    assert 45 <= office("cq-fao").count() <= 60


def test_jingdezhen_2023_three_batches_as_the_seed_reports(demo):
    batches = selectors.three_batches_for_year(office("jdz-fao"), 2023)
    assert names(batches.opened) == {"特罗扬", "廓尔喀", "帕罗迪亚区", "戈罗杰茨"}
    assert names(batches.strengthened) == {"法恩扎", "利川", "南邦府"}
    assert names(batches.reactivated) == {"濑户"}
    jdz = office("jdz-fao")
    assert selectors.new_intents(jdz, date(2023, 1, 1), date(2023, 11, 30)) == 4
    assert selectors.new_intents(jdz, date(2019, 1, 1), date(2019, 12, 31)) == 2  # +100% in 2023


def test_chongqing_2023_new_partners_as_the_seed_reports(demo):
    cq = office("cq-fao")
    span = (date(2023, 1, 1), date(2023, 12, 31))
    assert names(selectors.reached_level(cq, "sister", *span)) == {"万象"}
    assert selectors.reached_level(cq, "friendly", *span).count() == 9
    seattle = cq.get(city__name_en="Seattle")
    assert seattle.exchanges.filter(date__year=2023, substantive=True).exists()


def test_jingdezhen_targets(demo):
    progress = {t.metric: selectors.target_progress(t) for t in Target.objects.filter(office__code="jdz-fao")}
    assert progress["active_share"].met  # 6 of 8 sister cities active at the end of 2025
    assert progress["reactivated_share"].met
    assert not progress["new_intents"].met and progress["new_intents"].current == 3
    assert progress["new_sisters"].met and names(progress["new_sisters"].partners) == {"南邦府", "屈塔希亚"}


def test_every_city_but_one_is_on_the_map(demo):
    points, missing = selectors.map_points(Partnership.objects.all(), date.today())
    assert names(missing) == {"帕罗迪亚区"}
    assert len(points) == Partnership.objects.count() - 1
