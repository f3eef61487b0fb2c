"""The playground's message log (implements `adapters.playground.log.ChannelLog`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import PlaygroundMessageRow

messages = cast(sa.Table, PlaygroundMessageRow.__table__)


def _message(row: Any) -> dict[str, Any]:
    created = row.created
    return {
        "id": row.id,
        "channel": row.channel,
        "thread_of": row.thread_of,
        "author": row.author,
        "text": row.text,
        "cards": row.cards,
        "created": created.isoformat(),
    }


class SqlChannelLog:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self,
        channel: str,
        author: str,
        text: str,
        cards: list[dict[str, Any]] | None = None,
        key: str | None = None,
        thread_of: int | None = None,
    ) -> dict[str, Any]:
        values = {
            "channel": channel,
            "author": author,
            "text": text,
            "cards": cards or [],
            "key": key,
            "thread_of": thread_of,
            "created": datetime.now(UTC),
        }
        async with self.engine.begin() as conn:
            row = (await conn.execute(sa.insert(messages).returning(*messages.c), values)).one()
        return _message(row)

    async def get(self, message_id: int) -> dict[str, Any] | None:
        if not 0 < message_id < 2**63:  # beyond a BIGINT: no such message (not an overflow)
            return None
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(sa.select(messages).where(messages.c.id == message_id))
            ).first()
        return _message(row) if row else None

    async def channel(self, channel: str, limit: int = 200) -> list[dict[str, Any]]:
        query = (
            sa.select(messages)
            .where(messages.c.channel == channel, messages.c.thread_of.is_(None))
            .order_by(messages.c.id.desc())
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [_message(r) for r in reversed(rows)]

    async def replies(self, message_id: int) -> list[dict[str, Any]]:
        query = (
            sa.select(messages).where(messages.c.thread_of == message_id).order_by(messages.c.id)
        )
        async with self.engine.connect() as conn:
            return [_message(r) for r in (await conn.execute(query)).all()]

    async def after(
        self, channel: str, thread_of: int | None, message_id: int, limit: int = 100
    ) -> list[dict[str, Any]]:
        """The channel's (or a thread's) messages posted after `message_id`, oldest first."""
        where = (
            messages.c.thread_of.is_(None)
            if thread_of is None
            else messages.c.thread_of == thread_of
        )
        query = (
            sa.select(messages)
            .where(messages.c.channel == channel, where, messages.c.id > message_id)
            .order_by(messages.c.id)
            .limit(limit)
        )
        async with self.engine.connect() as conn:
            return [_message(r) for r in (await conn.execute(query)).all()]

    async def find_key(self, channel: str, key: str) -> int | None:
        query = sa.select(messages.c.id).where(messages.c.channel == channel, messages.c.key == key)
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def channels(self) -> list[str]:
        async with self.engine.connect() as conn:
            return list((await conn.execute(sa.select(messages.c.channel).distinct())).scalars())
