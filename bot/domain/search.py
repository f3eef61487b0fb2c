"""A search as the store runs it, and what it finds."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.domain.papers import Paper


class Sort(StrEnum):
    RELEVANCE = "relevance"
    RECENT = "recent"
    UPVOTES = "upvotes"


@dataclass(frozen=True, slots=True)
class Terms:
    """A user query reduced to words and phrases; every word matched (implicit AND)."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    prefix: bool = False  # the last word is still being typed: match it as a prefix
    any: bool = False  # any of the words matches (more like this), ranked by how many and how rare

    @property
    def empty(self) -> bool:
        return not self.words and not self.phrases


@dataclass(frozen=True, slots=True, kw_only=True)
class SearchQuery:
    """What to look for in the store. `terms` empty means filters only (newest first)."""

    text: str = ""  # as typed; ids/URLs in it and live searches use it
    terms: Terms = field(default_factory=Terms)
    since: date | None = None
    until: date | None = None
    category: str | None = None
    author: str | None = None
    sort: Sort = Sort.RELEVANCE
    limit: int = 10
    offset: int = 0

    @property
    def filtered(self) -> bool:
        return bool(self.since or self.until or self.category or self.author)


@dataclass(frozen=True, slots=True)
class Hit:
    paper: Paper
    score: float | None = None  # engine relevance, higher is better; None when not ranked
    live: bool = False  # found by asking Hugging Face now, not in our store


class Hits(list[Hit]):
    """A store's hits, with what the person should know about how they were found (e.g. that
    the search index is catching up, so they are the newest matches, not every match ranked)."""

    def __init__(self, hits: Iterable[Hit] = (), note: str | None = None) -> None:
        super().__init__(hits)
        self.note = note


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: tuple[Hit, ...]
    query: SearchQuery
    note: str | None = None  # said to the person, e.g. why the query was shortened
