"""The menu by module and the home page's work queue; each module registers its own in AppConfig.ready()."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, F, Window
from django.db.models.functions import Rank
from django.urls import reverse


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    permission: str


@dataclass(frozen=True)
class Menu:
    key: str
    label: str
    icon: str
    items: tuple[MenuItem, ...] = field(default_factory=tuple)
    order: int = 100


MENUS: dict[str, Menu] = {}


def register_menu(menu: Menu) -> None:
    MENUS[menu.key] = menu


def menus_for(user) -> list[dict]:
    """The menus the user's permissions open (his active account's; a superuser's every one)."""
    if not user.is_active:
        return []
    if user.is_superuser:
        return _menus(None)
    return _menus(frozenset(user.get_all_permissions()))


@functools.lru_cache(maxsize=256)
def _menus(permissions: frozenset | None) -> list[dict]:
    """Worked out once a set of permissions (a role, a combination of roles) in a process: every page shows
    the menus, and reversing their addresses a page cost more than the rest of the page's header."""
    result = []
    for menu in sorted(MENUS.values(), key=lambda m: m.order):
        items = [
            {"label": i.label, "url": reverse(i.url_name)}
            for i in menu.items
            if permissions is None or i.permission in permissions
        ]
        if items:
            result.append({"key": menu.key, "label": menu.label, "icon": menu.icon, "items": items})
    return result


@dataclass(frozen=True)
class WorkItem:
    """One thing the user should act on: shown on the home page, sorted by due date."""

    title: str
    url: str
    category: str
    due: date | None = None
    overdue: bool = False


def urgency(item: WorkItem) -> tuple:
    """The queue's order: overdue first, then the earliest due (undated last), then by title."""
    return (not item.overdue, item.due or date.max, item.title)


@dataclass(frozen=True)
class WorkList:
    """Work items of one category: how many there are, and at least the most urgent ``limit`` of them (every
    one when ``limit`` is None) in any order, so that the queue merges bounded lists."""

    category: str
    count: int
    items: list[WorkItem]


def most_urgent(queryset, column: str, limit: int | None, per: str | None = None) -> tuple[list, int]:
    """The rows of ``queryset`` whose non-null date ``column`` is among the ``limit`` earliest, with every
    row that ties the last of them (the queue orders those by title), and how many rows ``queryset`` has;
    one query. ``per``: the earliest ``limit`` for each value of this column (a due date that each office
    works out from ``column``, later for a later ``column``). ``limit`` None, or past any row number
    (``?page=`` of a huge number; Django compares a rank as a 32-bit integer): every row."""
    if limit is None or limit >= 2**31:
        rows = list(queryset)
        return rows, len(rows)
    rank = Window(Rank(), partition_by=F(per) if per else None, order_by=F(column).asc())
    rows = list(
        queryset.annotate(urgency_rank=rank, list_count=Window(Count("pk"))).filter(urgency_rank__lte=limit)
    )
    return rows, rows[0].list_count if rows else 0


WORK_QUEUE_PROVIDERS: list[Callable[[object, int | None], list[WorkList]]] = []


def register_work_queue(provider: Callable[[object, int | None], list[WorkList]]) -> None:
    """``provider(user, limit)``: the user's work lists, each with at least its ``limit`` most urgent items
    (every item when ``limit`` is None)."""
    WORK_QUEUE_PROVIDERS.append(provider)


@dataclass(frozen=True)
class WorkQueue:
    items: list[WorkItem]  # the most urgent, of ``category`` when given
    total: int  # how many items the queue holds (of ``category``)
    categories: list[tuple[str, int]]  # each category and its count, the largest first
    category: str  # the category asked for, if the queue holds it, else ""


def work_queue(user, limit: int | None = None, category: str = "") -> WorkQueue:
    """The ``limit`` most urgent items of the user's queue (every item when None), of ``category`` or all,
    with the count of each category (the largest first; equal counts in the order of their most urgent
    item)."""
    lists = [work_list for provider in WORK_QUEUE_PROVIDERS for work_list in provider(user, limit)]
    items = sorted((item for work_list in lists for item in work_list.items), key=urgency)
    counts: dict[str, int] = {}
    for work_list in lists:
        if work_list.count:
            counts[work_list.category] = counts.get(work_list.category, 0) + work_list.count
    first: dict[str, int] = {}
    for position, item in enumerate(items):
        first.setdefault(item.category, position)
    categories = sorted(counts.items(), key=lambda pair: (-pair[1], first.get(pair[0], len(items))))
    if category in counts:
        items = [item for item in items if item.category == category]
        total = counts[category]
    else:
        category, total = "", sum(counts.values())
    return WorkQueue(items[:limit], total, categories, category)
