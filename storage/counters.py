"""Named counters shared by every process on the database (`storage.tables.CounterRow`)."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.tables import CounterRow

counters = cast(sa.Table, CounterRow.__table__)
SUBSCRIPTIONS = "subscriptions"  # changes whenever any subscription does


async def bump(conn: AsyncConnection, name: str) -> None:
    """Add one to the counter, in the caller's transaction."""
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = insert(counters).values(name=name, value=1)
    await conn.execute(
        statement.on_conflict_do_update(
            index_elements=["name"], set_={"value": counters.c.value + 1}
        )
    )


async def read(conn: AsyncConnection, name: str) -> int:
    query = sa.select(counters.c.value).where(counters.c.name == name)
    return int((await conn.execute(query)).scalar_one_or_none() or 0)
