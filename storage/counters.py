"""Named counters shared by every process on the database (`storage.tables.CounterRow`)."""

from __future__ import annotations

from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.dialect import insert_for
from storage.tables import CounterRow

counters = cast(sa.Table, CounterRow.__table__)
SUBSCRIPTIONS = "subscriptions"  # changes whenever any subscription does
FEED_ITEMS = "feed_items"  # the last position given out in the log of feeds' papers


async def bump(conn: AsyncConnection, name: str, by: int = 1) -> int:
    """Add `by` to the counter, in the caller's transaction; returns its new value. The row
    stays locked until the transaction ends (PostgreSQL), so values are committed in order."""
    statement = insert_for(conn, counters).values(name=name, value=by)
    return int(
        (
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["name"], set_={"value": counters.c.value + by}
                ).returning(counters.c.value)
            )
        ).scalar_one()
    )


async def read(conn: AsyncConnection, name: str) -> int:
    query = sa.select(counters.c.value).where(counters.c.name == name)
    return int((await conn.execute(query)).scalar_one_or_none() or 0)
