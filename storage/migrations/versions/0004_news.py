"""A paper is news by when its feed first listed it: feed items and subscriptions' baselines;
idempotency keys unique forever; indexes that keep a cycle's cost off the ledger's history; feed
specs of any length in poll leases; a revision counter for subscriptions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "feed_items",
        sa.Column("feed", sa.Text(), primary_key=True),
        sa.Column("arxiv_id", sa.String(64), primary_key=True),
        sa.Column("first_seen", Time, nullable=False),
    )
    op.create_index("ix_feed_items_arxiv_id", "feed_items", ["arxiv_id"])
    op.create_table(
        "counters",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
    )
    # Subscriptions made before this were polled under the old rule: their baseline is now.
    op.add_column("subscriptions", sa.Column("baseline", Time))
    op.execute("UPDATE subscriptions SET baseline = created")
    # Rows in flight keep the key they were posted with, so recovery still finds them.
    op.add_column("deliveries", sa.Column("key", sa.String(32)))
    op.execute("UPDATE deliveries SET key = 'paperboy-' || CAST(id AS VARCHAR(20))")
    op.create_index("ix_deliveries_key", "deliveries", ["key"], unique=True)
    op.drop_index("ix_deliveries_outcome", "deliveries")
    op.create_index("ix_deliveries_outcome_paper", "deliveries", ["outcome", "arxiv_id"])
    op.create_index(
        "ix_deliveries_subscription_outcome",
        "deliveries",
        ["subscription_id", "outcome", "decided"],
    )
    with op.batch_alter_table("poll_leases") as batch:
        batch.alter_column("feed", type_=sa.Text(), existing_type=sa.String(512))


def downgrade() -> None:
    with op.batch_alter_table("poll_leases") as batch:
        batch.alter_column("feed", type_=sa.String(512), existing_type=sa.Text())
    op.drop_index("ix_deliveries_subscription_outcome", "deliveries")
    op.drop_index("ix_deliveries_outcome_paper", "deliveries")
    op.create_index("ix_deliveries_outcome", "deliveries", ["outcome"])
    op.drop_index("ix_deliveries_key", "deliveries")
    op.drop_column("deliveries", "key")
    op.drop_column("subscriptions", "baseline")
    op.drop_table("counters")
    op.drop_index("ix_feed_items_arxiv_id", "feed_items")
    op.drop_table("feed_items")
