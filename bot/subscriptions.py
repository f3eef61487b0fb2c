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
from bot.keywords import KeywordRule, padded_words
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
    # The first poll of its feed after it was made: what the feed listed then was there before
    # the subscription (not posted, unless caught up); what it lists first later is news.
    baseline: datetime | None = None

    def digest_due(self, now: datetime) -> bool:
        if self.cadence.every is Every.INSTANT:
            return False
        return self.cadence.next_after(self.last_digest or self.created) <= now


class Outcome(StrEnum):
    PENDING = "pending"  # to be posted
    WAITING = "waiting"  # matches but for upvotes, which it may still reach (until `until`)
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
    until: datetime | None = None  # a WAITING decision is settled by then


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read of a paper, worked out once per paper for every subscription."""

    paper: Paper
    words: str  # title and abstract as matching words (`bot.keywords.padded_words`)
    authors: frozenset[str]  # lower-cased, single-spaced
    moment: datetime | None
    # What `filtered` said for each set of rules: many subscriptions share the same rules.
    verdicts: dict[Rules, str | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @classmethod
    def of(cls, paper: Paper) -> Facts:
        return cls(
            paper,
            padded_words(paper.title, paper.abstract),
            frozenset(_name(a) for a in paper.authors),
            _moment(paper),
        )


def _name(author: str) -> str:
    return " ".join(author.lower().split())


def _moment(paper: Paper) -> datetime | None:
    """When the paper last became news: published, announced on arXiv, or featured on HF's
    Daily Papers (often days after it appeared on arXiv), whichever came last."""
    moments = [m for m in (paper.published, paper.announced, paper.hf_daily_date) if m]
    return max(moments) if moments else None


def stale(paper: Paper, now: datetime) -> bool:
    """Too old to post: the staleness limit holds at delivery too (after a pause, a backlog)."""
    moment = _moment(paper)
    return moment is not None and now - moment > STALE_AFTER


def surely_after(sub: Subscription, facts: Facts) -> bool:
    """The paper's own dates prove it appeared after the subscription was made (a paper listed
    at the subscription's first poll is otherwise taken to have been there before it)."""
    return facts.moment is not None and facts.moment > sub.created


def is_news(sub: Subscription, facts: Facts, first_seen: datetime, baseline: datetime) -> bool:
    """Whether a paper came after the subscription, so its rules decide it. A paper counts by
    when its feed first listed it (not by its own dates: Hugging Face stamps a day's list at
    midnight): after the subscription was made, except at its `baseline` poll, whose papers may
    have been there before (unless their own dates prove otherwise)."""
    return surely_after(sub, facts) or sub.created < first_seen != baseline


def filtered(rules: Rules, facts: Facts) -> str | None:
    """Which content rule (category, keywords, authors) the paper fails, or None. Pure: `why`
    asks it again rather than keeping a ledger row for every paper a rule turned away."""
    try:
        return facts.verdicts[rules]
    except KeyError:
        verdict = facts.verdicts[rules] = _filtered(rules, facts)
        return verdict


def _filtered(rules: Rules, facts: Facts) -> str | None:
    if rules.categories and not rules.categories.intersection(facts.paper.categories):
        return f"category: not in {', '.join(sorted(rules.categories))}"
    if rules.keywords and not rules.keywords.matches_padded(facts.words):
        return f"keywords: does not match {rules.keywords}"
    if rules.authors and not any(_name(a) in facts.authors for a in rules.authors):
        return f"authors: none of {', '.join(rules.authors)}"
    return None


def decide(sub: Subscription, paper: Paper | Facts, now: datetime, posted_today: int) -> Decision:
    """The outcome for a paper that is news to `sub` (first seen in its feed after the
    subscription's first poll, or caught up), now; rules in the order people think about them."""
    facts = paper if isinstance(paper, Facts) else Facts.of(paper)
    moment = facts.moment
    if moment is not None and now - moment > STALE_AFTER:
        return Decision(
            Outcome.STALE, f"from {moment:%Y-%m-%d}, older than {STALE_AFTER.days} days"
        )
    rules = sub.rules
    if (failed := filtered(rules, facts)) is not None:
        return Decision(Outcome.FILTERED, failed)
    upvotes = facts.paper.upvotes or 0
    if rules.min_upvotes is not None and upvotes < rules.min_upvotes:
        deadline = (moment or now) + timedelta(days=rules.upvote_window_days)
        if now <= deadline:
            return Decision(
                Outcome.WAITING,
                f"upvotes: {upvotes} of {rules.min_upvotes} so far, until {deadline:%Y-%m-%d}",
                deadline,
            )
        return Decision(Outcome.FILTERED, f"upvotes: {upvotes} < {rules.min_upvotes}")
    if sub.cadence.every is not Every.INSTANT:
        return Decision(Outcome.HELD, f"for the {sub.cadence.every} digest")
    if rules.daily_cap is not None and posted_today >= rules.daily_cap:
        return Decision(Outcome.CAPPED, f"daily cap of {rules.daily_cap} reached")
    return Decision(Outcome.PENDING, "matches")


NOT_LISTED = "not listed by its feed so far"


def explain(sub: Subscription, paper: Paper, first_seen: datetime | None) -> str:
    """Why a paper of `sub`'s feed has no row in the ledger: the decisions that need no row
    (listed before the subscription, stale, turned away by a content rule), asked again."""
    facts = Facts.of(paper)
    if first_seen is None:
        return NOT_LISTED
    if sub.baseline is None or not is_news(sub, facts, first_seen, sub.baseline):
        return f"listed before this subscription began (first seen {first_seen:%Y-%m-%d %H:%M})"
    if facts.moment is not None and first_seen - facts.moment > STALE_AFTER:
        return (
            f"stale: from {facts.moment:%Y-%m-%d}, older than {STALE_AFTER.days} days "
            "when it was listed"
        )
    if (failed := filtered(sub.rules, facts)) is not None:
        return f"filtered: {failed}"
    # Logged by its feed, and decided for this subscription when the outbox reaches it.
    return "new in its feed: queued, decided when the outbox reaches it"
