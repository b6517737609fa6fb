"""The custody pages make as many queries with many rows as with few: the custody page and the home
page's work queue with 10 times the documents (in every state, some out on trips), a document's page with
10 times the ledger lines."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from waishi.core.testing.factories import PersonFactory
from waishi.core.testing.views import assert_bounded_work_queue, assert_same_queries, page_queries
from waishi.passports.choices import Custody, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.travel.models import Trip

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def trip(world, n):
    today = timezone.localdate()
    return Trip.objects.create(
        applicant_unit=world.unit_a,
        office=world.city_a,
        category="abroad",
        mission=f"交流{n}",
        depart_date=today - datetime.timedelta(days=30 + n),
        return_date=today - datetime.timedelta(days=20 + n),
        state="returned_home",
    )


def make_documents(world, numbers):
    """For each number a document of unit A kept by city A: in custody, out on a trip, overdue, expiring
    soon, expired or lost, round robin."""
    today = timezone.localdate()
    documents = []
    for n in numbers:
        shape = n % 6
        out = shape in (1, 2)
        documents.append(
            TravelDocument.objects.create(
                person=PersonFactory(organization=world.unit_a),
                kind="service",
                number=f"SE{n:07d}",
                issued=datetime.date(2020, 1, 1),
                expires=today
                + datetime.timedelta(days={3: 40, 4: -5}.get(shape, 3000)),  # expiring soon, expired
                custodian=world.city_a,
                custody=Custody.CHECKED_OUT if out else Custody.LOST if shape == 5 else Custody.IN_CUSTODY,
                trip=trip(world, n) if out else None,
                due_date=today + datetime.timedelta(days=-3 if shape == 2 else 10) if out else None,
            )
        )
    return documents


def add_ledger(world, document, numbers):
    """A check-out for a trip and its return, for each number."""
    today = timezone.localdate()
    for n in numbers:
        for kind in (MovementKind.CHECK_OUT, MovementKind.RETURN):
            CustodyMovement.objects.create(
                document=document,
                kind=kind,
                date=today - datetime.timedelta(days=n),
                trip=trip(world, 1000 + n),
                handed_over_by="甲",
                received_by="乙",
            )


@pytest.mark.parametrize("url_name", ["passports:custody", "home", "work_queue"])
def test_custody_page_and_work_queue_queries_do_not_grow_with_documents(client, world, url_name):
    make_documents(world, range(12))
    client.force_login(world.user("passport_officer"))
    url = reverse(url_name)
    before = page_queries(client, url)
    make_documents(world, range(12, 120))
    assert_same_queries(before, page_queries(client, url), url)


def test_the_work_queue_cut_to_a_page_holds_the_whole_queues_first_documents(world):
    """Overdue and expiring documents read to the first n by date, ties included, and counted: the whole
    queue's first n, for every n."""
    documents = make_documents(world, range(36))
    today = timezone.localdate()
    for n, document in enumerate(documents):
        if document.custody == Custody.CHECKED_OUT:  # some overdue or due back the same day, some not
            TravelDocument.objects.filter(pk=document.pk).update(
                due_date=today + datetime.timedelta(n % 4 - 2)
            )
        elif n % 6 == 3:
            TravelDocument.objects.filter(pk=document.pk).update(
                expires=today + datetime.timedelta(n % 12 + 30)
            )
    assert_bounded_work_queue(world.user("passport_officer"))


def test_document_page_queries_do_not_grow_with_its_ledger(client, world):
    document = make_documents(world, [0])[0]
    add_ledger(world, document, [0])
    client.force_login(world.user("passport_officer"))
    url = document.get_absolute_url()
    before = page_queries(client, url)
    add_ledger(world, document, range(1, 10))
    assert_same_queries(before, page_queries(client, url), url)
