"""Every write to a trip: the application and each step of its workflow (API.md action table).

Each step is one transaction: permission and scope, state check, compare-and-set on (state, version) so
that a second decision on the same step updates nothing and fails with Conflict (409), then the history
row (TripEvent), the change log and the audit row.
"""

from dataclasses import dataclass
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from waishi.core import config
from waishi.core.audit import audit
from waishi.core.choices import ChangeAction
from waishi.core.errors import ApplicationError, Conflict
from waishi.core.services import deny, record_change, require, service, snapshot
from waishi.travel import config as travel_config
from waishi.travel import rules
from waishi.travel.choices import CANCELLABLE_STATES, EDITABLE_STATES, MemberRole, TripState
from waishi.travel.models import (
    ApprovalCounter,
    Briefing,
    BudgetLine,
    FollowUp,
    Trip,
    TripEvent,
    TripLeg,
    TripMember,
    TripReport,
)

# What the clerk fills in; the workflow fields (state, numbers, dates of steps) are set by the steps only.
APPLICATION_FIELDS = frozenset({
    "applicant_unit", "category", "is_cross_unit", "mission", "depart_date", "return_date", "plan_entry",
    "inviter_name", "inviter_country", "inviter_kind", "invitation_from", "invitation_to",
    "invitation_invitees", "invitation_signed", "notice_from", "notice_to",
})  # fmt: skip


@dataclass
class Application:
    """What a clerk fills in: the trip's own fields and its nested rows, already validated for type."""

    fields: dict
    members: list[dict]  # {"person": Person, "role": "head"|"member"}
    legs: list[dict]  # {"country": Country, "city", "arrive", "depart", "transit_airside"}
    budget: list[dict]  # {"kind", "currency", "amount"}
    sending_units: list | None = None


def application_snapshot(trip: Trip) -> dict:
    """The application as the reviewer saw it: compared after a correction to show what changed."""
    data = snapshot(trip)
    for name in (
        "state",
        "version",
        "updated_at",
        "created_at",
        "approval_number",
        "approval_year",
        "approval_seq",
        "approved_on",
        "departed_on",
        "came_back_on",
        "deciding_office_id",
    ):
        data.pop(name, None)
    data["members"] = [
        f"{m.person.name} ({m.get_role_display()})" for m in trip.members.select_related("person")
    ]
    data["legs"] = [
        f"{leg.country} {leg.city} {leg.arrive}–{leg.depart}" + (" (airside)" if leg.transit_airside else "")
        for leg in trip.legs.select_related("country")
    ]
    data["budget"] = [f"{b.get_kind_display()} {b.amount} {b.currency}" for b in trip.budget.all()]
    return data


def changes_since(before: dict, after: dict) -> list[tuple[str, object, object]]:
    return [
        (key, before.get(key), after.get(key))
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def _write_nested(trip: Trip, application: Application) -> None:
    trip.members.all().delete()
    trip.legs.all().delete()
    trip.budget.all().delete()
    TripMember.objects.bulk_create(
        TripMember(trip=trip, person=m["person"], role=m.get("role") or MemberRole.MEMBER, order=i)
        for i, m in enumerate(application.members)
    )
    TripLeg.objects.bulk_create(
        TripLeg(
            trip=trip,
            order=i,
            country=leg["country"],
            city=leg.get("city", ""),
            arrive=leg["arrive"],
            depart=leg["depart"],
            transit_airside=bool(leg.get("transit_airside")),
        )
        for i, leg in enumerate(application.legs)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(trip=trip, kind=b["kind"], currency=b["currency"].upper(), amount=b["amount"])
        for b in application.budget
    )
    if application.sending_units is not None:
        trip.sending_units.set(application.sending_units)


def _check_people(actor, application: Application) -> None:
    """Members must be people the clerk may see, or people of the units sending members (双跨)."""
    from waishi.directory.models import Person

    visible = Person.objects.restrict(actor, "view")
    units = [u.pk for u in application.sending_units or []]
    for member in application.members:
        person = member["person"]
        if not (visible.filter(pk=person.pk).exists() or person.organization_id in units):
            raise ApplicationError(
                "invalid",
                _("%(name)s is not in your unit or a sending unit.") % {"name": person.name},
                {"errors": {"members": [_("Choose people of your unit or a sending unit.")]}},
            )
    persons = [m["person"].pk for m in application.members]
    if len(persons) != len(set(persons)):
        raise ApplicationError(
            "invalid",
            _("Each person can be listed only once."),
            {"errors": {"members": [_("Each person can be listed only once.")]}},
        )


def _clean(trip: Trip) -> None:
    from django.core.exceptions import ValidationError

    try:
        trip.full_clean(exclude=["office", "created_by"])
        if trip.plan_entry_id and trip.plan_entry.unit_id != trip.applicant_unit_id:
            raise ValidationError({"plan_entry": [_("Choose an entry of the applicant unit's annual plan.")]})
    except ValidationError as exc:
        raise ApplicationError(
            "invalid", _("Please correct the errors below."), {"errors": exc.message_dict}
        ) from exc


def _check_unit(actor, trip: Trip) -> None:
    """The applicant unit is one the actor may apply for; the trip goes to that unit's office."""
    from waishi.directory.models import Organization

    unit = trip.applicant_unit
    if not Organization.objects.restrict(actor, "view").filter(pk=unit.pk, kind="unit").exists():
        raise deny(
            actor,
            unit,
            {"model": "travel.trip", "action": "apply"},
            "out_of_scope",
            _("You cannot apply for this unit."),
        )
    office = unit.office()
    if office is None:
        raise ApplicationError("invalid", _("The unit is not under any Foreign Affairs Office."))
    trip.office = office


@service
def trip_create(*, actor, application: Application) -> Trip:
    require(actor, Trip, "add")
    trip = Trip(**application.fields, state=TripState.DRAFT, created_by=actor)
    _check_unit(actor, trip)
    _clean(trip)
    _check_people(actor, application)
    trip.save()
    _write_nested(trip, application)
    record_change(actor=actor, obj=trip, action=ChangeAction.CREATE)
    TripEvent.objects.create(trip=trip, actor=actor, action="create", to_state=TripState.DRAFT)
    audit("trip.create", user=actor, obj=trip, detail={"to": TripState.DRAFT})
    return trip


@service
def trip_update(*, actor, trip: Trip, version: int, application: Application) -> Trip:
    """Edit an application the clerk still holds (a draft, or one returned for correction)."""
    require(actor, Trip, "change", trip)
    if trip.state not in EDITABLE_STATES:
        raise Conflict("not_editable", _("This application can no longer be edited."))
    unknown = set(application.fields) - APPLICATION_FIELDS
    if unknown:
        raise ApplicationError(
            "invalid",
            _("These fields are not part of the application: %(names)s")
            % {"names": ", ".join(sorted(unknown))},
        )
    before = snapshot(Trip.objects.get(pk=trip.pk))
    for name, value in application.fields.items():
        setattr(trip, name, value)
    if trip.applicant_unit_id != before["applicant_unit_id"]:
        _check_unit(actor, trip)
    _clean(trip)
    _check_people(actor, application)
    if not Trip.objects.filter(pk=trip.pk, version=version, state__in=EDITABLE_STATES).update(
        version=F("version") + 1
    ):
        raise Conflict("changed", _("Someone else changed this application after you opened it. Reload it."))
    trip.version = version + 1
    trip.save()
    _write_nested(trip, application)
    record_change(actor=actor, obj=trip, action=ChangeAction.UPDATE, before=before)
    return trip


def _step(
    *,
    actor,
    trip: Trip,
    action: str,
    permission: str,
    from_states,
    to_state: str,
    note: str = "",
    detail: dict | None = None,
    **changes,
) -> Trip:
    """Move ``trip`` from one of ``from_states`` to ``to_state`` if nobody moved it first."""
    require(actor, Trip, permission, trip)
    if trip.state not in from_states:
        raise Conflict(
            "wrong_state",
            _("This step was already taken or is not possible now (the trip is “%(state)s”).")
            % {"state": trip.get_state_display()},
            {"state": trip.state},
        )
    before = snapshot(trip)
    updated = Trip.objects.filter(pk=trip.pk, state=trip.state, version=trip.version).update(
        state=to_state, version=F("version") + 1, **changes
    )
    if not updated:
        raise Conflict("already_decided", _("Someone else took this step first. Reload the trip."))
    from_state = trip.state
    trip.refresh_from_db()
    TripEvent.objects.create(
        trip=trip,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note,
        detail=detail or {},
    )
    record_change(actor=actor, obj=trip, action=ChangeAction.UPDATE, before=before)
    audit(
        f"trip.{action}",
        user=actor,
        obj=trip,
        detail={"from": from_state, "to": to_state, "note": note[:500]},
    )
    return trip


@service
def trip_sign_off(*, actor, trip: Trip, opinion: str = "") -> Trip:
    """The unit leader agrees that the unit sends this delegation."""
    if not trip.applicant_unit_id == actor.organization_id:
        raise deny(
            actor,
            trip,
            {"model": "travel.trip", "action": "sign_off"},
            message=_("Only a leader of the applicant unit signs off its applications."),
        )
    return _step(
        actor=actor,
        trip=trip,
        action="sign_off",
        permission="sign_off",
        from_states={TripState.DRAFT},
        to_state=TripState.SIGNED_OFF,
        note=opinion,
    )


@service
def trip_submit(*, actor, trip: Trip) -> Trip:
    """Send the application to the office; refused while a blocking finding remains."""
    require(actor, Trip, "submit", trip)
    if trip.state == TripState.DRAFT:
        raise Conflict("not_signed_off", _("The unit's leader must sign off the application first."))
    findings = rules.check(trip)
    blocking = rules.blocking(findings)
    if blocking:
        raise ApplicationError(
            "blocked",
            ngettext(
                "The application cannot be submitted: %(count)d problem must be corrected first.",
                "The application cannot be submitted: %(count)d problems must be corrected first.",
                len(blocking),
            )
            % {"count": len(blocking)},
            {"findings": [f.as_dict() for f in findings]},
        )
    return _step(
        actor=actor,
        trip=trip,
        action="submit",
        permission="submit",
        from_states={TripState.SIGNED_OFF, TripState.RETURNED},
        to_state=TripState.SUBMITTED,
        detail={"findings": [f.as_dict() for f in findings], "snapshot": application_snapshot(trip)},
    )


@service
def trip_return(*, actor, trip: Trip, fixes: list[dict]) -> Trip:
    """Return for correction with the complete list of fixes at once (一次性告知)."""
    fixes = [
        {"field": str(f.get("field", "")), "message": str(f.get("message", "")).strip()} for f in fixes or []
    ]
    fixes = [f for f in fixes if f["message"]]
    if not fixes:
        raise ApplicationError(
            "fixes_required",
            _("List every correction the unit must make."),
            {"errors": {"fixes": [_("List every correction the unit must make.")]}},
        )
    return _step(
        actor=actor,
        trip=trip,
        action="return",
        permission="review",
        from_states={TripState.SUBMITTED},
        to_state=TripState.RETURNED,
        note="\n".join(f["message"] for f in fixes),
        detail={"fixes": fixes},
    )


@service
def trip_review(*, actor, trip: Trip, opinion: str = "") -> Trip:
    """The office's review: on to its leader, or to the superior office when a member's rank requires."""
    facts = rules.Facts.of(trip)
    if rules.needs_escalation(facts) and trip.office.parent_id is not None:
        return _step(
            actor=actor,
            trip=trip,
            action="review",
            permission="review",
            from_states={TripState.SUBMITTED},
            to_state=TripState.ESCALATED,
            note=opinion,
            deciding_office=trip.office.parent.office(),
        )
    return _step(
        actor=actor,
        trip=trip,
        action="review",
        permission="review",
        from_states={TripState.SUBMITTED},
        to_state=TripState.REVIEWED,
        note=opinion,
        deciding_office=trip.office,
    )


def approval_number(office, year: int, seq: int) -> str:
    template = config.get(travel_config.APPROVAL_FORMAT.key, office)
    return template.format(doc_code=office.doc_code or office.short_name or office.code, year=year, seq=seq)


@service
def trip_approve(*, actor, trip: Trip, opinion: str = "", on: date | None = None) -> Trip:
    """The deciding office's leader approves; the approval document gets the office's next number."""
    if trip.deciding_office_id != actor.organization_id:
        raise deny(
            actor,
            trip,
            {"model": "travel.trip", "action": "decide"},
            "not_deciding_office",
            _("Only a leader of the deciding office approves this trip."),
        )
    on = on or timezone.localdate()
    office = trip.deciding_office
    require(actor, Trip, "approve", trip)
    counter, _created = ApprovalCounter.objects.get_or_create(office=office, year=on.year)
    ApprovalCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    seq = ApprovalCounter.objects.values_list("last", flat=True).get(pk=counter.pk)
    try:
        with transaction.atomic():
            return _step(
                actor=actor,
                trip=trip,
                action="approve",
                permission="approve",
                from_states={TripState.REVIEWED, TripState.ESCALATED},
                to_state=TripState.APPROVED,
                note=opinion,
                approved_on=on,
                approval_year=on.year,
                approval_seq=seq,
                approval_number=approval_number(office, on.year, seq),
            )
    except IntegrityError as exc:
        raise Conflict("already_decided", _("Someone else took this step first. Reload the trip.")) from exc


@service
def trip_reject(*, actor, trip: Trip, reason: str) -> Trip:
    if trip.deciding_office_id != actor.organization_id:
        raise deny(
            actor,
            trip,
            {"model": "travel.trip", "action": "decide"},
            "not_deciding_office",
            _("Only a leader of the deciding office decides this trip."),
        )
    if not (reason or "").strip():
        raise ApplicationError("reason_required", _("Give the reason for the rejection."))
    return _step(
        actor=actor,
        trip=trip,
        action="reject",
        permission="approve",
        from_states={TripState.REVIEWED, TripState.ESCALATED},
        to_state=TripState.REJECTED,
        note=reason,
    )


@service
def trip_cancel(*, actor, trip: Trip, reason: str) -> Trip:
    """The delegation will not travel (未成行): possible until departure."""
    if not (reason or "").strip():
        raise ApplicationError("reason_required", _("Give the reason why the delegation does not travel."))
    permission = "submit" if actor.has_perm("travel.submit_trip") else "review"
    return _step(
        actor=actor,
        trip=trip,
        action="cancel",
        permission=permission,
        from_states=CANCELLABLE_STATES,
        to_state=TripState.CANCELLED,
        note=reason,
    )


@service
def trip_brief(*, actor, trip: Trip, on: date, content: str, attendees: list) -> Trip:
    if not (content or "").strip() or not attendees:
        raise ApplicationError("invalid", _("Give the briefing's content and who attended."))
    trip = _step(
        actor=actor,
        trip=trip,
        action="brief",
        permission="review",
        from_states={TripState.APPROVED},
        to_state=TripState.BRIEFED,
        note=content,
    )
    briefing = Briefing.objects.create(trip=trip, date=on, content=content)
    briefing.attendees.set(attendees)
    missing = {m.person_id for m in trip.members.all()} - {p.pk for p in attendees}
    if missing:
        audit("trip.brief_incomplete", user=actor, obj=trip, detail={"absent_person_ids": sorted(missing)})
    return trip


@service
def trip_depart(*, actor, trip: Trip, on: date) -> Trip:
    return _step(
        actor=actor,
        trip=trip,
        action="depart",
        permission="review",
        from_states={TripState.BRIEFED},
        to_state=TripState.DEPARTED,
        departed_on=on,
    )


def border_flags(trip: Trip, member: TripMember, countries: list[str] | None = None) -> list[dict]:
    """Compare a member's border dates (and countries, when known) with the approved trip."""
    flags = []
    if member.exit_date and member.exit_date < trip.depart_date:
        flags.append({"code": "early_departure", "days": (trip.depart_date - member.exit_date).days})
    if member.entry_date and member.entry_date > trip.return_date:
        flags.append({"code": "late_return", "days": (member.entry_date - trip.return_date).days})
    approved = {leg.country_id for leg in trip.legs.all()}
    extra = sorted(set(countries or []) - approved)
    if extra:
        flags.append({"code": "unapproved_countries", "countries": extra})
    return flags


@service
def trip_come_back(*, actor, trip: Trip, records: list[dict]) -> Trip:
    """Record each member's actual exit and entry dates (出入境记录) and flag departures from the approval.

    ``records``: [{"person": id, "exit_date", "entry_date", "countries": [codes, optional]}].
    """
    members = {m.person_id: m for m in trip.members.all()}
    by_person = {int(r["person"]): r for r in records}
    if set(by_person) != set(members):
        raise ApplicationError(
            "invalid", _("Give the exit and entry dates of every member, and only of members.")
        )
    flags = {}
    for person_id, member in members.items():
        record = by_person[person_id]
        member.exit_date, member.entry_date = record["exit_date"], record["entry_date"]
        if member.entry_date < member.exit_date:
            raise ApplicationError("invalid", _("An entry date lies before its exit date."))
        member_flags = border_flags(trip, member, record.get("countries"))
        if member_flags:
            flags[str(person_id)] = member_flags
        member.save(update_fields=["exit_date", "entry_date"])
    came_back = max(m.entry_date for m in members.values())
    trip = _step(
        actor=actor,
        trip=trip,
        action="come_back",
        permission="review",
        from_states={TripState.DEPARTED},
        to_state=TripState.RETURNED_HOME,
        detail={"flags": flags},
        came_back_on=came_back,
    )
    if flags:
        audit("trip.border_flags", user=actor, obj=trip, detail={"flags": flags})
    return trip


@service
def trip_report(*, actor, trip: Trip, text: str, outcomes: str = "", attachments=()) -> Trip:
    """File the trip report; ``attachments`` (ids of files attached to the trip) become its annexes."""
    if not (text or "").strip():
        raise ApplicationError(
            "invalid", _("Write the report."), {"errors": {"text": [_("Write the report.")]}}
        )
    trip = _step(
        actor=actor,
        trip=trip,
        action="report",
        permission="report",
        from_states={TripState.RETURNED_HOME},
        to_state=TripState.REPORTED,
    )
    TripReport.objects.create(trip=trip, text=text, outcomes=outcomes, filed_on=timezone.localdate())
    if attachments:
        from waishi.core.models import Attachment

        files = Attachment.objects.filter(
            content_type__app_label="travel",
            content_type__model="trip",
            object_id=str(trip.pk),
            pk__in=list(attachments),
        )
        if files.count() != len(set(attachments)):
            raise ApplicationError(
                "invalid",
                _("Attach the files to the trip first."),
                {"errors": {"attachments": [_("Unknown file.")]}},
            )
        files.update(purpose="report")
    return trip


@service
def trip_evaluate(*, actor, trip: Trip, score: int, comments: str = "", follow_ups: list[dict] = ()) -> Trip:
    if not 0 <= int(score) <= 100:
        raise ApplicationError("invalid", _("The score lies between 0 and 100."))
    trip = _step(
        actor=actor,
        trip=trip,
        action="evaluate",
        permission="review",
        from_states={TripState.REPORTED},
        to_state=TripState.EVALUATED,
        note=comments,
    )
    TripReport.objects.filter(trip=trip).update(
        score=score, comments=comments, evaluated_on=timezone.localdate()
    )
    FollowUp.objects.bulk_create(
        FollowUp(trip=trip, item=f["item"], owner=f["owner"], due=f["due"]) for f in follow_ups
    )
    return trip


@service
def trip_close(*, actor, trip: Trip) -> Trip:
    return _step(
        actor=actor,
        trip=trip,
        action="close",
        permission="review",
        from_states={TripState.EVALUATED},
        to_state=TripState.CLOSED,
    )


@service
def follow_up_done(*, actor, follow_up: FollowUp, on: date) -> FollowUp:
    require(actor, Trip, "review", follow_up.trip)
    follow_up.done_on = on
    follow_up.save(update_fields=["done_on"])
    record_change(actor=actor, obj=follow_up.trip, action=ChangeAction.UPDATE)
    return follow_up


@service
def trip_import(
    *,
    actor,
    application: Application,
    state: str,
    approved_on: date,
    approval_number: str = "",
    approval_seq: int | None = None,
) -> Trip:
    """A trip of a past year, already decided: written as it was, its number kept, the office's counter
    moved past it so that new numbers continue the series."""
    require(actor, Trip, "add")
    trip = Trip(**application.fields, state=state, approved_on=approved_on, created_by=actor)
    trip.office = trip.applicant_unit.office()
    trip.deciding_office = trip.office
    trip.approval_number = approval_number
    if approval_seq is not None:
        trip.approval_year, trip.approval_seq = approved_on.year, approval_seq
    _clean(trip)
    try:
        with transaction.atomic():
            trip.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "duplicate_number",
            _("The approval number %(number)s is already used.") % {"number": approval_number},
        ) from exc
    _write_nested(trip, application)
    if approval_seq is not None:
        counter, _created = ApprovalCounter.objects.get_or_create(office=trip.office, year=approved_on.year)
        ApprovalCounter.objects.filter(pk=counter.pk, last__lt=approval_seq).update(last=approval_seq)
    record_change(actor=actor, obj=trip, action=ChangeAction.CREATE)
    TripEvent.objects.create(trip=trip, actor=actor, action="import", to_state=state)
    return trip
