"""`PollLeases` on SQLAlchemy Core: which process polls a feed, until when."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.dialect import insert_for
from storage.tables import PollLeaseRow

leases = cast(sa.Table, PollLeaseRow.__table__)


class SqlPollLeases:
    """One holder per feed: taken when free, expired, or already ours, in one atomic upsert."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def take(self, feed: str, holder: str, now: datetime, until: datetime) -> bool:
        async with self.engine.begin() as conn:
            statement = (
                insert_for(conn, leases)
                .values(feed=feed, holder=holder, until=until)
                .on_conflict_do_update(
                    index_elements=["feed"],
                    set_={"holder": holder, "until": until},
                    where=sa.or_(leases.c.until < now, leases.c.holder == holder),
                )
                .returning(leases.c.holder)
            )
            return (await conn.execute(statement)).first() is not None

    async def release(self, feed: str, holder: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.delete(leases).where(leases.c.feed == feed, leases.c.holder == holder)
            )
