"""Reads of sister-city records and every figure built from them (the statistics module uses these).

Figures take a queryset of partnerships that the caller has already narrowed (``restrict`` for a user,
``office_partnerships`` for an office) and a date or a span; nothing here reads a stored count.
"""

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, IntegerField, Prefetch, Q, Value
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from waishi.core import config
from waishi.core.navigation import WorkItem, WorkList
from waishi.core.search import Hit
from waishi.directory.choices import Continent, OrganizationLevel
from waishi.partners import config as partner_config
from waishi.partners import rules
from waishi.partners.choices import (
    METRIC_LEVELS,
    UPGRADES,
    Activity,
    PartnerLevel,
    TargetMetric,
)
from waishi.partners.models import ExchangePartner, LevelChange, PartnerExchange, Partnership, Target

LIST_RELATED = ("office", "city__country")


def today() -> date:
    return timezone.localdate()


# --- lists ----------------------------------------------------------------------------------------------


def partnership_list(user, as_of: date | None = None):
    """The partnerships the user may see, with their activity as of ``as_of`` (today by default), in a
    constant number of queries whatever the number of rows."""
    return Partnership.objects.restrict(user).select_related(*LIST_RELATED).with_activity(as_of or today())


def exchange_list(user):
    return (
        PartnerExchange.objects.restrict(user)
        .select_related("office", "trip")
        .prefetch_related(
            Prefetch(
                "partnerships", queryset=Partnership.objects.select_related(*LIST_RELATED).order_by("id")
            )
        )
    )


def offices(user):
    """The Foreign Affairs Offices the user may see (his own and those below it)."""
    from waishi.directory.models import Organization

    return Organization.objects.restrict(user).filter(kind="fao")


def office_partnerships(office, include_lower: bool = False):
    """An office's partnerships (and those of the offices below it), for statistics: not user-restricted."""
    if include_lower:
        return Partnership.objects.filter(office__path__startswith=office.path)
    return Partnership.objects.filter(office=office)


def scoped(user, office=None, include_lower: bool = True):
    """The user's partnerships, narrowed to one office (and the offices below it) when given."""
    queryset = Partnership.objects.restrict(user)
    if office is None:
        return queryset
    if include_lower:
        return queryset.filter(office__path__startswith=office.path)
    return queryset.filter(office=office)


# --- one partnership ------------------------------------------------------------------------------------


def partnership_page(partnership: Partnership, as_of: date | None = None) -> dict:
    """What the partnership page shows: its activity, history, approvals, contacts and exchanges."""
    as_of = as_of or today()
    annotated = Partnership.objects.with_activity(as_of).get(pk=partnership.pk)
    thresholds = rules.Thresholds.for_office(partnership.office)
    turns_dormant = None
    if annotated.activity in (Activity.ACTIVE, Activity.OCCASIONAL):
        turns_dormant = rules.turns_dormant_on(annotated.last_contact, thresholds)
    return {
        "activity": annotated.activity,
        "activity_label": Activity(annotated.activity).label if annotated.activity else "",
        "last_exchange": annotated.last_exchange,
        "last_substantive": annotated.last_substantive,
        "turns_dormant": turns_dormant,
        "thresholds": thresholds,
        "history": partnership.level_changes.select_related("document", "recorded_by").order_by("date", "id"),
        "stages": _stages(partnership),
        "contacts": list(partnership.contacts.all()),
        "exchanges": partnership.exchanges.select_related("trip__applicant_unit").prefetch_related(
            Prefetch("partnerships", queryset=Partnership.objects.select_related("city").order_by("id"))
        ),
    }


def _stages(partnership: Partnership) -> list[tuple[str, str, object]]:
    """Each approval stage in order with its record, or None while it is not recorded."""
    from waishi.partners.choices import ApprovalStage

    recorded = {a.stage: a for a in partnership.approvals.select_related("document")}
    return [(value, label, recorded.get(value)) for value, label in ApprovalStage.choices]


# --- figures --------------------------------------------------------------------------------------------


def _upgrades() -> Q:
    query = Q(pk__in=[])
    for before, after in UPGRADES:
        query |= Q(from_level=before, level=after)
    return query


def _reaching(partnerships, level: str, start: date, end: date):
    """The level changes by which ``partnerships`` reached ``level`` (signed at it, or raised to it) between
    ``start`` and ``end``."""
    return LevelChange.objects.filter(
        partnership__in=partnerships, level=level, date__range=(start, end)
    ).filter(_upgrades())


def reached_level(partnerships, level: str, start: date, end: date):
    """Partnerships that reached ``level`` (signed at it, or raised to it) between ``start`` and ``end``."""
    return Partnership.objects.filter(
        pk__in=_reaching(partnerships, level, start, end).values("partnership_id")
    )


def new_intents(partnerships, start: date, end: date) -> int:
    """Letters of intent signed in the span (the seed's 开辟: 4 in 2023, +100% on 2019)."""
    return reached_level(partnerships, PartnerLevel.INTENT, start, end).count()


def by_level(partnerships, as_of: date) -> dict[str, int]:
    """How many partnerships stood at each level on ``as_of`` (by the level history)."""
    counts = dict.fromkeys(PartnerLevel.values, 0)
    rows = (
        partnerships.existing_on(as_of)
        .with_level_on(as_of)
        .values("level_on")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        if row["level_on"]:
            counts[row["level_on"]] = row["n"]
    return counts


@dataclass
class Share:
    numerator: int
    denominator: int
    partners: list = field(default_factory=list)  # the numerator's partnerships
    members: list = field(default_factory=list)  # the denominator's partnerships

    @property
    def value(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None


def active_share(partnerships, as_of: date, levels=None, office=None) -> Share:
    """Active partnerships among those at ``levels`` on ``as_of`` (the office's setting
    ``partners.active_share.levels`` by default: sister cities)."""
    levels = list(levels or config.get(partner_config.ACTIVE_SHARE_LEVELS.key, office))
    rows = list(
        partnerships.existing_on(as_of)
        .with_level_on(as_of)
        .filter(level_on__in=levels)
        .with_activity(as_of)
        .select_related(*LIST_RELATED)
        .order_by("city__name_en", "id")
    )
    active = [p for p in rows if p.activity == Activity.ACTIVE]
    return Share(len(active), len(rows), active, rows)


@dataclass
class Batches:
    """三个一批 for a span: opened (开辟), strengthened (强化), reactivated (激活), each with its partners.

    The three are disjoint: a partnership opened in the span counts as opened only; one reactivated
    counts as reactivated only."""

    start: date
    end: date
    opened: list
    strengthened: list
    reactivated: list

    def counts(self) -> dict[str, int]:
        return {
            "opened": len(self.opened),
            "strengthened": len(self.strengthened),
            "reactivated": len(self.reactivated),
        }


def three_batches(partnerships, start: date, end: date) -> Batches:
    """- opened: a letter of intent or an agreement signed in the span (a new partnership or an upgrade);
    - reactivated: occasional or dormant the day before the span starts, active at its end;
    - strengthened: the other partnerships active at the end with a substantive exchange in the span."""
    opened = set(
        LevelChange.objects.filter(partnership__in=partnerships, date__range=(start, end))
        .filter(_upgrades())
        .values_list("partnership_id", flat=True)
    )
    before = dict(partnerships.with_activity(start - timedelta(days=1)).values_list("pk", "activity"))
    after = dict(partnerships.with_activity(end).values_list("pk", "activity"))
    exchanged = set(
        ExchangePartner.objects.filter(
            partnership__in=partnerships, date__range=(start, end), substantive=True
        ).values_list("partnership_id", flat=True)
    )
    active_at_end = {pk for pk, activity in after.items() if activity == Activity.ACTIVE}
    inactive_at_start = {pk for pk, a in before.items() if a in (Activity.OCCASIONAL, Activity.DORMANT)}
    reactivated = (inactive_at_start & active_at_end) - opened
    strengthened = (active_at_end & exchanged) - opened - reactivated
    rows = {
        p.pk: p
        for p in Partnership.objects.filter(pk__in=opened | reactivated | strengthened)
        .with_level_on(end)
        .select_related(*LIST_RELATED)
        .order_by("office__path", "city__name_en", "id")
    }

    def pick(ids):
        return [p for pk, p in rows.items() if pk in ids]

    return Batches(start, end, pick(opened), pick(strengthened), pick(reactivated))


def year_span(year: int, on: date | None = None) -> tuple[date, date]:
    """The year's first day and its last, or ``on`` (today) while the year runs."""
    on = on or today()
    return date(year, 1, 1), min(date(year, 12, 31), max(on, date(year, 1, 1)))


def three_batches_for_year(partnerships, year: int, on: date | None = None) -> Batches:
    return three_batches(partnerships, *year_span(year, on))


def summary(partnerships, start: date, end: date, office=None) -> dict:
    """The ``partners`` block of the statistics JSON (API.md) for a span, every figure from records."""
    share = active_share(partnerships, end, office=office)
    return {
        "by_level": by_level(partnerships, end),
        "new_intents": new_intents(partnerships, start, end),
        "active_share": round(share.value, 4) if share.value is not None else None,
        **three_batches(partnerships, start, end).counts(),
    }


@dataclass
class Progress:
    target: Target
    as_of: date
    current: Decimal
    partners: list  # the partnerships that count
    baseline: list  # for a share: the partnerships it is a share of
    elapsed: float  # share of the target's time gone, 0..1

    @property
    def goal(self) -> Decimal:
        return self.target.value

    @property
    def is_share(self) -> bool:
        return TargetMetric.is_share(self.target.metric)

    @property
    def met(self) -> bool:
        return self.current >= self.goal

    @property
    def ratio(self) -> float:
        """Progress towards the goal, 0..1."""
        if not self.goal:
            return 1.0
        return max(0.0, min(1.0, float(self.current / self.goal)))

    @property
    def percent(self) -> int:
        return round(self.ratio * 100)

    @property
    def elapsed_percent(self) -> int:
        return round(self.elapsed * 100)

    @property
    def finished(self) -> bool:
        return self.as_of >= self.target.deadline

    @property
    def behind(self) -> bool:
        """Not met and slower than the time gone by."""
        return not self.met and self.ratio < self.elapsed


UNION_SELECTS = 100  # SQLite joins at most 500 SELECTs in one compound statement


def target_partnerships(target: Target):
    return office_partnerships(target.office, target.include_lower)


def target_progress(target: Target, on: date | None = None) -> Progress:
    """Where the target stands on ``on`` (today), or at its deadline once passed."""
    return targets_progress([target], on)[0]


def targets_progress(targets, on: date | None = None) -> list[Progress]:
    """``target_progress`` of each of ``targets``, in the same queries however many targets there are (up to
    ``UNION_SELECTS`` partnership sets or days a statement): the partnerships each target counts from, the
    level and activity of every partnership on each day a share is measured on (read once for all the
    targets of that day: most end on the same day), then the partnerships themselves."""
    targets = list(targets)
    if not targets:
        return []
    as_of = {target.pk: min(on or today(), target.deadline) for target in targets}
    members = _members(targets, as_of)
    days: dict[date, list[Target]] = {}  # the shares measured on each day
    for target in targets:
        if TargetMetric.is_share(target.metric):
            days.setdefault(as_of[target.pk], []).append(target)
            if _reactivation(target):
                days.setdefault(_quiet_on(target), []).append(target)
    standings = _standings(days)
    counted: dict[int, list[tuple]] = {}  # target → (partnership, its activity, its last exchange)
    for target in targets:
        pks = members[target.pk]
        if not TargetMetric.is_share(target.metric):
            counted[target.pk] = [(pk, None, None) for pk in pks]
            continue
        day, on_day = as_of[target.pk], standings[as_of[target.pk]]
        # A partnership of the target's set that its day's SELECT did not read (removed in between) is
        # not counted.
        if _reactivation(target):  # those occasional or dormant the day before the target started
            quiet_on = _quiet_on(target)
            before = standings[quiet_on]
            pks = [
                pk
                for pk in pks
                if pk in before and pk in on_day and _shared(before[pk], quiet_on, target.level, quiet=True)
            ]
        else:
            pks = [pk for pk in pks if pk in on_day and _shared(on_day[pk], day, target.level)]
        counted[target.pk] = [(pk, on_day[pk].activity, on_day[pk].last_exchange) for pk in pks]
    ordered = Partnership.objects.filter(pk__in={row[0] for rows in counted.values() for row in rows})
    partnerships = {p.pk: p for p in ordered.select_related(*LIST_RELATED).order_by("city__name_en", "id")}
    rank = {pk: n for n, pk in enumerate(partnerships)}
    progress = []
    for target in targets:
        rows = []
        for pk, activity, last_exchange in sorted(counted[target.pk], key=lambda row: rank[row[0]]):
            partnership = copy.copy(partnerships[pk])  # a target's own: its activity on the target's day
            partnership.activity, partnership.last_exchange = activity, last_exchange
            rows.append(partnership)
        progress.append(_progress(target, as_of[target.pk], rows))
    return progress


def _reactivation(target: Target) -> bool:
    return target.metric == TargetMetric.REACTIVATED_SHARE


def _quiet_on(target: Target) -> date:
    """The day a reactivation target finds the partnerships it is a share of: the day before it starts."""
    return target.start - timedelta(days=1)


@dataclass(frozen=True)
class _Standing:
    """A partnership on one day (``_standings``)."""

    signed_on: date
    level: str | None  # None before its first signing
    activity: str | None  # None before its first signing
    last_exchange: date | None


def _shared(standing: _Standing, day: date, level: str, quiet: bool = False) -> bool:
    """Whether a share measured on ``day`` is a share of a partnership standing so: signed by then (as
    ``existing_on``), at the target's level if it names one, and occasional or dormant if ``quiet``."""
    if standing.signed_on > day or (level and standing.level != level):
        return False
    return not quiet or standing.activity in (Activity.OCCASIONAL, Activity.DORMANT)


def _members(targets, as_of: dict) -> dict[int, set[int]]:
    """For each target, the partnerships it counts from: for a share, its office's (with the offices below
    when it includes them); else those that reached its level between its start and its day. One SELECT
    a set (the shares of the same office share one), joined by UNION ALL."""
    selects, answers = [], []  # each SELECT (queryset, partnership column) and the targets it answers
    shared: dict[tuple, int] = {}
    for target in targets:
        if TargetMetric.is_share(target.metric):
            key = (target.office_id, target.include_lower)
            if key not in shared:
                shared[key] = len(selects)
                selects.append((target_partnerships(target), "pk"))
                answers.append([])
            answers[shared[key]].append(target.pk)
        else:
            level, day = METRIC_LEVELS[target.metric], as_of[target.pk]
            selects.append((_reaching(target_partnerships(target), level, target.start, day), "partnership"))
            answers.append([target.pk])
    members: dict[int, set[int]] = {target.pk: set() for target in targets}
    for first in range(0, len(selects), UNION_SELECTS):
        numbered = [
            queryset.annotate(select_number=Value(n, IntegerField()))
            .order_by()
            .values_list(column, "select_number")
            for n, (queryset, column) in enumerate(selects[first : first + UNION_SELECTS], first)
        ]
        for pk, number in numbered[0].union(*numbered[1:], all=True):
            for target_pk in answers[number]:
                members[target_pk].add(pk)
    return members


def _standings(days: dict) -> dict[date, dict[int, _Standing]]:
    """On each day of ``days`` (day → the shares measured on it), each partnership of those shares, signed
    or not yet: one SELECT a day, joined by UNION ALL; the activity thresholds of their offices read once."""
    standings: dict[date, dict[int, _Standing]] = {day: {} for day in days}
    if not days:
        return standings
    scopes, every = {}, Partnership.objects.none()
    for day, measured in days.items():
        scopes[day] = Partnership.objects.none()
        for target in measured:
            scopes[day] |= target_partnerships(target)
        every |= scopes[day]
    thresholds = rules.thresholds_by_office(every.values("office_id"))
    ordered = sorted(days)
    for first in range(0, len(ordered), UNION_SELECTS):
        selects = [
            scopes[day]
            .with_level_on(day)
            .with_activity(day, thresholds)
            .annotate(day_number=Value(n, IntegerField()))
            .order_by()
            .values_list("day_number", "pk", "signed_on", "level_on", "activity", "last_exchange")
            for n, day in enumerate(ordered[first : first + UNION_SELECTS], first)
        ]
        for number, pk, *standing in selects[0].union(*selects[1:], all=True):
            standings[ordered[number]][pk] = _Standing(*standing)
    return standings


def _progress(target: Target, as_of: date, counted: list) -> Progress:
    span = (target.deadline - target.start).days
    elapsed = 1.0 if span <= 0 else max(0.0, min(1.0, (as_of - target.start).days / span))
    if TargetMetric.is_share(target.metric):
        baseline, partners = counted, [p for p in counted if p.activity == Activity.ACTIVE]
        current = (
            (Decimal(100) * len(partners) / len(baseline)).quantize(Decimal("0.1"))
            if baseline
            else Decimal(0)
        )
    else:
        baseline, partners, current = [], counted, Decimal(len(counted))
    return Progress(target, as_of, current, partners, baseline, elapsed)


def targets(user):
    return Target.objects.restrict(user).select_related("office").order_by("office__path", "deadline", "id")


def recent_since(day: date) -> date:
    """The first day of the year ``WAISHI_TARGETS_PAST_YEARS`` before ``day``'s: a target that ended on
    or after it is still shown on the targets page and named in the report of a span starting on ``day``."""
    return date(day.year - settings.WAISHI_TARGETS_PAST_YEARS, 1, 1)


def recent_targets(user, on: date | None = None):
    """The user's targets still running on ``on`` (today) or ended since ``recent_since``, and how many
    ended earlier."""
    since = recent_since(on or today())
    every = targets(user)
    return every.filter(deadline__gte=since), every.filter(deadline__lt=since).count()


def figures(partnerships, as_of: date) -> dict:
    """Counts by continent, country and region, level, tier (province, city, county) and activity, for the
    tables and bar charts of the map page (never as coloured countries: DOMAIN.md)."""
    existing = partnerships.existing_on(as_of)
    continents = dict(Continent.choices)
    tiers = dict(OrganizationLevel.choices)
    by_continent = [
        (str(continents.get(row["city__country__continent"], row["city__country__continent"])), row["n"])
        for row in existing.values("city__country__continent").annotate(n=Count("id")).order_by("-n")
    ]
    by_country = [
        (row["city__country__name_zh"], row["city__country__code"], row["n"])
        for row in existing.values("city__country__code", "city__country__name_zh")
        .annotate(n=Count("id"))
        .order_by("-n", "city__country__name_zh")
    ]
    by_tier = [
        (str(tiers.get(row["office__level"], row["office__level"])), row["n"])
        for row in existing.values("office__level").annotate(n=Count("id")).order_by("-n")
    ]
    levels = by_level(partnerships, as_of)
    activity = dict.fromkeys(Activity.values, 0)
    for value in existing.with_activity(as_of).values_list("activity", flat=True):
        if value:
            activity[value] += 1
    return {
        "by_continent": by_continent,
        "by_country": by_country,
        "by_level": [(str(PartnerLevel(k).label), v) for k, v in levels.items()],
        "by_tier": by_tier,
        "by_activity": [(str(Activity(k).label), v) for k, v in activity.items()],
        "total": sum(levels.values()),
    }


def map_points(partnerships, as_of: date) -> tuple[list[dict], list]:
    """One point per partner city with coordinates (level and activity on ``as_of``), and the partnerships
    whose city has no coordinates yet."""
    rows = (
        partnerships.existing_on(as_of)
        .with_level_on(as_of)
        .with_activity(as_of)
        .select_related(*LIST_RELATED)
        .order_by("office__path", "city__name_en")
    )
    points, missing = [], []
    for p in rows:
        city = p.city
        if city.latitude is None or city.longitude is None:
            missing.append(p)
            continue
        points.append(
            {
                "name": str(city),
                "name_en": city.name_en,
                "country": city.country.name_zh,
                "office": p.office.short_name or p.office.name,
                "level": p.level_on,
                "level_label": str(PartnerLevel(p.level_on).label) if p.level_on else "",
                "activity": p.activity,
                "activity_label": str(Activity(p.activity).label) if p.activity else "",
                "value": [float(city.longitude), float(city.latitude)],
                "url": p.get_absolute_url(),
            }
        )
    return points, missing


# --- work queue and search ------------------------------------------------------------------------------


def anniversaries(user, on: date | None = None) -> list[tuple[Partnership, date, int]]:
    """Friendly-exchange and sister cities whose level's anniversary (every 10th year) falls in the coming
    ``partners.anniversary.notice_days`` days: (partnership, date, years)."""
    on = on or today()
    organization = getattr(user, "organization", None)
    office = organization.office() if organization else None
    every = config.get(partner_config.ANNIVERSARY_YEARS.key, office)
    notice = config.get(partner_config.ANNIVERSARY_NOTICE_DAYS.key, office)
    if every <= 0:
        return []
    horizon = on + timedelta(days=notice)
    found = []
    rows = Partnership.objects.restrict(user).filter(
        level__in=[PartnerLevel.FRIENDLY, PartnerLevel.SISTER], level_since__lt=on
    )
    # One query whether or not an anniversary is due (a second one for the due only was a query more on
    # the days one is).
    for p in rows.select_related(*LIST_RELATED):
        since = p.level_since
        for year in range(on.year, horizon.year + 1):
            years = year - since.year
            if years <= 0 or years % every:
                continue
            day = rules.months_after(since, 12 * years)
            if on <= day <= horizon:
                found.append((p, day, years))
    return sorted(found, key=lambda item: item[1])


def turning_dormant(user, on: date | None = None) -> list[tuple[Partnership, date, PartnerExchange | None]]:
    """Partnerships that turn dormant within ``partners.dormant.warning_days``: (partnership, the day
    they turn, their last exchange).

    A partnership that turns dormant after ``on`` is active or occasional on ``on``, so only each one's last
    contact is read (classifying every partnership in SQL took 0.2 s for a province's 260), and the
    partnerships themselves only for those due."""
    on = on or today()
    contacts = list(
        Partnership.objects.restrict(user)
        .with_activity(on)
        .values_list("pk", "office_id", "last_signing", "last_contact")
    )
    if not contacts:
        return []
    by_office, default = rules.thresholds_by_office({office_id for _pk, office_id, _s, _c in contacts})
    organization = getattr(user, "organization", None)
    office = organization.office() if organization else None
    horizon = on + timedelta(days=config.get(partner_config.DORMANT_WARNING_DAYS.key, office))
    days = {}
    for pk, office_id, last_signing, last_contact in contacts:
        if last_signing is None:  # not signed yet on ``on``
            continue
        day = rules.turns_dormant_on(last_contact, by_office.get(office_id, default))
        if on < day <= horizon:
            days[pk] = day
    due = [
        (p, days[p.pk])
        for p in Partnership.objects.restrict(user)
        .with_activity(on)
        .filter(pk__in=days)
        .select_related(*LIST_RELATED)
    ]
    links = (
        ExchangePartner.objects.filter(partnership_id__in=[p.pk for p, _d in due])
        .select_related("partnerexchange")
        .order_by("-date", "-partnerexchange_id")
    )
    last = {}
    for link in links:
        last.setdefault(link.partnership_id, link.partnerexchange)
    return sorted(((p, day, last.get(p.pk)) for p, day in due), key=lambda item: item[1])


def work_items(user, limit: int | None = None) -> list[WorkList]:
    """For those who keep the partnerships: anniversaries coming up and partnerships turning dormant, every
    one (a few of an office's partnerships, whatever ``limit``)."""
    if not user.has_perm("partners.add_partnerexchange"):
        return []
    category = _("Sister cities")
    items = [
        WorkItem(
            title=_("%(years)d years: %(partner)s, %(level)s since %(since)s")
            % {
                "years": years,
                "partner": p,
                "level": p.get_level_display(),
                "since": date_format(p.level_since),
            },
            url=p.get_absolute_url(),
            category=category,
            due=day,
        )
        for p, day, years in anniversaries(user)
    ]
    for p, day, exchange in turning_dormant(user):
        if exchange is None:
            last = _("no exchange since the signing on %(date)s") % {"date": date_format(p.last_signing)}
        else:
            last = _("last exchange %(date)s, %(kind)s") % {
                "date": date_format(exchange.date),
                "kind": exchange.get_kind_display(),
            }
        items.append(
            WorkItem(
                title=_("Turns dormant: %(partner)s (%(last)s)") % {"partner": p, "last": last},
                url=p.get_absolute_url(),
                category=category,
                due=day,
            )
        )
    return [WorkList(category, len(items), items)]


def search(user, query: str):
    query = query.strip()
    return (
        Partnership.objects.restrict(user)
        .filter(
            Q(city__name_zh__contains=query)
            | Q(city__name_en__icontains=query)
            | Q(city__country__name_zh__contains=query)
            | Q(city__country__name_en__icontains=query)
        )
        .select_related(*LIST_RELATED)
    )


def search_hits(user, query: str) -> list[Hit]:
    if not user.has_perm("partners.view_partnership") or not query.strip():
        return []
    return [
        Hit(
            str(p),
            f"{p.office.short_name or p.office} · {p.get_level_display()} · {p.signed_on:%Y-%m-%d}",
            p.get_absolute_url(),
        )
        for p in search(user, query)[:20]
    ]
