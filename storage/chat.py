"""`Threads` and `Votes` on SQLAlchemy Core: what happens under the feed's cards."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import Target, Turn
from bot.votes import is_vote
from storage.dialect import insert_ignoring_conflicts
from storage.ledger import CARD, deliveries, subscriptions, thread_papers
from storage.tables import ThreadTurnRow, VoteRow

turns_table = cast(sa.Table, ThreadTurnRow.__table__)
votes = cast(sa.Table, VoteRow.__table__)


async def _paper_of(conn: AsyncConnection, target: Target, message_id: str) -> str | None:
    """The paper of a card message: a feed card, or a command's card (`show`, a search)."""
    query = (
        sa.select(deliveries.c.arxiv_id)
        .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
        .where(
            subscriptions.c.platform == target.platform,
            subscriptions.c.channel == target.channel,
            deliveries.c.message_id == message_id,
            deliveries.c.kind == CARD,
        )
        .limit(1)
    )
    fed = cast(str | None, (await conn.execute(query)).scalar_one_or_none())
    if fed is not None:
        return fed
    opened = sa.select(thread_papers.c.arxiv_id).where(
        thread_papers.c.platform == target.platform,
        thread_papers.c.channel == target.channel,
        thread_papers.c.thread == message_id,
    )
    return cast(str | None, (await conn.execute(opened)).scalar_one_or_none())


class SqlThreads:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def paper_of(self, target: Target, message_id: str) -> str | None:
        async with self.engine.connect() as conn:
            return await _paper_of(conn, target, message_id)

    async def open(self, target: Target, thread: str, arxiv_id: str, now: datetime) -> None:
        row = {
            "platform": target.platform,
            "channel": target.channel,
            "thread": thread,
            "arxiv_id": arxiv_id,
            "created": now,
        }
        async with self.engine.begin() as conn:
            keys = ["platform", "channel", "thread"]
            await conn.execute(insert_ignoring_conflicts(conn, thread_papers, keys), [row])

    async def add_turns(
        self, target: Target, thread: str, turns: Sequence[Turn], now: datetime
    ) -> None:
        rows = [
            {
                "platform": target.platform,
                "channel": target.channel,
                "thread": thread,
                "author": t.author[:255],
                "text": t.text,
                "created": now,
            }
            for t in turns
        ]
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(turns_table), rows)

    async def turns(self, target: Target, thread: str, limit: int) -> list[Turn]:
        query = (
            sa.select(turns_table.c.author, turns_table.c.text)
            .where(
                turns_table.c.platform == target.platform,
                turns_table.c.channel == target.channel,
                turns_table.c.thread == thread,
            )
            .order_by(turns_table.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [Turn(author, text) for author, text in reversed(rows)]


class SqlVotes:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def vote(
        self,
        target: Target,
        message_id: str,
        voter: str,
        reaction: str,
        now: datetime,
        *,
        up: bool = True,
    ) -> bool:
        key = {
            "platform": target.platform,
            "channel": target.channel,
            "message_id": message_id,
            "voter": voter,
            "reaction": reaction[:100],
        }
        async with self.engine.begin() as conn:
            arxiv_id = await _paper_of(conn, target, message_id)
            if arxiv_id is None:
                return False
            if up:
                keys = list(key)
                await conn.execute(
                    insert_ignoring_conflicts(conn, votes, keys).values(
                        **key, arxiv_id=arxiv_id, created=now, up=is_vote(reaction)
                    )
                )
            else:
                await conn.execute(
                    sa.delete(votes).where(*(votes.c[name] == value for name, value in key.items()))
                )
        return True

    async def top(self, target: Target, since: datetime, limit: int) -> list[tuple[str, int]]:
        count = sa.func.count(sa.distinct(votes.c.voter)).label("n")
        query = (
            sa.select(votes.c.arxiv_id, count)
            .where(
                votes.c.platform == target.platform,
                votes.c.channel == target.channel,
                votes.c.created >= since,
                votes.c.up,
            )
            .group_by(votes.c.arxiv_id)
            .order_by(count.desc(), votes.c.arxiv_id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [(arxiv_id, n) for arxiv_id, n in (await conn.execute(query)).all()]
