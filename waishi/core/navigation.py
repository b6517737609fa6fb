"""The menu by module and the home page's work queue; each module registers its own in AppConfig.ready()."""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

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


WORK_QUEUE_PROVIDERS: list[Callable[[object], list[WorkItem]]] = []


def register_work_queue(provider: Callable[[object], list[WorkItem]]) -> None:
    WORK_QUEUE_PROVIDERS.append(provider)


def work_queue(user) -> list[WorkItem]:
    items = [item for provider in WORK_QUEUE_PROVIDERS for item in provider(user)]
    return sorted(items, key=lambda i: (not i.overdue, i.due or date.max, i.title))
