"""Builders for the custody tests: holders, documents, approved trips written straight to the database
(the trip workflow is tested in travel; here only its outcome matters), and the officers who move
documents through the real services."""

import itertools
from datetime import date, timedelta

from django.utils import timezone

from waishi.core.testing.factories import PersonFactory
from waishi.passports import services
from waishi.passports.choices import DocumentKind
from waishi.passports.models import TravelDocument
from waishi.travel.choices import MemberRole, TripCategory, TripState
from waishi.travel.models import Trip, TripMember

_numbers = itertools.count(1)
PREFIX = {
    DocumentKind.DIPLOMATIC: "D",
    DocumentKind.SERVICE: "SE",
    DocumentKind.OFFICIAL_ORDINARY: "PE",
    DocumentKind.HKMO_PERMIT: "G",
}
ISSUED = date(2020, 1, 1)
EXPIRES = date(2035, 12, 31)


def speed_up(settings) -> None:
    """For an autouse fixture: a cheap password hasher (argon2 costs ~0.1 s a user)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def today() -> date:
    return timezone.localdate()


def user(world, role: str, organization=None):
    """``world.user`` cached per world: one user per (role, organization)."""
    cache = world.__dict__.setdefault("_passport_users", {})
    organization = organization or (world.unit_a if role.startswith("unit_") else world.city_a)
    key = (role, organization.pk)
    if key not in cache:
        account = world.user(role, organization)
        account.first_name, account.last_name = "", f"{role}-{organization.code}"
        account.save(update_fields=["first_name", "last_name"])
        cache[key] = account
    return cache[key]


def officer(world, office=None):
    return user(world, "passport_officer", office or world.city_a)


def holder(unit, name: str | None = None):
    return PersonFactory(organization=unit, **({"name": name} if name else {}))


def number(kind: str = DocumentKind.SERVICE) -> str:
    """A number not used before in this process, e.g. ``SE73014212``."""
    return f"{PREFIX[kind]}{73000000 + next(_numbers)}"


def document(person, *, kind: str = DocumentKind.SERVICE, custodian=None, **fields) -> TravelDocument:
    """A document in custody, written straight to the database (no ledger line)."""
    values = {
        "person": person,
        "kind": kind,
        "number": number(kind),
        "issued": ISSUED,
        "expires": EXPIRES,
        "custodian": custodian or person.organization.office(),
    }
    return TravelDocument.objects.create(**(values | fields))


def register(world, person, *, kind: str = DocumentKind.SERVICE, on: date | None = None, **fields):
    """A document handed into custody through the service (one DEPOSIT line)."""
    values = {
        "person": person,
        "kind": kind,
        "number": number(kind),
        "issued": ISSUED,
        "expires": EXPIRES,
        "custodian": person.organization.office(),
    }
    return services.document_register(
        actor=officer(world),
        document=TravelDocument(**(values | fields)),
        on=on or today(),
        handed_over_by=person.name,
        received_by="保管员",
    )


def trip(
    members,
    *,
    unit=None,
    category: str = TripCategory.ABROAD,
    depart: date | None = None,
    return_: date | None = None,
    state: str = TripState.APPROVED,
) -> Trip:
    """A trip of ``unit`` in ``state`` with ``members`` (the first heads it), written straight to the
    database; by default approved, leaving in 5 days for 5 days."""
    members = list(members)
    unit = unit or members[0].organization
    depart = depart or today() + timedelta(days=5)
    return_ = return_ or depart + timedelta(days=4)
    approved = state in (TripState.APPROVED, TripState.BRIEFED)
    created = Trip.objects.create(
        applicant_unit=unit,
        office=unit.office(),
        deciding_office=unit.office(),
        category=category,
        mission="赴日本开展经贸交流" if category == TripCategory.ABROAD else "赴香港开展经贸交流",
        depart_date=depart,
        return_date=return_,
        state=state,
        approved_on=depart - timedelta(days=20) if approved else None,
    )
    TripMember.objects.bulk_create(
        TripMember(
            trip=created, person=person, role=MemberRole.HEAD if i == 0 else MemberRole.MEMBER, order=i
        )
        for i, person in enumerate(members)
    )
    return created


def check_out(world, document, trip, on: date | None = None, actor=None):
    return services.document_check_out(
        actor=actor or officer(world),
        document=document,
        trip=trip,
        on=on or trip.depart_date,
        handed_over_by="保管员",
        received_by=document.person.name,
    )


def take_back(world, document, on: date, actor=None):
    return services.document_return(
        actor=actor or officer(world),
        document=document,
        on=on,
        handed_over_by=document.person.name,
        received_by="保管员",
    )


def out_since(world, person, *, due: date, kind: str = DocumentKind.SERVICE, **fields):
    """A document checked out for an approved trip whose document is due back on ``due`` (default rule:
    the return date + 7 days)."""
    doc = document(person, kind=kind, **fields)
    return_ = due - timedelta(days=7)
    category = TripCategory.HKMO if kind == DocumentKind.HKMO_PERMIT else TripCategory.ABROAD
    journey = trip([person], depart=return_ - timedelta(days=4), return_=return_, category=category)
    return check_out(world, doc, journey), journey
