"""What happens under the cards in chat platforms: the questions and answers in their threads
(kept here, not re-read from the platform) and the reactions counted as votes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "thread_turns",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("thread", sa.String(255), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created", Time, nullable=False),
    )
    op.create_index("ix_thread_turns_thread", "thread_turns", ["platform", "thread", "id"])
    op.create_table(
        "votes",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(255), primary_key=True),
        sa.Column("message_id", sa.String(255), primary_key=True),
        sa.Column("voter", sa.String(255), primary_key=True),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("created", Time, nullable=False),
    )
    op.create_index("ix_votes_channel_created", "votes", ["platform", "channel", "created"])


def downgrade() -> None:
    op.drop_table("votes")
    op.drop_table("thread_turns")
