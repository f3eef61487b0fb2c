"""Schema migrations (Alembic, shipped in the package) applied programmatically."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy import event

from bot.errors import DatabaseUnavailable, SchemaOutOfDate
from storage.engine import _sqlite_pragmas, prepare_sqlite_file, sync_url

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# The newest revision, written out so that a database already at it is opened without loading
# Alembic (a third of a CLI command's start); a test keeps it equal to the migrations' head.
HEAD = "0013"


def display_url(url: str) -> str:
    """`url` with any password shown as `***` (IPv6 hosts and odd user names kept right)."""
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(a database URL that cannot be read)"


def _config(connection: sa.Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    return HEAD


def migrations_head() -> str:
    """The head as the migration scripts say (what `HEAD` must equal)."""
    from alembic.script import ScriptDirectory

    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def _sync_engine(url: str) -> sa.Engine:
    target = sync_url(url)
    prepare_sqlite_file(target)
    engine = sa.create_engine(target)
    if target.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def current_revision(url: str) -> str | None:
    """The database's revision (None: empty); raises when it cannot be opened."""
    engine = _sync_engine(url)
    try:
        return _current(engine)
    finally:
        engine.dispose()


def _current(engine: sa.Engine) -> str | None:
    """The database's revision, as Alembic records it (None: no schema yet)."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        query = sa.text("SELECT version_num FROM alembic_version")
        return connection.execute(query).scalar_one_or_none()


def upgrade_sync(url: str) -> tuple[str | None, str]:
    """Upgrade to the newest schema; returns (revision before, revision after)."""
    from alembic import command

    engine = _sync_engine(url)
    try:
        before = _current(engine)
        with engine.begin() as connection:
            command.upgrade(_config(connection), "head")
        return before, head()
    finally:
        engine.dispose()


def ensure_schema_sync(url: str) -> bool:
    """Create the schema in an empty database (True if it did); refuse an out-of-date one."""
    try:
        engine = _sync_engine(url)
        try:
            current = _current(engine)
        finally:
            engine.dispose()
    except (ModuleNotFoundError, sa.exc.NoSuchModuleError) as exc:
        raise DatabaseUnavailable(
            f"no driver for the database {display_url(url)} ({exc}); for PostgreSQL, install "
            "Paperboy with its `postgres` extra (pip install -e '.[postgres]')"
        ) from exc
    except ValueError as exc:  # a URL Paperboy cannot use
        raise DatabaseUnavailable(str(exc)) from exc
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig or exc).strip().splitlines()[0]
        raise DatabaseUnavailable(f"cannot open the database {display_url(url)}: {reason}") from exc
    if current is None:
        upgrade_sync(url)
        return True
    if current != head():
        raise SchemaOutOfDate(
            f"the database schema is at revision {current}, this Paperboy needs {head()}: "
            "run `paperboy db upgrade`"
        )
    return False


async def upgrade(url: str) -> tuple[str | None, str]:
    return await asyncio.to_thread(upgrade_sync, url)


async def ensure_schema(url: str) -> bool:
    return await asyncio.to_thread(ensure_schema_sync, url)
