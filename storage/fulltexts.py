"""`bot.qa.fulltext.FullTextStore`: papers' passages cached per version."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.qa.fulltext import FullText, TextSource
from bot.qa.passages import Passage
from storage.dialect import insert_ignoring_conflicts
from storage.tables import FullTextRow

fulltexts = cast(sa.Table, FullTextRow.__table__)


class SqlFullTextStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def get_fulltext(self, arxiv_id: str, version: int) -> FullText | None:
        query = sa.select(fulltexts).where(
            fulltexts.c.arxiv_id == arxiv_id, fulltexts.c.version == version
        )
        async with self.engine.connect() as conn:
            row = (await conn.execute(query)).first()
        if row is None:
            return None
        passages = tuple(
            Passage(i, section, text) for i, (section, text) in enumerate(row.passages)
        )
        return FullText(row.arxiv_id, row.version, TextSource(row.source), passages)

    async def put_fulltext(self, text: FullText, now: datetime) -> None:
        values = {
            "arxiv_id": text.arxiv_id,
            "version": text.version,
            "source": text.source.value,
            "passages": [[p.section, p.text] for p in text.passages],
            "fetched": now,
        }
        async with self.engine.begin() as conn:
            await conn.execute(
                insert_ignoring_conflicts(conn, fulltexts, ["arxiv_id", "version"]), values
            )
