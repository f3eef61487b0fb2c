"""The ports the core needs from the outside world; `storage/` and `adapters/` implement them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.models import Paper
from bot.search import Hit, SearchQuery


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How a batch of papers changed the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
        )


@dataclass(frozen=True, slots=True)
class PaperVersion:
    version: int
    updated: datetime | None  # when arXiv published this version, if known
    first_seen: datetime  # when we first stored it


class PaperStore(Protocol):
    """Papers keyed by canonical arXiv id, with full-text search."""

    async def upsert(self, papers: Sequence[Paper]) -> UpsertResult:
        """Store papers atomically: new ones added, known ones merged with what is stored
        (`bot.merge.merge`); re-importing the same data changes nothing."""
        ...

    async def get(self, arxiv_id: str) -> Paper | None: ...

    async def versions(self, arxiv_id: str) -> list[PaperVersion]: ...

    async def search(self, query: SearchQuery) -> list[Hit]: ...

    async def count(self) -> int: ...
