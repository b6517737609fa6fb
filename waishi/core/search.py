"""Global search: each module registers a searcher; results come back in sections."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    title: str
    subtitle: str
    url: str


@dataclass(frozen=True)
class Searcher:
    label: str
    search: Callable[[object, str], list[Hit]]  # (user, query) -> hits, already restricted to the user


SEARCHERS: list[Searcher] = []
LIMIT = 20


def register_searcher(searcher: Searcher) -> None:
    SEARCHERS.append(searcher)


def global_search(user, query: str) -> list[dict]:
    sections = []
    for searcher in SEARCHERS:
        hits = searcher.search(user, query)[:LIMIT]
        if hits:
            sections.append({"label": searcher.label, "hits": hits})
    return sections
