"""When to poll each feed: Hugging Face through the day, arXiv RSS after its nightly
announcement and never on its empty weekend days, with jitter so many bots do not poll in step."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import FeedKind, FeedSpec

INTERVALS = {
    FeedKind.HF_DAILY: timedelta(minutes=30),
    FeedKind.ARXIV_RSS: timedelta(hours=1),
    FeedKind.ARXIV_QUERY: timedelta(hours=6),
}
JITTER = 0.1
EASTERN = ZoneInfo("America/New_York")
# arXiv announces Sunday to Thursday nights, around midnight US Eastern; the feeds of Saturday
# and Sunday (Eastern) are empty. The first useful poll after a weekend is Monday 00:30.
ANNOUNCED_BY = time(0, 30)


def next_poll(
    kind: FeedKind,
    now: datetime,
    override: timedelta | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """The next time to poll a feed of this kind after polling it at `now`."""
    if override is not None:
        return now + override
    base = INTERVALS[kind]
    spread = (rng or random).uniform(-JITTER, JITTER)
    at = now + base * (1 + spread)
    if kind is FeedKind.ARXIV_RSS:
        local = at.astimezone(EASTERN)
        if local.weekday() >= 5:  # Saturday or Sunday in New York
            monday = local.date() + timedelta(days=7 - local.weekday())
            at = datetime.combine(monday, ANNOUNCED_BY, EASTERN).astimezone(now.tzinfo)
    return at


@dataclass
class Scheduler:
    """The next poll of each feed; feeds never polled are due at once."""

    override: timedelta | None = None
    rng: random.Random = field(default_factory=random.Random)
    _next: dict[FeedSpec, datetime] = field(default_factory=dict)

    def next_for(self, feed: FeedSpec, now: datetime) -> datetime:
        return next_poll(feed.kind, now, self.override, self.rng)

    def due(self, feeds: set[FeedSpec], now: datetime) -> set[FeedSpec]:
        return {f for f in feeds if self._next.get(f, now) <= now}

    def polled(self, feed: FeedSpec, now: datetime, failed: bool = False) -> None:
        wait = self.next_for(feed, now)
        # A failing source is tried again within minutes, not at its full interval.
        self._next[feed] = min(wait, now + timedelta(minutes=5)) if failed else wait

    def next_wake(self, feeds: set[FeedSpec], now: datetime) -> datetime:
        return min((self._next.get(f, now) for f in feeds), default=now + timedelta(minutes=5))
