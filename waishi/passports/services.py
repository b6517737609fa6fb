"""The custody ledger: every movement of a travel document is one service call and one ledger line.

Each movement compare-and-sets on (custody, version), so two officers checking out the same document
at the same moment cannot both succeed: the second gets Conflict (409).
"""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from waishi.core import config
from waishi.core.audit import audit
from waishi.core.choices import ChangeAction
from waishi.core.deadlines import due_date
from waishi.core.errors import ApplicationError, Conflict
from waishi.core.services import deny, record_change, require, service, snapshot
from waishi.passports import config as passport_config
from waishi.passports.choices import PASSPORT_KINDS, Custody, DocumentKind, DueRule, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.travel.choices import TripCategory, TripState

CHECKOUT_STATES = frozenset({TripState.APPROVED, TripState.BRIEFED})


def kinds_for(category: str) -> frozenset:
    """The document kinds a trip of this category travels on."""
    return frozenset({DocumentKind.HKMO_PERMIT}) if category == TripCategory.HKMO else PASSPORT_KINDS


def document_due(trip, office=None) -> date:
    office = office or trip.office
    grace = config.get(passport_config.RETURN_GRACE.key, office)
    if config.get(passport_config.DUE_RULE.key, office) == DueRule.AFTER_DEPARTURE:
        return due_date(trip.depart_date + timedelta(days=trip.days_abroad), grace)
    return due_date(trip.return_date, grace)


def _clean(document: TravelDocument) -> None:
    from django.core.exceptions import ValidationError

    try:
        document.full_clean()
    except ValidationError as exc:
        raise ApplicationError(
            "invalid", _("Please correct the errors below."), {"errors": exc.message_dict}
        ) from exc


@service
def document_register(
    *, actor, document: TravelDocument, on: date, handed_over_by: str, received_by: str
) -> TravelDocument:
    """Register a document as it is handed into custody (the first deposit)."""
    require(actor, TravelDocument, "add")
    if not type(document.person).objects.restrict(actor).filter(pk=document.person_id).exists():
        raise deny(
            actor,
            document.person,
            {"model": "passports.traveldocument", "action": "add"},
            "out_of_scope",
            _("You cannot register documents of this person."),
        )
    document.custody, document.due_date, document.trip = Custody.IN_CUSTODY, None, None
    _clean(document)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        raise ApplicationError(
            "duplicate",
            _("A document of this kind with this number is already registered."),
            {"errors": {"number": [_("Already registered.")]}},
        ) from exc
    _movement(actor, document, MovementKind.DEPOSIT, on, handed_over_by, received_by)
    record_change(actor=actor, obj=document, action=ChangeAction.CREATE)
    return document


def _movement(actor, document, kind, on, handed_over_by, received_by, trip=None, due=None, note=""):
    if not (handed_over_by or "").strip() or not (received_by or "").strip():
        raise ApplicationError("names_required", _("Name who handed the document over and who received it."))
    # The ledger is kept in the order things happened: the custody rate of a past day follows each
    # document's last movement by then (selectors.custody_rates_on).
    last = document.movements.order_by("-date").values_list("date", flat=True).first()
    if last is not None and on < last:
        raise ApplicationError(
            "before_last_movement",
            _("The date cannot be before the document's last movement, on %(date)s.")
            % {"date": date_format(last)},
            {"errors": {"date": [_("Before the last movement.")]}},
        )
    movement = CustodyMovement.objects.create(
        document=document,
        kind=kind,
        date=on,
        trip=trip,
        due_date=due,
        handed_over_by=handed_over_by.strip(),
        received_by=received_by.strip(),
        note=note,
        recorded_by=actor,
    )
    audit(
        f"passport.{kind}", user=actor, obj=document, detail={"movement": movement.pk, "date": on.isoformat()}
    )
    return movement


def _move(actor, document: TravelDocument, from_custody: set, **changes) -> TravelDocument:
    require(actor, TravelDocument, "keep", document)
    if document.custody not in from_custody:
        raise Conflict(
            "wrong_state",
            _("The document is “%(state)s”: this movement is not possible.")
            % {"state": document.get_custody_display()},
            {"custody": document.custody},
        )
    before = snapshot(document)
    updated = TravelDocument.objects.filter(
        pk=document.pk, custody=document.custody, version=document.version
    ).update(version=F("version") + 1, **changes)
    if not updated:
        raise Conflict(
            "already_moved", _("Someone else recorded a movement of this document first. Reload it.")
        )
    document.refresh_from_db()
    record_change(actor=actor, obj=document, action=ChangeAction.UPDATE, before=before)
    return document


@service
def document_check_out(
    *, actor, document: TravelDocument, trip, on: date, handed_over_by: str, received_by: str
) -> TravelDocument:
    """Hand a document to its holder for an approved trip, within the window before departure."""
    require(actor, TravelDocument, "keep", document)
    if trip.state not in CHECKOUT_STATES:
        raise ApplicationError("trip_not_approved", _("Documents are checked out only for approved trips."))
    if not trip.members.filter(person_id=document.person_id).exists():
        raise ApplicationError(
            "not_a_member", _("%(name)s is not a member of this trip.") % {"name": document.person}
        )
    if document.kind not in kinds_for(trip.category):
        raise ApplicationError(
            "wrong_kind",
            _("A %(kind)s does not fit a trip of category “%(category)s”.")
            % {"kind": document.get_kind_display(), "category": trip.get_category_display()},
        )
    window = config.get(passport_config.CHECKOUT_WINDOW_DAYS.key, trip.office)
    if on < trip.depart_date - timedelta(days=window):
        raise ApplicationError(
            "too_early",
            _("Documents are checked out at most %(days)d days before departure (from %(from)s).")
            % {"days": window, "from": trip.depart_date - timedelta(days=window)},
        )
    if on > trip.return_date:
        raise ApplicationError("too_late", _("The trip is already over."))
    if document.expires < trip.return_date:
        raise ApplicationError("expired", _("The document expires before the trip ends."))
    due = document_due(trip)
    document = _move(
        actor, document, {Custody.IN_CUSTODY}, custody=Custody.CHECKED_OUT, trip=trip, due_date=due
    )
    _movement(actor, document, MovementKind.CHECK_OUT, on, handed_over_by, received_by, trip=trip, due=due)
    return document


@service
def document_return(
    *, actor, document: TravelDocument, on: date, handed_over_by: str, received_by: str
) -> TravelDocument:
    """Take a document back into custody after the trip."""
    trip = document.trip
    document = _move(
        actor, document, {Custody.CHECKED_OUT}, custody=Custody.IN_CUSTODY, trip=None, due_date=None
    )
    CustodyMovement.objects.filter(
        document=document, kind=MovementKind.CHECK_OUT, trip=trip, returned_on__isnull=True
    ).update(returned_on=on)
    _movement(actor, document, MovementKind.RETURN, on, handed_over_by, received_by, trip=trip)
    return document


@service
def document_report_lost(
    *, actor, document: TravelDocument, on: date, note: str, reported_by: str, received_by: str
) -> TravelDocument:
    require(actor, TravelDocument, "keep", document)
    if not (note or "").strip():
        raise ApplicationError("note_required", _("Say how and where the document was lost."))
    trip = document.trip
    document = _move(
        actor,
        document,
        {Custody.IN_CUSTODY, Custody.CHECKED_OUT},
        custody=Custody.LOST,
        trip=None,
        due_date=None,
    )
    CustodyMovement.objects.filter(
        document=document, kind=MovementKind.CHECK_OUT, returned_on__isnull=True
    ).update(note=_("Reported lost"))
    _movement(actor, document, MovementKind.LOST, on, reported_by, received_by, trip=trip, note=note)
    return document


@service
def document_deposit(
    *, actor, document: TravelDocument, on: date, handed_over_by: str, received_by: str
) -> TravelDocument:
    """Put a document back into custody that was reported lost and has been found."""
    document = _move(actor, document, {Custody.LOST}, custody=Custody.IN_CUSTODY)
    _movement(actor, document, MovementKind.DEPOSIT, on, handed_over_by, received_by)
    return document


@service
def document_cancel(
    *, actor, document: TravelDocument, on: date, note: str, handed_over_by: str, received_by: str
) -> TravelDocument:
    """Cancel a document (expired, or the holder left office): it leaves the custody figures."""
    document = _move(actor, document, {Custody.IN_CUSTODY, Custody.LOST}, custody=Custody.CANCELLED)
    _movement(actor, document, MovementKind.CANCEL, on, handed_over_by, received_by, note=note)
    return document
