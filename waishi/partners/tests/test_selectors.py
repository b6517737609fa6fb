"""Figures from records: 三个一批 for a year, letters of intent, levels as of a date, active share, target
progress, the map and its tables, the work queue, search, and the list's constant number of queries."""

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from waishi.core.testing.views import assert_same_queries, page_queries
from waishi.partners import rules, selectors
from waishi.partners.choices import Activity, PartnerLevel, TargetMetric
from waishi.partners.models import Partnership
from waishi.partners.tests import factories as f
from waishi.users.models import User

pytestmark = pytest.mark.django_db

INTENT, FRIENDLY, SISTER = PartnerLevel.INTENT, PartnerLevel.FRIENDLY, PartnerLevel.SISTER
OLD = date(2000, 1, 1)


@pytest.fixture
def year_2023(world):
    """Jingdezhen's 2023 in miniature (seed 000), plus partners that count in no batch."""
    office = world.city_a
    p = {
        "faenza": f.partnership(office, name_en="Faenza", country="IT"),  # active all along
        "seto": f.partnership(office, name_en="Seto", country="JP"),  # dormant, then the exhibition
        "troyan": f.partnership(
            office, name_en="Troyan", country="BG", level=INTENT, signed_on=date(2023, 9, 19)
        ),
        "raised": f.partnership(
            office, name_en="Kütahya", country="TR", level=FRIENDLY, history=[(SISTER, date(2023, 11, 20))]
        ),
        "aswan": f.partnership(office, name_en="Aswan", country="EG"),  # contact only in 2023
        "faded": f.partnership(office, name_en="Arita", country="JP"),  # active at the start, not at the end
        "other": f.partnership(world.city_b, name_en="Lampang", country="TH"),  # another office's
    }
    f.exchange(p["faenza"], date(2022, 9, 22))
    f.exchange(p["faenza"], date(2023, 5, 22), kind="condolence")
    f.exchange(p["seto"], date(2016, 3, 22), substantive=False)
    f.exchange(p["seto"], date(2023, 6, 6), kind="exhibition")
    f.exchange(p["troyan"], date(2023, 9, 19), kind="exhibition")
    f.exchange(p["aswan"], date(2019, 4, 9), substantive=False)
    f.exchange(p["aswan"], date(2023, 3, 10), substantive=False)
    f.exchange(p["faded"], date(2022, 10, 27))
    f.exchange(p["other"], date(2022, 8, 16))
    f.exchange(p["other"], date(2023, 10, 18))
    return p


def names(partnerships) -> set[str]:
    return {p.city.name_en for p in partnerships}


def test_three_batches_for_a_year(world, year_2023):
    batches = selectors.three_batches_for_year(Partnership.objects.filter(office=world.city_a), 2023)
    assert (batches.start, batches.end) == (date(2023, 1, 1), date(2023, 12, 31))
    assert names(batches.opened) == {"Troyan", "Kütahya"}
    assert names(batches.strengthened) == {"Faenza"}
    assert names(batches.reactivated) == {"Seto"}
    assert batches.counts() == {"opened": 2, "strengthened": 1, "reactivated": 1}


def test_three_batches_of_the_users_scope(world, year_2023):
    staff_b = world.user("fao_staff", world.city_b)
    batches = selectors.three_batches_for_year(selectors.scoped(staff_b), 2023)
    assert names(batches.strengthened) == {"Lampang"}
    assert batches.opened == [] and batches.reactivated == []
    province = world.user("fao_leader", world.province)
    assert selectors.three_batches_for_year(selectors.scoped(province), 2023).counts() == {
        "opened": 2,
        "strengthened": 2,
        "reactivated": 1,
    }


def test_the_running_year_ends_today(world, year_2023):
    start, end = selectors.year_span(2023, on=date(2023, 7, 1))
    assert (start, end) == (date(2023, 1, 1), date(2023, 7, 1))
    batches = selectors.three_batches_for_year(
        Partnership.objects.filter(office=world.city_a), 2023, date(2023, 7, 1)
    )
    assert names(batches.opened) == set()  # Troyan signs in September
    assert names(batches.reactivated) == {"Seto"}


def test_letters_of_intent_and_levels_as_of_a_date(world, year_2023):
    f.partnership(world.city_a, level=INTENT, signed_on=date(2019, 5, 21))
    f.partnership(
        world.city_a, level=INTENT, signed_on=date(2019, 10, 18), history=[(FRIENDLY, date(2021, 11, 10))]
    )
    mine = Partnership.objects.filter(office=world.city_a)
    assert selectors.new_intents(mine, date(2019, 1, 1), date(2019, 12, 31)) == 2
    assert selectors.new_intents(mine, date(2023, 1, 1), date(2023, 12, 31)) == 1
    assert selectors.by_level(mine, date(2023, 6, 30)) == {INTENT: 1, FRIENDLY: 2, SISTER: 4}
    assert selectors.by_level(mine, date(2023, 12, 31)) == {INTENT: 2, FRIENDLY: 1, SISTER: 5}
    assert selectors.by_level(mine, date(1999, 12, 31)) == {INTENT: 0, FRIENDLY: 0, SISTER: 0}
    assert names(selectors.reached_level(mine, SISTER, date(2023, 1, 1), date(2023, 12, 31))) == {"Kütahya"}


def test_active_share_of_sister_cities(world, year_2023):
    share = selectors.active_share(Partnership.objects.filter(office=world.city_a), date(2023, 12, 31))
    assert (share.numerator, share.denominator) == (3, 5)  # Faenza, Seto, Kütahya of five sister cities
    assert names(share.partners) == {"Faenza", "Seto", "Kütahya"}
    every_level = selectors.active_share(
        Partnership.objects.filter(office=world.city_a), date(2023, 12, 31), levels=PartnerLevel.values
    )
    assert (every_level.numerator, every_level.denominator) == (4, 6)


def test_summary_has_the_statistics_keys(world, year_2023):
    mine = Partnership.objects.filter(office=world.city_a)
    summary = selectors.summary(mine, date(2023, 1, 1), date(2023, 12, 31))
    assert summary == {
        "by_level": {INTENT: 1, FRIENDLY: 0, SISTER: 5},
        "new_intents": 1,
        "active_share": 0.6,
        "opened": 2,
        "strengthened": 1,
        "reactivated": 1,
    }


# --- targets --------------------------------------------------------------------------------------------


def test_target_progress_for_each_metric(world, year_2023):
    office, start, deadline = world.city_a, date(2023, 1, 1), date(2024, 12, 31)
    on = date(2024, 1, 1)
    share = selectors.target_progress(
        f.target(office, TargetMetric.ACTIVE_SHARE, 75, start, deadline, level=SISTER), on
    )
    assert (share.current, len(share.partners), len(share.baseline)) == (Decimal("60.0"), 3, 5)
    assert not share.met and share.percent == 80 and share.is_share
    reactivated = selectors.target_progress(
        f.target(office, TargetMetric.REACTIVATED_SHARE, 50, start, deadline), on
    )
    # occasional or dormant on 2022-12-31: Seto, Aswan, and Kütahya (friendly, no exchange since 2000)
    assert names(reactivated.baseline) == {"Seto", "Aswan", "Kütahya"}
    assert names(reactivated.partners) == {"Seto", "Kütahya"}
    assert reactivated.current == Decimal("66.7") and reactivated.met
    intents = selectors.target_progress(f.target(office, TargetMetric.NEW_INTENTS, 4, start, deadline), on)
    assert (intents.current, names(intents.partners)) == (Decimal(1), {"Troyan"})
    assert intents.percent == 25 and intents.behind and intents.elapsed_percent == 50
    sisters = selectors.target_progress(f.target(office, TargetMetric.NEW_SISTERS, 2, start, deadline), on)
    assert (sisters.current, names(sisters.partners)) == (Decimal(1), {"Kütahya"})


def test_target_progress_stops_at_the_deadline_and_counts_lower_offices_when_asked(world, year_2023):
    target = f.target(world.province, TargetMetric.NEW_INTENTS, 1, date(2023, 1, 1), date(2023, 6, 30))
    progress = selectors.target_progress(target, date(2026, 1, 1))
    assert progress.as_of == date(2023, 6, 30) and progress.finished
    assert progress.current == 0 and not progress.met  # the province has no partner of its own
    target.include_lower, target.deadline = True, date(2023, 12, 31)
    progress = selectors.target_progress(target, date(2026, 1, 1))
    assert progress.met and names(progress.partners) == {"Troyan"}


@pytest.mark.parametrize("order", ["shares first", "counts first", "shuffled"])
def test_targets_progress_of_many_targets_is_each_targets_own(
    world, year_2023, django_assert_max_num_queries, order
):
    """Read together (one UNION), each target keeps its own partnerships, each with its activity on the
    target's own day: the same partnership is active for one target and not for another. In any order of
    the targets (PostgreSQL types the columns of a UNION from its first SELECTs)."""
    made = [
        f.target(world.city_a, metric, value, start, deadline, level=level, include_lower=lower)
        for metric, value, level in [
            (TargetMetric.ACTIVE_SHARE, 75, SISTER),
            (TargetMetric.ACTIVE_SHARE, 50, ""),
            (TargetMetric.REACTIVATED_SHARE, 50, ""),
            (TargetMetric.NEW_INTENTS, 4, ""),
            (TargetMetric.NEW_SISTERS, 2, ""),
        ]
        for start, deadline in [
            (date(2023, 1, 1), date(2024, 12, 31)),
            (date(2015, 1, 1), date(2016, 12, 31)),
        ]
        for lower in (False, True)
    ]
    made.append(
        f.target(
            world.province,
            TargetMetric.NEW_INTENTS,
            1,
            date(2023, 1, 1),
            date(2023, 12, 31),
            include_lower=True,
        )
    )
    if order == "counts first":
        made.sort(key=lambda target: TargetMetric.is_share(target.metric))
    elif order == "shuffled":
        random.Random(7).shuffle(made)
    on = date(2024, 1, 1)
    alone = [selectors.target_progress(target, on) for target in made]
    with django_assert_max_num_queries(4):
        together = selectors.targets_progress(made, on)
    # city A's own, 2023–2024, as test_target_progress_for_each_metric reads them one by one
    expected = {
        (TargetMetric.ACTIVE_SHARE, SISTER): (Decimal("60.0"), {"Faenza", "Seto", "Kütahya"}),
        (TargetMetric.REACTIVATED_SHARE, ""): (Decimal("66.7"), {"Seto", "Kütahya"}),
        (TargetMetric.NEW_INTENTS, ""): (Decimal(1), {"Troyan"}),
        (TargetMetric.NEW_SISTERS, ""): (Decimal(1), {"Kütahya"}),
    }
    own = {
        (p.target.metric, p.target.level): (p.current, names(p.partners))
        for p in together
        if p.target.office == world.city_a and p.target.start.year == 2023 and not p.target.include_lower
    }
    assert {key: own[key] for key in expected} == expected

    def seen(progress):
        return (
            progress.target.pk,
            progress.as_of,
            progress.current,
            [(p.pk, p.activity, p.last_exchange) for p in progress.baseline],
            [(p.pk, p.activity) for p in progress.partners],
        )

    assert [seen(p) for p in together] == [seen(p) for p in alone]
    every_level = [p for p in together if p.target.metric == TargetMetric.ACTIVE_SHARE and not p.target.level]
    by_day = {p.as_of: {q.pk: q.activity for q in p.baseline} for p in every_level}
    common = by_day[date(2016, 12, 31)].keys() & by_day[on].keys()
    assert common and any(by_day[date(2016, 12, 31)][pk] != by_day[on][pk] for pk in common)
    assert selectors.targets_progress([], on) == []


def queried_one_by_one(target, as_of):
    """What a target counts, read straight from the querysets of the rules, one target at a time: for a
    share, (partnership, activity, last exchange) of each partnership it is a share of; else the
    partnerships that reached its level."""
    scope = selectors.target_partnerships(target)
    if not TargetMetric.is_share(target.metric):
        level = selectors.METRIC_LEVELS[target.metric]
        return {
            (pk, None, None)
            for pk in selectors.reached_level(scope, level, target.start, as_of).values_list("pk", flat=True)
        }
    if target.metric == TargetMetric.REACTIVATED_SHARE:
        day = target.start - timedelta(days=1)
        quiet = scope.existing_on(day).with_level_on(day).with_activity(day)
        quiet = quiet.filter(activity__in=[Activity.OCCASIONAL, Activity.DORMANT])
        if target.level:
            quiet = quiet.filter(level_on=target.level)
        rows = scope.filter(pk__in=quiet.values("pk")).with_activity(as_of)
    else:
        rows = scope.existing_on(as_of).with_level_on(as_of).with_activity(as_of)
        if target.level:
            rows = rows.filter(level_on=target.level)
    return set(rows.values_list("pk", "activity", "last_exchange"))


def test_targets_progress_counts_what_the_rules_querysets_give_one_target_at_a_time(world, year_2023):
    """Every metric, with and without a level and the lower offices, ended, running and not yet started
    (a reactivation target's baseline is taken the day before it starts, after the day it is measured on),
    read together, against each target's partnerships read from the querysets alone."""
    made = [
        f.target(office, metric, 1, start, deadline, level=level, include_lower=include_lower)
        for office in (world.city_a, world.province)
        for metric in TargetMetric
        for level in ("", SISTER, FRIENDLY)
        for start, deadline in [
            (date(2015, 1, 1), date(2016, 12, 31)),
            (date(2023, 1, 1), date(2024, 12, 31)),
            (date(2030, 1, 1), date(2031, 12, 31)),
        ]
        for include_lower in (False, True)
        if not level or TargetMetric.is_share(metric)
    ]
    on = date(2024, 1, 1)
    for progress in selectors.targets_progress(made, on):
        target = progress.target
        got = progress.baseline if progress.is_share else progress.partners
        assert {(p.pk, p.activity, p.last_exchange) for p in got} == queried_one_by_one(
            target, progress.as_of
        ), (target.metric, target.level, target.start, target.include_lower)
        if progress.is_share:
            assert {p.pk for p in progress.partners} == {p.pk for p in got if p.activity == Activity.ACTIVE}
    assert any(p.baseline for p in selectors.targets_progress(made, on) if p.target.start.year == 2030)


def test_a_target_before_its_start_has_no_progress(world, year_2023):
    target = f.target(world.city_a, TargetMetric.NEW_SISTERS, 2, date(2030, 1, 1), date(2031, 12, 31))
    progress = selectors.target_progress(target, date(2026, 1, 1))
    assert progress.current == 0 and progress.elapsed == 0


# --- map, figures, work queue, search -------------------------------------------------------------------


@translation.override("en")
def test_figures_and_map_points(world, year_2023):
    mine = Partnership.objects.filter(office=world.city_a)
    seto = year_2023["seto"].city
    seto.latitude, seto.longitude = Decimal("35.22"), Decimal("137.08")
    seto.save()
    figures = selectors.figures(mine, date(2023, 12, 31))
    assert figures["total"] == 6
    assert dict(figures["by_continent"]) == {"Europe": 2, "Asia": 3, "Africa": 1}
    assert ("日本", "JP", 2) in figures["by_country"]
    assert dict(figures["by_tier"]) == {"City": 6}
    assert dict(figures["by_activity"])["Active"] == 4
    points, missing = selectors.map_points(mine, date(2023, 12, 31))
    assert [p["name_en"] for p in points] == ["Seto"]
    assert points[0]["value"] == [137.08, 35.22] and points[0]["level"] == SISTER
    assert points[0]["activity"] == Activity.ACTIVE
    assert len(missing) == 5


def test_work_queue_anniversaries_and_partners_turning_dormant(world):
    today = timezone.localdate()
    staff = world.user("fao_staff")
    ten_years = f.partnership(
        world.city_a, name_en="Tenyear", signed_on=rules.months_before(today, 120) + timedelta(30)
    )
    f.partnership(world.city_a, name_en="Nineyear", signed_on=rules.months_before(today, 108) + timedelta(30))
    fading = f.partnership(world.city_a, name_en="Fading")
    letter = f.exchange(fading, rules.months_before(today + timedelta(days=20), 36), substantive=False)
    f.exchange(f.partnership(world.city_b, name_en="Elsewhere"), letter.date, substantive=False)
    (work_list,) = selectors.work_items(staff)
    items = work_list.items
    titles = [item.title for item in items]
    assert len(items) == work_list.count == 2
    assert any("10" in t and str(ten_years.city) in t for t in titles)
    dormant = next(item for item in items if str(fading.city) in item.title)
    assert dormant.due == today + timedelta(days=20)
    assert date_format(letter.date) in dormant.title
    assert selectors.work_items(world.user("viewer")) == []


def test_search(world, year_2023):
    staff = world.user("fao_staff")
    hits = selectors.search_hits(staff, "seto")
    assert [h.url for h in hits] == [year_2023["seto"].get_absolute_url()]
    assert selectors.search_hits(staff, "Lampang") == []  # another office's partner
    assert selectors.search_hits(world.user("audit_admin"), "seto") == []


# --- constant queries -----------------------------------------------------------------------------------


def list_queries(user_pk: int) -> tuple[int, int]:
    user = User.objects.get(pk=user_pk)
    with CaptureQueriesContext(connection) as captured:
        rows = [
            (
                p.office.name,
                str(p.city),
                p.city.country.name_zh,
                p.activity,
                p.last_exchange,
                p.get_level_display(),
            )
            for p in selectors.partnership_list(user)
        ]
    return len(captured), len(rows)


def add_partners(world, count: int):
    for n in range(count):
        p = f.partnership(world.city_a, country=["JP", "IT", "FR"][n % 3])
        f.exchange(p, date(2024, 1, 1) + timedelta(days=n))


def test_partnership_list_runs_the_same_queries_for_3_and_12_rows(world):
    staff = world.user("fao_staff")
    add_partners(world, 3)
    small = list_queries(staff.pk)
    add_partners(world, 9)
    large = list_queries(staff.pk)
    assert (small[1], large[1]) == (3, 12)
    assert small[0] == large[0]


def test_partnership_list_page_runs_the_same_queries_for_3_and_12_rows(client, world):
    client.force_login(world.user("fao_staff"))
    url = reverse("partners:partnership_list")
    add_partners(world, 3)
    small = page_queries(client, url)
    add_partners(world, 9)
    assert_same_queries(small, page_queries(client, url), url)
