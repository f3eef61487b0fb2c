"""Caps on language-model use per person, per thread and per day (LLM10: unbounded consumption).

Counted per UTC day in a `Usage` ledger: the database, so several bot processes share one budget
(in memory for the command line and tests). A reached cap means an extractive answer with a
note, never silence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


class Usage(Protocol):
    async def take(self, day: date, caps: Sequence[tuple[str, int]]) -> int | None:
        """Count one use against every (key, cap) together, or against none if any key has
        reached its cap; returns the index of the first cap reached, else None (counted)."""
        ...


@dataclass
class MemoryUsage:
    """This process's own counts."""

    _day: date | None = None
    _used: Counter[str] = field(default_factory=Counter)

    async def take(self, day: date, caps: Sequence[tuple[str, int]]) -> int | None:
        if self._day != day:
            self._day, self._used = day, Counter()
        for n, (key, cap) in enumerate(caps):
            if self._used[key] >= cap:
                return n
        for key, _ in caps:
            self._used[key] += 1
        return None


@dataclass
class Budget:
    per_user: int = 20
    per_thread: int = 10
    per_day: int = 500
    usage: Usage = field(default_factory=MemoryUsage)

    async def spend(self, today: date, user: str, thread: str) -> str | None:
        """Count one model answer; returns why it may not be spent (and spends nothing) if a cap
        is reached, else None."""
        checks = (
            (f"user:{user}", self.per_user, "your questions today"),
            (f"thread:{thread}", self.per_thread, "this thread"),
            ("day", self.per_day, "everyone's questions today"),
        )
        reached = await self.usage.take(today, [(key, cap) for key, cap, _ in checks])
        if reached is None:
            return None
        _, cap, what = checks[reached]
        return f"The language-model budget for {what} ({cap}) is used up"
