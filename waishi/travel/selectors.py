"""Reads of trips: lists, the application page's figures, deadlines, the work queue and search."""

import functools
import re
from datetime import timedelta

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from waishi.core import config
from waishi.core.changes import readable_changes
from waishi.core.deadlines import due_date
from waishi.core.money import money
from waishi.core.navigation import WorkItem, WorkList, most_urgent
from waishi.core.search import Hit
from waishi.core.workdays import add_workdays, all_overrides
from waishi.directory.models import Person
from waishi.directory.search import person_search
from waishi.travel import config as travel_config
from waishi.travel import rules
from waishi.travel.choices import FIX_CONCERNS, TripState
from waishi.travel.models import BudgetLine, FollowUp, Trip, TripEvent, TripLeg, TripMember
from waishi.travel.services import changes_since

LIST_RELATED = ("applicant_unit", "office")


def trip_list(user):
    """Trips the user may see, with what a list row shows, in a constant number of queries."""
    return (
        Trip.objects.restrict(user)
        .select_related(*LIST_RELATED)
        .prefetch_related(
            Prefetch("members", queryset=TripMember.objects.select_related("person").order_by("order", "id")),
            "legs__country",
        )
    )


def report_due(trip: Trip, setting=config.get):
    """``setting``: how to read an office's setting (the work queue passes one that remembers)."""
    if trip.came_back_on is None:
        return None
    return due_date(trip.came_back_on, setting(travel_config.REPORT_DUE.key, trip.office))


def notice_complete_on(trip: Trip, setting=config.get, overrides=None):
    """The day the pre-trip notice has run its required working days (``overrides``: see add_workdays)."""
    if trip.notice_from is None:
        return None
    required = setting(travel_config.NOTICE_WORKDAYS.key, trip.office)
    return add_workdays(trip.notice_from - timedelta(days=1), required, overrides)


def resubmission_changes(trip: Trip, user) -> list[tuple[str, str, str]]:
    """What the unit changed between the submission that was returned and the latest submission, as the
    page shows it (``core.changes``): each field under its name, the delegation, itinerary and budget as
    their lines, the budget's amounts written with ``money()``."""
    submissions = list(trip.events.filter(action="submit").order_by("-at", "-id")[:2])
    if len(submissions) < 2:
        return []
    latest, previous = submissions[0].detail.get("snapshot", {}), submissions[1].detail.get("snapshot", {})
    labels = {
        "members": TripMember._meta.verbose_name_plural,
        "legs": TripLeg._meta.verbose_name_plural,
        "budget": BudgetLine._meta.verbose_name_plural,
    }
    return readable_changes(
        Trip, [changes_since(previous, latest)], user, labels, formats={"budget": _budget_lines}
    )[0]


# A budget line of a submission's snapshot (services.application_snapshot): "<kind> <amount> <currency>",
# the amount as the decimal's text (160000.00).
BUDGET_LINE = re.compile(r"(?P<kind>.+) (?P<amount>-?\d+(?:\.\d+)?) (?P<currency>\S+)")


def _budget_lines(lines: list) -> str:
    """A snapshot's budget lines with their amounts as ``money()`` writes them (160,000.00); a line of
    another shape as it is."""
    matches = [(line, BUDGET_LINE.fullmatch(line) if isinstance(line, str) else None) for line in lines]
    return "；".join(
        f"{match['kind']} {money(match['amount'])} {match['currency']}" if match else str(line)
        for line, match in matches
    )


def last_fixes(trip: Trip) -> list[dict]:
    """The corrections the last return asked for, each with what it ``concerns`` in the user's language."""
    event = trip.events.filter(action="return").order_by("-at", "-id").first()
    fixes = event.detail.get("fixes", []) if event else []
    return [{**fix, "concerns": FIX_CONCERNS.get(fix.get("field"), fix.get("field"))} for fix in fixes]


def border_flags(trip: Trip) -> dict:
    return border_flags_by_trip([trip]).get(trip.pk, {})


def border_flags_by_trip(trips) -> dict[int, dict]:
    """``border_flags`` of many trips in one query, by trip id (trips without a recorded return left out)."""
    flags: dict[int, dict] = {}
    events = TripEvent.objects.filter(trip__in=trips, action="come_back").order_by("trip_id", "-at", "-id")
    for event in events:
        flags.setdefault(event.trip_id, event.detail.get("flags", {}))
    return flags


def trip_findings(trip: Trip, facts: rules.Facts | None = None) -> list[rules.Finding]:
    return rules.check(trip, facts)


def matching_trips(trips, query: str):
    """``trips`` whose approval number or mission contains ``query``, or with a member the people's search
    finds for it (characters, pinyin or initials, on its index). The members' trips are a subquery, not a
    join: a join needed DISTINCT, which read every matching trip before the first page (a second at 100k
    trips)."""
    members = person_search(Person.objects.all(), query).values("pk")
    return trips.filter(
        Q(approval_number__icontains=query)
        | Q(mission__contains=query)
        | Q(pk__in=TripMember.objects.filter(person__in=members).values("trip_id"))
    )


def search_trips(user, query: str) -> list[Hit]:
    """The latest 20 trips ``matching_trips`` finds."""
    trips = matching_trips(trip_list(user), query).order_by("-depart_date", "-pk")[:20]
    return [
        Hit(
            str(t),
            f"{t.applicant_unit} · {date_format(t.depart_date)} · {t.get_state_display()}",
            t.get_absolute_url(),
        )
        for t in trips
    ]


def _item(trip: Trip, title: str, category: str, due=None) -> WorkItem:
    today = timezone.localdate()
    unit = trip.applicant_unit.short_name or trip.applicant_unit
    return WorkItem(
        title=f"{title}{pgettext('label separator', ': ')}{unit} {date_format(trip.depart_date)} "
        f"{trip.mission[:30]}",
        url=trip.get_absolute_url(),
        category=category,
        due=due,
        overdue=bool(due and due < today),
    )


def work_items(user, limit: int | None = None) -> list[WorkList]:
    """What each role must do next on trips it can see: a list a step, each with at least its ``limit``
    most urgent items. Items without a due date come after every dated one, in the order of their titles,
    which SQL cannot give (a translated label, a formatted date): a step without a due date is read whole
    when the dated steps hold fewer than ``limit`` items, else only counted (none of its items is among the
    first ``limit``)."""
    if not user.has_perm("travel.view_trip"):
        return []
    trips = Trip.objects.restrict(user).select_related("applicant_unit", "office")
    today = timezone.localdate()
    setting = functools.cache(config.get)  # each office's deadlines read once, not once per trip
    overrides = all_overrides()
    category = _("Outbound trips")

    def dated(title, queryset, column, due=None) -> WorkList:
        """Due on ``column``, or on ``due(trip)``: a date each office works out from ``column``."""
        rows, count = most_urgent(queryset, column, limit, per="office" if due else None)
        return WorkList(
            category, count, [_item(t, title, category, due(t) if due else getattr(t, column)) for t in rows]
        )

    lists: list[WorkList] = []
    undated: list[tuple[str, object]] = []  # (title, trips): read or counted once the dated lists are known
    if user.has_perm("travel.sign_off_trip"):
        undated.append((_("To sign off"), trips.filter(state=TripState.DRAFT)))
    if user.has_perm("travel.submit_trip"):
        signed_off = trips.filter(state=TripState.SIGNED_OFF)
        lists.append(
            dated(
                _("Signed off, to submit"),
                signed_off.filter(notice_from__isnull=False),
                "notice_from",
                lambda t: notice_complete_on(t, setting, overrides),
            )
        )
        undated += [
            (_("Returned for correction"), trips.filter(state=TripState.RETURNED)),
            (_("Signed off, to submit"), signed_off.filter(notice_from__isnull=True)),
        ]
    if user.has_perm("travel.report_trip"):
        lists.append(
            dated(
                _("Trip report due"),
                trips.filter(state=TripState.RETURNED_HOME),
                "came_back_on",
                lambda t: report_due(t, setting),
            )
        )
    if user.has_perm("travel.review_trip"):
        own = trips.filter(office=user.organization)  # the office that handles the trip, even when escalated
        lists += [
            dated(_("Pre-departure briefing"), own.filter(state=TripState.APPROVED), "depart_date"),
            dated(
                _("Record the departure"),
                own.filter(state=TripState.BRIEFED, depart_date__lte=today),
                "depart_date",
            ),
            dated(
                _("Record the return"),
                own.filter(state=TripState.DEPARTED, return_date__lte=today),
                "return_date",
            ),
            _reports_overdue(
                own.filter(state=TripState.RETURNED_HOME), user.organization, limit, setting, category
            ),
        ]
        undated += [
            (_("To review"), own.filter(state=TripState.SUBMITTED)),
            (_("To evaluate"), own.filter(state=TripState.REPORTED)),
            (_("To close"), own.filter(state=TripState.EVALUATED)),
        ]
        follow_ups, count = most_urgent(
            FollowUp.objects.filter(trip__in=own, done_on__isnull=True).select_related(
                "trip__applicant_unit"
            ),
            "due",
            limit,
        )
        items = [
            WorkItem(
                title=_("Follow-up: %(item)s (%(owner)s)") % {"item": f.item, "owner": f.owner},
                url=f.trip.get_absolute_url(),
                category=category,
                due=f.due,
                overdue=f.due < today,
            )
            for f in follow_ups
        ]
        lists.append(WorkList(category, count, items))
    if user.has_perm("travel.approve_trip"):
        undated.append(
            (
                _("To approve"),
                trips.filter(
                    deciding_office=user.organization, state__in=[TripState.REVIEWED, TripState.ESCALATED]
                ),
            )
        )
    read_undated = limit is None or sum(work_list.count for work_list in lists) < limit
    for title, queryset in undated:
        if read_undated:
            items = [_item(t, title, category) for t in queryset]
            lists.append(WorkList(category, len(items), items))
        else:
            lists.append(WorkList(category, queryset.count(), []))
    return lists


def _reports_overdue(returned_home, office, limit: int | None, setting, category: str) -> WorkList:
    """The trips of ``office`` back home whose report is past its due date. One office's due date only grows
    with the return date, so the overdue ones are the earliest returns: how many they are is read from the
    return dates alone, and only the earliest ``limit`` trips are read."""
    today = timezone.localdate()
    due_on = functools.cache(lambda day: report_due(Trip(office=office, came_back_on=day), setting))
    count = sum(due_on(day) < today for day in returned_home.values_list("came_back_on", flat=True))
    rows, _count = most_urgent(returned_home, "came_back_on", limit)
    items = [
        _item(t, _("Trip report overdue"), category, due_on(t.came_back_on))
        for t in rows
        if due_on(t.came_back_on) < today
    ]
    return WorkList(category, count, items)


# What a trip in each state waits for and who acts, said on the application page and after each step.
WAITING = {
    TripState.DRAFT: gettext_lazy("Waiting for the leader of %(unit)s to sign off the application."),
    TripState.SIGNED_OFF: gettext_lazy(
        "Waiting for the foreign-affairs clerk of %(unit)s to submit the application to %(office)s."
    ),
    TripState.SUBMITTED: gettext_lazy("Waiting for the review of %(office)s."),
    TripState.RETURNED: gettext_lazy("Waiting for %(unit)s to correct the application and submit it again."),
    TripState.REVIEWED: gettext_lazy("Waiting for the approval of the leader of %(deciding)s."),
    TripState.ESCALATED: gettext_lazy(
        "Escalated: a member's rank requires the decision of the superior office. "
        "Waiting for the approval of %(deciding)s."
    ),
    TripState.APPROVED: gettext_lazy("Waiting for %(office)s to record the pre-departure briefing."),
    TripState.BRIEFED: gettext_lazy("Waiting for %(office)s to record the departure."),
    TripState.DEPARTED: gettext_lazy("Waiting for %(office)s to record the return."),
    TripState.RETURNED_HOME: gettext_lazy("Waiting for %(unit)s to file the trip report."),
    TripState.REPORTED: gettext_lazy("Waiting for %(office)s to evaluate the trip."),
    TripState.EVALUATED: gettext_lazy("Waiting for %(office)s to close the trip."),
}


def waiting_for(trip: Trip) -> str:
    """What the trip waits for and who acts; empty once it is closed, rejected or cancelled."""
    text = WAITING.get(trip.state)
    if text is None:
        return ""
    return str(text) % {
        "unit": trip.applicant_unit,
        "office": trip.office,
        "deciding": trip.deciding_office or trip.office,
    }


def trip_history(trip: Trip):
    return TripEvent.objects.filter(trip=trip).select_related("actor").order_by("at", "id")


def reverse_action(trip: Trip, action: str) -> str:
    return reverse("travel:trip_action", args=[trip.pk, action])
