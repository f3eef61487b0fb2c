"""Schema migrations on both engines: created when empty, current afterwards, refused when old."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from storage import SchemaOutOfDate, ensure_schema, upgrade
from storage.migrate import head


async def test_empty_database_gets_the_schema_once(db_url: str) -> None:
    assert await ensure_schema(db_url) is True
    assert await ensure_schema(db_url) is False
    assert await upgrade(db_url) == (head(), head())


async def test_an_out_of_date_schema_is_refused_with_the_fix(db_url: str) -> None:
    await upgrade(db_url)
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="run `paperboy db upgrade`"):
        await ensure_schema(db_url)
