"""Papers, their versions, and full-text search (FTS5 on SQLite, tsvector + GIN on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
Time = sa.DateTime(timezone=True)

SQLITE_FTS = [
    # External-content FTS5: the text lives once, in `papers`; triggers keep the index in step.
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
]

# English stemming with accents folded (Schölkopf = Scholkopf), as FTS5's unicode61 does.
# unaccent is a trusted extension: any role that may create objects in the database can add it.
# It belongs to the whole database but lives in one schema, maybe not ours: find it there.
POSTGRES_UNACCENT = "CREATE EXTENSION IF NOT EXISTS unaccent"
POSTGRES_UNACCENT_SCHEMA = """SELECT n.nspname FROM pg_extension e
    JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"""
POSTGRES_FTS = [
    "CREATE TEXT SEARCH CONFIGURATION paperboy (COPY = english)",
    """ALTER TEXT SEARCH CONFIGURATION paperboy ALTER MAPPING FOR hword, hword_part, word
        WITH "{unaccent_schema}".unaccent, english_stem""",
    # Stored, so ranking never recomputes a tsvector at query time; weights: title A, authors B,
    # abstract C.
    """ALTER TABLE papers ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('paperboy', coalesce(title, '')), 'A') ||
        setweight(to_tsvector('paperboy', authors_text), 'B') ||
        setweight(to_tsvector('paperboy', coalesce(abstract, '')), 'C')) STORED""",
    "CREATE INDEX ix_papers_tsv ON papers USING GIN (tsv)",
]


def upgrade() -> None:
    op.create_table(
        "papers",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("arxiv_id", sa.String(64), nullable=False, unique=True),
        sa.Column("version", sa.Integer()),
        sa.Column("title", sa.Text()),
        sa.Column("authors", sa.JSON(), nullable=False),
        sa.Column("authors_text", sa.Text(), nullable=False),
        sa.Column("categories_text", sa.Text(), nullable=False),
        sa.Column("abstract", sa.Text()),
        sa.Column("published", Time),
        sa.Column("updated", Time),
        sa.Column("announced", Time),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("primary_category", sa.String(32)),
        sa.Column("comment", sa.Text()),
        sa.Column("journal_ref", sa.Text()),
        sa.Column("doi", sa.Text()),
        sa.Column("announce_type", sa.String(32)),
        sa.Column("upvotes", sa.Integer()),
        sa.Column("num_comments", sa.Integer()),
        sa.Column("github_url", sa.Text()),
        sa.Column("github_stars", sa.Integer()),
        sa.Column("project_url", sa.Text()),
        sa.Column("thumbnail_url", sa.Text()),
        sa.Column("ai_summary", sa.Text()),
        sa.Column("ai_keywords", sa.JSON(), nullable=False),
        sa.Column("organization", sa.Text()),
        sa.Column("hf_daily_date", Time),
        sa.Column("on_hf", sa.Boolean(), nullable=False),
        sa.Column("withdrawn", sa.Boolean(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("first_seen", Time, nullable=False),
        sa.Column("last_changed", Time, nullable=False),
    )
    op.create_index("ix_papers_published", "papers", ["published"])
    op.create_index("ix_papers_upvotes", "papers", ["upvotes"])
    op.create_table(
        "paper_versions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("paper_id", Id, sa.ForeignKey("papers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated", Time),
        sa.Column("first_seen", Time, nullable=False),
        sa.UniqueConstraint("paper_id", "version", name="uq_paper_versions_paper_version"),
    )
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in SQLITE_FTS:
            op.execute(statement)
        return
    op.execute(POSTGRES_UNACCENT)
    schema = bind.execute(sa.text(POSTGRES_UNACCENT_SCHEMA)).scalar_one()
    for statement in POSTGRES_FTS:
        op.execute(statement.replace("{unaccent_schema}", schema.replace('"', '""')))


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TABLE IF EXISTS papers_fts")
    op.drop_table("paper_versions")
    op.drop_table("papers")
    if not sqlite:
        op.execute("DROP TEXT SEARCH CONFIGURATION IF EXISTS paperboy")
