"""What one cycle of the engine did, and the clock its parts share."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.domain import Outcome


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class FirstPoll:
    """What a new subscription's first poll found: papers its feed listed already, and how
    many of them it catches up (not yet shown in the channel, before its rules)."""

    listed: int
    catching_up: int


@dataclass
class CycleReport:
    fetched: dict[str, int] = field(default_factory=dict)  # feed -> papers
    failed_feeds: dict[str, str] = field(default_factory=dict)  # feed -> error
    decided: dict[Outcome, int] = field(default_factory=lambda: defaultdict(int))
    posted: int = 0
    digests: int = 0  # papers released by digests this cycle
    promoted: int = 0  # papers released by instant subscriptions' rankings (promote=N)
    news: dict[int, int] = field(default_factory=dict)  # subscription -> papers new to it
    # subscription -> papers its first poll catches up (the top N the channel has not seen)
    caught_up: dict[int, int] = field(default_factory=dict)
    held: dict[str, int] = field(default_factory=dict)  # feed -> records without a title yet
    updates: int = 0  # replies queued in the threads of posted cards
    deferred: int = 0
    rate_limited: int = 0  # of the deferred: the platform asked us to wait (HTTP 429)
    failed: int = 0
    # The subscription whose subscribe-time poll this is (`Engine.start`): that poll is its
    # baseline. A first poll that comes later takes the feed's log up to the subscription.
    opening: int | None = None
