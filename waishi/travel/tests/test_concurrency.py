"""Two leaders approving at the same moment (QUALITY.md Reliability 1): real threads, real transactions.

Each thread opens its own connection and closes it at the end (``run_in_threads``). On the in-memory SQLite
test database a writer meeting another's lock fails at once instead of waiting for the 20 s busy timeout of
the file database, so ``retry_locked`` waits as that timeout would; PostgreSQL waits on its row locks itself.
"""

import threading
from datetime import timedelta

import pytest
from django.utils import timezone

from waishi.core.audit import verify
from waishi.core.errors import Conflict
from waishi.core.testing.factories import UserFactory
from waishi.core.tests.concurrency import retry_locked, run_in_threads
from waishi.travel import services
from waishi.travel.choices import TripState
from waishi.travel.models import ApprovalCounter, Trip, TripEvent
from waishi.travel.tests import factories as f
from waishi.travel.tests.factories import DEPART
from waishi.users.models import User

pytestmark = pytest.mark.django_db(transaction=True)

YEAR = timezone.localdate().year
ROUNDS = 50  # QUALITY.md Reliability 1


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    f.speed_up(settings, tmp_path)


@pytest.fixture
def leaders(world):
    """Two leaders of city A's office."""
    second = UserFactory(username="fao_leader-city-a-2", organization=world.city_a, roles=["fao_leader"])
    return [f.approver(world), second]


def reviewed_trips(world, count: int) -> list[Trip]:
    return [
        f.make_trip(world, depart=DEPART + timedelta(days=10 * n), state=TripState.REVIEWED)
        for n in range(count)
    ]


def approve_in_thread(leader_pk: int, trip_pk: int, barrier: threading.Barrier | None = None):
    """Load the actor and the trip as a request would, wait for the other thread, approve."""
    actor = retry_locked(User.objects.select_related("organization").get, pk=leader_pk)
    trip = retry_locked(Trip.objects.select_related("deciding_office", "office").get, pk=trip_pk)
    if barrier is not None:
        barrier.wait(timeout=60)
    try:
        return retry_locked(services.trip_approve, actor=actor, trip=trip, opinion="同意")
    except Conflict as exc:
        return exc


def test_two_leaders_approving_the_same_trip_at_once(world, leaders):
    trips = reviewed_trips(world, ROUNDS)
    for trip in trips:
        barrier = threading.Barrier(2)
        outcomes: list = [None, None]

        def body(index, trip_pk=trip.pk, barrier=barrier, outcomes=outcomes):
            outcomes[index] = approve_in_thread(leaders[index].pk, trip_pk, barrier)

        assert run_in_threads(2, body) == []
        approved = [o for o in outcomes if isinstance(o, Trip)]
        refused = [o for o in outcomes if isinstance(o, Conflict)]
        assert (len(approved), len(refused)) == (1, 1), outcomes
        assert refused[0].status == 409 and refused[0].code in {"already_decided", "wrong_state"}
        assert TripEvent.objects.filter(trip=trip, action="approve").count() == 1
        stored = Trip.objects.get(pk=trip.pk)
        assert stored.state == TripState.APPROVED
        assert stored.approval_number == approved[0].approval_number
        winner = next(i for i, o in enumerate(outcomes) if isinstance(o, Trip))
        assert TripEvent.objects.get(trip=trip, action="approve").actor_id == leaders[winner].pk

    numbers = list(Trip.objects.order_by("approval_seq").values_list("approval_seq", "approval_number"))
    assert [seq for seq, _number in numbers] == list(range(1, ROUNDS + 1))
    assert [number for _seq, number in numbers] == [f"甲外审〔{YEAR}〕{n}号" for n in range(1, ROUNDS + 1)]
    assert ApprovalCounter.objects.get(office=world.city_a, year=YEAR).last == ROUNDS
    assert verify().ok


def test_approving_ten_trips_from_two_threads_numbers_them_one_to_ten(world, leaders):
    trips = reviewed_trips(world, 10)
    barrier = threading.Barrier(2)
    outcomes: list = []
    lock = threading.Lock()

    def body(index):
        barrier.wait(timeout=60)
        for trip in trips[index::2]:
            outcome = approve_in_thread(leaders[index].pk, trip.pk)
            with lock:
                outcomes.append(outcome)

    assert run_in_threads(2, body) == []
    assert all(isinstance(o, Trip) for o in outcomes), outcomes
    seqs = sorted(Trip.objects.values_list("approval_seq", flat=True))
    assert seqs == list(range(1, 11))
    assert len(set(Trip.objects.values_list("approval_number", flat=True))) == 10
    assert TripEvent.objects.filter(action="approve").count() == 10
    assert ApprovalCounter.objects.get(office=world.city_a, year=YEAR).last == 10
    assert verify().ok
