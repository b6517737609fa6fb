"""List pages at scale (core.pagination): cursor pages after the numbered ones, with no row shown twice or
skipped even where many rows share a sort value, and a count that is exact only while that is cheap."""

import datetime
from itertools import chain
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from waishi.core.pagination import count_rows, decode_cursor, encode_cursor, sort_keys
from waishi.travel.models import Trip

DATES = [datetime.date(2026, 5, day) for day in (1, 1, 1, 8, 8, 15)]  # many ties


@pytest.fixture
def trips(world):
    """60 trips of unit A on six departure dates (ten on each date), two categories."""
    return [
        Trip.objects.create(
            applicant_unit=world.unit_a,
            office=world.city_a,
            category="abroad" if n % 3 else "hkmo",
            mission=f"交流{n}",
            depart_date=DATES[n % len(DATES)],
            return_date=DATES[n % len(DATES)] + datetime.timedelta(days=n % 4),
        )
        for n in range(60)
    ]


@pytest.fixture
def clerk(client, world, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.WAISHI_LIST_NUMBERED_PAGES = 1  # every page after the first is reached by a cursor
    client.force_login(world.user("unit_clerk"))
    return client


def walk(client, query: str, link: str):
    """Follow ``link`` ("next_query" or "previous_query") from the list page at ``query``: the pks of each
    page, and the queries visited."""
    url = reverse("travel:trip_list")
    pages, queries = [], []
    while query is not None:
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200
        page = response.context["page"]
        pages.append([record.pk for record in page.records])
        queries.append(query)
        query = getattr(page, link) or None
    return pages, queries


@pytest.mark.parametrize(
    ("sort", "ordering"),
    [
        ("", ["-depart_date", "-id"]),
        ("return_date", ["return_date", "id"]),
        ("-category", ["-category", "-id"]),
    ],
)
def test_cursor_pages_show_every_row_once_in_order(clerk, trips, sort, ordering):
    params = "per_page=25" + (f"&sort={sort}" if sort else "")
    pages, queries = walk(clerk, params, "next_query")
    expected = list(Trip.objects.order_by(*ordering).values_list("pk", flat=True))
    assert [len(p) for p in pages] == [25, 25, 10]
    assert list(chain.from_iterable(pages)) == expected
    assert all("after" in parse_qs(q) for q in queries[1:])  # past page 1: a cursor, no page number
    assert all(parse_qs(q)["per_page"] == ["25"] for q in queries)
    # and back again from the last page, through "previous"
    back, _queries = walk(clerk, queries[-1], "previous_query")
    assert back == pages[::-1]


def test_filters_stay_on_cursor_pages(clerk, trips):
    pages, queries = walk(clerk, "per_page=25&category=abroad", "next_query")
    expected = list(Trip.objects.filter(category="abroad").values_list("pk", flat=True))
    assert list(chain.from_iterable(pages)) == expected
    assert all(parse_qs(q)["category"] == ["abroad"] for q in queries)


def test_a_cursor_of_another_sort_order_starts_over(clerk, trips):
    _pages, queries = walk(clerk, "per_page=25", "next_query")
    after = parse_qs(queries[1])["after"][0]
    response = clerk.get(reverse("travel:trip_list"), {"sort": "return_date", "after": after})
    first = list(Trip.objects.order_by("return_date", "id").values_list("pk", flat=True)[:25])
    assert [r.pk for r in response.context["page"].records] == first
    assert clerk.get(reverse("travel:trip_list"), {"after": "not a token"}).status_code == 200


def test_deep_page_numbers_are_refused_where_a_cursor_exists(clerk, trips):
    url = reverse("travel:trip_list")
    assert clerk.get(url, {"page": 1}).status_code == 200
    assert clerk.get(url, {"page": 2}).status_code == 404
    # sorted by the unit (a related record): no cursor, numbered pages all the way
    response = clerk.get(url, {"page": 2, "sort": "applicant_unit"})
    assert response.status_code == 200
    assert response.context["page"].number == 2
    assert clerk.get(url, {"page": 4, "sort": "applicant_unit"}).status_code == 404  # 60 rows: 3 pages
    assert clerk.get(url, {"page": 10**30, "sort": "applicant_unit"}).status_code == 404


def test_cursor_round_trip_keeps_dates_and_ties(trips):
    queryset = Trip.objects.order_by("-depart_date", "-id")
    keys = sort_keys(queryset)
    assert [key.expression for key in keys] == ["-depart_date", "-id"]
    token = encode_cursor(keys, trips[7])
    assert decode_cursor(keys, token) == [trips[7].depart_date, trips[7].pk]
    assert decode_cursor(sort_keys(Trip.objects.order_by("return_date")), token) is None
    assert sort_keys(Trip.objects.order_by("applicant_unit")) is None  # ordered by the unit's own ordering
    assert sort_keys(Trip.objects.order_by("approved_on")) is None  # nullable


def test_count_is_exact_up_to_the_limit(clerk, trips, settings):
    settings.WAISHI_LIST_EXACT_COUNT_LIMIT = 100
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = clerk.get(reverse("travel:trip_list")).content.decode()
    assert '<span id="row-count" data-kind="exact">60 records</span>' in html
    assert count_rows(Trip.objects.filter(category="hkmo"), limit=100).value == 20


def test_count_beyond_the_limit_is_capped_or_estimated(clerk, trips, settings):
    settings.WAISHI_LIST_EXACT_COUNT_LIMIT = 30
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = clerk.get(reverse("travel:trip_list")).content.decode()
    if connection.vendor == "postgresql":
        # the planner's estimate for the restricted query, or (if it guesses low) the cap
        assert 'data-kind="about">about ' in html or 'data-kind="more">more than 30 records' in html
    else:
        assert 'data-kind="more">more than 30 records' in html
    assert "60 records" not in html


def test_the_last_page_knows_the_exact_count(clerk, trips, settings):
    settings.WAISHI_LIST_EXACT_COUNT_LIMIT = 5
    clerk.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = clerk.get(reverse("travel:trip_list"), {"category": "hkmo"}).content.decode()
    assert '<span id="row-count" data-kind="exact">20 records</span>' in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's estimate is PostgreSQL's")
def test_postgresql_estimates_a_large_table_without_counting_it(trips, django_assert_num_queries):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE travel_trip")
    with django_assert_num_queries(1) as captured:  # one EXPLAIN, no COUNT
        counted = count_rows(Trip.objects.all(), limit=30)
    assert counted.kind == "about"
    assert counted.value == 60
    assert captured.captured_queries[0]["sql"].startswith("EXPLAIN")
    with translation.override("en"):
        assert str(counted) == "about 60 records"


@pytest.fixture
def documents(world):
    """30 travel documents of people in two units, many holders with the same name (ties in the pinyin)."""
    from waishi.core.testing.factories import PersonFactory
    from waishi.passports.models import TravelDocument

    made = []
    for n in range(30):
        person = PersonFactory(
            organization=world.unit_a if n % 2 else world.unit_a2, name=["张三", "李四"][n % 4 // 2]
        )
        made.append(
            TravelDocument.objects.create(
                person=person,
                kind="service" if n % 3 else "ordinary",
                number=f"SE{n:07d}",
                issued=datetime.date(2022, 1, 1),
                expires=datetime.date(2032, 1, 1),
                custodian=world.city_a,
            )
        )
    return made


def test_a_list_sorted_by_related_columns_pages_by_cursor(client, world, documents, settings):
    """The custody list sorts by the holder's unit and pinyin: its deep pages seek too, and meet every
    document once, forwards and back."""
    from waishi.passports.models import TravelDocument

    settings.WAISHI_LIST_NUMBERED_PAGES = 1
    client.force_login(world.user("passport_officer"))
    keys = sort_keys(TravelDocument.objects.all())
    assert [key.expression for key in keys] == ["person__organization__path", "person__pinyin", "kind", "id"]
    assert decode_cursor(keys, encode_cursor(keys, documents[3])) == [
        documents[3].person.organization.path,
        documents[3].person.pinyin,
        documents[3].kind,
        documents[3].pk,
    ]
    url = reverse("passports:traveldocument_list")
    pages, query = [], "per_page=25"
    while query:
        page = client.get(f"{url}?{query}").context["page"]
        pages.append([record.pk for record in page.records])
        query = page.next_query
    expected = list(
        TravelDocument.objects.order_by(
            "person__organization__path", "person__pinyin", "kind", "id"
        ).values_list("pk", flat=True)
    )
    assert [len(p) for p in pages] == [25, 5]
    assert list(chain.from_iterable(pages)) == expected
    assert "after=" in client.get(f"{url}?per_page=25").context["page"].next_query
    back = client.get(
        f"{url}?per_page=25&before={encode_cursor(keys, TravelDocument.objects.get(pk=expected[25]))}"
    )
    assert [record.pk for record in back.context["page"].records] == expected[:25]


def test_only_columns_every_row_has_sort_by_cursor():
    from waishi.passports.models import TravelDocument

    def keys(*ordering):
        found = sort_keys(TravelDocument.objects.order_by(*ordering))
        return found and [key.expression for key in found]

    assert keys("person__organization") is None  # by the unit's own ordering
    assert keys("trip__depart_date") is None  # not every document has a trip
    assert keys("due_date") is None  # nullable
    assert keys("-person__name", "person_id") == ["-person__name", "person_id", "id"]
