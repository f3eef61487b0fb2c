"""Engines from a database URL: nothing is created at import, everything from the caller's URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
_SYNC_DRIVERS = {"sqlite": "sqlite+pysqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str | URL, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise ValueError(
            f"unsupported database {backend!r}: use sqlite:///PATH or postgresql://..."
        )
    return parsed.set(drivername=drivers[backend])


def async_url(url: str | URL) -> URL:
    """`sqlite:///x.db` -> `sqlite+aiosqlite:///x.db`, `postgresql://` -> `postgresql+psycopg://`."""
    return _with_driver(url, _ASYNC_DRIVERS)


def sync_url(url: str | URL) -> URL:
    """The same database through a synchronous driver (for Alembic)."""
    return _with_driver(url, _SYNC_DRIVERS)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers (search) run while the feed writes; NORMAL is durable at WAL checkpoints.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    # 64 MiB of page cache (the default is 2 MiB): FTS5 merges index segments in it.
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.close()


def prepare_sqlite_file(url: URL) -> None:
    """Create the directory of a file database (the user data directory on first run)."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def create_engine(url: str | URL) -> AsyncEngine:
    target = async_url(url)
    prepare_sqlite_file(target)
    if target.get_backend_name() == "sqlite":
        engine = create_async_engine(target)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(target, pool_pre_ping=True)
