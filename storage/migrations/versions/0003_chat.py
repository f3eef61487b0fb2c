"""What happens under the cards in chat platforms: the questions and answers in their threads
(kept here, not re-read from the platform) and the reactions counted as votes; and the language
model's shared work: answers by question, TL;DRs by paper, and its use counted per day.

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
    # Threads and reactions find their card by its message id.
    op.create_index("ix_deliveries_message_id", "deliveries", ["message_id"])
    op.create_table(
        "thread_turns",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("thread", sa.String(255), nullable=False),
        sa.Column("author", sa.String(255), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created", Time, nullable=False),
    )
    op.create_index(
        "ix_thread_turns_thread", "thread_turns", ["platform", "channel", "thread", "id"]
    )
    op.create_table(
        "votes",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(255), primary_key=True),
        sa.Column("message_id", sa.String(255), primary_key=True),
        sa.Column("voter", sa.String(255), primary_key=True),
        sa.Column("reaction", sa.String(100), primary_key=True),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("created", Time, nullable=False),
    )
    op.create_index("ix_votes_channel_created", "votes", ["platform", "channel", "created"])
    op.create_table(
        "llm_answers",
        sa.Column("arxiv_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("question", sa.String(512), primary_key=True),  # normalised
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("created", Time, nullable=False),
    )
    op.create_table(
        "tldrs",
        sa.Column("arxiv_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("model", sa.String(128), nullable=False),
        sa.Column("created", Time, nullable=False),
    )
    op.create_table(
        "llm_usage",
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("key", sa.String(300), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_message_id", "deliveries")
    op.drop_table("llm_usage")
    op.drop_table("tldrs")
    op.drop_table("llm_answers")
    op.drop_table("votes")
    op.drop_table("thread_turns")
