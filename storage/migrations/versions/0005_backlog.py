"""Each feed's papers logged in order (`feed_items.seq`) and each subscription's cursor in that
log (`subscriptions.decided_to`): a poll logs what is new once, and the (subscription, paper)
decisions are made from the log as the outbox drains.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Everything logged before this was decided at its poll: position 0, and every
    # subscription that had its first poll has decided up to it.
    op.add_column(
        "feed_items", sa.Column("seq", sa.BigInteger(), nullable=False, server_default="0")
    )
    op.create_index("ix_feed_items_seq", "feed_items", ["seq"])
    op.add_column("subscriptions", sa.Column("decided_to", sa.BigInteger()))
    op.execute("UPDATE subscriptions SET decided_to = 0 WHERE baseline IS NOT NULL")
    op.create_index("ix_subscriptions_feed_decided", "subscriptions", ["feed", "decided_to"])
    op.create_index("ix_subscriptions_decided", "subscriptions", ["decided_to"])


def downgrade() -> None:
    op.drop_index("ix_subscriptions_decided", "subscriptions")
    op.drop_index("ix_subscriptions_feed_decided", "subscriptions")
    op.drop_column("subscriptions", "decided_to")
    op.drop_index("ix_feed_items_seq", "feed_items")
    op.drop_column("feed_items", "seq")
