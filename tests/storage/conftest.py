"""One repository test suite, run against SQLite and PostgreSQL.

PostgreSQL: PAPERBOY_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). Each
test gets a schema of its own, dropped afterwards. Where no server answers the tests skip with
the reason, except under CI (CI set), where a missing database is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from storage import SqlPaperStore, open_store

PG_URL = os.environ.get("PAPERBOY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_admin() -> sa.Engine:
    return sa.create_engine(
        sa.make_url(PG_URL).set(drivername="postgresql+psycopg"),
        connect_args={"connect_timeout": 3},
    )


def postgres_or_skip() -> None:
    try:
        engine = _pg_admin()
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no usable server here
        reason = f"no PostgreSQL at {PG_URL}: {type(exc).__name__}: {str(exc).strip()[:160]}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests)")
        pytest.skip(reason)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh, empty schema."""
    postgres_or_skip()
    schema = f"pb_{uuid.uuid4().hex[:12]}"
    engine = _pg_admin()
    with engine.begin() as conn:
        # Database-wide: kept out of the per-test schemas, which are dropped.
        conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'papers.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[SqlPaperStore]:
    opened = await open_store(db_url)
    yield opened
    await opened.close()
