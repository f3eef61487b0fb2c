"""Shared test fixtures.

The network guard lives in pyproject's pytest `addopts` (pytest-socket `--allow-hosts`): any
connection to an address other than loopback fails the test that tried it.

Databases: `db_url` runs a test on SQLite and on PostgreSQL. PostgreSQL comes from
PAPERBOY_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test); each test gets a
schema of its own, dropped afterwards. Where no server answers those tests skip with the
reason, except under CI (CI set), where a missing database is a failure.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(os.environ.get("PAPERBOY_SHARED_DIR") or ROOT.parent / "shared")


def shared_dir(name: str) -> Path:
    """A folder of ../shared (beside the project in CI, absent in a user's clone).

    Skips with the reason when absent, unless PAPERBOY_REQUIRE_SHARED_FIXTURES is set (as
    .ci/run does), where its absence is a failure.
    """
    path = SHARED / name
    if path.is_dir():
        return path
    message = f"{path} is absent: the recorded real responses sit beside the project only in CI"
    if os.environ.get("PAPERBOY_REQUIRE_SHARED_FIXTURES"):
        pytest.fail(f"{message}, and PAPERBOY_REQUIRE_SHARED_FIXTURES says they must be there")
    pytest.skip(message)


@pytest.fixture
def sources_dir() -> Path:
    return shared_dir("fixtures/sources")


@pytest.fixture
def own() -> Path:
    return OWN_FIXTURES


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
