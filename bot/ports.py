"""The ports the core needs from the outside world; `storage/` and `adapters/` implement them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain import (
    Backlog,
    Cadence,
    Card,
    Claim,
    Decided,
    DeliveryRecord,
    FeedSpec,
    Hit,
    Limits,
    Move,
    Outcome,
    Outgoing,
    Pair,
    Paper,
    PaperSignals,
    PaperVersion,
    Placed,
    Rules,
    SearchQuery,
    Signal,
    Subscription,
    Target,
    Turn,
    UpsertResult,
)


class PaperStore(Protocol):
    """Papers keyed by canonical arXiv id, with full-text search."""

    async def upsert(self, papers: Sequence[Paper], *, records: bool = False) -> UpsertResult:
        """Store papers atomically: new ones added, known ones merged with what is stored
        (`bot.merge.merge`); re-importing the same data changes nothing. `records`: return
        each paper's stored record after (an import of millions does without)."""
        ...

    async def get(self, arxiv_id: str) -> Paper | None: ...

    async def get_many(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        """The stored papers among these ids, by id (in one or a few queries)."""
        ...

    async def versions(self, arxiv_id: str) -> list[PaperVersion]: ...

    async def search(self, query: SearchQuery) -> list[Hit]: ...

    async def count(self) -> int: ...


# --- The feed: subscriptions, the delivery ledger, and the platforms' side --------------------


class PublishError(Exception):
    """A platform refused or failed a post."""


class RetryLater(PublishError):
    """Rate-limited (429, with the platform's `retry_after`) or a server fault or timeout
    (`retry_after` None: the engine backs off exponentially)."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TargetGone(PublishError):
    """The channel is gone or the bot may not post there (403/404): pause its subscriptions."""


class Rejected(PublishError):
    """The platform refused this post itself (oversized, invalid): record it failed, never retry."""


class Publisher(Protocol):
    """One platform's posting. `key` is the delivery's idempotency key (at most 25 characters,
    the shortest platform limit): the platform keeps it with the message, so `find` can tell after a
    crash whether a post was already made. `limits` are the platform's rate limits, which the
    engine paces every request within."""

    limits: Limits

    async def post(self, target: Target, card: Card, key: str) -> str:
        """Post the card; returns the platform's message id."""
        ...

    async def post_text(self, target: Target, text: str, key: str) -> str:
        """Post a plain message (a compact digest); returns its id."""
        ...

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        """Post `text` in the thread of message `message_id` (a card); returns the reply's id."""
        ...

    async def find(self, target: Target, key: str, thread: str | None = None) -> str | None:
        """The id of a message already posted with `key`, if any: a card or a digest in the
        channel, or, with `thread` (the card's message id), a reply in that card's thread."""
        ...


class SubscriptionStore(Protocol):
    async def add(
        self,
        target: Target,
        feed: FeedSpec,
        rules: Rules,
        now: datetime,
        cadence: Cadence | None = None,
    ) -> Subscription: ...

    async def digested(self, subscription_id: int, when: datetime) -> None:
        """Record that the subscription's digest was made at `when`."""
        ...

    async def baselines(self, subscription_ids: Sequence[int]) -> dict[int, datetime]:
        """The baselines (first polls) of those of these subscriptions that have one."""
        ...

    async def remove(self, subscription_id: int) -> bool: ...

    async def revision(self) -> int:
        """A number that changes whenever any subscription is added, changed or removed (by
        any process), so the engine re-reads them only then."""
        ...

    async def all(self) -> list[Subscription]:
        """Every subscription, paused ones too (their papers are decided, and wait)."""
        ...

    async def active(self) -> list[Subscription]:
        """Subscriptions not paused."""
        ...

    async def for_target(self, target: Target) -> list[Subscription]: ...

    async def pause(self, subscription_id: int, reason: str) -> None: ...

    async def resume(self, subscription_id: int) -> None: ...


class FeedLog(Protocol):
    """The log, in order, of when each feed first listed each paper; each subscription's cursor
    in it says how far it has decided (what lies past it is its backlog)."""

    async def first_seen(self, feed: str, arxiv_ids: Sequence[str]) -> dict[str, datetime]:
        """When `feed` first listed each of these papers, for those it listed before."""
        ...

    async def first_listed(self, feed: str) -> datetime | None:
        """When `feed` first listed any paper; None if it never did."""
        ...

    async def mark_seen(self, feed: str, arxiv_ids: Sequence[str], now: datetime) -> None:
        """Remember that `feed` lists these papers (a paper already known keeps its time)."""
        ...

    async def feeds_listing(self, arxiv_id: str) -> dict[str, datetime]:
        """Every feed that listed the paper, with when it first did."""
        ...

    async def record_poll(
        self,
        feed: str,
        fresh: Sequence[str],
        decisions: Sequence[Decided],
        starting: Mapping[int, datetime],
        now: datetime,
    ) -> None:
        """What one poll of `feed` decided, in one transaction: the decisions (as `record`),
        its `fresh` papers logged in this order as first seen `now`, and for the `starting`
        subscriptions (those without a baseline) their baseline and the log's end as their
        cursor, so a crash leaves all of it or none."""
        ...

    async def backlog(self, papers: int, cursors: int) -> Backlog:
        """Up to `papers` papers of the log past the lowest cursor, and up to `cursors` cursors
        of their feeds' subscriptions behind them."""
        ...

    async def record_backlog(
        self,
        decisions: Sequence[Decided],
        moves: Mapping[int, Move],
        stretch: Backlog,
        now: datetime,
    ) -> int | None:
        """Record decisions made from the log and move the cursors (by subscription id) in one
        transaction, with every subscription of a feed not in the `stretch` moved past it
        (nothing of theirs is in it); returns how many cursors moved. Records nothing and
        returns None when some cursor was no longer where it was read (another process
        decided it first)."""
        ...


class Decisions(Protocol):
    """Each (subscription, paper) decided once, with its outcome. Decisions that need no
    follow-up (filtered by a content rule, stale, listed before the subscription) get no row:
    `why` works them out again from the rules."""

    async def record(self, decisions: Sequence[Decided], now: datetime) -> None:
        """Record decisions in one transaction; a pair already recorded keeps its first
        decision, unless that one was WAITING."""
        ...

    async def waiting(self, arxiv_ids: Sequence[str]) -> set[Pair]:
        """The pairs among these papers still waiting for upvotes."""
        ...

    async def settle_waiting(self, now: datetime) -> int:
        """Papers whose upvote window closed (their upvotes did not move since, or they left
        their feed): filtered."""
        ...

    async def occupied(
        self, arxiv_ids: Sequence[str], subscription_ids: Sequence[int], targets: Sequence[Target]
    ) -> set[Placed]:
        """The papers already posted in a channel or on their way: by any of these
        subscriptions, or in these channels by subscriptions since removed."""
        ...

    async def posted_since(
        self, subscription_ids: Sequence[int], since: datetime
    ) -> dict[int, int]:
        """Cards posted or on their way since `since`, by subscription (those with any)."""
        ...

    async def held(self, subscription_id: int) -> list[str]:
        """Papers held for the subscription's next digest."""
        ...

    async def release(
        self,
        subscription_id: int,
        chosen: Sequence[str],
        rest: Sequence[str],
        label: str,
        now: datetime,
        listed: Sequence[str] = (),
        message: Outgoing | None = None,
    ) -> None:
        """Make a digest (or a cycle's promotion): `chosen` held papers become pending cards,
        `listed` ones go into the list `message`, queued in the same transaction (and only if
        they were still held), the `rest` are filtered."""
        ...

    async def prune(self, before: datetime) -> int:
        """Forget finished decisions nothing reads any more (not cards posted or on their way,
        which threads, `why` and `top` need) decided before `before`; returns how many."""
        ...

    async def why(self, arxiv_id: str) -> list[DeliveryRecord]: ...


class Outbox(Protocol):
    """What is to be posted: the cards decided, and the messages queued beside them, each
    posted once across crashes (a lease while a worker posts, an idempotency key)."""

    async def queue(self, messages: Sequence[Outgoing], now: datetime) -> None:
        """Queue updates and digest lists; one already queued stays as it is."""
        ...

    async def posted_cards(self, arxiv_ids: Sequence[str]) -> list[Pair]:
        """The cards already posted for these papers."""
        ...

    async def card_message(self, subscription_id: int, arxiv_id: str) -> str | None: ...

    async def claim(
        self, now: datetime, lease: timedelta, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Claim]:
        """Take pending deliveries (and ones whose lease expired mid-send) due now, for channels
        on `platforms` (all when None): a process takes only what it can post."""
        ...

    async def renew(self, claims: Sequence[Claim], until: datetime) -> None:
        """Extend the lease on claims still being worked on (not those taken over since)."""
        ...

    async def finish(
        self, claim: Claim, outcome: Outcome, reason: str, message_id: str | None, now: datetime
    ) -> None: ...

    async def retry_at(self, claim: Claim, when: datetime, reason: str) -> None:
        """Back to pending, not before `when`."""
        ...


class Ledger(FeedLog, Decisions, Outbox, Protocol):
    """The three on one database (`storage.SqlLedger`): a poll logs and decides, the outbox
    posts what was decided, in the same transactions where it matters."""


class PollLeases(Protocol):
    """Several bot processes on one database: each feed is polled by one of them at a time."""

    async def take(self, feed: str, holder: str, now: datetime, until: datetime) -> bool:
        """Hold `feed` until `until` if it is free, expired, or already held by `holder`."""
        ...

    async def release(self, feed: str, holder: str) -> None:
        """Let `feed` go now, if `holder` holds it."""
        ...


# --- Under the cards: threads and reactions ---------------------------------------------------


class Threads(Protocol):
    """Our own record of the cards' threads (the thread of a card is keyed by the card's message
    id): platforms' history APIs are slow, rate-limited, or need extra permissions."""

    async def paper_of(self, target: Target, message_id: str) -> str | None:
        """The arXiv id of the card posted as `message_id` in `target` (by the feed, or opened
        with `open`), if any."""
        ...

    async def open(self, target: Target, thread: str, arxiv_id: str, now: datetime) -> None:
        """Remember that the thread under message `thread` is about `arxiv_id` (a card that a
        command's reply posted; the feed's cards are known already). The first paper stays."""
        ...

    async def add_turns(
        self, target: Target, thread: str, turns: Sequence[Turn], now: datetime
    ) -> None: ...

    async def turns(self, target: Target, thread: str, limit: int) -> list[Turn]:
        """The thread's last `limit` turns, oldest first."""
        ...


class Votes(Protocol):
    """Reactions on cards, for a channel's `top` papers: a person's reactions on a card are one
    vote, withdrawn when the last of them is."""

    async def vote(
        self,
        target: Target,
        message_id: str,
        voter: str,
        reaction: str,
        now: datetime,
        *,
        up: bool = True,
    ) -> bool:
        """Record (or with `up=False` remove) one reaction on a feed card; False if
        `message_id` is not one."""
        ...

    async def top(self, target: Target, since: datetime, limit: int) -> list[tuple[str, int]]:
        """(arXiv id, voters) of the channel's most voted cards since `since`, most first."""
        ...


class Tldrs(Protocol):
    """A TL;DR for a paper's card, written once per paper and shared by every channel."""

    async def for_paper(self, paper: Paper) -> str | None:
        """The TL;DR, or None to keep the card's own (HF's AI summary or the abstract's start)."""
        ...


class TasteSignals(Protocol):
    """What each channel did with its papers, for its taste (`bot.taste`): votes (kept by the
    vote store), questions and `show`s (kept without who asked), cards posted; all counted
    from the channel's last reset on."""

    async def note(self, target: Target, arxiv_id: str, signal: Signal, now: datetime) -> None:
        """Count one signal about a paper in a channel."""
        ...

    async def of_channel(self, target: Target, limit: int) -> list[PaperSignals]:
        """What the channel did with each paper since its reset, the `limit` latest papers."""
        ...

    async def reset(self, target: Target, now: datetime) -> None:
        """Forget what the channel did so far (its votes still count for `top`)."""
        ...

    async def revision(self, target: Target) -> tuple[int, str]:
        """How many votes, questions and `show`s the channel has since its reset, and a stamp
        that changes whenever they or the reset do (cheaply: a taste is learned again only
        then, and not read at all while nobody did anything)."""
        ...
