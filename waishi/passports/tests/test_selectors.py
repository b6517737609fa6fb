"""The custody figures on a small hand-built ledger, with exact fractions: collection rate (returned on time
/ due back in the period) and custody rate (in custody / valid documents not out on an approved trip); the
custody page, its exact-number search, the export and the figures page."""

import io
import random
from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from waishi.passports import selectors, services
from waishi.passports.choices import Custody, DocumentState, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.tests import factories as f

START, END = date(2026, 1, 1), date(2026, 3, 31)


@pytest.fixture(autouse=True)
def fast(settings):
    f.speed_up(settings)


def fraction(rate) -> Fraction | None:
    return Fraction(rate.numerator, rate.denominator) if rate.denominator else None


def lend(world, person, *, due: date, back: date | None = None, kind: str = "service"):
    """A check-out whose document is due back on ``due`` (return date + 7), returned on ``back`` if given."""
    document = f.document(person, kind=kind)
    return_ = due - timedelta(days=7)
    category = "hkmo" if kind == "hkmo_permit" else "abroad"
    journey = f.trip([person], depart=return_ - timedelta(days=4), return_=return_, category=category)
    officer = f.officer(world, person.organization.office())
    document = f.check_out(world, document, journey, actor=officer)
    if back is not None:
        document = f.take_back(world, document, on=back, actor=officer)
    return document


# --- collection rate -----------------------------------------------------------------------------------


@pytest.fixture
def ledger(world):
    a, a2, b = f.holder(world.unit_a), f.holder(world.unit_a2), f.holder(world.unit_b)
    return {
        "early": lend(world, a, due=date(2026, 1, 15), back=date(2026, 1, 14)),  # on time
        "on_the_day": lend(
            world, a, due=date(2026, 2, 10), back=date(2026, 2, 10), kind="diplomatic"
        ),  # on time
        "late": lend(world, a2, due=date(2026, 2, 20), back=date(2026, 2, 25)),  # late
        "never": lend(world, a2, due=date(2026, 3, 5), kind="diplomatic"),  # still out
        "first_day": lend(world, a, due=START, back=START - timedelta(days=1), kind="hkmo_permit"),  # on time
        "last_day": lend(world, a2, due=END, back=END + timedelta(days=1), kind="hkmo_permit"),  # late
        "before": lend(
            world, a, due=START - timedelta(days=1), back=START - timedelta(days=3), kind="official_ordinary"
        ),
        "after": lend(world, a2, due=END + timedelta(days=1), back=END, kind="official_ordinary"),
        "other_city": lend(world, b, due=date(2026, 2, 1), back=date(2026, 1, 30)),
    }


def test_collection_rate_counts_the_check_outs_due_in_the_period(world, ledger):
    rate, checkouts = selectors.collection_rate(f.officer(world), START, END)
    assert (rate.numerator, rate.denominator) == (3, 6)
    assert rate.value == 0.5
    assert {c.document_id for c in checkouts} == {
        ledger[k].pk for k in ("early", "on_the_day", "late", "never", "first_day", "last_day")
    }


def test_collection_rate_of_one_unit(world, ledger):
    rate, _checkouts = selectors.collection_rate(f.officer(world), START, END, organization=world.unit_a)
    assert fraction(rate) == Fraction(3, 3)
    rate, _checkouts = selectors.collection_rate(f.officer(world), START, END, organization=world.unit_a2)
    assert (rate.numerator, rate.denominator) == (0, 3)


def test_collection_rate_is_none_without_documents_due(world):
    rate, checkouts = selectors.collection_rate(f.officer(world), START, END)
    assert (rate.numerator, rate.denominator, rate.value) == (0, 0, None)
    assert list(checkouts) == []


def test_collection_rate_in_another_city(world, ledger):
    rate, _checkouts = selectors.collection_rate(f.officer(world, world.city_b), START, END)
    assert fraction(rate) == Fraction(1, 1)


# --- custody rate --------------------------------------------------------------------------------------


@pytest.fixture
def safe(world):
    """Documents as of today: two in the safe, one out and not yet due (two, counting the one due today),
    one overdue, one expired, one lost, one cancelled, and one in another city."""
    today = f.today()
    a, a2 = f.holder(world.unit_a), f.holder(world.unit_a2)
    out, _trip = f.out_since(world, a, due=today + timedelta(days=3))
    due_today, _trip = f.out_since(world, a2, due=today, kind="diplomatic")
    overdue, _trip = f.out_since(world, a, due=today - timedelta(days=1), kind="diplomatic")
    return {
        "in_a": f.document(a, kind="hkmo_permit"),
        "in_a2": f.document(a2, kind="service"),
        "out": out,
        "due_today": due_today,
        "overdue": overdue,
        "expired": f.document(a, kind="official_ordinary", expires=today - timedelta(days=1)),
        "expires_today": f.document(a2, kind="official_ordinary", expires=today),
        "lost": f.document(a2, kind="hkmo_permit", custody=Custody.LOST),
        "cancelled": f.document(a, kind="service", custody=Custody.CANCELLED, number=f.number()),
        "other_city": f.document(f.holder(world.unit_b)),
    }


def test_custody_rate_counts_an_overdue_document_as_not_in_custody(world, safe):
    rate, counted = selectors.custody_rate(f.officer(world))
    # counted: in_a, in_a2, expires_today (in the safe), overdue (not); out and due_today are on a trip
    assert (rate.numerator, rate.denominator) == (3, 4)
    assert fraction(rate) == Fraction(3, 4)
    states = {d.pk: d.state for d in counted}
    assert states == {
        safe["in_a"].pk: DocumentState.IN_CUSTODY,
        safe["in_a2"].pk: DocumentState.IN_CUSTODY,
        safe["expires_today"].pk: DocumentState.IN_CUSTODY,
        safe["overdue"].pk: DocumentState.OVERDUE,
    }


def test_custody_rate_on_another_day_and_for_one_unit(world, safe):
    officer = f.officer(world)
    tomorrow = f.today() + timedelta(days=1)
    # tomorrow the document due today is overdue too, and the one expiring today is no longer valid
    rate, _counted = selectors.custody_rate(officer, tomorrow)
    assert (rate.numerator, rate.denominator) == (2, 4)
    rate, _counted = selectors.custody_rate(officer, organization=world.unit_a2)
    assert (rate.numerator, rate.denominator) == (2, 2)
    rate, _counted = selectors.custody_rate(officer, organization=world.unit_a)
    assert (rate.numerator, rate.denominator) == (1, 2)


def test_returning_the_overdue_document_restores_full_custody(world, safe):
    f.take_back(world, safe["overdue"], on=f.today())
    rate, _counted = selectors.custody_rate(f.officer(world))
    assert fraction(rate) == 1


# --- pages -------------------------------------------------------------------------------------------------

SECTIONS = ("overdue", "checked_out", "in_custody", "other")


def nothing() -> dict[str, set]:
    return {name: set() for name in SECTIONS}


def sections(response) -> dict[str, set[int]]:
    return {
        name: {d.pk for d in section.rows}
        for name, section in zip(SECTIONS, response.context["sections"], strict=True)
    }


def test_the_custody_page_lists_each_document_under_its_section(client, world, safe):
    client.force_login(f.officer(world))
    response = client.get(reverse("passports:custody"))
    assert response.status_code == 200
    assert sections(response) == {
        "overdue": {safe["overdue"].pk},
        "checked_out": {safe["out"].pk, safe["due_today"].pk},
        "in_custody": {safe["in_a"].pk, safe["in_a2"].pk, safe["expires_today"].pk},
        "other": {safe["expired"].pk, safe["lost"].pk, safe["cancelled"].pk},
    }
    page = response.content.decode()
    for document in safe.values():
        if document is not safe["other_city"]:
            assert document.number_masked in page
        assert document.number not in page
    # the trip and due date only where the documents are out with a trip
    cards = {chunk.split('"', 1)[0]: chunk for chunk in page.split('id="section-')[1:]}
    with_trip = {
        name: "出访团组 / 应交回日期" in cards[section.key]
        for name, section in zip(SECTIONS, response.context["sections"], strict=True)
    }
    assert with_trip == {"overdue": True, "checked_out": True, "in_custody": False, "other": False}


def test_the_custody_page_finds_a_document_by_its_exact_number_only(client, world, safe):
    client.force_login(f.officer(world))
    target = safe["overdue"]
    found = sections(client.get(reverse("passports:custody"), {"q": target.number}))
    assert found == {"overdue": {target.pk}, "checked_out": set(), "in_custody": set(), "other": set()}
    found = sections(client.get(reverse("passports:custody"), {"q": target.number.lower()}))
    assert found["overdue"] == {target.pk}
    for partial in (target.number[:-1], target.number[2:], target.number[-6:]):
        found = sections(client.get(reverse("passports:custody"), {"q": partial}))
        assert found == nothing(), partial
    # another city's document is not found by its number either
    other = safe["other_city"]
    assert sections(client.get(reverse("passports:custody"), {"q": other.number})) == nothing()


def test_the_custody_page_finds_a_holder_by_name(client, world):
    person = f.holder(world.unit_a, name="欧阳修文")
    document = f.document(person)
    f.document(f.holder(world.unit_a, name="赵敏"))
    client.force_login(f.officer(world))
    found = sections(client.get(reverse("passports:custody"), {"q": "欧阳"}))
    assert found["in_custody"] == {document.pk}


def export_rows(client) -> list[tuple]:
    response = client.get(reverse("passports:traveldocument_export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    return list(workbook.worksheets[0].iter_rows(values_only=True))


@pytest.mark.parametrize("role", ["passport_officer", "viewer", "fao_leader"])
def test_the_export_contains_only_masked_numbers(client, world, safe, role):
    client.force_login(f.user(world, role))
    rows = export_rows(client)
    cells = [str(value) for row in rows for value in row if value is not None]
    mine = [d for key, d in safe.items() if key != "other_city"]
    assert len(rows) == 1 + len(mine)
    for document in safe.values():
        assert not any(document.number in cell for cell in cells), document.number
    for document in mine:
        assert document.number_masked in cells


def test_the_figures_page_renders(client, world, ledger):
    client.force_login(f.officer(world))
    response = client.get(reverse("passports:figures"), {"from": START.isoformat(), "to": END.isoformat()})
    assert response.status_code == 200
    assert (response.context["collection"].numerator, response.context["collection"].denominator) == (3, 6)
    page = response.content.decode()
    assert 'id="collection-rate">50%' in page
    for document in ledger.values():
        assert document.number not in page
    # bad dates fall back to the defaults rather than failing
    assert client.get(reverse("passports:figures"), {"from": "x", "to": "2026-02-30"}).status_code == 200


def test_the_pages_need_the_view_permission(client, world):
    client.force_login(f.user(world, "system_admin"))
    assert client.get(reverse("passports:custody")).status_code == 403
    assert client.get(reverse("passports:figures")).status_code == 403


def test_search_hits_and_work_items(world, safe):
    officer = f.officer(world)
    hits = selectors.search_hits(officer, safe["overdue"].number)
    assert [h.url for h in hits] == [safe["overdue"].get_absolute_url()]
    titles = [item.title for items in selectors.work_items(officer) for item in items.items if item.overdue]
    assert len(titles) == 1 and safe["overdue"].number not in titles[0]
    assert selectors.search_hits(f.user(world, "system_admin"), safe["overdue"].number) == []


def test_a_lost_document_found_again_counts_in_custody(world, safe):
    services.document_deposit(
        actor=f.officer(world), document=safe["lost"], on=f.today(), handed_over_by="a", received_by="b"
    )
    rate, _counted = selectors.custody_rate(f.officer(world))
    assert (rate.numerator, rate.denominator) == (4, 5)


# --- both rates of several periods from one pass over the ledger ---------------------------------------


def test_ledger_figures_of_two_years_in_two_queries(world, django_assert_num_queries):
    """Each document tells one rule apart: deposited after the first day, lost or cancelled (on the day
    itself), expired, out and not yet due (due on the day included), out and overdue, checked out without
    ever being deposited, no movement at all."""
    last_year, this_year = (date(2025, 1, 1), date(2025, 12, 31)), (date(2026, 1, 1), date(2026, 12, 31))

    def document(*moves, expires=date(2035, 12, 31)):
        document = f.document(f.holder(world.unit_a), expires=expires)
        for kind, on, due, back in moves:
            CustodyMovement.objects.create(
                document=document, kind=kind, date=on, due_date=due, returned_on=back, handed_over_by="x",
                received_by="y",
            )  # fmt: skip
        return document.pk

    deposit = (MovementKind.DEPOSIT, date(2024, 5, 1), None, None)
    kept = [
        document(deposit),
        document(deposit, (MovementKind.CHECK_OUT, date(2026, 2, 1), date(2026, 3, 1), date(2026, 2, 28))),
    ]
    late_deposit = document((MovementKind.DEPOSIT, date(2026, 3, 1), None, None))
    lost = document(deposit, (MovementKind.LOST, date(2026, 6, 1), None, None))
    expired = document(deposit, expires=date(2026, 6, 30))
    out = document(deposit, (MovementKind.CHECK_OUT, date(2026, 12, 20), date(2027, 1, 10), None))
    due_on_the_day = document(deposit, (MovementKind.CHECK_OUT, date(2026, 12, 1), date(2026, 12, 31), None))
    overdue_last_year = document(
        deposit, (MovementKind.CHECK_OUT, date(2025, 12, 1), date(2025, 12, 20), date(2026, 1, 5))
    )
    overdue_this_year = document(
        deposit, (MovementKind.CHECK_OUT, date(2026, 11, 1), date(2026, 11, 30), date(2027, 1, 5))
    )
    never_deposited = document(
        (MovementKind.CHECK_OUT, date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 20))
    )
    cancelled = document(deposit, (MovementKind.CANCEL, date(2025, 12, 31), None, None))
    untouched = document()
    documents = TravelDocument.objects.filter(
        pk__in=[*kept, late_deposit, lost, expired, out, due_on_the_day, overdue_last_year,
                overdue_this_year, never_deposited, cancelled, untouched]
    )  # fmt: skip

    with django_assert_num_queries(2):  # the check-outs due, the documents in custody: whatever the periods
        previous, current = selectors.ledger_figures(documents, [last_year, this_year])

    assert (previous.collection.numerator, previous.collection.denominator) == (0, 1)
    # Counted at the end of 2025: kept (2), lost, expired, out, due on the day, both overdue; one overdue.
    assert previous.custody == 7 / 8
    # 2026: the second kept (on time), due on the day (still out), overdue this year (late), never deposited
    # (on time, on the day).
    assert (current.collection.numerator, current.collection.denominator) == (2, 4)
    # Counted at the end of 2026: kept (2), deposited late, overdue last year (back), overdue this year.
    assert current.custody == 4 / 5
    for (start, end), figures in ((last_year, previous), (this_year, current)):
        rate, _checkouts = selectors.collection_rate(None, start, end, documents=documents)
        assert rate == figures.collection
        assert selectors.custody_rate_on(documents, end) == figures.custody
    assert selectors.ledger_figures(documents.none(), [this_year])[0] == selectors.LedgerFigures(
        selectors.Rate(0, 0), None
    )


def reference_figures(ledger, start: date, end: date) -> tuple[int, int, float | None]:
    """The figures of the custody rules read straight off ``ledger`` ({document: (expires, movements)}, the
    movements in the order they were recorded): (returned on time, due back in the period, custody rate at
    the end of ``end``), the document's place on that day found by replaying its movements up to it."""
    due = on_time = counted = in_custody = 0
    for expires, moves in ledger.values():
        for m in moves:
            if m.kind == MovementKind.CHECK_OUT and start <= m.due_date <= end:
                due += 1
                on_time += m.returned_on is not None and m.returned_on <= m.due_date
        place, due_back = None, None  # never deposited
        for m in moves:
            if m.date > end:
                continue
            if m.kind == MovementKind.DEPOSIT:
                place = "safe"
            elif m.kind in (MovementKind.LOST, MovementKind.CANCEL):
                place = None
            elif m.kind == MovementKind.CHECK_OUT and place == "safe":
                back = m.returned_on is not None and m.returned_on <= end
                place, due_back = ("safe", None) if back else ("away", m.due_date)
        if place is None or expires < end or (place == "away" and due_back >= end):
            continue  # not counted: not in the ledger's keeping, expired, or out on a trip not yet due
        counted += 1
        in_custody += place == "safe"  # a document still away here is overdue
    return on_time, due, in_custody / counted if counted else None


def movement(document, kind: str, on: date, **fields) -> CustodyMovement:
    return CustodyMovement.objects.create(
        document=document, kind=kind, date=on, handed_over_by="x", received_by="y", **fields
    )


def test_ledger_figures_agree_with_the_rules_on_random_ledgers(world):
    """Random ledgers as the custody services let them be recorded (a deposit; check-outs returned early,
    on the day, late or never; a loss, after which the document may be found and deposited again, or a
    cancellation; some documents never deposited, some expiring in the middle) against the rules replayed
    off the movements, for periods whose ends fall on, before and after the movements' own dates."""
    chance = random.Random(20261122)
    origin = date(2024, 1, 1)

    def later(day: date, most: int = 60) -> date:
        return day + timedelta(days=chance.randrange(0, most))

    ledger = {}
    for _n in range(80):
        expires = later(origin, 700) if chance.random() < 0.3 else date(2035, 12, 31)
        document = f.document(f.holder(world.unit_a), expires=expires)
        moves, on = [], later(origin, 100)
        if chance.random() < 0.85:  # deposited first, most of the time
            moves.append(movement(document, MovementKind.DEPOSIT, on))
        for _checkout in range(chance.randrange(0, 5)):
            on = later(on)
            due = later(on, 40)
            back = chance.choice([None, max(on, due - timedelta(days=3)), due, due + timedelta(days=5)])
            moves.append(movement(document, MovementKind.CHECK_OUT, on, due_date=due, returned_on=back))
            if back is None:
                break
            on = back
        for kind in chance.choice(
            [[], [], [MovementKind.LOST], [MovementKind.CANCEL], [MovementKind.LOST, MovementKind.DEPOSIT],
             [MovementKind.LOST, MovementKind.DEPOSIT, MovementKind.CHECK_OUT]]
        ):  # fmt: skip
            on = later(on)
            back = {"due_date": later(on, 40), "returned_on": chance.choice([None, later(on, 50)])}
            moves.append(movement(document, kind, on, **(back if kind == MovementKind.CHECK_OUT else {})))
        ledger[document.pk] = (expires, moves)
    documents = TravelDocument.objects.filter(pk__in=ledger)
    dates = sorted(
        {m.date for _e, moves in ledger.values() for m in moves} | {e for e, _m in ledger.values()}
    )
    ends = [*chance.sample(dates, 12), *(d + timedelta(days=1) for d in chance.sample(dates, 6))]
    periods = [(end - timedelta(days=chance.randrange(0, 200)), end) for end in ends]
    figures = selectors.ledger_figures(documents, periods)
    for (start, end), found in zip(periods, figures, strict=True):
        expected = reference_figures(ledger, start, end)
        assert (found.collection.numerator, found.collection.denominator, found.custody) == expected, (
            start,
            end,
        )
        assert selectors.custody_rate_on(documents, end) == expected[2]


def test_a_document_found_after_its_loss_counts_again_from_its_new_deposit(world):
    """Lost, then found and deposited again: out of the custody rate between the two, in it from the new
    deposit on, as the custody page has it (the ledger's rate and the documents' own state agree)."""
    officer = f.officer(world)
    day = f.today() - timedelta(days=30)
    document = f.register(world, f.holder(world.unit_a), on=day)
    document = services.document_report_lost(
        actor=officer,
        document=document,
        on=day + timedelta(days=5),
        note="遗失于机场",
        reported_by="张三",
        received_by="保管员",
    )
    services.document_deposit(
        actor=officer,
        document=document,
        on=day + timedelta(days=10),
        handed_over_by="张三",
        received_by="保管员",
    )
    documents = TravelDocument.objects.filter(pk=document.pk)
    assert selectors.custody_rates_on(documents, [day + timedelta(days=d) for d in (0, 5, 9, 10, 30)]) == [
        1.0,
        None,
        None,
        1.0,
        1.0,
    ]
    rate, _counted = selectors.custody_rate(officer, documents=documents)
    assert fraction(rate) == 1
