"""The checks an application must pass (DOMAIN.md "Outbound trips — default rules").

Each rule is a function registered under its code; it reads the facts of one trip and yields findings
(code, severity, a message that cites the rule, the fields concerned). Every number comes from the
office's settings (travel/config.py). A blocking finding stops submission; the reviewer sees all of them.
Other modules add rules with ``@rule(code)`` (the passports app adds ``passport.valid`` and ``unit.locked``).
"""

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from functools import cached_property

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waishi.core import config
from waishi.core.models import Attachment
from waishi.core.money import money
from waishi.core.workdays import workdays_between
from waishi.directory.choices import Rank
from waishi.directory.models import CHINA_REGIONS
from waishi.travel import config as travel_config
from waishi.travel.choices import APPROVED_STATES, LIVE_STATES, BudgetKind, MemberRole, Severity, TripCategory

BLOCK, WARN = Severity.BLOCK.value, Severity.WARN.value


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    fields: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "fields": list(self.fields),
        }


@dataclass
class Facts:
    """One trip with everything the rules read, loaded once."""

    trip: object
    members: list = field(default_factory=list)
    legs: list = field(default_factory=list)
    budget: list = field(default_factory=list)

    @classmethod
    def of(cls, trip) -> "Facts":
        if trip.pk is None:
            return cls(trip)
        return cls(
            trip,
            members=list(trip.members.select_related("person__organization")),
            legs=list(trip.legs.select_related("country")),
            budget=list(trip.budget.all()),
        )

    def setting(self, definition):
        return config.get(definition.key, self.trip.office)

    @cached_property
    def visited_legs(self) -> list:
        """Legs that count as visits: every stop except an airside transit."""
        return [leg for leg in self.legs if not leg.transit_airside]

    @cached_property
    def countries(self) -> list:
        seen = {}
        for leg in self.visited_legs:
            seen.setdefault(leg.country_id, leg.country)
        return list(seen.values())

    @property
    def days_abroad(self) -> int:
        return self.trip.days_abroad


Rule = Callable[[Facts], Iterable[Finding]]
RULES: dict[str, Rule] = {}


def rule(code: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[code] = function
        return function

    return register


def check(trip, facts: Facts | None = None) -> list[Finding]:
    """Every finding for ``trip``: blocking ones first (``facts``: the trip's, when already loaded)."""
    facts = facts or Facts.of(trip)
    findings = [finding for function in RULES.values() for finding in function(facts)]
    return sorted(findings, key=lambda f: (f.severity != BLOCK, f.code))


def blocking(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == BLOCK]


@rule("members.head")
def members_head(facts: Facts):
    heads = [m for m in facts.members if m.role == MemberRole.HEAD]
    if not facts.members:
        yield Finding("members.head", BLOCK, _("The delegation has no members."), ("members",))
    elif len(heads) != 1:
        yield Finding("members.head", BLOCK, _("A delegation has exactly one head."), ("members",))


@rule("members.max")
def members_max(facts: Facts):
    limit = facts.setting(travel_config.MEMBERS_MAX)
    if len(facts.members) > limit:
        yield Finding(
            "members.max",
            BLOCK,
            _(
                "The delegation has %(count)d members; at most %(limit)d are allowed (national rule on "
                "temporary official trips abroad)."
            )
            % {"count": len(facts.members), "limit": limit},
            ("members",),
        )


@rule("itinerary.dates")
def itinerary_dates(facts: Facts):
    trip = facts.trip
    if not facts.legs:
        yield Finding("itinerary.dates", BLOCK, _("The itinerary has no stops."), ("legs",))
        return
    for leg in facts.legs:
        if leg.depart < leg.arrive or leg.arrive < trip.depart_date or leg.depart > trip.return_date:
            yield Finding(
                "itinerary.dates",
                BLOCK,
                _("The stop in %(place)s (%(arrive)s to %(depart)s) does not lie within the trip's dates.")
                % {
                    "place": f"{leg.country} {leg.city}",
                    "arrive": date_format(leg.arrive),
                    "depart": date_format(leg.depart),
                },
                ("legs",),
            )


@rule("regions.naming")
def regions_naming(facts: Facts):
    codes = {leg.country_id for leg in facts.legs}
    if "TW" in codes:
        yield Finding(
            "regions.naming",
            BLOCK,
            _(
                "Trips to Taiwan, China are not handled as trips abroad; apply through the Taiwan affairs "
                "office."
            ),
            ("legs",),
        )
    if facts.trip.category == TripCategory.ABROAD and codes & {"HK", "MO"}:
        yield Finding(
            "regions.naming",
            BLOCK,
            _(
                "Hong Kong and Macao are regions of China, not countries: apply for them as a separate "
                "Hong Kong "
                "or Macao trip."
            ),
            ("category", "legs"),
        )
    if facts.trip.category == TripCategory.HKMO and codes - set(CHINA_REGIONS):
        yield Finding(
            "regions.naming",
            BLOCK,
            _("A Hong Kong or Macao trip may only stop in Hong Kong SAR and Macao SAR."),
            ("category", "legs"),
        )


@rule("countries.max")
def countries_max(facts: Facts):
    if facts.trip.category != TripCategory.ABROAD:
        return
    limit = facts.setting(travel_config.COUNTRIES_MAX)
    if len(facts.countries) > limit:
        yield Finding(
            "countries.max",
            BLOCK,
            _(
                "The trip visits %(count)d countries and regions; at most %(limit)d are allowed, a transit "
                "stop "
                "counting unless it stays airside (national rule)."
            )
            % {"count": len(facts.countries), "limit": limit},
            ("legs",),
        )


@rule("days.max")
def days_max(facts: Facts):
    if facts.trip.category != TripCategory.ABROAD or not facts.countries:
        return
    extended = any(country.extended_stay for country in facts.countries)
    table = facts.setting(travel_config.DAYS_MAX_EXTENDED if extended else travel_config.DAYS_MAX)
    count = min(len(facts.countries), max(int(k) for k in table))
    limit = int(table[str(count)])
    if facts.days_abroad > limit:
        yield Finding(
            "days.max",
            BLOCK,
            _(
                "The trip lasts %(days)d days counting the days of leaving and re-entering China; for "
                "%(count)d countries%(where)s at most %(limit)d days are allowed (national rule)."
            )
            % {
                "days": facts.days_abroad,
                "count": count,
                "limit": limit,
                "where": _(" in Latin America or Africa") if extended else "",
            },
            ("depart_date", "return_date", "legs"),
        )


@rule("hkmo.stay")
def hkmo_stay(facts: Facts):
    if facts.trip.category != TripCategory.HKMO:
        return
    normal, limit = facts.setting(travel_config.HKMO_STAY_NORMAL), facts.setting(travel_config.HKMO_STAY_MAX)
    days = facts.days_abroad
    if days > limit:
        yield Finding(
            "hkmo.stay",
            BLOCK,
            _("A stay in Hong Kong or Macao may never exceed %(limit)d days; this one lasts %(days)d.")
            % {"limit": limit, "days": days},
            ("depart_date", "return_date"),
        )
    elif days > normal:
        yield Finding(
            "hkmo.stay",
            WARN,
            _(
                "A stay in Hong Kong or Macao is normally at most %(limit)d days; this one lasts %(days)d: "
                "state the reason."
            )
            % {"limit": normal, "days": days},
            ("depart_date", "return_date"),
        )


@rule("frequency.rank")
def frequency_rank(facts: Facts):
    from waishi.travel.models import TripMember

    table = facts.setting(travel_config.FREQUENCY_BY_RANK)
    trip = facts.trip
    for member in facts.members:
        if member.person.rank not in table:
            continue
        allowed, years = table[member.person.rank]
        window = timedelta(days=365 * years)
        earlier = (
            TripMember.objects.filter(
                person=member.person,
                trip__state__in=APPROVED_STATES,
                trip__depart_date__gt=trip.depart_date - window,
                trip__depart_date__lt=trip.depart_date + window,
            )
            .exclude(trip=trip)
            .count()
        )
        if earlier >= allowed:
            yield Finding(
                "frequency.rank",
                BLOCK,
                ngettext(
                    "%(name)s (%(rank)s) already has %(count)d approved trip within %(period)s; at most "
                    "%(allowed)d are allowed for this rank.",
                    "%(name)s (%(rank)s) already has %(count)d approved trips within %(period)s; at most "
                    "%(allowed)d are allowed for this rank.",
                    earlier,
                )
                % {
                    "name": member.person,
                    "rank": member.person.get_rank_display(),
                    "count": earlier,
                    "period": ngettext("%(years)d year", "%(years)d years", years) % {"years": years},
                    "allowed": allowed,
                },
                ("members",),
            )


@rule("leaders.same_unit")
def leaders_same_unit(facts: Facts):
    keywords = facts.setting(travel_config.PRINCIPAL_POSITIONS)
    by_unit = defaultdict(list)
    for member in facts.members:
        position = (member.person.position or "").strip()
        # The title ends the position (国际交流处处长, 党委书记); 主任科员 is a grade, not a leader.
        if "副" not in position and any(position.endswith(k) for k in keywords):
            by_unit[member.person.organization].append(member.person)
    for unit, leaders in by_unit.items():
        if len(leaders) > 1:
            yield Finding(
                "leaders.same_unit",
                WARN,
                _("The principal leaders of %(unit)s (%(names)s) should not travel together (national rule).")
                % {"unit": unit, "names": "、".join(str(p) for p in leaders)},
                ("members",),
            )


@rule("invitation.attached")
def invitation_attached(facts: Facts):
    trip = facts.trip
    attached = (
        trip.pk is not None
        and Attachment.objects.filter(
            content_type__app_label="travel",
            content_type__model="trip",
            object_id=str(trip.pk),
            purpose="invitation",
        ).exists()
    )
    if not attached or not trip.inviter_name:
        yield Finding(
            "invitation.attached",
            BLOCK,
            _("Attach the invitation and name the inviting organization."),
            ("inviter", "invitation"),
        )
    elif not trip.invitation_signed:
        yield Finding("invitation.attached", BLOCK, _("The invitation must be signed."), ("invitation",))


@rule("invitation.inviter")
def invitation_inviter(facts: Facts):
    refused = facts.setting(travel_config.REFUSED_INVITERS)
    if facts.trip.inviter_kind in refused:
        yield Finding(
            "invitation.inviter",
            BLOCK,
            _(
                "Invitations from %(kind)s are not accepted (overseas Chinese groups, foreign missions in "
                "China "
                "and intermediaries may not invite official delegations)."
            )
            % {"kind": facts.trip.get_inviter_kind_display()},
            ("inviter",),
        )


@rule("invitation.invitees")
def invitation_invitees(facts: Facts):
    named = {"".join(str(n).split()) for n in facts.trip.invitation_invitees or []}
    missing = [m.person.name for m in facts.members if m.person.name not in named]
    if missing:
        yield Finding(
            "invitation.invitees",
            BLOCK,
            _("The invitation does not name %(names)s.") % {"names": "、".join(missing)},
            ("invitation", "members"),
        )


@rule("invitation.dates")
def invitation_dates(facts: Facts):
    trip = facts.trip
    if not trip.invitation_from or not trip.invitation_to:
        yield Finding("invitation.dates", BLOCK, _("Give the dates the invitation covers."), ("invitation",))
    elif trip.depart_date < trip.invitation_from or trip.return_date > trip.invitation_to:
        yield Finding(
            "invitation.dates",
            BLOCK,
            _(
                "The trip (%(depart)s to %(back)s) does not lie within the invitation's dates (%(start)s "
                "to %(end)s)."
            )
            % {
                "depart": date_format(trip.depart_date),
                "back": date_format(trip.return_date),
                "start": date_format(trip.invitation_from),
                "end": date_format(trip.invitation_to),
            },
            ("invitation", "depart_date", "return_date"),
        )


@rule("notice.before")
def notice_before(facts: Facts):
    trip = facts.trip
    required = facts.setting(travel_config.NOTICE_WORKDAYS)
    if not trip.notice_from or not trip.notice_to:
        yield Finding(
            "notice.before", BLOCK, _("Give the period of the pre-trip public notice."), ("notice",)
        )
        return
    days = workdays_between(trip.notice_from, min(trip.notice_to, trip.depart_date - timedelta(days=1)))
    if days < required:
        yield Finding(
            "notice.before",
            BLOCK,
            _(
                "The pre-trip public notice ran %(days)d working days before departure; at least "
                "%(required)d are "
                "required (holidays and make-up working days counted as the calendar says)."
            )
            % {"days": days, "required": required},
            ("notice",),
        )


@rule("overlap.member")
def overlap_member(facts: Facts):
    from waishi.travel.models import TripMember

    trip = facts.trip
    clashes = (
        TripMember.objects.filter(
            person__in=[m.person_id for m in facts.members],
            trip__state__in=LIVE_STATES,
            trip__depart_date__lte=trip.return_date,
            trip__return_date__gte=trip.depart_date,
        )
        .exclude(trip_id=trip.pk)
        .select_related("person", "trip")
    )
    for clash in clashes:
        yield Finding(
            "overlap.member",
            BLOCK,
            _("%(name)s is on another trip at the same time (%(depart)s to %(back)s).")
            % {
                "name": clash.person,
                "depart": date_format(clash.trip.depart_date),
                "back": date_format(clash.trip.return_date),
            },
            ("members",),
        )


def leg_days(facts: Facts) -> list[tuple[object, int, int]]:
    """(leg, days for meals and incidentals, nights for lodging) per visited leg. Meals and incidentals
    count every day from leaving China to re-entry: the travel day out goes to the first stop, the day
    back to the last."""
    legs = sorted(facts.visited_legs, key=lambda leg: leg.arrive)
    result = []
    for index, leg in enumerate(legs):
        start = facts.trip.depart_date if index == 0 else leg.arrive
        end = legs[index + 1].arrive if index + 1 < len(legs) else facts.trip.return_date + timedelta(days=1)
        result.append((leg, max(0, (end - start).days), max(0, (leg.depart - leg.arrive).days)))
    return result


def standard_budget(facts: Facts) -> tuple[dict[tuple[str, str], Decimal], list[object]]:
    """The standard budget {(kind, currency): amount} for the whole delegation, and the unrated legs."""
    from waishi.travel.models import PerDiemRate

    people = len(facts.members) or 1
    countries = {leg.country_id for leg in facts.visited_legs}
    rates = {(r.country_id, r.city_name): r for r in PerDiemRate.objects.filter(country_id__in=countries)}
    totals: dict[tuple[str, str], Decimal] = Counter()
    unrated = []
    for leg, days, nights in leg_days(facts):
        rate = rates.get((leg.country_id, leg.city)) or rates.get((leg.country_id, ""))
        if rate is None:
            unrated.append(leg)
            continue
        currency = rate.currency.upper()
        totals[(BudgetKind.LODGING, currency)] += rate.lodging * nights * people
        totals[(BudgetKind.MEALS, currency)] += rate.meals * days * people
        totals[(BudgetKind.INCIDENTALS, currency)] += rate.incidentals * days * people
    return dict(totals), unrated


@rule("budget.standard")
def budget_standard(facts: Facts):
    standard, unrated = standard_budget(facts)
    for leg in unrated:
        yield Finding(
            "budget.standard",
            WARN,
            _("No per-diem rate for %(place)s: the budget cannot be checked there.")
            % {"place": f"{leg.country} {leg.city}"},
            ("budget",),
        )
    claimed: dict[tuple[str, str], Decimal] = Counter()
    for line in facts.budget:
        claimed[(line.kind, line.currency.upper())] += line.amount
    for (kind, currency), amount in sorted(claimed.items()):
        if kind not in {BudgetKind.LODGING, BudgetKind.MEALS, BudgetKind.INCIDENTALS}:
            continue
        limit = standard.get((kind, currency))
        if limit is None and not unrated:
            yield Finding(
                "budget.standard",
                WARN,
                _("%(kind)s is budgeted in %(currency)s, which the per-diem standard does not use.")
                % {"kind": BudgetKind(kind).label, "currency": currency},
                ("budget",),
            )
        elif limit is not None and amount > limit:
            yield Finding(
                "budget.standard",
                BLOCK,
                _(
                    "%(kind)s: %(amount)s %(currency)s budgeted, the standard allows %(limit)s %(currency)s "
                    "(财行〔2013〕516号)."
                )
                % {
                    "kind": BudgetKind(kind).label,
                    "amount": money(amount),
                    "currency": currency,
                    "limit": money(limit),
                },
                ("budget",),
            )


@rule("plan.outside")
def plan_outside(facts: Facts):
    if facts.trip.plan_entry_id is None:
        yield Finding(
            "plan.outside", WARN, _("The trip is not in the unit's annual outbound plan."), ("plan_entry",)
        )


def needs_escalation(facts: Facts) -> bool:
    """A member at or above the configured rank sends the decision to the superior office."""
    threshold = Rank.order(facts.setting(travel_config.ESCALATE_RANK))
    return any(Rank.order(m.person.rank) <= threshold for m in facts.members)
