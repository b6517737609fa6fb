"""The home page shows the most urgent items of the work queue and how many of each kind there are; the
work queue page shows them all, a page at a time, of one kind or all."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse

from waishi.core import navigation
from waishi.core.navigation import WorkItem, WorkList, work_queue
from waishi.core.testing.views import assert_same_queries, page_queries

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 2)


def items(category: str, count: int, overdue: int = 0) -> list[WorkItem]:
    """``count`` items of ``category``, the first ``overdue`` of them overdue, due a day apart."""
    return [
        WorkItem(
            title=f"{category}{n:03d}",
            url=f"/{category}/{n}/",
            category=category,
            due=DAY + timedelta(days=n),
            overdue=n < overdue,
        )
        for n in range(count)
    ]


@pytest.fixture
def queue(monkeypatch):
    """Replace the modules' work queue providers by one that returns what the test sets, as a provider
    does: for each category its count and only its ``limit`` most urgent items, in no particular order."""
    held: list[WorkItem] = []

    def provider(user, limit):
        lists = []
        for category in dict.fromkeys(item.category for item in held):
            items = sorted((item for item in held if item.category == category), key=navigation.urgency)
            lists.append(WorkList(category, len(items), items[:limit][::-1]))
        return lists

    monkeypatch.setattr(navigation, "WORK_QUEUE_PROVIDERS", [provider])
    return held


@pytest.fixture
def staff(client, world):
    client.force_login(world.user("unit_clerk"))
    return client


def shown(response) -> list[str]:
    """The titles of the work items on the page, in order."""
    html = response.content.decode()
    block = html[html.index('id="work-items"') :]
    return [
        title
        for title in (f"{c}{n:03d}" for c in ("证照", "出国") for n in range(200))
        if f"</span>{title}</span>" in block
    ]


def test_home_shows_the_most_urgent_items_and_the_count_of_each_kind(staff, queue, settings):
    settings.WAISHI_SUMMARY_ROWS = 3
    queue += items("出国", 5) + items("证照", 4, overdue=2)
    response = staff.get(reverse("home"))
    assert response.status_code == 200
    # Overdue first, then by due date.
    assert shown(response) == ["证照000", "证照001", "出国000"]
    more = response.content.decode().split('id="work-more"')[1]
    assert "全部9项待办" in more
    assert f"{reverse('work_queue')}?category=%E5%87%BA%E5%9B%BD" in more
    assert "出国 5" in more and "证照 4" in more


def test_home_without_more_items_than_it_shows_offers_no_link(staff, queue, settings):
    settings.WAISHI_SUMMARY_ROWS = 3
    queue += items("出国", 3)
    response = staff.get(reverse("home"))
    assert shown(response) == ["出国000", "出国001", "出国002"]
    assert 'id="work-more"' not in response.content.decode()


def test_the_work_queue_page_shows_every_item_a_page_at_a_time(staff, queue):
    queue += items("出国", 70) + items("证照", 50, overdue=50)
    url = reverse("work_queue")
    first = staff.get(url)
    assert shown(first) == [f"证照{n:03d}" for n in range(50)]
    assert "共120条记录" in first.content.decode()
    third = staff.get(url, {"page": 3})
    assert shown(third) == [f"出国{n:03d}" for n in range(50, 70)]
    assert shown(staff.get(url, {"page": 99})) == shown(third)  # past the end: the last page
    assert shown(staff.get(url, {"page": "x"})) == shown(first)


def test_the_work_queue_page_shows_one_kind(staff, queue):
    queue += items("出国", 3) + items("证照", 2, overdue=1)
    url = reverse("work_queue")
    assert shown(staff.get(url, {"category": "出国"})) == ["出国000", "出国001", "出国002"]
    # A kind the queue does not hold: every item.
    assert len(shown(staff.get(url, {"category": "没有"}))) == 5


def test_an_empty_work_queue_page_says_so(staff, queue):
    response = staff.get(reverse("work_queue"))
    assert 'id="work-queue-empty"' in response.content.decode()


@pytest.mark.parametrize("url_name", ["home", "work_queue"])
def test_the_pages_make_as_many_queries_with_10_times_the_items(staff, queue, url_name):
    queue += items("出国", 12)
    url = reverse(url_name)
    before = page_queries(staff, url)
    queue += items("证照", 120, overdue=10)
    assert_same_queries(before, page_queries(staff, url), url)


def test_the_pages_show_what_the_whole_sorted_queue_holds(staff, queue, settings, world):
    """Each provider gives only its most urgent items: the pages show what every item sorted would, past
    the first page too, and kinds of as many items in the order of their most urgent one."""
    settings.WAISHI_SUMMARY_ROWS = 4
    undated = [WorkItem(title=f"证照{n:03d}", url=f"/证照/{n}/", category="证照") for n in range(52, 55)]
    queue += items("出国", 55) + items("证照", 52, overdue=3) + undated[::-1]
    ordered = sorted(queue, key=navigation.urgency)
    counts = Counter(item.category for item in ordered).most_common()
    assert counts == [("证照", 55), ("出国", 55)]
    home = staff.get(reverse("home")).context
    assert (home["work_items"], home["work_total"], home["work_categories"]) == (ordered[:4], 110, counts)
    for category in ("", "出国", "证照"):
        kind = [item for item in ordered if item.category in (category or item.category)]
        for number in (1, 2, 3, 9):
            page = staff.get(reverse("work_queue"), {"category": category, "page": number}).context
            last = (len(kind) - 1) // 50 + 1
            start = (min(number, last) - 1) * 50
            assert page["page"].records == kind[start : start + 50], (category, number)
            assert (page["page"].count.value, page["categories"], page["category"]) == (
                len(kind),
                counts,
                category,
            )
    assert work_queue(world.user("unit_clerk")).items == ordered  # the reminders read every item
