"""Each paper's title as its words in order (`papers.title_key`, indexed): a query typed as a
paper's exact title finds it first, however many newer papers use the same words (search ranks
only the newest matches). Existing rows are filled in batches.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # as `bot.search` splits words, frozen here
BATCH = 5_000


def _key(title: str | None) -> str | None:
    return " ".join(w.lower() for w in _WORD.findall(title or ""))[:255] or None


def upgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.add_column(sa.Column("title_key", sa.String(255), nullable=True))
    bind = op.get_bind()
    papers = sa.table(
        "papers", sa.column("id", sa.Integer), sa.column("title"), sa.column("title_key")
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(papers.c.id, papers.c.title)
            .where(papers.c.id > last)
            .order_by(papers.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            sa.update(papers).where(papers.c.id == sa.bindparam("row_id")),
            [{"row_id": row.id, "title_key": _key(row.title)} for row in rows],
        )
        last = rows[-1].id
    op.create_index("ix_papers_title_key", "papers", ["title_key"])


def downgrade() -> None:
    op.drop_index("ix_papers_title_key", "papers")
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("title_key")
