"""The language model's shared work on SQLAlchemy Core: answers by question, TL;DRs by paper,
and its use per day, so several bot processes on one database share one cache and one budget."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.dialect import insert_for, insert_ignoring_conflicts
from storage.tables import LlmAnswerRow, LlmUsageRow, TldrRow

answers = cast(sa.Table, LlmAnswerRow.__table__)
tldrs = cast(sa.Table, TldrRow.__table__)
usage = cast(sa.Table, LlmUsageRow.__table__)
QUESTION_CHARS = 512


class _Refused(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


class SqlUsage:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def take(self, day: date, caps: Sequence[tuple[str, int]]) -> int | None:
        """One transaction: each key counted up only while under its cap (an atomic upsert, so
        processes racing for the last unit cannot both get it); any refusal undoes them all."""
        try:
            async with self.engine.begin() as conn:
                for n, (key, cap) in enumerate(caps):
                    if cap <= 0:
                        raise _Refused(n)
                    statement = (
                        insert_for(conn, usage)
                        .values(day=day, key=key[:300], count=1)
                        .on_conflict_do_update(
                            index_elements=["day", "key"],
                            set_={"count": usage.c.count + 1},
                            where=usage.c.count < cap,
                        )
                        .returning(usage.c.count)
                    )
                    if (await conn.execute(statement)).first() is None:
                        raise _Refused(n)
        except _Refused as refused:
            return refused.index
        return None


class SqlAnswerCache:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, arxiv_id: str, version: int, question: str) -> str | None:
        query = sa.select(answers.c.answer).where(
            answers.c.arxiv_id == arxiv_id,
            answers.c.version == version,
            answers.c.question == question[:QUESTION_CHARS],
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def put(self, arxiv_id: str, version: int, question: str, answer: str) -> None:
        row = {
            "arxiv_id": arxiv_id,
            "version": version,
            "question": question[:QUESTION_CHARS],
            "answer": answer,
            "created": datetime.now(UTC),
        }
        async with self.engine.begin() as conn:
            keys = ["arxiv_id", "version", "question"]
            await conn.execute(insert_ignoring_conflicts(conn, answers, keys).values(**row))


class SqlTldrs:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get(self, arxiv_id: str, version: int) -> str | None:
        query = sa.select(tldrs.c.text).where(
            tldrs.c.arxiv_id == arxiv_id, tldrs.c.version == version
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def put(self, arxiv_id: str, version: int, text: str, model: str, now: datetime) -> str:
        row = {
            "arxiv_id": arxiv_id,
            "version": version,
            "text": text,
            "model": model,
            "created": now,
        }
        async with self.engine.begin() as conn:
            keys = ["arxiv_id", "version"]
            await conn.execute(insert_ignoring_conflicts(conn, tldrs, keys).values(**row))
        return await self.get(arxiv_id, version) or text
