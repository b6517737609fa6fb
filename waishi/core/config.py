"""Rules, deadlines and limits as configuration with defaults (never literals in code).

Each module defines its settings once with ``define()``; ``get()`` returns the value configured for
an office (the nearest setting on the office or one of its superiors) or the default.
"""

from dataclasses import dataclass
from typing import Any

_REGISTRY: dict[str, "SettingDefinition"] = {}


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
    from waishi.core.models import OfficeSetting

    default = _REGISTRY[key].default
    if office is None:
        return default
    paths = ancestor_paths(office.path)
    rows = dict(
        OfficeSetting.objects.filter(key=key, organization__path__in=paths).values_list(
            "organization__path", "value"
        )
    )
    for path in paths:
        if path in rows:
            return rows[path]
    return default
