"""PostgreSQL's search index splits words as the query does: punctuation is a space before the
text is parsed, so `CCI3.0-HQ` is indexed `cci3 0 hq`, as it is searched (PostgreSQL's parser
kept `3.0`- and `4o`-like tokens whole, and those titles could not be found by their own text).
SQLite's FTS5 tokenizer splits them so already.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def _tsv(field: str) -> str:
    return (
        f"to_tsvector('paperboy', regexp_replace(coalesce({field}, ''), '[[:punct:]]+', ' ', 'g'))"
    )


SPLIT = f"""ALTER TABLE papers ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight({_tsv("title")}, 'A') ||
    setweight({_tsv("authors_text")}, 'B') ||
    setweight({_tsv("abstract")}, 'C')) STORED"""
WHOLE = """ALTER TABLE papers ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('paperboy', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('paperboy', authors_text), 'B') ||
    setweight(to_tsvector('paperboy', coalesce(abstract, '')), 'C')) STORED"""


def _rebuild(column: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_papers_tsv")
    op.execute("ALTER TABLE papers DROP COLUMN tsv")
    op.execute(column)
    op.execute("CREATE INDEX ix_papers_tsv ON papers USING GIN (tsv)")


def upgrade() -> None:
    _rebuild(SPLIT)


def downgrade() -> None:
    _rebuild(WHOLE)
