"""Every figure of the reports, computed from records (API.md "Statistics").

Counting rules: a trip counts in a span when its approval falls in it (approved trips, whatever happened
after); ``cancelled`` are those of them that did not travel; ``person_times`` counts members; countries
and regions are those of approved trips that travelled (airside transits excluded): the figure, the tables
of the page and both report files all read ``stops_visited``. The query count does not depend on the number
of categories, countries or years.
"""

import operator
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import reduce

from django.db.models import BooleanField, Count, ExpressionWrapper, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _
from pypinyin import lazy_pinyin

from waishi.directory.models import Organization
from waishi.partners import selectors as partner_selectors
from waishi.partners.models import Target
from waishi.passports import selectors as passport_selectors
from waishi.travel.choices import TripCategory, TripState
from waishi.travel.models import Trip, TripLeg, TripMember

TRAVELLED = (TripState.DEPARTED, TripState.RETURNED_HOME, TripState.REPORTED, TripState.EVALUATED,
             TripState.CLOSED)  # fmt: skip


@dataclass(frozen=True)
class Scope:
    office: Organization
    start: date
    end: date
    include_lower: bool = False

    def previous(self) -> "Scope":
        """The same span one year earlier (29 February becomes 28 February)."""
        return Scope(self.office, _year_before(self.start), _year_before(self.end), self.include_lower)


def _year_before(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def offices(user):
    """The offices whose statistics the user may read."""
    return Organization.objects.restrict(user).filter(kind="fao")


def office_trips(scope: Scope):
    """The trips of the scope's office (and the offices below it), whenever approved."""
    return Trip.objects.filter(of_office(scope))


def of_office(scope: Scope, path: str = "") -> Q:
    """The condition on a trip (``path``: the trip's, from another model) of being the scope's office's."""
    if scope.include_lower:
        return Q(**{f"{path}office__path__startswith": scope.office.path})
    return Q(**{f"{path}office": scope.office})


def approved_in(scope: Scope, path: str = "") -> Q:
    return Q(**{f"{path}approved_on__range": (scope.start, scope.end)})


def approved_trips(scope: Scope):
    return office_trips(scope).filter(approved_in(scope))


def visited_legs(scope: Scope):
    """The stops behind "countries and regions": those of the approved trips that travelled (not those
    that did not travel nor those not yet departed), airside transits excluded."""
    return stops_visited(of_office(scope, "trip__") & approved_in(scope, "trip__"))


def stops_visited(trips: Q):
    """The stops of the trips that meet ``trips`` (a condition from the stop: ``trip__...``) and travelled,
    airside transits excluded. A join, not ``trip__in`` a subquery: the planner then reads the stops of
    those trips alone, by the index of the visited stops (``TripLeg.Meta``)."""
    return TripLeg.objects.filter(trips, trip__state__in=TRAVELLED, transit_airside=False)


def outbound(scope: Scope) -> dict:
    return outbound_spans([scope])[0]


# What the figures tell trips apart by, and each figure's trips: every figure is a sum of the rows of one
# GROUP BY on these columns, whatever the number of figures.
KINDS = ("state", "category", "is_cross_unit")
FIGURES = {
    "all": lambda kind: True,
    "cross": lambda kind: kind["is_cross_unit"],
    "hkmo": lambda kind: kind["category"] == TripCategory.HKMO,
    "cancelled": lambda kind: kind["state"] == TripState.CANCELLED,
    "travelled": lambda kind: kind["state"] in TRAVELLED,
}


def outbound_spans(scopes: list[Scope]) -> list[dict]:
    """``outbound`` of several spans of one office (a year and the year before), in two queries whatever
    the number of spans: every row is counted with each span's approval dates as a filter, so a trip in
    two overlapping spans counts in both."""

    spans = list(enumerate(scopes))

    def trips(path: str = "") -> Q:
        in_any = reduce(operator.or_, (approved_in(scope, path) for scope in scopes))
        return of_office(scopes[0], path) & in_any

    def counted(scope: Scope, path: str = "") -> Q | None:
        """The rows a span's figures count: with one span, every row the statement reads."""
        return approved_in(scope, path) if len(scopes) > 1 else None

    # The trips with the number of their members, in one statement: the members counted a trip from the
    # index of their trip alone (an index-only scan), not read row by row; the stops below likewise.
    members = TripMember.objects.filter(trip=OuterRef("pk")).order_by().values("trip")
    members = Subquery(members.annotate(n=Count("*")).values("n"))
    kinds = list(
        Trip.objects.filter(trips())
        .values(*KINDS)
        .order_by()
        .annotate(
            **{f"batches_{i}": Count("id", filter=counted(scope)) for i, scope in spans},
            **{f"people_{i}": Sum(members, filter=counted(scope), default=0) for i, scope in spans},
        )
    )
    places = list(
        stops_visited(trips("trip__"))
        .values("country_id", "country__continent", "country__is_region")
        .order_by()  # the legs' default order would make every stop a group of its own
        .annotate(**{f"in_{i}": Count("trip", filter=counted(scope, "trip__")) for i, scope in spans})
    )

    def both(name: str, i: int) -> dict:
        rows = [kind for kind in kinds if FIGURES[name](kind)]
        return {
            "batches": sum(row[f"batches_{i}"] for row in rows),
            "person_times": sum(row[f"people_{i}"] for row in rows),
        }

    found = []
    for i in range(len(scopes)):
        visited = [place for place in places if place[f"in_{i}"]]
        every = both("all", i)
        found.append(
            {
                "batches": every["batches"],
                "person_times": every["person_times"],
                "cross_unit": both("cross", i),
                "hkmo": both("hkmo", i),
                "cancelled": both("cancelled", i),
                # The trips whose stops make "countries": approved, and departed by the end of the records.
                "travelled": both("travelled", i),
                # Countries and regions of China together (API.md); "regions": how many of them are regions.
                "countries": len(visited),
                "regions": sum(1 for place in visited if place["country__is_region"]),
                "by_continent": dict(
                    sorted(Counter(place["country__continent"] for place in visited).items())
                ),
            }
        )
    return found


def passports(ledger: passport_selectors.LedgerFigures) -> dict:
    return {
        "due": ledger.collection.denominator,
        "returned_on_time": ledger.collection.numerator,
        "collection_rate": _ratio(ledger.collection.value),
        "custody_rate": _ratio(ledger.custody),
    }


def partners(scope: Scope) -> dict:
    partnerships = partner_selectors.office_partnerships(scope.office, scope.include_lower)
    summary = partner_selectors.summary(partnerships, scope.start, scope.end, office=scope.office)
    # The targets running in the span, and those that ended shortly before it (their results, on their
    # deadline): one that ended years before is no part of its report.
    since = partner_selectors.recent_since(scope.start)
    targets = Target.objects.filter(office=scope.office, start__lte=scope.end, deadline__gte=since)
    targets = targets.select_related("office").order_by("deadline", "pk")
    summary["targets"] = [
        target_figures(progress) for progress in partner_selectors.targets_progress(targets, scope.end)
    ]
    return summary


def target_figures(progress) -> dict:
    return {
        "metric": progress.target.metric,
        "goal": float(progress.goal),
        "current": float(progress.current),
        "as_of": progress.as_of.isoformat(),  # the report's end, or the deadline once passed
        "deadline": progress.target.deadline.isoformat(),
        "met": progress.met,
        "behind": progress.behind,
    }


def _ratio(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def figures(scope: Scope, trips: dict, ledger: passport_selectors.LedgerFigures) -> dict:
    return {"outbound": trips, "passports": passports(ledger), "partners": partners(scope)}


def change(current, previous):
    """Year-on-year change of every number: a ratio, or None where the previous value is zero (the report
    says so in words instead of dividing by it)."""
    if isinstance(current, dict):
        return {
            key: change(value, (previous or {}).get(key))
            for key, value in current.items()
            if isinstance(value, (int, dict)) and not isinstance(value, bool)
        }
    if not isinstance(current, int) or not isinstance(previous, int) or previous == 0:
        return None
    return round((current - previous) / previous, 4)


def checks(scope: Scope) -> list[dict]:
    """Parts that must add up to their whole, with the records behind any disagreement."""
    trips = approved_trips(scope)
    found = []

    def report(code, message, records):
        records = list(records.select_related("applicant_unit"))
        if records:
            found.append(
                {
                    "code": code,
                    "message": message,
                    "records": [{"id": t.pk, "label": str(t), "url": t.get_absolute_url()} for t in records],
                }
            )

    counted = trips.annotate(people=Count("members"), heads=Count("members", filter=Q(members__role="head")))
    report(
        "outbound.members",
        _("Approved trips without members: their person-times are missing."),
        counted.filter(people=0),
    )
    report(
        "outbound.head",
        _("Approved trips without exactly one head of delegation."),
        counted.filter(people__gt=0).exclude(heads=1),
    )
    report(
        "outbound.cancelled",
        _("Trips counted as not travelled although a departure is recorded."),
        trips.filter(state=TripState.CANCELLED, departed_on__isnull=False),
    )
    report(
        "outbound.border",
        _("Trips back home with members whose border dates are missing."),
        trips.filter(state__in=TRAVELLED[1:], members__entry_date__isnull=True).distinct(),
    )
    stray = (
        TripLeg.objects.filter(trip__in=trips.filter(category=TripCategory.HKMO))
        .exclude(country_id__in=["HK", "MO"])
        .values("trip")
    )
    report(
        "outbound.regions",
        _("Hong Kong or Macao trips with stops outside Hong Kong and Macao."),
        trips.filter(pk__in=stray),
    )
    return found


def statistics(scope: Scope) -> dict:
    """The statistics JSON of API.md (the same from the API and from ``manage.py stats``)."""
    last_year = scope.previous()
    # Both years' outbound and passport figures come from the same queries.
    trips = outbound_spans([scope, last_year])
    documents = passport_selectors.office_documents(scope.office, scope.include_lower)
    ledgers = passport_selectors.ledger_figures(
        documents, [(scope.start, scope.end), (last_year.start, last_year.end)]
    )
    current = figures(scope, trips[0], ledgers[0])
    previous = figures(last_year, trips[1], ledgers[1])
    return {
        "office": scope.office.code,
        "from": scope.start.isoformat(),
        "to": scope.end.isoformat(),
        "include_lower": scope.include_lower,
        **current,
        "previous": {
            "from": last_year.start.isoformat(),
            "to": last_year.end.isoformat(),
            **previous,
        },
        "change": change(current, previous),
        "checks": checks(scope),
    }


def months(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s to ``end``'s, both included."""
    first, last = start.year * 12 + start.month - 1, end.year * 12 + end.month - 1
    return [date(index // 12, index % 12 + 1, 1) for index in range(first, last + 1)]


def by_month(scope: Scope) -> list[tuple[date, int, int]]:
    """(first day of the month, batches, person-times) of the approvals, for every month of the span: a
    month without approvals is there with zeros, never left out."""
    rows = (
        approved_trips(scope)
        .annotate(month=TruncMonth("approved_on"))
        .values("month")
        .annotate(batches=Count("id", distinct=True), people=Count("members"))
        .order_by("month")
    )
    found = {row["month"]: (row["batches"], row["people"]) for row in rows}
    return [(month, *found.get(month, (0, 0))) for month in months(scope.start, scope.end)]


def places_visited(scope: Scope) -> dict[str, list[dict]]:
    """Countries, and apart from them the regions of China, by the number of delegations that travelled
    there, then in pinyin order (as a Chinese list is read, not by code point): the same stops as
    ``outbound``'s "countries" (DOMAIN.md: Hong Kong and Macao are never listed among countries)."""
    rows = sorted(
        visited_legs(scope)
        .values("country_id", "country__name_zh", "country__continent", "country__is_region")
        .annotate(batches=Count("trip", distinct=True))
        .order_by(),
        key=lambda row: (-row["batches"], lazy_pinyin(row["country__name_zh"]), row["country_id"]),
    )
    places = {"countries": [], "regions": []}
    for row in rows:
        group = places["regions" if row["country__is_region"] else "countries"]
        group.append(
            {
                "code": row["country_id"],
                "name": row["country__name_zh"],
                "continent": row["country__continent"],
                "batches": row["batches"],
            }
        )
    return places


def counted_trips(scope: Scope):
    """The trips behind the outbound figures, for the report's workbook."""
    return (
        approved_trips(scope)
        .select_related("applicant_unit")
        .prefetch_related("members__person", "legs__country")
    )


def documents_due(scope: Scope):
    """The check-outs due back in the span, each with ``on_time``: returned by its due date."""
    documents = passport_selectors.office_documents(scope.office, scope.include_lower)
    _rate, checkouts = passport_selectors.collection_rate(None, scope.start, scope.end, documents=documents)
    return checkouts.annotate(
        on_time=ExpressionWrapper(passport_selectors.returned_on_time(), output_field=BooleanField())
    )
