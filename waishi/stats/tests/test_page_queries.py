"""The dashboard makes as many queries with 100 approved trips (members, stops in many countries, checked-out
passports, partnerships) as with 10."""

import datetime

import pytest
from django.urls import reverse

from waishi.core.testing.factories import PersonFactory
from waishi.core.testing.views import assert_same_queries, page_queries
from waishi.directory.models import Country
from waishi.partners.tests import factories as partner_factories
from waishi.passports.choices import MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.travel.models import Trip, TripLeg, TripMember

pytestmark = pytest.mark.django_db

YEAR = 2023
CATEGORIES = ["abroad", "hkmo", "abroad", "abroad"]
STATES = ["closed", "closed", "cancelled", "reported"]


def make_year(world, numbers, countries):
    """For each number an approved trip of unit A (office: city A) in YEAR, with two members, a stop in one
    of ``countries``, a service passport checked out for it and returned, and a partnership signed."""
    for n in numbers:
        day = datetime.date(YEAR, 1, 1) + datetime.timedelta(days=n * 3)
        trip = Trip.objects.create(
            applicant_unit=world.unit_a,
            office=world.city_a,
            deciding_office=world.city_a,
            category=CATEGORIES[n % 4],
            is_cross_unit=n % 5 == 0,
            mission=f"交流{n}",
            state=STATES[n % 4],
            depart_date=day + datetime.timedelta(days=10),
            return_date=day + datetime.timedelta(days=15),
            approved_on=day,
        )
        for role in ("head", "member"):
            person = PersonFactory(organization=world.unit_a)
            TripMember.objects.create(trip=trip, person=person, role=role)
            document = TravelDocument.objects.create(
                person=person,
                kind="service",
                number=f"SE{n:05d}{len(role)}",
                issued=datetime.date(2020, 1, 1),
                expires=datetime.date(2030, 1, 1),
                custodian=world.city_a,
            )
            for kind, on in (
                (MovementKind.CHECK_OUT, trip.depart_date),
                (MovementKind.RETURN, trip.return_date),
            ):
                CustodyMovement.objects.create(
                    document=document, kind=kind, date=on, trip=trip, handed_over_by="甲", received_by="乙"
                )
        country = "HK" if trip.category == "hkmo" else countries[n % len(countries)]
        TripLeg.objects.create(
            trip=trip, country_id=country, city="c", arrive=trip.depart_date, depart=trip.return_date
        )
        partner_factories.partnership(world.city_a, signed_on=day, country=countries[n % len(countries)])


def test_dashboard_queries_do_not_grow_with_trips(client, world):
    countries = list(
        Country.objects.filter(is_region=False).exclude(code="CN").values_list("code", flat=True)[:60]
    )
    make_year(world, range(10), countries)
    client.force_login(world.user("fao_leader"))
    url = reverse("stats:dashboard")
    query = {"office": world.city_a.pk, "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"}
    before = page_queries(client, url, **query)
    make_year(world, range(10, 100), countries)
    assert_same_queries(before, page_queries(client, url, **query), url)
