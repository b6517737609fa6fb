"""Reads of trips: lists, the application page's figures, deadlines, the work queue and search."""

import functools
from datetime import timedelta

from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from waishi.core import config
from waishi.core.deadlines import due_date
from waishi.core.navigation import WorkItem
from waishi.core.search import Hit
from waishi.core.workdays import add_workdays, all_overrides
from waishi.directory.models import Person
from waishi.directory.search import person_search
from waishi.travel import config as travel_config
from waishi.travel import rules
from waishi.travel.choices import TripState
from waishi.travel.models import FollowUp, Trip, TripEvent, TripMember
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


def resubmission_changes(trip: Trip) -> list[tuple[str, object, object]]:
    """What the unit changed between the submission that was returned and the latest submission."""
    submissions = list(trip.events.filter(action="submit").order_by("-at", "-id")[:2])
    if len(submissions) < 2:
        return []
    latest, previous = submissions[0].detail.get("snapshot", {}), submissions[1].detail.get("snapshot", {})
    return changes_since(previous, latest)


def last_fixes(trip: Trip) -> list[dict]:
    event = trip.events.filter(action="return").order_by("-at", "-id").first()
    return event.detail.get("fixes", []) if event else []


def border_flags(trip: Trip) -> dict:
    return border_flags_by_trip([trip]).get(trip.pk, {})


def border_flags_by_trip(trips) -> dict[int, dict]:
    """``border_flags`` of many trips in one query, by trip id (trips without a recorded return left out)."""
    flags: dict[int, dict] = {}
    events = TripEvent.objects.filter(trip__in=trips, action="come_back").order_by("trip_id", "-at", "-id")
    for event in events:
        flags.setdefault(event.trip_id, event.detail.get("flags", {}))
    return flags


def trip_findings(trip: Trip) -> list[rules.Finding]:
    return rules.check(trip)


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


def work_items(user) -> list[WorkItem]:
    """What each role must do next on trips it can see."""
    if not user.has_perm("travel.view_trip"):
        return []
    trips = Trip.objects.restrict(user).select_related("applicant_unit", "office")
    today = timezone.localdate()
    setting = functools.cache(config.get)  # each office's deadlines read once, not once per trip
    overrides = all_overrides()
    items = []
    category = _("Outbound trips")
    if user.has_perm("travel.sign_off_trip"):
        items += [_item(t, _("To sign off"), category) for t in trips.filter(state=TripState.DRAFT)]
    if user.has_perm("travel.submit_trip"):
        items += [
            _item(t, _("Returned for correction"), category) for t in trips.filter(state=TripState.RETURNED)
        ]
        items += [
            _item(t, _("Signed off, to submit"), category, notice_complete_on(t, setting, overrides))
            for t in trips.filter(state=TripState.SIGNED_OFF)
        ]
    if user.has_perm("travel.report_trip"):
        items += [
            _item(t, _("Trip report due"), category, report_due(t, setting))
            for t in trips.filter(state=TripState.RETURNED_HOME)
        ]
    if user.has_perm("travel.review_trip"):
        own = trips.filter(office=user.organization)  # the office that handles the trip, even when escalated
        items += [_item(t, _("To review"), category) for t in own.filter(state=TripState.SUBMITTED)]
        items += [
            _item(t, _("Pre-departure briefing"), category, t.depart_date)
            for t in own.filter(state=TripState.APPROVED)
        ]
        items += [
            _item(t, _("Record the departure"), category, t.depart_date)
            for t in own.filter(state=TripState.BRIEFED, depart_date__lte=today)
        ]
        items += [
            _item(t, _("Record the return"), category, t.return_date)
            for t in own.filter(state=TripState.DEPARTED, return_date__lte=today)
        ]
        items += [_item(t, _("To evaluate"), category) for t in own.filter(state=TripState.REPORTED)]
        items += [_item(t, _("To close"), category) for t in own.filter(state=TripState.EVALUATED)]
        items += [
            _item(t, _("Trip report overdue"), category, report_due(t, setting))
            for t in own.filter(state=TripState.RETURNED_HOME)
            if report_due(t, setting) < today
        ]
        follow_ups = FollowUp.objects.filter(trip__in=own, done_on__isnull=True).select_related(
            "trip__applicant_unit"
        )
        items += [
            WorkItem(
                title=_("Follow-up: %(item)s (%(owner)s)") % {"item": f.item, "owner": f.owner},
                url=f.trip.get_absolute_url(),
                category=category,
                due=f.due,
                overdue=f.due < today,
            )
            for f in follow_ups
        ]
    if user.has_perm("travel.approve_trip"):
        items += [
            _item(t, _("To approve"), category)
            for t in trips.filter(
                deciding_office=user.organization, state__in=[TripState.REVIEWED, TripState.ESCALATED]
            )
        ]
    return items


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
