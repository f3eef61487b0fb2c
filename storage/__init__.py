"""Storage: SQLAlchemy on SQLite (embedded default) and PostgreSQL, implementing `bot.ports`.

store = await open_store("sqlite:///papers.db")  # creates the schema in an empty database
"""

from __future__ import annotations

from storage.engine import create_engine
from storage.migrate import SchemaOutOfDate, ensure_schema, upgrade
from storage.papers import SqlPaperStore


async def open_store(url: str) -> SqlPaperStore:
    """A store on `url`, with the schema created first if the database is empty."""
    await ensure_schema(url)
    return SqlPaperStore(create_engine(url))


__all__ = [
    "SchemaOutOfDate",
    "SqlPaperStore",
    "create_engine",
    "ensure_schema",
    "open_store",
    "upgrade",
]
