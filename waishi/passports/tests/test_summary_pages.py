"""The custody page and the figures page stay the same size whatever the number of documents: each section
shows its count and its first WAISHI_SUMMARY_ROWS records (the most pressing first), and links to the
document list filtered to exactly the records behind it."""

import html
import re
from datetime import timedelta

import pytest
from django.urls import reverse

from waishi.core.testing.views import assert_same_queries, page_queries
from waishi.passports import selectors
from waishi.passports.choices import Custody
from waishi.passports.tests import factories as f

LIMIT = 2


@pytest.fixture(autouse=True)
def fast(settings):
    f.speed_up(settings)
    settings.WAISHI_SUMMARY_ROWS = LIMIT


def listed(client, url) -> set[int]:
    """The documents the list at ``url`` holds (every page: its filter's records), after checking that its
    first page shows them."""
    response = client.get(url)
    assert response.status_code == 200, url
    records = {d.pk for d in response.context["filterset"].qs}
    assert {d.pk for d in response.context["table"].page.records} == records, url
    return records


def links(page: str) -> list[str]:
    return [html.unescape(url) for url in re.findall(r'class="all-in-list" href="([^"]+)"', page)]


def make_sections(world, n: int) -> dict[str, list]:
    """``n`` documents in each section of the custody page, in the order the page lists them."""
    today = f.today()
    unit = world.unit_a
    overdue = [f.out_since(world, f.holder(unit), due=today - timedelta(days=10 - i))[0] for i in range(n)]
    out = [f.out_since(world, f.holder(unit), due=today + timedelta(days=i))[0] for i in range(n)]
    safe = [f.document(f.holder(unit), expires=today + timedelta(days=400 + i)) for i in range(n)]
    other = [f.document(f.holder(unit), custody=Custody.LOST)] + [
        f.document(f.holder(unit), expires=today - timedelta(days=1 + i)) for i in range(n - 2)
    ]
    other.append(f.document(f.holder(unit), custody=Custody.CANCELLED, expires=today - timedelta(days=99)))
    return {"overdue": overdue, "checked_out": out, "in_custody": safe, "other": other}


def test_each_section_shows_the_first_rows_its_count_and_a_link_to_all(client, world):
    made = make_sections(world, 4)
    f.document(f.holder(world.unit_b))  # another city's: counted nowhere
    client.force_login(f.officer(world))
    response = client.get(reverse("passports:custody"))
    assert response.status_code == 200
    page = response.content.decode()
    for section in response.context["sections"]:
        documents = made[section.key]
        assert section.count == 4, section.key
        assert [d.pk for d in section.rows] == [d.pk for d in documents[:LIMIT]], section.key
        assert section.url in links(page), section.key
        assert listed(client, section.url) == {d.pk for d in documents}, section.key
        assert f"共4本，显示前{LIMIT}本" in page


def test_a_search_narrows_the_sections_and_their_links(client, world):
    made = make_sections(world, 3)
    target = made["overdue"][2]
    client.force_login(f.officer(world))
    response = client.get(reverse("passports:custody"), {"q": target.number})
    found = {s.key: (s.count, [d.pk for d in s.rows]) for s in response.context["sections"]}
    assert found["overdue"] == (1, [target.pk])
    assert sum(count for count, _rows in found.values()) == 1
    overdue = response.context["sections"][0]
    assert listed(client, overdue.url) == {target.pk}


def test_the_expiring_card_is_bounded_and_links_to_all(client, world):
    today = f.today()
    soon = [f.document(f.holder(world.unit_a), expires=today + timedelta(days=10 + i)) for i in range(4)]
    f.document(f.holder(world.unit_a), expires=today + timedelta(days=3), custody=Custody.LOST)
    f.document(f.holder(world.unit_a), expires=today + timedelta(days=3000))
    client.force_login(f.officer(world))
    response = client.get(reverse("passports:custody"))
    assert [d.pk for d in response.context["expiring"]] == [d.pk for d in soon[:LIMIT]]
    assert response.context["expiring_count"] == 4
    assert listed(client, response.context["expiring_url"]) == {d.pk for d in soon}


def test_the_custody_page_makes_the_same_queries_with_ten_times_the_documents(client, world):
    make_sections(world, 3)
    client.force_login(f.officer(world))
    url = reverse("passports:custody")
    before = page_queries(client, url)
    make_sections(world, 30)
    assert_same_queries(before, page_queries(client, url), url)


def lend(world, person, *, due, back=None):
    """A document checked out for a trip, due back on ``due``, taken back on ``back`` if given."""
    document, _trip = f.out_since(world, person, due=due)
    return f.take_back(world, document, on=back) if back is not None else document


def make_ledger(world, n: int) -> dict[str, list]:
    """``n`` check-outs due in the last 60 days of each outcome, and one due before them."""
    today = f.today()
    unit = world.unit_a
    due = [today - timedelta(days=60 - i) for i in range(n)]
    return {
        "never": [lend(world, f.holder(unit), due=d) for d in due],
        "late": [lend(world, f.holder(unit), due=d, back=d + timedelta(days=1)) for d in due],
        "on_time": [lend(world, f.holder(unit), due=d, back=d) for d in due],
        "before": [
            lend(world, f.holder(unit), due=today - timedelta(days=90), back=today - timedelta(days=80))
        ],
    }


def figures(client, **params):
    response = client.get(reverse("passports:figures"), params)
    assert response.status_code == 200
    return response


def test_the_figures_show_the_first_check_outs_and_link_to_their_documents(client, world):
    today = f.today()
    made = make_ledger(world, 3)
    client.force_login(f.officer(world))
    period = {"from": (today - timedelta(days=60)).isoformat(), "to": today.isoformat()}
    response = figures(client, **period)
    context = response.context
    rate, checkouts = selectors.collection_rate(f.officer(world), today - timedelta(days=60), today)
    assert (context["collection"].numerator, context["collection"].denominator) == (3, 9)
    assert (context["collection"].numerator, context["collection"].denominator) == (
        rate.numerator,
        rate.denominator,
    )
    # not returned on time first (still out or back late), the earliest due first
    assert [c.document_id for c in context["checkouts"]] == [made["never"][0].pk, made["late"][0].pk]
    assert context["checkout_documents"] == 9
    page = response.content.decode()
    assert "共9次领用，显示前2次" in page
    assert context["checkouts_url"] in links(page)
    assert listed(client, context["checkouts_url"]) == {c.document_id for c in checkouts}
    # for one office: the same documents (all in city A), none for city B's office
    response = figures(client, office=world.city_a.pk, **period)
    assert listed(client, response.context["checkouts_url"]) == {c.document_id for c in checkouts}


def test_the_figures_show_the_first_documents_not_in_custody_and_link_to_all(client, world):
    today = f.today()
    made = make_sections(world, 4)
    expired_overdue, _trip = f.out_since(
        world, f.holder(world.unit_a), due=today - timedelta(days=30), expires=today - timedelta(days=1)
    )
    client.force_login(f.officer(world))
    response = figures(client)
    context = response.context
    rate, _counted = selectors.custody_rate(f.officer(world), today)
    # the counted documents: the four in the safe and the four overdue (an expired one is not counted)
    assert (rate.numerator, rate.denominator) == (4, 8)
    assert context["counted"] == 8
    assert context["not_in_custody_count"] == 4
    assert [d.pk for d in context["not_in_custody"]] == [d.pk for d in made["overdue"][:LIMIT]]
    page = response.content.decode()
    assert context["not_in_custody_url"] in links(page)
    assert listed(client, context["not_in_custody_url"]) == {d.pk for d in made["overdue"]}
    assert expired_overdue.pk not in listed(client, context["not_in_custody_url"])


def test_the_figures_page_makes_the_same_queries_with_ten_times_the_documents(client, world):
    make_sections(world, 3)
    make_ledger(world, 1)
    client.force_login(f.officer(world))
    url = reverse("passports:figures")
    before = page_queries(client, url)
    make_sections(world, 30)
    make_ledger(world, 10)
    assert_same_queries(before, page_queries(client, url), url)


def test_the_other_section_lists_the_lost_first_then_the_most_recently_expiring(client, world, settings):
    """The section is read in parts (the lost; the cancelled not yet expired; the expired): together they
    are in the section's order, and the first rows are those of the whole section."""
    today = f.today()

    def document(days: int, custody=Custody.IN_CUSTODY):
        return f.document(f.holder(world.unit_a), custody=custody, expires=today + timedelta(days=days))

    expected = [
        document(300, Custody.LOST),
        document(-30, Custody.LOST),
        document(100, Custody.CANCELLED),
        document(0, Custody.CANCELLED),
        document(-1),
        document(-5, Custody.CANCELLED),
        document(-9),
    ]
    document(0)  # in the safe on its last day
    client.force_login(f.officer(world))
    for limit in (len(expected), 3):
        settings.WAISHI_SUMMARY_ROWS = limit
        other = client.get(reverse("passports:custody")).context["sections"][3]
        assert other.count == len(expected)
        assert [d.pk for d in other.rows] == [d.pk for d in expected[:limit]]
