"""QUALITY.md Reliability 1: two passport officers check out the same document at the same moment; exactly
one succeeds, the other gets Conflict (409 in the API), and the ledger has one check-out line."""

import copy
import threading
from collections import Counter

import pytest

from waishi.core.errors import Conflict
from waishi.core.models import AuditLog
from waishi.core.testing.factories import UserFactory
from waishi.core.tests.concurrency import retry_locked, run_in_threads
from waishi.passports import services
from waishi.passports.choices import Custody, MovementKind
from waishi.passports.models import CustodyMovement, TravelDocument
from waishi.passports.tests import factories as f

ROUNDS = 50  # QUALITY.md Reliability 1


@pytest.fixture(autouse=True)
def fast(settings):
    f.speed_up(settings)


@pytest.mark.django_db(transaction=True)
def test_two_officers_check_out_the_same_document_at_once(world):
    officers = [
        f.officer(world),
        UserFactory(username="passport_officer-2", organization=world.city_a, roles=["passport_officer"]),
    ]
    for officer in officers:
        # fill the permission caches before threading
        assert officer.has_perm("passports.keep_traveldocument")
    people = [f.holder(world.unit_a) for _ in range(ROUNDS)]
    documents = [f.document(person) for person in people]
    journey = f.trip(people)
    barrier = threading.Barrier(2, timeout=60)
    outcomes: list[tuple[int, int, str]] = []
    lock = threading.Lock()

    def contender(index):
        for round_ in range(ROUNDS):
            barrier.wait()  # both finished the previous round
            loaded = TravelDocument.objects.get(pk=documents[round_].pk)
            trip = type(journey).objects.get(pk=journey.pk)
            barrier.wait()  # both hold the same version

            def attempt(loaded=loaded, trip=trip):
                # every attempt starts from the copy both officers loaded: a retry after SQLite's lock
                # error must not see what its own rolled-back attempt wrote into the instance
                return services.document_check_out(
                    actor=officers[index],
                    document=copy.copy(loaded),
                    trip=trip,
                    on=f.today(),
                    handed_over_by=str(officers[index]),
                    received_by=loaded.person.name,
                )

            try:
                retry_locked(attempt)
                outcome = "won"
            except Conflict:
                outcome = "conflict"
            with lock:
                outcomes.append((round_, index, outcome))

    errors = run_in_threads(2, contender)
    assert errors == []
    per_round = Counter((round_, outcome) for round_, _index, outcome in outcomes)
    for round_ in range(ROUNDS):
        assert per_round[(round_, "won")] == 1, round_
        assert per_round[(round_, "conflict")] == 1, round_
    winners = {round_: index for round_, index, outcome in outcomes if outcome == "won"}
    for round_, document in enumerate(documents):
        stored = TravelDocument.objects.get(pk=document.pk)
        assert (stored.custody, stored.trip_id, stored.version) == (Custody.CHECKED_OUT, journey.pk, 2)
        lines = CustodyMovement.objects.filter(document=document, kind=MovementKind.CHECK_OUT)
        assert lines.count() == 1, round_
        assert lines.get().recorded_by == officers[winners[round_]]
        assert AuditLog.objects.filter(object_id=str(document.pk), action="passport.check_out").count() == 1
    assert CustodyMovement.objects.filter(kind=MovementKind.CHECK_OUT).count() == ROUNDS
