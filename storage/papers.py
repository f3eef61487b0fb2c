"""`PaperStore` on SQLAlchemy Core: batch upserts keyed on the canonical arXiv id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import Hit, Hits, Paper, PaperVersion, SearchQuery, UpsertResult
from bot.merge import merge, merge_all
from storage.dialect import insert_ignoring_conflicts
from storage.mapping import PAPER_FIELDS, paper_from_row, row_values
from storage.search import corrected, indexed, ranked, search_papers
from storage.search_index import SearchIndex
from storage.tables import PaperRow, PaperVersionRow

papers = cast(sa.Table, PaperRow.__table__)
versions = cast(sa.Table, PaperVersionRow.__table__)
_PAPER_COLUMNS = [papers.c.id, *(papers.c[name] for name in PAPER_FIELDS)]
CHUNK = 500  # ids per IN (...) lookup: well under SQLite's and PostgreSQL's parameter limits


def _now() -> datetime:
    return datetime.now(UTC)


_NEXT_CHANGE = sa.text("UPDATE paper_changes SET seq = seq + 1 WHERE id = 1 RETURNING seq")


class _ChangeSeq:
    """The transaction's change number (migration 0011), taken before its first write to
    papers: the counter's lock, held until commit, makes transactions commit in its order."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn
        self._value: int | None = None

    async def __call__(self) -> int:
        if self._value is None:
            self._value = int((await self._conn.execute(_NEXT_CHANGE)).scalar_one())
        return self._value


class SqlPaperStore:
    """Papers in SQLite or PostgreSQL.

    >>> store = SqlPaperStore(create_engine("sqlite:///papers.db"))
    >>> await store.upsert(papers)
    UpsertResult(new=30, updated=0, unchanged=0)
    """

    def __init__(
        self,
        engine: AsyncEngine,
        clock: Callable[[], datetime] = _now,
        index: SearchIndex | None = None,
    ) -> None:
        self.engine = engine
        self._clock = clock
        # Ranks every match; a store without a directory for it keeps one in memory.
        self.index = index if index is not None else SearchIndex()

    async def close(self) -> None:
        await self.index.close()
        await self.engine.dispose()

    async def upsert(self, incoming: Sequence[Paper], *, records: bool = False) -> UpsertResult:
        total = UpsertResult()
        batch = merge_all(list(incoming))
        async with self.engine.begin() as conn:  # one transaction: all of the batch or none
            change = _ChangeSeq(conn)
            for start in range(0, len(batch), CHUNK):
                chunk = batch[start : start + CHUNK]
                total += await self._upsert_chunk(conn, chunk, change, records)
        return total

    async def _upsert_chunk(
        self, conn: AsyncConnection, chunk: list[Paper], change: _ChangeSeq, records: bool = False
    ) -> UpsertResult:
        now = self._clock()
        stored = await self._load(conn, [p.arxiv_id for p in chunk])
        fresh: list[Paper] = []
        changed: list[tuple[int, Paper]] = []
        unchanged = 0
        after: dict[str, Paper] = {}
        for paper in chunk:
            known = stored.get(paper.arxiv_id)
            if known is None:
                fresh.append(paper)
                continue
            row_id, old = known
            new = merge(old, paper)
            after[paper.arxiv_id] = new
            if new == old:
                unchanged += 1
            else:
                changed.append((row_id, new))
        ids: dict[str, int] = {aid: row_id for aid, (row_id, _) in stored.items()}
        late = UpsertResult()
        if fresh:
            seq = await change()
            stamp = {"first_seen": now, "last_changed": now, "change_seq": seq}
            rows = [{**row_values(p), **stamp} for p in fresh]
            # No RETURNING: the driver then sends the rows as one prepared statement (psycopg's
            # pipeline), where RETURNING made SQLAlchemy write multi-row statements that
            # psycopg parsed anew in Python, the larger part of a PostgreSQL import's time.
            await conn.execute(insert_ignoring_conflicts(conn, papers, ["arxiv_id"]), rows)
            # Read back: our rows carry this transaction's change number; a row with another
            # was stored by another process since we looked: merge into it instead.
            ours = await conn.execute(
                sa.select(papers.c.id, papers.c.arxiv_id).where(
                    papers.c.arxiv_id.in_([p.arxiv_id for p in fresh]), papers.c.change_seq == seq
                )
            )
            ids.update({aid: row_id for row_id, aid in ours.all()})
            raced = [p for p in fresh if p.arxiv_id not in ids]
            if raced:
                fresh = [p for p in fresh if p.arxiv_id in ids]
                late = await self._upsert_chunk(conn, raced, change, records)
        if changed:
            stamp = {"last_changed": now, "change_seq": await change()}
            await conn.execute(
                sa.update(papers).where(papers.c.id == sa.bindparam("row_id")),
                [{**row_values(p), **stamp, "row_id": row_id} for row_id, p in changed],
            )
        await self._record_versions(conn, chunk, ids, now)
        if records:
            after.update({p.arxiv_id: p for p in fresh})
        else:
            after = {}
        return UpsertResult(len(fresh), len(changed), unchanged, after) + late

    async def _load(
        self, conn: AsyncConnection, arxiv_ids: list[str]
    ) -> dict[str, tuple[int, Paper]]:
        rows = await conn.execute(
            sa.select(*_PAPER_COLUMNS).where(papers.c.arxiv_id.in_(arxiv_ids))
        )
        return {row.arxiv_id: (row.id, paper_from_row(row)) for row in rows}

    async def _record_versions(
        self, conn: AsyncConnection, chunk: list[Paper], ids: dict[str, int], now: datetime
    ) -> None:
        rows = [
            {
                "paper_id": ids[p.arxiv_id],
                "version": p.version,
                "updated": p.updated,
                "first_seen": now,
            }
            for p in chunk
            if p.version is not None and p.arxiv_id in ids
        ]
        if not rows:
            return
        statement = insert_ignoring_conflicts(conn, versions, ["paper_id", "version"])
        await conn.execute(statement, rows)

    async def get(self, arxiv_id: str) -> Paper | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(sa.select(*_PAPER_COLUMNS).where(papers.c.arxiv_id == arxiv_id))
            ).first()
        return paper_from_row(row) if row else None

    async def get_many(self, arxiv_ids: Sequence[str]) -> dict[str, Paper]:
        wanted = list(dict.fromkeys(arxiv_ids))
        found: dict[str, Paper] = {}
        async with self.engine.connect() as conn:
            for start in range(0, len(wanted), CHUNK):
                loaded = await self._load(conn, wanted[start : start + CHUNK])
                found.update({aid: paper for aid, (_, paper) in loaded.items()})
        return found

    async def versions(self, arxiv_id: str) -> list[PaperVersion]:
        query = (
            sa.select(versions.c.version, versions.c.updated, versions.c.first_seen)
            .join(papers, papers.c.id == versions.c.paper_id)
            .where(papers.c.arxiv_id == arxiv_id)
            .order_by(versions.c.version)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [PaperVersion(r.version, r.updated, r.first_seen or self._clock()) for r in rows]

    async def search(self, query: SearchQuery) -> Hits:
        async with self.engine.connect() as conn:
            hits, index, note = await self._page(conn, query)
            if hits or index is None or query.offset:
                return Hits(hits, note)
            # Nothing: a word nobody wrote may be a typo of one many did.
            better = await corrected(conn, query, index)
            if better is None:
                return Hits(hits)
            hits = await search_papers(conn, better, _PAPER_COLUMNS, index)
        if not hits:
            return Hits(hits)
        typed, shown = query.text.strip(), better.text.strip()
        return Hits(hits, f"Nothing matched “{typed}”; showing “{shown}”.")

    async def _page(
        self, conn: AsyncConnection, query: SearchQuery
    ) -> tuple[list[Hit], SearchIndex | None, str | None]:
        """The page, the index that ranked it (None: the database answered), and a note."""
        if not ranked(query):
            return await search_papers(conn, query, _PAPER_COLUMNS), None, None
        hits = await indexed(conn, query, _PAPER_COLUMNS, self.index)
        if hits is not None:
            return hits, self.index, None
        if await self.index.ready(conn, self.engine):  # caught up: asked again
            return await search_papers(conn, query, _PAPER_COLUMNS, self.index), self.index, None
        note = (
            f"The search index is catching up ({self.index.behind:,} papers to go): these are "
            "the newest papers holding your words, not ranked."
        )
        return await search_papers(conn, query, _PAPER_COLUMNS), None, note

    async def catch_up_index(self, progress: Callable[[int], None] = lambda n: None) -> int:
        """Index every paper written since the search index last looked (`paperboy import`
        calls it, so the next search does not wait); returns how many it indexed."""
        return await self.index.catch_up(self.engine, progress)

    async def count(self) -> int:
        async with self.engine.connect() as conn:
            return int(
                (await conn.execute(sa.select(sa.func.count()).select_from(papers))).scalar_one()
            )
