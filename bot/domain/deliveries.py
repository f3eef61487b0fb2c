"""What the engine decides and delivers: outcomes, the feed log, the outbox's claims."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple

from bot.domain.channels import Target
from bot.domain.papers import Paper


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
class Decided:
    """A decision about one (subscription, paper) pair, as of when its feed listed the paper."""

    subscription_id: int
    arxiv_id: str
    decision: Decision
    when: datetime


class Pair(NamedTuple):
    subscription_id: int
    arxiv_id: str


class Placed(NamedTuple):
    """A paper in a channel: posted there, or on its way."""

    target: Target
    arxiv_id: str


class Move(NamedTuple):
    """A subscription's cursor in the feed log, from where it was read to where it goes."""

    was: int
    to: int


class DeliveryKind(StrEnum):
    CARD = "card"  # a paper's card, in the channel
    UPDATE = "update"  # news of a posted card (new version, code, upvotes), in its thread
    DIGEST = "digest"  # a compact digest's list, in the channel


@dataclass(frozen=True, slots=True)
class Outgoing:
    """A message queued in the outbox that is not a card: an update in a card's thread (about
    `arxiv_id`, `topic` saying which news: `code`, `version:3`), or a digest's list (`topic`:
    the digest's time). Each (subscription, kind, paper, topic) is queued once."""

    subscription_id: int
    kind: DeliveryKind
    arxiv_id: str | None
    topic: str
    text: str


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """How a batch of papers changed the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0
    # The stored record of each paper after the batch (what every source said, merged), when
    # asked for: the engine reads them here rather than again.
    records: dict[str, Paper] = field(default_factory=dict, compare=False, repr=False)

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            {**self.records, **other.records},
        )


@dataclass(frozen=True, slots=True)
class PaperVersion:
    version: int
    updated: datetime | None  # when arXiv published this version, if known
    first_seen: datetime  # when we first stored it


@dataclass(frozen=True, slots=True)
class Claim:
    """A delivery this worker holds the lease on."""

    delivery_id: int
    subscription_id: int
    arxiv_id: str | None  # None for a digest's list
    target: Target
    recovering: bool  # an earlier attempt may have posted before it could record the result
    attempts: int = 1  # including this one
    kind: DeliveryKind = DeliveryKind.CARD
    topic: str = ""  # an update's news, a digest's time
    text: str = ""  # an update's or a digest's text
    # The idempotency key the platform keeps with the message: unique forever (never a reused
    # row id), at most 25 characters.
    key: str = ""


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """One line of the ledger, as `why` shows it."""

    subscription_id: int
    target: Target
    outcome: Outcome
    reason: str
    message_id: str | None
    decided: datetime
    kind: DeliveryKind = DeliveryKind.CARD
    topic: str = ""
    # When it last changed: a digest's card is decided at the poll, posted at the digest's time
    changed: datetime | None = None


@dataclass(frozen=True, slots=True)
class Logged:
    """A paper in the log of what feeds listed: its position, and when its feed first did."""

    seq: int
    feed: str
    arxiv_id: str
    first_seen: datetime


@dataclass(frozen=True, slots=True)
class Backlog:
    """A stretch of the log from the lowest cursor on, in order, and the cursors of the
    subscriptions of its feeds behind its end, furthest behind first: what they decide next."""

    logged: list[Logged]
    cursors: dict[int, int]  # subscription id -> the seq it has decided up to
    whole: bool  # every subscription of the stretch's feeds behind its end is in `cursors`
