"""Channels and what they follow: a target, its subscriptions' feeds, rules and cadence, and a
platform's posting limits."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.keywords import KeywordRule


@dataclass(frozen=True, slots=True)
class Target:
    """Where posts go: a platform name and that platform's channel id, opaque to the core."""

    platform: str
    channel: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"


class FeedKind(StrEnum):
    HF_DAILY = "hf-daily"
    ARXIV_RSS = "arxiv-rss"
    ARXIV_QUERY = "arxiv-query"


@dataclass(frozen=True, slots=True)
class FeedSpec:
    """One feed. `arg`: the HF day/week/month (empty = latest), RSS categories, or API query."""

    kind: FeedKind
    arg: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.arg}" if self.arg else str(self.kind)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    keywords: KeywordRule | None = None  # over title and abstract
    categories: frozenset[str] = frozenset()  # any of them
    authors: tuple[str, ...] = ()  # any of them, matched on whole names, case-insensitive
    min_upvotes: int | None = None
    upvote_window_days: int = 3  # how long a paper has to reach min_upvotes
    daily_cap: int | None = None  # most posts per UTC day
    catch_up: int = 0  # on its first cycle, also post the top N of what the feed has now
    # Post the top N by the channel's taste (and upvotes) as cards, the rest as one list: per
    # cycle, or per digest.
    promote: int | None = None


class Every(StrEnum):
    INSTANT = "instant"
    DAILY = "daily"
    WEEKLY = "weekly"


@dataclass(frozen=True, slots=True, kw_only=True)
class Cadence:
    """Post papers as they come (instant), or the period's top `top` at a local time."""

    every: Every = Every.INSTANT
    at: time = time(9, 0)
    tz: str = "UTC"  # an IANA zone, e.g. Europe/Berlin
    weekday: int = 0  # weekly digests: 0 = Monday
    top: int = 10
    compact: bool = False  # one message listing the papers, instead of a card each

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.tz)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {self.tz!r}; use a name like Europe/Berlin"
            ) from None
        if not 1 <= self.top <= 50:
            raise ValueError("a digest holds between 1 and 50 papers")

    def __str__(self) -> str:
        if self.every is Every.INSTANT:
            return "instant"
        day = f" on {calendar.day_name[self.weekday]}" if self.every is Every.WEEKLY else ""
        listed = ", as one list" if self.compact else ""
        return f"{self.every}{day} at {self.at:%H:%M} {self.tz}, top {self.top}{listed}"

    def next_after(self, moment: datetime) -> datetime:
        """The first digest time after `moment` (aware)."""
        zone = ZoneInfo(self.tz)
        local = moment.astimezone(zone)
        candidate = datetime.combine(local.date(), self.at, zone)
        while candidate <= local or (
            self.every is Every.WEEKLY and candidate.weekday() != self.weekday
        ):
            candidate = datetime.combine(candidate.date() + timedelta(days=1), self.at, zone)
        return candidate.astimezone(moment.tzinfo)


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscription:
    id: int
    target: Target
    feed: FeedSpec
    rules: Rules = field(default_factory=Rules)
    cadence: Cadence = field(default_factory=Cadence)
    created: datetime
    paused: str | None = None  # why delivery stopped (bot removed from the channel, ...)
    last_digest: datetime | None = None
    # The first poll of its feed after it was made: what the feed listed then was there before
    # the subscription (not posted, unless caught up); what it lists first later is news.
    baseline: datetime | None = None

    def digest_due(self, now: datetime) -> bool:
        if self.cadence.every is Every.INSTANT:
            return False
        return self.cadence.next_after(self.last_digest or self.created) <= now


@dataclass(frozen=True, slots=True)
class Limits:
    """At most `per_second` requests a second in all, and `per_channel` per `channel_seconds`."""

    per_second: float | None = None
    per_channel: int | None = None
    channel_seconds: float = 1.0
