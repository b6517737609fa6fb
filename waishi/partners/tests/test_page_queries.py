"""The sister-city pages make as many queries with many rows as with few: the map, the targets page, 三个一批
and the home page's work queue with 10 times the partnerships (each with its history and exchanges), a
partnership's page with 10 times the exchanges, contacts and level changes."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from waishi.core.testing.views import assert_same_queries, page_queries
from waishi.partners.choices import ContactSide, PartnerLevel, TargetMetric
from waishi.partners.models import Contact
from waishi.partners.selectors import today
from waishi.partners.tests import factories as f

pytestmark = pytest.mark.django_db

LEVELS = [PartnerLevel.INTENT, PartnerLevel.FRIENDLY, PartnerLevel.SISTER]


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_partnerships(world, numbers):
    """For each number a partnership of city A in one of three countries, signed on a date whose
    anniversary is near, raised a level later, some with a recent exchange and some long quiet."""
    now = today()
    partnerships = []
    for n in numbers:
        signed = date(now.year - 5 - n % 20, now.month, 1) + timedelta(days=n % 25)
        history = [(LEVELS[n % 2 + 1], signed + timedelta(days=400))] if n % 3 else []
        p = f.partnership(
            world.city_a,
            level=LEVELS[n % 2],
            signed_on=signed,
            country=["JP", "IT", "KR"][n % 3],
            history=history,
        )
        if n % 4:
            f.exchange(p, now - timedelta(days=30 * (n % 30)))
        partnerships.append(p)
    return partnerships


def make_targets(world):
    start, deadline = date(today().year - 2, 1, 1), date(today().year + 1, 12, 31)
    for metric in TargetMetric:
        f.target(world.city_a, metric, 5, start, deadline, include_lower=True)


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("partners:map", "fao_staff"),
        ("partners:targets", "fao_leader"),
        ("partners:three_batches", "fao_staff"),
        ("partners:partnership_list", "fao_staff"),
        ("home", "fao_staff"),
    ],
)
def test_pages_make_as_many_queries_with_10_times_the_partnerships(client, world, url_name, role):
    make_targets(world)
    make_partnerships(world, range(10))
    client.force_login(world.user(role))
    url = reverse(url_name)
    before = page_queries(client, url)
    make_partnerships(world, range(10, 100))
    assert_same_queries(before, page_queries(client, url), url)


@pytest.mark.parametrize("url_name", ["partners:targets", "stats:dashboard"])
def test_pages_make_as_many_queries_with_10_times_the_targets(client, world, url_name):
    make_partnerships(world, range(10))
    make_targets(world)
    client.force_login(world.user("fao_leader"))
    url = reverse(url_name)
    before = page_queries(client, url)
    for _ in range(9):
        make_targets(world)
    assert_same_queries(before, page_queries(client, url), url)


def test_partnership_page_queries_do_not_grow_with_its_history(client, world):
    p = make_partnerships(world, [1])[0]
    client.force_login(world.user("fao_staff"))
    url = p.get_absolute_url()

    def grow(numbers):
        others = make_partnerships(world, [n + 1000 for n in numbers])
        for n, other in zip(numbers, others, strict=True):
            f.exchange([p, other], today() - timedelta(days=n))
            Contact.objects.create(partnership=p, side=ContactSide.OURS, name=f"联系人{n}")

    grow([0])
    before = page_queries(client, url)
    grow(range(1, 10))
    assert_same_queries(before, page_queries(client, url), url)
