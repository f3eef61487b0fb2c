"""What the engine decides and delivers: outcomes, the feed log, the outbox's claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.channels import Target


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
class UpsertResult:
    """How a batch of papers changed the store."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.new + other.new, self.updated + other.updated, self.unchanged + other.unchanged
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
    arxiv_id: str
    target: Target
    recovering: bool  # an earlier attempt may have posted before it could record the result
    attempts: int = 1  # including this one
    kind: str = "card"  # or an update in the card's thread, e.g. "update:code"
    text: str = ""  # an update's text
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
    kind: str = "card"


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
