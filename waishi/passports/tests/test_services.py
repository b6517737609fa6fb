"""The custody ledger's services: due dates by the office's rule, the derived state (overdue from the day
after the due date, the same in Python and in SQL), one ledger line and one audit row per movement,
lost / found / cancelled, permissions, and the printed receipt."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from waishi.core.errors import ApplicationError, Conflict, NotAllowed
from waishi.core.models import AuditLog
from waishi.core.services import office_setting_set
from waishi.passports import services
from waishi.passports.choices import Custody, DocumentState, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.tests import factories as f

DEPART, RETURN = date(2026, 3, 2), date(2026, 3, 6)


@pytest.fixture(autouse=True)
def fast(settings):
    f.speed_up(settings)


@pytest.fixture
def out(world):
    """A service passport of unit A checked out for a trip from 2 to 6 March 2026."""
    person = f.holder(world.unit_a, name="孙立平")
    document = f.document(person)
    journey = f.trip([person], depart=DEPART, return_=RETURN)
    return f.check_out(world, document, journey, on=DEPART - timedelta(days=3)), journey


def audit_rows(document, kind=None):
    rows = AuditLog.objects.filter(object_type="passports.traveldocument", object_id=str(document.pk))
    return rows.filter(action=f"passport.{kind}") if kind else rows


# --- due dates and the derived state ---------------------------------------------------------------------


def test_due_date_is_the_approved_return_date_plus_seven_days(out):
    document, journey = out
    assert document.due_date == RETURN + timedelta(days=7) == date(2026, 3, 13)
    assert (document.custody, document.trip) == (Custody.CHECKED_OUT, journey)
    movement = document.movements.get(kind=MovementKind.CHECK_OUT)
    assert (movement.due_date, movement.trip, movement.returned_on) == (date(2026, 3, 13), journey, None)


def test_due_date_after_departure_when_the_office_says_so(world):
    office_setting_set(
        actor=f.user(world, "fao_leader"),
        office=world.city_a,
        key="passports.return.rule",
        value="after_departure",
    )
    person = f.holder(world.unit_a)
    journey = f.trip([person], depart=DEPART, return_=RETURN)
    document = f.check_out(world, f.document(person), journey)
    # departure + the approved days abroad (5, counting both ends) + the 7 days of grace
    assert journey.days_abroad == 5
    assert document.due_date == DEPART + timedelta(days=5 + 7) == date(2026, 3, 14)
    # an office of another city keeps the default
    other = f.holder(world.unit_b)
    elsewhere = f.trip([other], depart=DEPART, return_=RETURN)
    assert services.document_due(elsewhere) == RETURN + timedelta(days=7)


def test_grace_days_come_from_the_office(world):
    office_setting_set(
        actor=f.user(world, "fao_leader"), office=world.city_a, key="passports.return.grace", value="10d"
    )
    journey = f.trip([f.holder(world.unit_a)], depart=DEPART, return_=RETURN)
    assert services.document_due(journey) == RETURN + timedelta(days=10)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (RETURN, DocumentState.CHECKED_OUT),
        (RETURN + timedelta(days=7), DocumentState.CHECKED_OUT),  # day 7 after the return: the due date
        (RETURN + timedelta(days=8), DocumentState.OVERDUE),  # day 8: overdue
        (RETURN + timedelta(days=60), DocumentState.OVERDUE),
    ],
)
def test_overdue_from_day_eight_after_the_return(out, day, expected):
    document, _journey = out
    assert document.state_on(day) == expected
    assert TravelDocument.objects.with_state(day).get(pk=document.pk).state == expected


@pytest.mark.parametrize("offset", range(-3, 12))
def test_python_and_sql_states_agree(world, out, offset):
    document, _journey = out
    person = document.person
    lost = f.document(person, kind="diplomatic", custody=Custody.LOST)
    cancelled = f.document(person, kind="official_ordinary", custody=Custody.CANCELLED)
    expiring = f.document(person, kind="hkmo_permit", expires=RETURN + timedelta(days=4))
    day = RETURN + timedelta(days=offset)
    annotated = dict(TravelDocument.objects.with_state(day).values_list("pk", "state"))
    for doc in (document, lost, cancelled, expiring):
        assert doc.state_on(day) == annotated[doc.pk], (doc.kind, day)
    assert expiring.state_on(day) == (DocumentState.EXPIRED if offset > 4 else DocumentState.IN_CUSTODY)


def test_return_ends_the_check_out(world, out):
    document, journey = out
    back = f.take_back(world, document, on=RETURN + timedelta(days=9))
    assert (back.custody, back.trip, back.due_date) == (Custody.IN_CUSTODY, None, None)
    assert back.state_on(RETURN + timedelta(days=30)) == DocumentState.IN_CUSTODY
    assert back.movements.get(kind=MovementKind.CHECK_OUT).returned_on == RETURN + timedelta(days=9)
    assert back.movements.get(kind=MovementKind.RETURN).trip == journey


# --- the ledger and the audit trail ----------------------------------------------------------------------


def test_every_movement_writes_one_ledger_line_and_one_audit_row(world):
    officer = f.officer(world)
    person = f.holder(world.unit_a, name="吴晓东")
    journey = f.trip([person], depart=DEPART, return_=RETURN)
    steps = [
        (
            MovementKind.DEPOSIT,
            lambda _none: services.document_register(
                actor=officer,
                document=TravelDocument(
                    person=person,
                    kind="service",
                    number="SE5550001",
                    issued=f.ISSUED,
                    expires=f.EXPIRES,
                    custodian=world.city_a,
                ),
                on=date(2026, 1, 5),
                handed_over_by="吴晓东",
                received_by="保管员甲",
            ),
        ),
        (
            MovementKind.CHECK_OUT,
            lambda d: services.document_check_out(
                actor=officer,
                document=d,
                trip=journey,
                on=DEPART,
                handed_over_by="保管员乙",
                received_by="吴晓东",
            ),
        ),
        (
            MovementKind.RETURN,
            lambda d: services.document_return(
                actor=officer,
                document=d,
                on=RETURN + timedelta(days=1),
                handed_over_by="吴晓东",
                received_by="保管员丙",
            ),
        ),
        (
            MovementKind.LOST,
            lambda d: services.document_report_lost(
                actor=officer,
                document=d,
                on=date(2026, 4, 1),
                note="办公室失窃",
                reported_by="吴晓东",
                received_by="保管员丁",
            ),
        ),
        (
            MovementKind.DEPOSIT,
            lambda d: services.document_deposit(
                actor=officer,
                document=d,
                on=date(2026, 4, 9),
                handed_over_by="吴晓东",
                received_by="保管员戊",
            ),
        ),
        (
            MovementKind.CANCEL,
            lambda d: services.document_cancel(
                actor=officer,
                document=d,
                on=date(2026, 5, 1),
                note="持照人退休",
                handed_over_by="保管员戊",
                received_by="保管员己",
            ),
        ),
    ]
    document = None
    for seen, (kind, move) in enumerate(steps, start=1):
        before_audit = set(AuditLog.objects.values_list("pk", flat=True))
        document = move(document)
        assert document.movements.count() == seen, kind
        line = document.movements.order_by("-id").first()
        assert line.kind == kind
        assert line.handed_over_by and line.received_by
        assert line.recorded_by == officer
        new_audit = audit_rows(document).exclude(pk__in=before_audit)
        assert list(new_audit.values_list("action", flat=True)) == [f"passport.{kind}"], kind
        assert new_audit.get().detail["movement"] == line.pk
    lines = list(document.movements.order_by("id").values_list("kind", "handed_over_by", "received_by"))
    assert lines == [
        ("deposit", "吴晓东", "保管员甲"),
        ("check_out", "保管员乙", "吴晓东"),
        ("return", "吴晓东", "保管员丙"),
        ("lost", "吴晓东", "保管员丁"),
        ("deposit", "吴晓东", "保管员戊"),
        ("cancel", "保管员戊", "保管员己"),
    ]
    assert document.custody == Custody.CANCELLED
    assert document.movements.get(kind=MovementKind.CANCEL).note == "持照人退休"


def test_names_are_required(world, out):
    document, _journey = out
    with pytest.raises(ApplicationError) as caught:
        services.document_return(
            actor=f.officer(world), document=document, on=RETURN, handed_over_by=" ", received_by="保管员"
        )
    assert caught.value.code == "names_required"
    assert TravelDocument.objects.get(pk=document.pk).custody == Custody.CHECKED_OUT


def test_a_movement_dated_before_the_documents_last_one_is_refused_and_changes_nothing(world, out):
    """The ledger is kept in the order things happened (the custody rate of a past day reads it so): taking
    the document back before it was checked out is a mistake in the date."""
    document, _journey = out
    checked_out = DEPART - timedelta(days=3)
    with pytest.raises(ApplicationError) as caught:
        services.document_return(
            actor=f.officer(world),
            document=document,
            on=checked_out - timedelta(days=1),
            handed_over_by="孙立平",
            received_by="保管员",
        )
    assert caught.value.code == "before_last_movement"
    assert list(caught.value.extra["errors"]) == ["date"]  # the movement form shows it under the date
    assert TravelDocument.objects.get(pk=document.pk).custody == Custody.CHECKED_OUT
    assert list(CustodyMovement.objects.filter(document=document).values_list("kind", flat=True)) == [
        MovementKind.CHECK_OUT
    ]
    # On the day of the last movement is no mistake.
    back = services.document_return(
        actor=f.officer(world),
        document=TravelDocument.objects.get(
            pk=document.pk
        ),  # the refused call left the copy it was given stale
        on=checked_out,
        handed_over_by="孙立平",
        received_by="保管员",
    )
    assert back.custody == Custody.IN_CUSTODY


def test_lost_while_out_then_found_and_cancelled(world, out):
    document, _journey = out
    officer = f.officer(world)
    lost = services.document_report_lost(
        actor=officer,
        document=document,
        on=DEPART + timedelta(days=2),
        note="在东京遗失",
        reported_by="孙立平",
        received_by="保管员",
    )
    assert (lost.custody, lost.trip, lost.due_date) == (Custody.LOST, None, None)
    assert lost.state_on(RETURN + timedelta(days=60)) == DocumentState.LOST
    # a lost document is never overdue
    assert TravelDocument.objects.with_state(RETURN + timedelta(days=60)).get(pk=lost.pk).state == "lost"
    with pytest.raises(Conflict):
        f.take_back(world, lost, on=RETURN)
    found = services.document_deposit(
        actor=officer,
        document=lost,
        on=RETURN + timedelta(days=20),
        handed_over_by="孙立平",
        received_by="保管员",
    )
    assert found.custody == Custody.IN_CUSTODY
    cancelled = services.document_cancel(
        actor=officer,
        document=found,
        on=RETURN + timedelta(days=30),
        note="换发新证",
        handed_over_by="保管员",
        received_by="保管员",
    )
    assert cancelled.custody == Custody.CANCELLED
    assert cancelled.state_on(RETURN + timedelta(days=30)) == DocumentState.CANCELLED
    with pytest.raises(Conflict):
        services.document_deposit(
            actor=officer, document=cancelled, on=RETURN, handed_over_by="孙立平", received_by="保管员"
        )


def test_a_lost_report_needs_a_note(world, out):
    document, _journey = out
    with pytest.raises(ApplicationError) as caught:
        services.document_report_lost(
            actor=f.officer(world),
            document=document,
            on=RETURN,
            note="",
            reported_by="孙立平",
            received_by="保管员",
        )
    assert caught.value.code == "note_required"


def test_a_checked_out_document_cannot_be_cancelled(world, out):
    document, _journey = out
    with pytest.raises(Conflict):
        services.document_cancel(
            actor=f.officer(world), document=document, on=RETURN, note="", handed_over_by="a", received_by="b"
        )


def test_a_stale_copy_gets_conflict(world):
    person = f.holder(world.unit_a)
    document = f.document(person)
    journey = f.trip([person])
    stale = TravelDocument.objects.get(pk=document.pk)
    f.check_out(world, document, journey)
    with pytest.raises(Conflict) as caught:
        f.check_out(world, stale, journey)
    assert caught.value.code == "already_moved"
    assert CustodyMovement.objects.filter(kind=MovementKind.CHECK_OUT).count() == 1


def test_check_out_refusals(world):
    person = f.holder(world.unit_a)
    journey = f.trip([person], depart=DEPART, return_=RETURN)
    document = f.document(person)
    window = DEPART - timedelta(days=15)
    cases = [
        ("too_early", {"on": window - timedelta(days=1)}),
        ("too_late", {"on": RETURN + timedelta(days=1)}),
    ]
    for code, kwargs in cases:
        with pytest.raises(ApplicationError) as caught:
            f.check_out(world, document, journey, **kwargs)
        assert caught.value.code == code
    short = f.document(person, kind="diplomatic", expires=RETURN - timedelta(days=1))
    with pytest.raises(ApplicationError) as caught:
        f.check_out(world, short, journey)
    assert caught.value.code == "expired"
    assert f.check_out(world, document, journey, on=window).custody == Custody.CHECKED_OUT


def test_the_window_comes_from_the_office(world):
    office_setting_set(
        actor=f.user(world, "fao_leader"), office=world.city_a, key="passports.checkout.window_days", value=30
    )
    person = f.holder(world.unit_a)
    journey = f.trip([person], depart=DEPART, return_=RETURN)
    document = f.check_out(world, f.document(person), journey, on=DEPART - timedelta(days=30))
    assert document.custody == Custody.CHECKED_OUT


# --- permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["unit_clerk", "unit_leader", "fao_staff", "fao_leader", "viewer"])
def test_without_the_keep_permission_nothing_moves(world, role):
    actor = f.user(world, role)
    person = f.holder(world.unit_a)
    document = f.document(person)
    journey = f.trip([person])
    with pytest.raises(NotAllowed):
        f.check_out(world, document, journey, actor=actor)
    with pytest.raises(NotAllowed):
        services.document_report_lost(
            actor=actor, document=document, on=f.today(), note="遗失", reported_by="a", received_by="b"
        )
    with pytest.raises(NotAllowed):
        services.document_register(
            actor=actor,
            document=TravelDocument(
                person=person,
                kind="diplomatic",
                number="D1234567",
                issued=f.ISSUED,
                expires=f.EXPIRES,
                custodian=world.city_a,
            ),
            on=f.today(),
            handed_over_by="a",
            received_by="b",
        )
    assert not CustodyMovement.objects.exists()
    assert TravelDocument.objects.get(pk=document.pk).custody == Custody.IN_CUSTODY
    assert audit_rows(document).filter(action__startswith="passport.").count() == 0


def test_an_officer_of_another_city_cannot_move_or_register(world):
    stranger = f.officer(world, world.city_b)
    person = f.holder(world.unit_a)
    document = f.document(person)
    journey = f.trip([person])
    with pytest.raises(NotAllowed):
        f.check_out(world, document, journey, actor=stranger)
    with pytest.raises(NotAllowed) as caught:
        services.document_register(
            actor=stranger,
            document=TravelDocument(
                person=person,
                kind="diplomatic",
                number="D7654321",
                issued=f.ISSUED,
                expires=f.EXPIRES,
                custodian=world.city_b,
            ),
            on=f.today(),
            handed_over_by="a",
            received_by="b",
        )
    assert caught.value.code == "out_of_scope"


# --- the receipt ---------------------------------------------------------------------------------------


def test_the_receipt_of_a_movement_renders_without_the_full_number(client, world, out):
    document, _journey = out
    movement = document.movements.get(kind=MovementKind.CHECK_OUT)
    client.force_login(f.officer(world))
    response = client.get(reverse("passports:receipt", args=[movement.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "孙立平" in page
    assert document.number_masked in page
    assert document.number not in page
    assert "2026年3月13日" in page  # due back


def test_the_receipt_of_another_city_is_not_found(client, world, out):
    document, _journey = out
    movement = document.movements.get()
    client.force_login(f.officer(world, world.city_b))
    assert client.get(reverse("passports:receipt", args=[movement.pk])).status_code == 404


# --- fixed bugs, kept as regression tests ----------------------------------------------------------


def test_a_return_does_not_close_the_check_out_of_an_earlier_trip_on_which_it_was_lost(world, out):
    document, _journey = out
    officer = f.officer(world)
    lost = services.document_report_lost(
        actor=officer,
        document=document,
        on=DEPART + timedelta(days=1),
        note="遗失",
        reported_by="孙立平",
        received_by="保管员",
    )
    found = services.document_deposit(
        actor=officer,
        document=lost,
        on=DEPART + timedelta(days=20),
        handed_over_by="孙立平",
        received_by="保管员",
    )
    later = f.trip([found.person], depart=date(2026, 6, 1), return_=date(2026, 6, 5))
    again = f.check_out(world, found, later)
    f.take_back(world, again, on=date(2026, 6, 8))
    first = document.movements.filter(kind=MovementKind.CHECK_OUT).order_by("id").first()
    assert first.trip != later
    assert first.returned_on is None


@pytest.mark.parametrize("who", ["unit_clerk", "other_city_officer"])
def test_permission_is_checked_before_the_trip(world, who):
    actor = f.officer(world, world.city_b) if who == "other_city_officer" else f.user(world, who)
    document = f.document(f.holder(world.unit_a, name="郑秋实"))
    journey = f.trip([f.holder(world.unit_a)], state="submitted")
    with pytest.raises(NotAllowed):
        f.check_out(world, document, journey, actor=actor)
