"""Caps on language-model use per person, per thread and per day (LLM10: unbounded consumption).

Counted in this process for the current UTC day; a reached cap means an extractive answer with
a note, never silence.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date


@dataclass
class Budget:
    per_user: int = 20
    per_thread: int = 10
    per_day: int = 500
    _day: date | None = None
    _used: Counter[str] = field(default_factory=Counter)

    def spend(self, today: date, user: str, thread: str) -> str | None:
        """Count one model answer; returns why it may not be spent (and spends nothing) if a cap
        is reached, else None."""
        if self._day != today:
            self._day, self._used = today, Counter()
        checks = (
            (f"user:{user}", self.per_user, "your questions today"),
            (f"thread:{thread}", self.per_thread, "this thread"),
            ("day", self.per_day, "everyone's questions today"),
        )
        for key, cap, what in checks:
            if self._used[key] >= cap:
                return f"The language-model budget for {what} ({cap}) is used up"
        for key, _, _ in checks:
            self._used[key] += 1
        return None
