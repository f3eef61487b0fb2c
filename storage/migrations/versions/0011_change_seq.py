"""A change sequence on papers: the search index (`storage.search_index`) catches up on every
row written since it last looked, exactly and in commit order, in every process.

`paper_changes` holds one counter. Each transaction that writes papers takes the next value
first, holding the counter's row lock (PostgreSQL) or the write lock (SQLite) until it commits,
so transactions commit in sequence order: a reader that has seen every row up to N has missed
none below N. Existing rows get 0, which an empty index has not seen. `epoch`, random, names
this database's life: an index built from another database (or one recreated) is rebuilt.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.add_column(
            sa.Column("change_seq", sa.BigInteger(), nullable=False, server_default="0")
        )
    op.create_index("ix_papers_change_seq", "papers", ["change_seq", "id"])
    changes = op.create_table(
        "paper_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("epoch", sa.String(32), nullable=False),
    )
    op.bulk_insert(changes, [{"id": 1, "seq": 0, "epoch": uuid.uuid4().hex}])


def downgrade() -> None:
    op.drop_table("paper_changes")
    op.drop_index("ix_papers_change_seq", "papers")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("change_seq")
