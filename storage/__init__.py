"""Storage: SQLAlchemy on SQLite (embedded default) and PostgreSQL, implementing `bot.ports`.

store = await open_store("sqlite:///papers.db")  # creates the schema in an empty database
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import DatabaseUnavailable, SchemaOutOfDate
from storage.chat import SqlThreads, SqlVotes
from storage.engine import create_engine
from storage.leases import SqlPollLeases
from storage.ledger import SqlLedger
from storage.migrate import (
    display_url,
    ensure_schema,
    upgrade,
)
from storage.papers import SqlPaperStore
from storage.search_index import SearchIndex, location
from storage.subscriptions import SqlSubscriptionStore
from storage.taste import SqlTasteSignals


async def open_store(url: str, search_index: str = "") -> SqlPaperStore:
    """A store on `url`, with the schema created first if the database is empty, and its
    search index where `storage.search_index.location` says."""
    await ensure_schema(url)
    return SqlPaperStore(create_engine(url), index=SearchIndex(location(url, search_index)))


@dataclass(frozen=True, slots=True)
class Storage:
    """Everything the engine keeps, on one connection pool."""

    engine: AsyncEngine
    papers: SqlPaperStore
    subscriptions: SqlSubscriptionStore
    ledger: SqlLedger
    leases: SqlPollLeases
    threads: SqlThreads
    votes: SqlVotes
    signals: SqlTasteSignals

    async def close(self) -> None:
        await self.papers.index.close()
        await self.engine.dispose()

    async def ping(self) -> None:
        """Raises when the database does not answer (for `/healthz`)."""
        async with self.engine.connect() as conn:
            await conn.execute(sa.text("SELECT 1"))


async def open_storage(url: str, search_index: str = "") -> Storage:
    """Papers, subscriptions and the delivery ledger on `url` (schema created when empty)."""
    await ensure_schema(url)
    engine = create_engine(url)
    return Storage(
        engine,
        SqlPaperStore(engine, index=SearchIndex(location(url, search_index))),
        SqlSubscriptionStore(engine),
        SqlLedger(engine),
        SqlPollLeases(engine),
        SqlThreads(engine),
        SqlVotes(engine),
        SqlTasteSignals(engine),
    )


__all__ = [
    "DatabaseUnavailable",
    "SchemaOutOfDate",
    "SqlLedger",
    "SqlPaperStore",
    "SqlPollLeases",
    "SqlSubscriptionStore",
    "SqlTasteSignals",
    "SqlThreads",
    "SqlVotes",
    "Storage",
    "create_engine",
    "display_url",
    "ensure_schema",
    "open_storage",
    "open_store",
    "upgrade",
]
