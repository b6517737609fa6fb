"""Rules, deadlines and limits as configuration with defaults (never literals in code).

Each module defines its settings once with ``define()``; ``get()`` returns the value configured for
an office (the nearest setting on the office or one of its superiors) or the default.

An office's settings are read in one query, all keys at once. Within ``remembered()`` (every request,
``SettingsMiddleware``) they are read once an office: a page whose rules read a dozen settings makes one
query, not a dozen. Writing a setting (``services.office_setting_set``) calls ``forget()``.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

_REGISTRY: dict[str, "SettingDefinition"] = {}
# office path -> {key: value}, while ``remembered()`` is active
_remembered: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar("waishi_settings", default=None)


@dataclass(frozen=True)
class SettingDefinition:
    key: str
    default: Any
    label: str
    help_text: str = ""
    source: str = ""

    @property
    def kind(self) -> type:
        return type(self.default)


def define(key: str, default: Any, label, help_text="", source: str = "") -> SettingDefinition:
    if key in _REGISTRY:
        raise ValueError(f"setting {key!r} is defined twice")
    _REGISTRY[key] = SettingDefinition(key, default, label, help_text, source)
    return _REGISTRY[key]


def definitions() -> list[SettingDefinition]:
    return sorted(_REGISTRY.values(), key=lambda d: d.key)


def definition(key: str) -> SettingDefinition:
    return _REGISTRY[key]


def ancestor_paths(path: str) -> list[str]:
    """``"0001.0002.0003."`` → the paths of the office and every office above it, nearest first."""
    parts = path.rstrip(".").split(".")
    return [".".join(parts[:n]) + "." for n in range(len(parts), 0, -1)]


def get(key: str, office=None) -> Any:
    default = _REGISTRY[key].default
    if office is None:
        return default
    return office_values(office.path).get(key, default)


def office_values(path: str) -> dict[str, Any]:
    """Every setting configured for the office at ``path``: for each key, the value set on the nearest of
    the office and its superiors."""
    from waishi.core.models import OfficeSetting

    remembered_values = _remembered.get()
    if remembered_values is not None and path in remembered_values:
        return remembered_values[path]
    paths = ancestor_paths(path)
    nearest = {p: n for n, p in enumerate(paths)}
    rows = OfficeSetting.objects.filter(organization__path__in=paths).values_list(
        "organization__path", "key", "value"
    )
    values = {}
    for _path, key, value in sorted(rows, key=lambda row: nearest[row[0]], reverse=True):
        values[key] = value  # farthest first: a nearer office's value replaces its superior's
    if remembered_values is not None:
        remembered_values[path] = values
    return values


@contextmanager
def remembered() -> Iterator[None]:
    """Inside it, each office's settings are read from the database once."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def forget() -> None:
    """Read the settings again from the database (after one was written)."""
    remembered_values = _remembered.get()
    if remembered_values is not None:
        remembered_values.clear()
