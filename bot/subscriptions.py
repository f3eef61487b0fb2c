"""Subscriptions: which papers of which feed go to which channel, and the decision for each.

A subscription ties a target (an opaque platform + channel pair the core never parses) to a
feed (`bot.feeds.FeedSpec`) and rules. `decide` turns one (subscription, paper) pair into one
outcome with its reason; the engine records it once in the delivery ledger.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.feeds import FeedSpec
from bot.keywords import KeywordRule
from bot.models import Paper

STALE_AFTER = timedelta(days=3)  # never post papers older than this (by publication/announcement)


@dataclass(frozen=True, slots=True)
class Target:
    """Where posts go: a platform name and that platform's channel id, opaque to the core."""

    platform: str
    channel: str

    def __str__(self) -> str:
        return f"{self.platform}:{self.channel}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Rules:
    keywords: KeywordRule | None = None  # over title and abstract
    categories: frozenset[str] = frozenset()  # any of them
    authors: tuple[str, ...] = ()  # any of them, matched on whole names, case-insensitive
    min_upvotes: int | None = None
    upvote_window_days: int = 3  # how long a paper has to reach min_upvotes
    daily_cap: int | None = None  # most posts per UTC day
    catch_up: int = 0  # on its first cycle, also post the top N of what the feed has now


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

    def digest_due(self, now: datetime) -> bool:
        if self.cadence.every is Every.INSTANT:
            return False
        return self.cadence.next_after(self.last_digest or self.created) <= now


class Outcome(StrEnum):
    PENDING = "pending"  # to be posted
    HELD = "held"  # matches; waits for the subscription's digest
    LISTED = "listed"  # in a compact digest's list message
    POSTED = "posted"
    FILTERED = "filtered"
    DUPLICATE = "duplicate"
    CAPPED = "capped"
    STALE = "stale"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    reason: str


def _moment(paper: Paper) -> datetime | None:
    """When the paper last became news: published, announced on arXiv, or featured on HF's
    Daily Papers (often days after it appeared on arXiv), whichever came last."""
    moments = [m for m in (paper.published, paper.announced, paper.hf_daily_date) if m]
    return max(moments) if moments else None


def stale(paper: Paper, now: datetime) -> bool:
    """Too old to post: the staleness limit holds at delivery too (after a pause, a backlog)."""
    moment = _moment(paper)
    return moment is not None and now - moment > STALE_AFTER


def _author_match(rules: Rules, paper: Paper) -> bool:
    names = {" ".join(a.lower().split()) for a in paper.authors}
    return any(" ".join(a.lower().split()) in names for a in rules.authors)


def decide(
    sub: Subscription, paper: Paper, now: datetime, posted_today: int, *, catching_up: bool = False
) -> Decision | None:
    """The outcome for `paper` in `sub` now, or None when it is too early to say (a paper may
    still reach its upvote threshold); rules in the order people think about them.
    `catching_up`: the paper is among the top `catch_up` of a subscription's first cycle."""
    moment = _moment(paper)
    # A new subscription never floods the channel with what came before it.
    if moment is not None and moment < sub.created - timedelta(hours=1) and not catching_up:
        return Decision(Outcome.STALE, f"from {moment:%Y-%m-%d}, before this subscription began")
    if moment is not None and now - moment > STALE_AFTER:
        return Decision(
            Outcome.STALE, f"from {moment:%Y-%m-%d}, older than {STALE_AFTER.days} days"
        )
    rules = sub.rules
    if rules.categories and not rules.categories.intersection(paper.categories):
        wanted = ", ".join(sorted(rules.categories))
        return Decision(Outcome.FILTERED, f"category: not in {wanted}")
    if rules.keywords and not rules.keywords.matches(paper.title, paper.abstract):
        return Decision(Outcome.FILTERED, f"keywords: does not match {rules.keywords}")
    if rules.authors and not _author_match(rules, paper):
        return Decision(Outcome.FILTERED, f"authors: none of {', '.join(rules.authors)}")
    if rules.min_upvotes is not None and (paper.upvotes or 0) < rules.min_upvotes:
        if moment is None or now - moment <= timedelta(days=rules.upvote_window_days):
            return None
        return Decision(Outcome.FILTERED, f"upvotes: {paper.upvotes or 0} < {rules.min_upvotes}")
    if sub.cadence.every is not Every.INSTANT:
        return Decision(Outcome.HELD, f"for the {sub.cadence.every} digest")
    if rules.daily_cap is not None and posted_today >= rules.daily_cap:
        return Decision(Outcome.CAPPED, f"daily cap of {rules.daily_cap} reached")
    return Decision(Outcome.PENDING, "matches")
