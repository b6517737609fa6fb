"""Pages of a list that stay fast at a million rows (QUALITY.md, Performance).

Counting: ``count_rows`` never counts a whole large table. Up to ``WAISHI_LIST_EXACT_COUNT_LIMIT`` rows the
count is exact (``SELECT COUNT(*) FROM (... LIMIT limit + 1)``, so it reads at most limit + 1 rows); beyond
it PostgreSQL gives the planner's estimate for the filtered query ("about N"), other databases "more than N".

Paging: the first ``WAISHI_LIST_NUMBERED_PAGES`` pages have numbers (small OFFSETs). Past them the list moves
with a cursor, ``?after=<token>`` or ``?before=<token>``: the token holds the sort values of the row next to
the page, and the database seeks to it instead of skipping rows. That works when the list is sorted by
non-null columns of its model or of records it must refer to (``person__organization__path``); the primary
key breaks ties (added when missing). A list sorted by anything else (a relation by its model's own
ordering, a nullable column, an annotation) keeps numbered pages only.
"""

import base64
import binascii
import json
import math
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from functools import reduce
from operator import or_
from uuid import UUID

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import F, Q
from django.db.models.expressions import OrderBy
from django.http import Http404
from django.utils.translation import ngettext
from django_tables2.rows import BoundRows

from waishi.core.models import field_path

CURSOR_PARAMS = ("page", "after", "before")


@dataclass(frozen=True)
class RowCount:
    """How many rows a list has: ``exact``, ``about`` (an estimate) or ``more`` (than ``value``)."""

    value: int
    kind: str = "exact"

    def __str__(self):
        if self.kind == "about":
            return ngettext("about %(counter)s record", "about %(counter)s records", self.value) % {
                "counter": self.value
            }
        if self.kind == "more":
            return ngettext("more than %(counter)s record", "more than %(counter)s records", self.value) % {
                "counter": self.value
            }
        return ngettext("%(counter)s record", "%(counter)s records", self.value) % {"counter": self.value}

    @property
    def exact(self) -> bool:
        return self.kind == "exact"


def count_rows(queryset, limit: int | None = None) -> RowCount:
    limit = settings.WAISHI_LIST_EXACT_COUNT_LIMIT if limit is None else limit
    queryset = queryset.order_by().prefetch_related(None).values("pk")
    if connections[queryset.db].vendor == "postgresql":
        estimate = planner_estimate(queryset)
        if estimate > limit:
            return RowCount(round_estimate(estimate), "about")
    counted = queryset[: limit + 1].count()
    return RowCount(counted) if counted <= limit else RowCount(limit, "more")


def planner_estimate(queryset) -> int:
    """The rows PostgreSQL's planner expects ``queryset`` to return (EXPLAIN, nothing is read)."""
    connection = connections[queryset.db]
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def round_estimate(value: int) -> int:
    """Two significant digits: an estimate should not look precise."""
    if value < 100:
        return value
    return round(value, 2 - len(str(value)))


@dataclass(frozen=True)
class SortKey:
    path: str  # the column's lookup from the list's model: ``depart_date``, ``person__pinyin``
    field: object  # the column's model field
    descending: bool

    @property
    def expression(self) -> str:
        return f"{'-' if self.descending else ''}{self.path}"

    def value(self, record):
        """The record's value of the column (its related records are joined by the list)."""
        *relations, _column = self.path.split("__")
        for name in relations:
            record = getattr(record, name)
        return getattr(record, self.field.attname)


def sort_keys(queryset) -> list[SortKey] | None:
    """The queryset's ordering as non-null columns of its model, or of records its non-null foreign keys
    name, ending with the primary key; None when it cannot be navigated by a cursor."""
    query = queryset.query
    opts = queryset.model._meta
    ordering = query.order_by or (opts.ordering if query.default_ordering else ())
    keys: list[SortKey] = []
    for item in ordering:
        if isinstance(item, str):
            descending, name = item.startswith("-"), item.lstrip("-")
        elif (
            isinstance(item, OrderBy)
            and isinstance(item.expression, F)
            and not (item.nulls_first or item.nulls_last)
        ):
            descending, name = item.descending, item.expression.name
        else:
            return None
        if name in query.annotations:
            return None
        fields = [opts.pk] if name == "pk" else field_path(queryset.model, name.split("__"))
        if not fields or any(f.null for f in fields):
            return None
        *relations, column = fields
        if column.is_relation and name.rsplit("__", 1)[-1] != column.attname:
            return None  # a relation sorts by its model's ordering
        path = "__".join([*(f.name for f in relations), column.attname])
        if any(key.path == path for key in keys):
            continue
        keys.append(SortKey(path, column, descending))
        if column.primary_key and not relations:
            return keys
    return [*keys, SortKey(opts.pk.attname, opts.pk, keys[-1].descending if keys else False)]


def _plain(value):
    if isinstance(value, date | datetime | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _signature(keys) -> str:
    return ",".join(key.expression for key in keys)


def encode_cursor(keys, record) -> str:
    payload = [_signature(keys), [_plain(key.value(record)) for key in keys]]
    raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(keys, token: str) -> list | None:
    """The sort values in ``token``; None when it is damaged or was made for another sort order."""
    try:
        signature, values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if signature != _signature(keys) or len(values) != len(keys):
            return None
        return [key.field.to_python(value) for key, value in zip(keys, values, strict=True)]
    except (ValueError, TypeError, binascii.Error, ValidationError):
        return None


def beyond(keys, values, backwards: bool = False) -> Q:
    """Rows after ``values`` in the order of ``keys`` (before them when ``backwards``). The first key is
    also bounded on its own, so the database can start a range scan on its index there."""
    parts, equal = [], {}
    for key, value in zip(keys, values, strict=True):
        lookup = "lt" if key.descending != backwards else "gt"
        parts.append(Q(**equal, **{f"{key.path}__{lookup}": value}))
        equal[key.path] = value
    first = keys[0]
    bound = Q(**{f"{first.path}__{'lte' if first.descending != backwards else 'gte'}": values[0]})
    return bound & reduce(or_, parts)


@dataclass
class Page:
    """One page of a table, in the shape django-tables2 renders (``object_list``), with its links."""

    object_list: BoundRows
    records: list
    count: RowCount
    number: int | None  # None on a page reached by a cursor
    has_next: bool = False
    has_previous: bool = False
    next_query: str = ""
    previous_query: str = ""
    numbers: list = field(default_factory=list)  # (number, query) of the numbered pages to offer


def _query(params, **values) -> str:
    query = params.copy()
    for name in CURSOR_PARAMS:
        query.pop(name, None)
    for name, value in values.items():
        if value is not None:
            query[name] = value
    return query.urlencode()


def page_number(params) -> int:
    """The page number ``params`` ask for (``?page=``): 1 unless a positive number."""
    try:
        return max(int(params.get("page") or 1), 1)
    except (TypeError, ValueError):
        return 1


def list_page(items: list, count: int, params, per_page: int) -> Page:
    """A numbered page of a list of ``count`` items held in memory (the work queue), with the links
    ``_pagination.html`` shows; a page number past the end gives the last page. ``items``: the list from
    its start to at least the end of the page ``params`` ask for."""
    last = max(math.ceil(count / per_page), 1)
    number = min(page_number(params), last)
    records = items[(number - 1) * per_page : number * per_page]
    page = Page(records, records, RowCount(count), number, number < last, number > 1)
    if page.has_next:
        page.next_query = _query(params, page=number + 1)
    if page.has_previous:
        page.previous_query = _query(params, page=number - 1 if number > 2 else None)
    page.numbers = [
        (n, _query(params, page=n if n > 1 else None))
        for n in range(max(1, number - 2), min(last, number + 2) + 1)
    ]
    return page


def paginate(table, params, per_page: int) -> Page:
    """Put the page that ``params`` ask for on ``table`` (``table.page``) and return it."""
    queryset = table.data.data
    count = count_rows(queryset)
    keys = sort_keys(queryset)
    if keys:
        queryset = queryset.order_by(*(key.expression for key in keys))
    else:
        opts = queryset.model._meta
        ordering = list(queryset.query.order_by or opts.ordering)
        if not {"pk", "-pk", opts.pk.name, f"-{opts.pk.name}"} & {o for o in ordering if isinstance(o, str)}:
            queryset = queryset.order_by(*ordering, "pk")
    numbered = max(settings.WAISHI_LIST_NUMBERED_PAGES, 1)
    number, records, has_next, has_previous = None, None, False, False

    token, backwards = params.get("after"), False
    if not token and params.get("before"):
        token, backwards = params.get("before"), True
    values = decode_cursor(keys, token) if keys and token else None
    if values is not None:
        ordered = queryset.filter(beyond(keys, values, backwards))
        rows = list((ordered.reverse() if backwards else ordered)[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if not backwards:
            records, has_next, has_previous = rows, more, True
        elif more:
            records, has_next, has_previous = rows[::-1], True, True
        # else: going back reached the start; show the first page, full
    if records is None:
        number = page_number(params) if values is None else 1
        if keys and number > numbered:
            raise Http404("Deep pages are reached with a cursor.")
        offset = (number - 1) * per_page
        # past the last row, or (a list without a cursor) further than a database can skip
        if offset and (offset >= count.value if count.exact else offset > sys.maxsize // 2):
            raise Http404("There is no such page.")
        rows = list(queryset[offset : offset + per_page + 1])
        records, has_next, has_previous = rows[:per_page], len(rows) > per_page, number > 1
        if not has_next and (records or number == 1):
            count = RowCount(offset + len(records))  # the last page: the count is known, however estimated

    page = Page(object_list=BoundRows(records, table), records=records, count=count, number=number)
    page.has_next, page.has_previous = has_next and bool(records), has_previous
    if page.has_next:
        if number is not None and (not keys or number < numbered):
            page.next_query = _query(params, page=number + 1)
        else:
            page.next_query = _query(params, after=encode_cursor(keys, records[-1]))
    if has_previous:
        if number is not None or not records:
            page.previous_query = _query(params, page=number - 1 if number and number > 2 else None)
        else:
            page.previous_query = _query(params, before=encode_cursor(keys, records[0]))
    current = number or numbered
    total = math.ceil(count.value / per_page)
    if not count.exact:
        total = max(total, current + (1 if has_next else 0))
    first = 1 if keys else max(1, current - 2)
    last = min(total, numbered) if keys else min(total, current + 2)
    page.numbers = [(n, _query(params, page=n if n > 1 else None)) for n in range(first, last + 1)]
    table.page = page
    return page
