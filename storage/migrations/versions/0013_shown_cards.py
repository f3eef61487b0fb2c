"""A channel remembers the cards its feed showed it after the subscription that posted them
goes: `unsubscribe` deleted their ledger rows, so subscribing again (or another subscription
of the channel) posted the same papers again, and questions under the old cards went
unanswered. The removed subscription's posted cards become `thread_papers` rows marked
`from_feed`.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("thread_papers") as batch:
        batch.add_column(
            sa.Column("from_feed", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index("ix_thread_papers_shown", "thread_papers", ["arxiv_id"])


def downgrade() -> None:
    op.drop_index("ix_thread_papers_shown", "thread_papers")
    with op.batch_alter_table("thread_papers") as batch:
        batch.drop_column("from_feed")
