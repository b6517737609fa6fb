"""Builders for outbound trips in tests.

``make_trip(world, ...)`` files a *clean* application through the real services: it passes every rule in
``rules.RULES`` (members with ranks and positions, a signed invitation attached as a PDF that names every
member and covers the trip, a pre-trip notice of enough Chinese working days, a per-diem rate for each stop
and a budget within it, an annual plan entry, and for each member an official passport in custody, valid
long after the return, for the passports app's ``passport.valid``). Every keyword varies one fact so that
a test can break exactly one rule. ``advance(world, trip, state)`` then walks the workflow with the right
role at each step.

``facts(world, ...)`` builds unsaved objects for the rules that need no database rows, so that hypothesis
examples stay pure.
"""

import itertools
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from waishi.core import services as core_services
from waishi.core.testing.factories import PersonFactory
from waishi.directory.choices import Rank
from waishi.directory.models import Country, Person
from waishi.travel import rules, services
from waishi.travel.choices import BudgetKind, MemberRole, TripState
from waishi.travel.models import PerDiemRate, PlanEntry, Trip, TripLeg, TripMember

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"

# The per-diem standard of DOMAIN.md (财行〔2013〕516号):
# (country, city) -> currency, lodging, meals, incidentals.
RATES = {
    ("JP", "东京"): ("JPY", 20000, 10000, 5000),
    ("KR", "首尔"): ("USD", 180, 70, 35),
}
DEPART = date(2025, 6, 9)  # a Monday; notice, invitation and plan are set around it

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅松竹"
_counter = itertools.count()


def unique_name() -> str:
    """A Chinese name not used before in this process (three characters)."""
    n = next(_counter)
    return (
        SURNAMES[n % len(SURNAMES)]
        + GIVEN[(n // len(SURNAMES)) % len(GIVEN)]
        + GIVEN[(n // (len(SURNAMES) * len(GIVEN))) % len(GIVEN)]
    )


def speed_up(settings, tmp_path) -> None:
    """For an autouse fixture: uploads under a temporary directory and a cheap password hasher (argon2
    costs ~0.1 s a user)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- users ---------------------------------------------------------------------------------------------


def user(world, role: str, organization=None):
    """``world.user`` cached per world: a user per (role, organization)."""
    cache = world.__dict__.setdefault("_users", {})
    organization = organization or (world.unit_a if role.startswith("unit_") else world.city_a)
    key = (role, organization.pk)
    if key not in cache:
        cache[key] = world.user(role, organization)
    return cache[key]


def clerk(world, unit=None):
    return user(world, "unit_clerk", unit or world.unit_a)


def leader(world, unit=None):
    return user(world, "unit_leader", unit or world.unit_a)


def staff(world, office=None):
    return user(world, "fao_staff", office or world.city_a)


def approver(world, office=None):
    return user(world, "fao_leader", office or world.city_a)


# --- reference data ------------------------------------------------------------------------------------


def rate(world, country: str, city: str, currency: str, lodging, meals, incidentals) -> PerDiemRate:
    """The per-diem rate of a country (``city=""``) or city, created through the generic service."""
    existing = PerDiemRate.objects.filter(country_id=country, city_name=city).first()
    if existing:
        return existing
    obj = PerDiemRate(
        country_id=country,
        city_name=city,
        currency=currency,
        lodging=Decimal(lodging),
        meals=Decimal(meals),
        incidentals=Decimal(incidentals),
    )
    return core_services.model_create(actor=staff(world, world.province), obj=obj)


def ensure_rates(world) -> None:
    for (country, city), values in RATES.items():
        rate(world, country, city, *values)


def person(unit, *, rank: str = Rank.DIVISION, position: str = "处长", name: str | None = None) -> Person:
    return PersonFactory(organization=unit, rank=rank, position=position, name=name or unique_name())


def give_document(world, holder: Person, category: str = "abroad"):
    """An official passport (or Hong Kong and Macao permit) valid for years, registered into the office's
    custody through the passports app's service, so that ``passport.valid`` holds."""
    from waishi.passports.models import TravelDocument
    from waishi.passports.services import document_register

    kind = "hkmo_permit" if category == "hkmo" else "official_ordinary"
    found = TravelDocument.objects.filter(person=holder, kind=kind).first()
    if found:
        return found
    office = holder.organization.office()
    document = TravelDocument(
        person=holder,
        kind=kind,
        number=f"{'CD' if category == 'hkmo' else 'SE'}{next(_counter):07d}",
        issued=date(2021, 1, 1),
        expires=date(2033, 1, 1),
        custodian=office,
    )
    return document_register(
        actor=user(world, "passport_officer", office),
        document=document,
        on=date(2021, 1, 4),
        handed_over_by=holder.name,
        received_by="保管员",
    )


def plan_entry(world, unit, year: int, countries=("JP",)) -> PlanEntry:
    obj = PlanEntry(unit=unit, year=year, title=f"出访计划{next(_counter)}", planned_members=2)
    return core_services.model_create(
        actor=clerk(world, unit), obj=obj, m2m={"countries": list(Country.objects.filter(code__in=countries))}
    )


def attach_invitation(world, trip: Trip, purpose: str = "invitation"):
    upload = SimpleUploadedFile("邀请函.pdf", PDF, content_type="application/pdf")
    return core_services.attachment_add(
        actor=clerk(world, trip.applicant_unit), obj=trip, upload=upload, purpose=purpose
    )


# --- the application -----------------------------------------------------------------------------------


def leg(country: str, city: str, arrive: date, depart: date, airside: bool = False) -> tuple:
    return (country, city, arrive, depart, airside)


def standard_budget(legs: list[tuple], depart: date, return_: date, people: int) -> list[dict]:
    """Budget lines equal to the per-diem standard (an independent computation of DOMAIN.md's rule: meals
    and incidentals for every day from leaving China to re-entry, lodging for every night at a stop)."""
    totals: dict[tuple[str, str], Decimal] = {}
    stops = sorted((spec for spec in legs if not (len(spec) > 4 and spec[4])), key=lambda spec: spec[2])
    for index, (country, city, arrive, leave, *_rest) in enumerate(stops):
        found = PerDiemRate.objects.filter(country_id=country, city_name__in=[city, ""]).order_by(
            "-city_name"
        )
        found = found.first()
        if found is None:
            continue
        start = depart if index == 0 else arrive
        end = stops[index + 1][2] if index + 1 < len(stops) else return_ + timedelta(days=1)
        days, nights = (end - start).days, (leave - arrive).days
        for kind, per_day, count in (
            (BudgetKind.LODGING, found.lodging, nights),
            (BudgetKind.MEALS, found.meals, days),
            (BudgetKind.INCIDENTALS, found.incidentals, days),
        ):
            key = (str(kind), found.currency)
            totals[key] = totals.get(key, Decimal(0)) + per_day * count * people
    lines = [
        {"kind": kind, "currency": currency, "amount": amount} for (kind, currency), amount in totals.items()
    ]
    lines.append(
        {"kind": BudgetKind.INTERNATIONAL_TRAVEL, "currency": "CNY", "amount": Decimal("8000") * people}
    )
    return lines


def application(
    world,
    *,
    unit=None,
    category: str = "abroad",
    depart: date = DEPART,
    return_: date | None = None,
    legs: list[tuple] | None = None,
    members=2,
    ranks: list[str] | None = None,
    positions: list[str] | None = None,
    heads: int = 1,
    invitees: list[str] | None = None,
    invitation: tuple[date, date] | str | None = "cover",
    signed: bool = True,
    inviter_name: str = "东京都政府",
    inviter_kind: str = "government",
    notice: tuple[date, date] | str | None = "default",
    budget: list[dict] | str = "standard",
    plan: bool = True,
    mission: str = "考察友好城市经贸合作",
    sending_units=None,
    is_cross_unit: bool = False,
    documents: bool = True,
) -> services.Application:
    """The application of a clean trip, every fact overridable.

    ``members``: a count of new people of ``unit`` or a list of Person; ``ranks``/``positions`` give the
    new people's ranks and positions; the first member heads the delegation (``heads`` members are heads).
    ``legs``: tuples ``(country, city, arrive, depart[, airside])``. ``invitation``/``notice``: a date pair,
    None for none, or the default around the trip. ``budget``: lines, or "standard" for lines equal to the
    per-diem standard. ``documents``: every member holds a valid travel document of the trip's kind.
    """
    unit = unit or world.unit_a
    return_ = return_ or depart + timedelta(days=4)
    legs = legs if legs is not None else [leg("JP", "东京", depart, return_)]
    if isinstance(members, int):
        count = len(ranks) if ranks is not None else members
        ranks = ranks or [Rank.DIVISION] * count
        positions = positions or ["处长"] * count
        members = [person(unit, rank=r, position=p) for r, p in zip(ranks, positions, strict=True)]
    if documents:
        for member in members:
            give_document(world, member, category)
    ensure_rates(world)
    countries = Country.objects.in_bulk([spec[0] for spec in legs])
    if invitation == "cover":
        invitation = (depart - timedelta(days=2), return_ + timedelta(days=2))
    if notice == "default":
        notice = (depart - timedelta(days=21), depart - timedelta(days=1))
    if budget == "standard":
        budget = standard_budget(legs, depart, return_, len(members))
    fields = {
        "applicant_unit": unit,
        "category": category,
        "is_cross_unit": is_cross_unit,
        "mission": mission,
        "depart_date": depart,
        "return_date": return_,
        "inviter_name": inviter_name,
        "inviter_country": countries.get(legs[0][0]) if legs else None,
        "inviter_kind": inviter_kind,
        "invitation_from": invitation[0] if invitation else None,
        "invitation_to": invitation[1] if invitation else None,
        "invitation_invitees": [p.name for p in members] if invitees is None else invitees,
        "invitation_signed": signed,
        "notice_from": notice[0] if notice else None,
        "notice_to": notice[1] if notice else None,
        "plan_entry": plan_entry(world, unit, depart.year, [spec[0] for spec in legs]) if plan else None,
    }
    return services.Application(
        fields=fields,
        members=[
            {"person": p, "role": MemberRole.HEAD if i < heads else MemberRole.MEMBER}
            for i, p in enumerate(members)
        ],
        legs=[
            {
                "country": countries[spec[0]],
                "city": spec[1],
                "arrive": spec[2],
                "depart": spec[3],
                "transit_airside": len(spec) > 4 and spec[4],
            }
            for spec in legs
        ],
        budget=budget,
        sending_units=sending_units,
    )


def make_trip(
    world, *, attach: bool | str = True, state: str | None = None, on: date | None = None, **kwargs
) -> Trip:
    """File a clean application (``application()``'s keywords vary it) as the unit's clerk; attach the
    invitation (``attach`` may name another purpose); walk it on to ``state`` when given (approved ``on``)."""
    app = application(world, **kwargs)
    unit = app.fields["applicant_unit"]
    trip = services.trip_create(actor=clerk(world, unit), application=app)
    if attach:
        attach_invitation(world, trip, "invitation" if attach is True else attach)
    if state is not None:
        advance(world, trip, state, on=on)
    return trip


def rebuild(world, trip: Trip, **kwargs) -> services.Application:
    """The application of ``trip`` with some facts changed, for ``trip_update``."""
    fields = {
        name: getattr(trip, name)
        for name in (
            "applicant_unit",
            "category",
            "is_cross_unit",
            "mission",
            "depart_date",
            "return_date",
            "inviter_name",
            "inviter_country",
            "inviter_kind",
            "invitation_from",
            "invitation_to",
            "invitation_invitees",
            "invitation_signed",
            "notice_from",
            "notice_to",
            "plan_entry",
        )
    }
    members = [{"person": m.person, "role": m.role} for m in trip.members.select_related("person")]
    legs = [
        {
            "country": x.country,
            "city": x.city,
            "arrive": x.arrive,
            "depart": x.depart,
            "transit_airside": x.transit_airside,
        }
        for x in trip.legs.select_related("country")
    ]
    budget = [{"kind": b.kind, "currency": b.currency, "amount": b.amount} for b in trip.budget.all()]
    fields.update(kwargs.pop("fields", {}))
    return services.Application(
        fields=fields,
        members=kwargs.pop("members", members),
        legs=kwargs.pop("legs", legs),
        budget=kwargs.pop("budget", budget),
    )


# --- the workflow --------------------------------------------------------------------------------------


def come_back_records(trip: Trip, overrides: dict | None = None) -> list[dict]:
    """Each member's border dates equal to the approved dates; ``overrides[person_id]`` replaces fields."""
    overrides = overrides or {}
    return [
        {"person": m.person_id, "exit_date": trip.depart_date, "entry_date": trip.return_date}
        | overrides.get(m.person_id, {})
        for m in trip.members.all()
    ]


def step(world, trip: Trip, target: str | None = None, *, on: date | None = None) -> Trip:
    """Take the next step of the workflow with the role that takes it; ``target`` chooses between the
    branches (returned, rejected, cancelled)."""
    unit, office = trip.applicant_unit, trip.office
    state = trip.state
    if target == TripState.CANCELLED:
        return services.trip_cancel(actor=clerk(world, unit), trip=trip, reason="任务取消")
    if state == TripState.DRAFT:
        return services.trip_sign_off(actor=leader(world, unit), trip=trip, opinion="同意")
    if state in (TripState.SIGNED_OFF, TripState.RETURNED):
        return services.trip_submit(actor=clerk(world, unit), trip=trip)
    if state == TripState.SUBMITTED:
        if target == TripState.RETURNED:
            return services.trip_return(
                actor=staff(world, office), trip=trip, fixes=[{"field": "mission", "message": "任务不明确"}]
            )
        return services.trip_review(actor=staff(world, office), trip=trip, opinion="拟同意")
    if state in (TripState.REVIEWED, TripState.ESCALATED):
        if target == TripState.REJECTED:
            return services.trip_reject(
                actor=approver(world, trip.deciding_office), trip=trip, reason="不必要"
            )
        return services.trip_approve(
            actor=approver(world, trip.deciding_office), trip=trip, opinion="同意", on=on
        )
    if state == TripState.APPROVED:
        return services.trip_brief(
            actor=staff(world, office),
            trip=trip,
            on=trip.depart_date - timedelta(days=3),
            content="外事纪律与安全教育",
            attendees=[m.person for m in trip.members.select_related("person")],
        )
    if state == TripState.BRIEFED:
        return services.trip_depart(actor=staff(world, office), trip=trip, on=trip.depart_date)
    if state == TripState.DEPARTED:
        return services.trip_come_back(actor=staff(world, office), trip=trip, records=come_back_records(trip))
    if state == TripState.RETURNED_HOME:
        return services.trip_report(
            actor=clerk(world, unit), trip=trip, text="出访报告", outcomes="签署合作备忘录"
        )
    if state == TripState.REPORTED:
        return services.trip_evaluate(actor=staff(world, office), trip=trip, score=90, comments="成果良好")
    if state == TripState.EVALUATED:
        return services.trip_close(actor=staff(world, office), trip=trip)
    raise AssertionError(f"no step from {state}")


def advance(world, trip: Trip, target: str, *, on: date | None = None) -> Trip:
    """Walk ``trip`` through the real services until it reaches ``target``."""
    for _ in range(20):
        if trip.state == target:
            return trip
        step(world, trip, target, on=on)
    raise AssertionError(f"{trip} did not reach {target}: it is {trip.state}")


# --- unsaved facts for the pure rules ------------------------------------------------------------------


def facts(
    world,
    *,
    category: str = "abroad",
    depart: date = DEPART,
    days: int = 5,
    legs: list[tuple] | None = None,
    members: int = 2,
    ranks: list[str] | None = None,
    positions: list[str] | None = None,
    notice: tuple[date, date] | None = None,
    unit=None,
    countries: dict | None = None,
) -> rules.Facts:
    """Facts of an unsaved trip (no row written): for rules that read only the trip and its settings."""
    unit = unit or world.unit_a
    return_ = depart + timedelta(days=days - 1)
    legs = legs if legs is not None else [leg("JP", "东京", depart, return_)]
    countries = countries or Country.objects.in_bulk([spec[0] for spec in legs])
    trip = Trip(
        applicant_unit=unit,
        office=unit.office(),
        category=category,
        mission="考察",
        depart_date=depart,
        return_date=return_,
        notice_from=notice[0] if notice else None,
        notice_to=notice[1] if notice else None,
    )
    ranks = ranks or [Rank.DIVISION] * members
    positions = positions or ["处长"] * len(ranks)
    people = [
        TripMember(
            person=Person(organization=unit, name=f"成员{i}", rank=r, position=p),
            role=MemberRole.HEAD if i == 0 else MemberRole.MEMBER,
        )
        for i, (r, p) in enumerate(zip(ranks, positions, strict=True))
    ]
    trip_legs = [
        TripLeg(
            country=countries[spec[0]],
            city=spec[1],
            arrive=spec[2],
            depart=spec[3],
            transit_airside=len(spec) > 4 and spec[4],
        )
        for spec in legs
    ]
    return rules.Facts(trip, members=people, legs=trip_legs, budget=[])


def run(code: str, subject) -> list[rules.Finding]:
    """The findings of one rule for a trip or for facts."""
    return list(rules.RULES[code](subject if isinstance(subject, rules.Facts) else rules.Facts.of(subject)))


def codes(findings) -> set[str]:
    return {f.code for f in findings}
