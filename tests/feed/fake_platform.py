"""An in-memory chat platform implementing the Publisher port, with crash injection.

It does not de-duplicate posts by key (Slack does not either): if the engine posted twice, the
channel shows two messages, which is what the tests look for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Card, Claim, Limits, Outcome, Target
from bot.ports import Ledger, RetryLater, TargetGone
from bot.throttle import UNLIMITED


class Crash(BaseException):
    """The process dies here (BaseException: nothing in the engine may catch it)."""


@dataclass
class FakePlatform:
    messages: dict[Target, list[tuple[str, str]]] = field(default_factory=dict)  # (key, arxiv_id)
    crash_rate: float = 0.0
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    gone: set[Target] = field(default_factory=set)
    busy: int = 0  # answer this many posts with 429 first
    broken: int = 0  # then this many with a 5xx
    limits: Limits = UNLIMITED
    cards: dict[Target, list[Card]] = field(default_factory=dict)  # as posted

    def maybe_crash(self, where: str) -> None:
        if self.rng.random() < self.crash_rate:
            raise Crash(where)

    async def post(self, target: Target, card: Card, key: str) -> str:
        self.maybe_crash("before the post")
        if target in self.gone:
            raise TargetGone(f"missing access to {target.channel}")
        if self.busy:
            self.busy -= 1
            raise RetryLater("429 Too Many Requests", retry_after=1.0)
        if self.broken:
            self.broken -= 1
            raise RetryLater("HTTP 502")
        posted = self.messages.setdefault(target, [])
        posted.append((key, card.arxiv_id))
        self.cards.setdefault(target, []).append(card)
        self.maybe_crash("after the post, before it is recorded")
        return f"m{len(posted)}"

    async def post_text(self, target: Target, text: str, key: str) -> str:
        posted = self.messages.setdefault(target, [])
        posted.append((key, f"text: {text}"))
        return f"m{len(posted)}"

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        self.maybe_crash("before the reply")
        posted = self.messages.setdefault(target, [])
        posted.append((key, f"reply to {message_id}: {text}"))
        self.maybe_crash("after the reply, before it is recorded")
        return f"m{len(posted)}"

    async def find(self, target: Target, key: str, thread: str | None = None) -> str | None:
        for index, (seen, _) in enumerate(self.messages.get(target, ()), start=1):
            if seen == key:
                return f"m{index}"
        return None

    def papers_in(self, target: Target) -> list[str]:
        return [
            text
            for _, text in self.messages.get(target, ())
            if not text.startswith(("reply", "text:"))
        ]

    def texts_in(self, target: Target) -> list[str]:
        return [text[6:] for _, text in self.messages.get(target, ()) if text.startswith("text: ")]

    def replies_in(self, target: Target) -> list[str]:
        return [text for _, text in self.messages.get(target, ()) if text.startswith("reply")]


@dataclass
class CrashingLedger:
    """A ledger that may die while recording a result (before its transaction commits)."""

    inner: Ledger
    platform: FakePlatform

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def record_backlog(self, *args: Any) -> int | None:
        self.platform.maybe_crash("before deciding a stretch of the backlog")
        moved = await self.inner.record_backlog(*args)
        self.platform.maybe_crash("after deciding a stretch of the backlog")
        return moved

    async def finish(
        self, claim: Claim, outcome: Outcome, reason: str, message_id: str | None, now: object
    ) -> None:
        self.platform.maybe_crash("while recording the result")
        await self.inner.finish(claim, outcome, reason, message_id, now)  # type: ignore[arg-type]
