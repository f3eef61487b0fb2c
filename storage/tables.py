"""Tables. ORM rows never leave `storage/`: `storage.mapping` turns them into `bot.domain.Paper`.

Full-text search is not in the database: `storage.search_index` keeps a tantivy index derived
from the papers table (`change_seq` tells it what changed).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

# SQLite only makes INTEGER PRIMARY KEY an alias of the rowid (a compact, fast key).
Id = BigInteger().with_variant(Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """Every timestamp: stored as UTC, read back aware in UTC, on both engines.

    SQLite keeps a datetime's wall clock and drops its offset (12:00+02:00 would read back as
    12:00Z, after 11:00Z); PostgreSQL hands back the session's zone. Normalising here, once,
    makes comparisons in SQL right too, since parameters compared with a column pass through it.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"a naive datetime cannot be stored: {value!r} (give it a zone)")
        moment = value.astimezone(UTC)
        return moment if dialect.name == "postgresql" else moment.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        list[str]: JSON,
    }


class PaperRow(Base):
    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), unique=True)
    version: Mapped[int | None]
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Searchable copies: author names and categories as plain text (space separated).
    authors_text: Mapped[str] = mapped_column(Text, default="")
    # The title's words in order (`bot.search.title_key`): a query typed as the exact title.
    title_key: Mapped[str | None] = mapped_column(String(255))
    categories_text: Mapped[str] = mapped_column(Text, default="")
    abstract: Mapped[str | None] = mapped_column(Text)
    published: Mapped[datetime | None]
    updated: Mapped[datetime | None]
    announced: Mapped[datetime | None]
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    primary_category: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    journal_ref: Mapped[str | None] = mapped_column(Text)
    doi: Mapped[str | None] = mapped_column(Text)
    announce_type: Mapped[str | None] = mapped_column(String(32))
    upvotes: Mapped[int | None]
    num_comments: Mapped[int | None]
    github_url: Mapped[str | None] = mapped_column(Text)
    github_stars: Mapped[int | None]
    project_url: Mapped[str | None] = mapped_column(Text)
    thumbnail_url: Mapped[str | None] = mapped_column(Text)
    ai_summary: Mapped[str | None] = mapped_column(Text)
    ai_keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    organization: Mapped[str | None] = mapped_column(Text)
    hf_daily_date: Mapped[datetime | None]
    on_hf: Mapped[bool] = mapped_column(default=False)
    withdrawn: Mapped[bool] = mapped_column(default=False)
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen: Mapped[datetime]
    last_changed: Mapped[datetime]
    # The `paper_changes` value of the transaction that last wrote the row (migration 0011).
    change_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    __table_args__ = (
        Index("ix_papers_published", "published"),
        Index("ix_papers_upvotes", "upvotes"),
        Index("ix_papers_title_key", "title_key"),
        Index("ix_papers_change_seq", "change_seq", "id"),
    )


class PaperChangesRow(Base):
    """One counter, taken by each transaction that writes papers (see migration 0011)."""

    __tablename__ = "paper_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    epoch: Mapped[str] = mapped_column(String(32))  # this database's life, random


class PaperVersionRow(Base):
    """Each arXiv version we have seen of a paper (the history a newer version does not erase)."""

    __tablename__ = "paper_versions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"))
    version: Mapped[int]
    updated: Mapped[datetime | None]
    first_seen: Mapped[datetime]

    __table_args__ = (
        UniqueConstraint("paper_id", "version", name="uq_paper_versions_paper_version"),
    )


class SubscriptionRow(Base):
    __tablename__ = "subscriptions"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(255))
    feed: Mapped[str] = mapped_column(Text)  # bot.feeds.FeedSpec as text: "arxiv-rss:cs.LG"
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    cadence: Mapped[dict[str, Any]] = mapped_column(JSON)
    created: Mapped[datetime]
    paused: Mapped[str | None] = mapped_column(Text)
    last_digest: Mapped[datetime | None]
    baseline: Mapped[datetime | None]  # its feed's first poll after it was made
    # Every paper its feed logged up to this `feed_items.seq` is decided for it (set at its
    # baseline poll); what the feed logged since is its backlog, decided as the outbox drains.
    decided_to: Mapped[int | None] = mapped_column(BigInteger)

    __table_args__ = (
        Index("ix_subscriptions_target", "platform", "channel"),
        Index("ix_subscriptions_feed_decided", "feed", "decided_to"),
        Index("ix_subscriptions_decided", "decided_to"),
    )


class DeliveryRow(Base):
    """The ledger and outbox: one row per (subscription, paper) decided once, and one per
    update or digest list queued beside them (`kind`, `topic`).

    `outcome` is a `bot.domain.Outcome`, or "sending" while a worker holds the lease.
    """

    __tablename__ = "deliveries"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    arxiv_id: Mapped[str] = mapped_column(String(64))  # "" for a digest's list
    kind: Mapped[str] = mapped_column(String(64))  # a `bot.domain.DeliveryKind`
    # An update's news (`code`, `version:3`), a digest's time; "" for a card.
    topic: Mapped[str] = mapped_column(String(64), default="", server_default="")
    outcome: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)  # an update's or a digest's message
    message_id: Mapped[str | None] = mapped_column(String(255))
    # The idempotency key: random, so unique forever (SQLite reuses a deleted row's id).
    key: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    decided: Mapped[datetime]
    updated: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    not_before: Mapped[datetime | None]

    __table_args__ = (
        UniqueConstraint(
            "subscription_id", "arxiv_id", "kind", "topic", name="uq_deliveries_subscription_paper"
        ),
        # Every query a cycle runs reads a range of one of these, never the whole history.
        Index("ix_deliveries_outcome_paper", "outcome", "arxiv_id"),
        Index("ix_deliveries_subscription_outcome", "subscription_id", "outcome", "decided"),
        Index("ix_deliveries_arxiv_id", "arxiv_id"),
        Index("ix_deliveries_message_id", "message_id"),
        Index("ix_deliveries_key", "key", unique=True),
    )


class FeedItemRow(Base):
    """When a feed first listed a paper: a paper is news to a subscription when its feed lists
    it after the subscription's first poll, whatever dates the source stamps on it."""

    __tablename__ = "feed_items"

    feed: Mapped[str] = mapped_column(Text, primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen: Mapped[datetime]
    # The order papers were logged in, across feeds: a subscription's cursor (`decided_to`) is
    # a position in it. Given out by the "feed_items" counter, whose row lock makes the order
    # the order of commits, so no paper can appear behind a cursor after the cursor passed.
    seq: Mapped[int] = mapped_column(BigInteger, server_default="0")

    __table_args__ = (
        Index("ix_feed_items_arxiv_id", "arxiv_id"),
        Index("ix_feed_items_seq", "seq"),
    )


class CounterRow(Base):
    """Named counters shared by every process: "subscriptions" changes with any subscription."""

    __tablename__ = "counters"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class PollLeaseRow(Base):
    """Which bot process polls a feed until when."""

    __tablename__ = "poll_leases"

    feed: Mapped[str] = mapped_column(Text, primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    until: Mapped[datetime]


class PlaygroundMessageRow(Base):
    """A message in the local playground: a person's, or the bot's (text and/or cards)."""

    __tablename__ = "playground_messages"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(64))
    thread_of: Mapped[int | None] = mapped_column(Id)
    author: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    cards: Mapped[list[Any]] = mapped_column(JSON)
    key: Mapped[str | None] = mapped_column(String(64))
    created: Mapped[datetime]

    __table_args__ = (
        Index("ix_playground_messages_channel", "channel", "id"),
        Index("ix_playground_messages_key", "key"),
    )


class FullTextRow(Base):
    """A paper version's text as passages (section, text), and where it came from."""

    __tablename__ = "fulltexts"

    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)  # 0: version unknown
    source: Mapped[str] = mapped_column(String(32))
    passages: Mapped[list[Any]] = mapped_column(JSON)
    fetched: Mapped[datetime]


class ThreadTurnRow(Base):
    """A question asked under a card, or the bot's answer: the thread's memory for follow-ups."""

    __tablename__ = "thread_turns"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(255))
    thread: Mapped[str] = mapped_column(String(255))
    author: Mapped[str] = mapped_column(String(255))
    text: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime]

    __table_args__ = (Index("ix_thread_turns_thread", "platform", "channel", "thread", "id"),)


class ThreadPaperRow(Base):
    """The paper a thread is about, when the ledger does not know its card: a search or `show`
    reply's cards, each with its own thread, and the cards of subscriptions since removed
    (`from_feed`: the channel was shown that paper, and is not shown it again)."""

    __tablename__ = "thread_papers"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), primary_key=True)
    thread: Mapped[str] = mapped_column(String(255), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime]
    from_feed: Mapped[bool] = mapped_column(default=False, server_default=sa_false())

    __table_args__ = (Index("ix_thread_papers_shown", "arxiv_id"),)


class VoteRow(Base):
    """One person's reaction on one card; however many they add, a person is one vote."""

    __tablename__ = "votes"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    voter: Mapped[str] = mapped_column(String(255), primary_key=True)
    reaction: Mapped[str] = mapped_column(String(100), primary_key=True)
    arxiv_id: Mapped[str] = mapped_column(String(64))
    created: Mapped[datetime]
    up: Mapped[bool] = mapped_column(default=True, server_default=sa_true())  # not a 👎

    __table_args__ = (Index("ix_votes_channel_created", "platform", "channel", "created"),)


class TasteSignalRow(Base):
    """A question or `show` about a paper in a channel, for its taste; who did it is not kept."""

    __tablename__ = "taste_signals"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    platform: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(255))
    arxiv_id: Mapped[str] = mapped_column(String(64))
    signal: Mapped[str] = mapped_column(String(16))  # a `bot.domain.Signal`
    created: Mapped[datetime]

    __table_args__ = (Index("ix_taste_signals_channel_created", "platform", "channel", "created"),)


class TasteResetRow(Base):
    """When a channel last reset its taste: signals before it are not learned from."""

    __tablename__ = "taste_resets"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(255), primary_key=True)
    since: Mapped[datetime]


class LlmAnswerRow(Base):
    """A model-written answer to a question (normalised) on one version of a paper."""

    __tablename__ = "llm_answers"

    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(String(512), primary_key=True)
    answer: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime]


class TldrRow(Base):
    """A paper version's TL;DR, written once by the model and shown on every channel's card."""

    __tablename__ = "tldrs"

    arxiv_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(128))
    created: Mapped[datetime]


class LlmUsageRow(Base):
    """Model use per UTC day and budget key ("day", "user:U1", "thread:...", "tldr")."""

    __tablename__ = "llm_usage"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    count: Mapped[int]
