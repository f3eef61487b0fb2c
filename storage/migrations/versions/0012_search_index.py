"""Search moves to the search index (`storage.search_index`, tantivy, derived from the papers
table): the database's own full-text indexes go. They cost a third of every import, 800 MB at a
million papers, and ranked only the newest matches; two tokenizers also never quite agreed.

SQLite: the FTS5 table and its triggers. PostgreSQL: the `tsv` column, its GIN index and the
`paperboy` text search configuration. Downgrading puts them back, filled from the papers.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = ("papers_fts_insert", "papers_fts_delete", "papers_fts_update")


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS papers_fts")
        return
    op.execute("DROP INDEX IF EXISTS ix_papers_tsv")
    op.execute("ALTER TABLE papers DROP COLUMN IF EXISTS tsv")
    op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS paperboy")


# What 0001 and 0008 built, as they left it.
_SQLITE_FTS = [
    """CREATE VIRTUAL TABLE papers_fts USING fts5(
        title, authors_text, abstract,
        content='papers', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER papers_fts_insert AFTER INSERT ON papers BEGIN
        INSERT INTO papers_fts(rowid, title, authors_text, abstract)
        VALUES (new.id, new.title, new.authors_text, new.abstract);
    END""",
    """CREATE TRIGGER papers_fts_delete AFTER DELETE ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, authors_text, abstract)
        VALUES ('delete', old.id, old.title, old.authors_text, old.abstract);
    END""",
    """CREATE TRIGGER papers_fts_update
    AFTER UPDATE OF title, authors_text, abstract ON papers BEGIN
        INSERT INTO papers_fts(papers_fts, rowid, title, authors_text, abstract)
        VALUES ('delete', old.id, old.title, old.authors_text, old.abstract);
        INSERT INTO papers_fts(rowid, title, authors_text, abstract)
        VALUES (new.id, new.title, new.authors_text, new.abstract);
    END""",
    "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')",
]
_UNACCENT_SCHEMA = """SELECT n.nspname FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"""


def _tsv(field: str) -> str:
    return (
        f"to_tsvector('paperboy', regexp_replace(coalesce({field}, ''), '[[:punct:]]+', ' ', 'g'))"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in _SQLITE_FTS:
            op.execute(statement)
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    schema = bind.exec_driver_sql(_UNACCENT_SCHEMA).scalar_one()
    op.execute("CREATE TEXT SEARCH CONFIGURATION paperboy (COPY = english)")
    op.execute(
        "ALTER TEXT SEARCH CONFIGURATION paperboy ALTER MAPPING FOR hword, hword_part, word "
        f'WITH "{schema}".unaccent, english_stem'
    )
    op.execute(
        f"""ALTER TABLE papers ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight({_tsv("title")}, 'A') ||
        setweight({_tsv("authors_text")}, 'B') ||
        setweight({_tsv("abstract")}, 'C')) STORED"""
    )
    op.execute("CREATE INDEX ix_papers_tsv ON papers USING GIN (tsv)")
