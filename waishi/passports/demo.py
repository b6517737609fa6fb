"""Demo travel documents and their custody ledger, consistent with the demo trips.

The ledger describes the past, so it is written directly (the services check movements against today):
every member of a trip that travelled checked a document out a few days before departure and, once back,
returned it within the grace days; one Chongqing document is still out, more than a month overdue, so
the unit's new applications show the ``unit.locked`` finding; one came back late. Jingdezhen's 2023
documents all came back on time: its collection and custody rates are 100%, as the seed reports.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from waishi.directory.models import Person
from waishi.passports.choices import Custody, DocumentKind, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.services import document_due
from waishi.travel.choices import TripCategory, TripState
from waishi.travel.models import Trip

TRAVELLED = (
    TripState.DEPARTED,
    TripState.RETURNED_HOME,
    TripState.REPORTED,
    TripState.EVALUATED,
    TripState.CLOSED,
)
OFFICER = "吴丽华"  # the demo passport officer of Jingdezhen (users/demo.py)


def _number(kind: str, rng: random.Random) -> str:
    prefix = {
        DocumentKind.SERVICE: "SE",
        DocumentKind.OFFICIAL_ORDINARY: "PE",
        DocumentKind.DIPLOMATIC: "DE",
        DocumentKind.HKMO_PERMIT: "G",
    }[kind]
    return prefix + "".join(
        rng.choice("0123456789") for _ in range(7 if kind != DocumentKind.HKMO_PERMIT else 8)
    )


def _document(person, kind, rng, today) -> TravelDocument:
    issued = date(rng.randint(2019, 2024), rng.randint(1, 12), rng.randint(1, 28))
    return TravelDocument(
        person=person,
        kind=kind,
        number=_number(kind, rng),
        issued=issued,
        expires=issued.replace(year=issued.year + (5 if kind == DocumentKind.HKMO_PERMIT else 10)),
        authority="外交部" if kind != DocumentKind.HKMO_PERMIT else "外交部（港澳通行证）",
        custodian=person.organization.office() or person.organization,
    )


@transaction.atomic
def load_documents(today: date | None = None, seed: int = 2023) -> int:
    """Documents for everyone on a demo trip (and some others), with the ledger of each trip; idempotent."""
    today = today or timezone.localdate()
    if TravelDocument.objects.exists():
        return 0
    rng = random.Random(seed)
    trips = list(
        Trip.objects.filter(state__in=TRAVELLED)
        .select_related("office")
        .prefetch_related("members__person__organization")
        .order_by("depart_date")
    )
    people = {m.person for trip in trips for m in trip.members.all()}
    people |= set(
        Person.objects.select_related("organization").filter(organization__code__startswith="jdz")[:60]
    )
    hkmo = {m.person for trip in trips if trip.category == TripCategory.HKMO for m in trip.members.all()}
    documents = {}
    for person in sorted(people, key=lambda p: p.pk):
        kind = (
            DocumentKind.SERVICE
            if person.organization.code.split("-")[-1]
            not in {"jcu", "cqu", "swu", "sisu", "college", "hospital"}
            else DocumentKind.OFFICIAL_ORDINARY
        )
        documents[(person.pk, "passport")] = _document(person, kind, rng, today)
        if person in hkmo:
            documents[(person.pk, "hkmo")] = _document(person, DocumentKind.HKMO_PERMIT, rng, today)
    for document in documents.values():  # documents must be valid for every trip they served
        document.issued, document.expires = (
            min(document.issued, date(2019, 1, 1)),
            max(document.expires, today + timedelta(days=rng.randint(200, 2000))),
        )
    expiring = next(d for (pk, k), d in documents.items() if k == "passport")
    expiring.expires = today + timedelta(days=75)  # flagged: expires within six months
    TravelDocument.objects.bulk_create(documents.values())

    movements, overdue_done = [], False
    for document in documents.values():
        movements.append(
            CustodyMovement(
                document=document,
                kind=MovementKind.DEPOSIT,
                date=document.issued,
                handed_over_by=document.person.name,
                received_by=OFFICER,
            )
        )
    for trip in trips:
        due = document_due(trip)
        for member in trip.members.all():
            document = documents[
                (member.person_id, "hkmo" if trip.category == TripCategory.HKMO else "passport")
            ]
            out = trip.depart_date - timedelta(days=3)
            movements.append(
                CustodyMovement(
                    document=document,
                    kind=MovementKind.CHECK_OUT,
                    date=out,
                    trip=trip,
                    due_date=due,
                    handed_over_by=OFFICER,
                    received_by=member.person.name,
                )
            )
            back = (member.entry_date or trip.return_date) + timedelta(days=rng.randint(1, 6))
            late_one = trip.office.code == "cq-fao" and trip.state == TripState.CLOSED and not overdue_done
            if trip.state == TripState.DEPARTED or (late_one and due < today - timedelta(days=31)):
                document.custody, document.trip, document.due_date = Custody.CHECKED_OUT, trip, due
                overdue_done = overdue_done or late_one
                continue
            movements[-1].returned_on = back
            movements.append(
                CustodyMovement(
                    document=document,
                    kind=MovementKind.RETURN,
                    date=back,
                    trip=trip,
                    handed_over_by=member.person.name,
                    received_by=OFFICER,
                )
            )
    CustodyMovement.objects.bulk_create(movements)
    out = [d for d in documents.values() if d.custody == Custody.CHECKED_OUT]
    TravelDocument.objects.bulk_update(out, ["custody", "trip", "due_date"])
    return len(documents)
