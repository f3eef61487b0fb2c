"""Subscriptions, the delivery ledger (the outbox of posts), poll leases, the playground's
messages and papers' full text.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("feed", sa.Text(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("cadence", sa.JSON(), nullable=False),
        sa.Column("created", Time, nullable=False),
        sa.Column("paused", sa.Text()),
        sa.Column("last_digest", Time),
    )
    op.create_index("ix_subscriptions_target", "subscriptions", ["platform", "channel"])
    op.create_table(
        "deliveries",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "subscription_id",
            Id,
            sa.ForeignKey("subscriptions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(255)),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("decided", Time, nullable=False),
        sa.Column("updated", Time, nullable=False),
        sa.Column("lease_until", Time),
        sa.Column("not_before", Time),
        sa.UniqueConstraint(
            "subscription_id", "arxiv_id", "kind", name="uq_deliveries_subscription_paper"
        ),
    )
    op.create_index("ix_deliveries_outcome", "deliveries", ["outcome"])
    op.create_index("ix_deliveries_arxiv_id", "deliveries", ["arxiv_id"])
    # The local playground's channels: every message, card and thread reply shown there.
    op.create_table(
        "playground_messages",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("thread_of", Id),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("cards", sa.JSON(), nullable=False),
        sa.Column("key", sa.String(64)),
        sa.Column("created", Time, nullable=False),
    )
    op.create_index("ix_playground_messages_channel", "playground_messages", ["channel", "id"])
    op.create_index("ix_playground_messages_key", "playground_messages", ["key"])
    # Papers' full text, parsed into passages, once per version (for answers in threads).
    op.create_table(
        "fulltexts",
        sa.Column("arxiv_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("passages", sa.JSON(), nullable=False),
        sa.Column("fetched", Time, nullable=False),
    )
    # Which bot process polls a feed: several processes on one database poll each feed once.
    op.create_table(
        "poll_leases",
        sa.Column("feed", sa.String(512), primary_key=True),
        sa.Column("holder", sa.String(64), nullable=False),
        sa.Column("until", Time, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("poll_leases")
    op.drop_table("playground_messages")
    op.drop_table("fulltexts")
    op.drop_table("deliveries")
    op.drop_table("subscriptions")
