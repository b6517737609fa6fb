"""Declarative tests for registered models: anonymous → login, no permission → 403, another unit's
record → 404, allowed → 200, for every generic page and the API.

A module's test_views.py declares, per model::

    class TestPersonViews(ModelViewTests):
        views = PersonViews
        allowed_role = "unit_clerk"
        denied_role = "audit_admin"

        def make(self, world, organization):
            return PersonFactory(organization=organization)

``core/tests/test_registry.py`` fails when a registered model has no such class.
"""

import io
import re
from collections import Counter

import pytest
from django.db import connection
from django.db.models import Model
from django.template import Context
from django.test.html import parse_html
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.encoding import force_str
from django_tables2 import Column, DateColumn, DateTimeColumn
from django_tables2.rows import BoundRow
from openpyxl import load_workbook

from waishi.core import tables
from waishi.core.models import permission_name
from waishi.core.navigation import urgency, work_queue

VIEW_TESTS: list[type] = []
API_TESTS: list[type] = []


class ModelViewTests:
    views = None
    allowed_role = "fao_staff"
    denied_role = "audit_admin"
    scoped = True  # records belong to an organization; False for reference data
    # Declare ``make(self, world, organization)``: a record owned by ``organization``.

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        VIEW_TESTS.append(cls)

    def list_text(self, obj) -> str:
        """What identifies ``obj`` in a list row."""
        return str(obj)

    def make_many(self, world, organization, numbers) -> list:
        """A record owned by ``organization`` for each of ``numbers`` (distinct across calls), with the
        related rows its list row shows. ``make`` once per number by default; override where ``make`` always
        builds the same record."""
        return [self.make(world, organization) for _n in numbers]

    def home(self, world, role):
        """The organization of the allowed user: a unit for unit roles, the city FAO otherwise."""
        return world.unit_a if role.startswith("unit_") else world.city_a

    def detail_urls(self, obj):
        actions = ["", "changelog"] + (["edit"] if self._can("change") else [])
        urls = [reverse(self.views.url_name(action), args=[obj.pk]) for action in actions]
        if self.views.allow_delete and self._can("delete"):
            urls.append(reverse(self.views.url_name("delete"), args=[obj.pk]))
        return urls

    def _can(self, action):
        from waishi.users.roles import ROLE_PERMISSIONS

        return permission_name(self.views.model, action) in ROLE_PERMISSIONS[self.allowed_role]

    def list_urls(self):
        urls = [reverse(self.views.url_name("list")), reverse(self.views.url_name("export"))]
        if self._can("add"):
            urls.append(reverse(self.views.url_name("add")))
            if self.views.importer_class is not None:
                urls += [
                    reverse(self.views.url_name("import")),
                    reverse(self.views.url_name("import_template")),
                ]
        return urls

    def test_anonymous_is_sent_to_login(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        for url in self.list_urls() + self.detail_urls(obj):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response.url.startswith(reverse("login")), url

    def test_allowed_role_sees_pages(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        client.force_login(world.user(self.allowed_role))
        for url in self.list_urls() + self.detail_urls(obj):
            assert client.get(url).status_code == 200, url
        page = client.get(reverse(self.views.url_name("list")))
        assert self.list_text(obj) in page.content.decode()

    def test_role_without_permission_is_refused(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        client.force_login(world.user(self.denied_role))
        for url in self.list_urls() + self.detail_urls(obj):
            assert client.get(url).status_code == 403, url

    def test_other_units_record_is_not_found(self, client, world):
        if not self.scoped:
            pytest.skip("reference data is shared by every organization")
        other = self.make(world, world.unit_b if self.allowed_role.startswith("unit_") else world.city_b)
        client.force_login(world.user(self.allowed_role))
        for url in self.detail_urls(other):
            assert client.get(url).status_code == 404, url
        assert self.list_text(other) not in client.get(reverse(self.views.url_name("list"))).content.decode()

    def test_queries_do_not_grow_with_rows(self, client, world):
        """The list and a detail page make as many queries with 100 records (and 10 journal entries) as with
        10 (and one): related records come with the rows, not one query per row."""
        from waishi.core.services import journal_add

        home = self.home(world, self.allowed_role)
        obj = self.make_many(world, home, range(10))[0]
        user = world.user(self.allowed_role)
        client.force_login(user)
        urls = [reverse(self.views.url_name("list")), reverse(self.views.url_name(""), args=[obj.pk])]
        journal_add(actor=user, obj=obj, comments="1", kind="info")
        before = [page_queries(client, url) for url in urls]
        self.make_many(world, home, range(10, 100))
        for n in range(2, 11):
            journal_add(actor=user, obj=obj, comments=str(n), kind="info")
        for url, queries in zip(urls, before, strict=True):
            assert_same_queries(queries, page_queries(client, url), url)

    def test_rows_are_written_as_django_tables2_writes_them(self, client, world):
        """The list's table (written in Python by core.tables) is the HTML of django-tables2's template."""
        self.make_many(world, self.home(world, self.allowed_role), range(3))
        client.force_login(world.user(self.allowed_role))
        # Other parameters of the address are kept in the header's sort links.
        response = client.get(reverse(self.views.url_name("list")), {"per_page": 25, "x": ["1 & 2", "<3>"]})
        table = response.context["table"]
        ours = tables.html(table, Context({"request": response.wsgi_request}))
        stock = table.as_html(response.wsgi_request)
        assert ours.count("<tr") > 3
        assert parse_html(ours) == parse_html(stock)
        # The export's values are django-tables2's (dates kept as dates, empty plain cells left empty).
        columns = [column for column in table.columns.iterall() if not column.column.exclude_from_export]
        exported = list(tables.values(table, columns, table.page.records))
        assert exported == [[stock_value(table, r, c) for c in columns] for r in table.page.records]

    def test_export_is_the_list_on_screen(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        client.force_login(world.user(self.allowed_role))
        response = client.get(reverse(self.views.url_name("export")))
        workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
        table = self.views.table_class(self.views.model.objects.none())
        assert list(rows[0]) == [str(c.header) for c in table.columns]
        assert any(self.list_text(obj) in [str(v) for v in row] for row in rows[1:])


def stock_value(table, record, column):
    """An export cell through django-tables2's own code: ``get_cell_value`` (as ``Table.as_values``), but a
    column without a method of its own gives its value as it is, a date as a date, an empty one as None."""
    plain = not (hasattr(table, f"value_{column.name}") or hasattr(table, f"render_{column.name}"))
    if plain and (type(column.column) is Column or isinstance(column.column, (DateColumn, DateTimeColumn))):
        owner, name = column.accessor.penultimate(record)
        display = getattr(owner, f"get_{name}_display", None) if isinstance(owner, Model) else None
        value = display() if display is not None else column.accessor.resolve(record, quiet=True)
        return None if value in column.column.empty_values else force_str(value, strings_only=True)
    return force_str(BoundRow(record, table=table).get_cell_value(column.name), strings_only=True)


def page_queries(client, url, **params) -> list[str]:
    """The SQL of a GET of ``url``, once per-process caches (content types, the session) are warm."""
    assert client.get(url, params).status_code == 200, url
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200, url
    return [query["sql"] for query in captured.captured_queries]


def assert_same_queries(before: list[str], after: list[str], page: str = "") -> None:
    """As many queries after the data grew as before; else show the statement that repeats most."""
    if len(after) != len(before):
        grown = Counter(map(_shape, after))
        grown.subtract(Counter(map(_shape, before)))
        statement, more = grown.most_common(1)[0]
        raise AssertionError(
            f"{page}: {len(before)} queries, then {len(after)}; {more} more of {statement[:500]}"
        )


def assert_bounded_work_queue(user) -> None:
    """The work queue cut to its first n items (what the home page and a page of /work/ ask for), for every
    n, of each category and of all, holds the whole queue's first n, with the same counts; and the whole
    queue is every item most urgent first, its categories counted the largest first."""
    whole = work_queue(user)
    assert whole.items == sorted(whole.items, key=urgency)
    assert whole.categories == Counter(item.category for item in whole.items).most_common()
    assert whole.items, "an empty queue shows nothing"
    for limit in (2**31 - 1, 10**30):  # ?page= of a huge number: every item, no number too large for the SQL
        assert work_queue(user, limit).items == whole.items
    for category in ["", *dict(whole.categories)]:
        full = [item for item in whole.items if item.category in (category or item.category)]
        for limit in range(1, len(full) + 2):
            cut = work_queue(user, limit, category)
            assert (cut.items, cut.total, cut.categories, cut.category) == (
                full[:limit],
                len(full),
                whole.categories,
                category,
            ), (category, limit)


def _shape(sql: str) -> str:
    """A statement without its values, so that the same query for another row compares equal."""
    return re.sub(r"'[^']*'|\b\d+\b", "?", sql)


class ApiTests:
    """The same guarantees over the REST API: 401 anonymous, 403 no permission, 404 outside scope."""

    basename = ""  # the router name, e.g. "person"
    allowed_role = "fao_staff"
    denied_role = "audit_admin"
    scoped = True
    # Declare ``make(self, world, organization)`` as for ModelViewTests.

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        API_TESTS.append(cls)

    def home(self, world, role):
        return world.unit_a if role.startswith("unit_") else world.city_a

    def urls(self, obj):
        return [reverse(f"api:{self.basename}-list"), reverse(f"api:{self.basename}-detail", args=[obj.pk])]

    def test_anonymous_gets_401(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        for url in self.urls(obj):
            assert client.get(url).status_code == 401, url

    def test_allowed_role_reads(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        client.force_login(world.user(self.allowed_role))
        listing = client.get(self.urls(obj)[0]).json()
        assert str(obj.pk) in {str(row.get("id", row.get("code"))) for row in listing["results"]}
        assert client.get(self.urls(obj)[1]).status_code == 200

    def test_role_without_permission_gets_403(self, client, world):
        obj = self.make(world, self.home(world, self.allowed_role))
        client.force_login(world.user(self.denied_role))
        for url in self.urls(obj):
            response = client.get(url)
            assert response.status_code == 403, url
            assert set(response.json()) == {"code", "message", "extra"}

    def test_other_units_record_is_404(self, client, world):
        if not self.scoped:
            pytest.skip("reference data is shared by every organization")
        other = self.make(world, world.unit_b if self.allowed_role.startswith("unit_") else world.city_b)
        client.force_login(world.user(self.allowed_role))
        assert client.get(self.urls(other)[1]).status_code == 404
        listing = client.get(self.urls(other)[0]).json()
        assert str(other.pk) not in {str(row.get("id", row.get("code"))) for row in listing["results"]}
