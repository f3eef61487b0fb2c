"""The search index: every stored paper in tantivy, so relevance ranks every match exactly.

The database stays the truth; the index is derived data, kept on local disk (or in memory) by
each process that searches and rebuilt from the database with `paperboy db reindex`.

What it holds and how it is asked (and the scoring): `storage.search_schema`.

Keeping in step: every transaction that writes papers stamps its rows with the next value of
one counter (`paper_changes`, migration 0011) and commits in that order. The index keeps the
value it has caught up to in a marker document, committed with the papers it covers; before
answering, a search compares it with the counter (one primary-key read) and indexes the rows
written since. A few thousand rows are indexed there and then; more (a new or lost index, a
large import by another process) are indexed in the background while searches answer from the
database and say so: a stale index never answers silently. Processes on one machine may share
one directory: tantivy's writer lock lets one at a time write, and each reads the others' commits.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import shutil
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import sqlalchemy as sa
import tantivy
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import SearchQuery, Sort
from storage.search_schema import (
    SCHEMA,
    SCHEMA_VERSION,
    WEIGHTS,
    analyzer,
    document,
    index_tokens,
    to_query,
)
from storage.tables import PaperRow

log = logging.getLogger(__name__)

INLINE = 2_000  # rows a search indexes before answering; more are indexed in the background
BATCH = 5_000  # rows read from the database at a time
LOCK_WAIT = 1.0  # seconds a search's catch-up waits for another process's writer
LONG_WAIT = 3600.0  # ... and a background one or a rebuild (another may be building it all)
WRITER_HEAP = 128_000_000
_MARKER = "marker"  # the document holding the index's `Mark` (no text: no query matches it)


@dataclass(frozen=True, slots=True)
class Mark:
    """A point in a database's changes: its epoch (its life) and a change counter value; for
    an index, also the highest row id in it."""

    epoch: str
    seq: int
    top_id: int = 0

    def covers(self, clock: Mark) -> bool:
        return self.epoch == clock.epoch and clock.seq <= self.seq

    def since(self, clock: Mark) -> int:
        """The counter value rows must be above to be new to this mark (-1: every row)."""
        return self.seq if self.epoch == clock.epoch else -1


NOTHING = Mark("", -1)


class SearchIndex:
    """The tantivy index of one database, in `path` or in memory (`path=None`)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._index = self._open()
        self._catching_up = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self.behind = 0  # rows known to be missing while a background catch-up runs
        self._checked = NOTHING  # the database's counter as last found fully indexed
        self._merging: asyncio.Task[None] | None = None
        self._closing = False  # a background catch-up stops at its next batch

    def _open(self) -> tantivy.Index:
        if self.path is None:
            index = tantivy.Index(SCHEMA)
        else:
            directory = self.path / f"v{SCHEMA_VERSION}"
            directory.mkdir(parents=True, exist_ok=True)
            for old in self.path.glob("v*"):  # other layouts' indexes: never read again
                if old != directory and old.is_dir():
                    shutil.rmtree(old, ignore_errors=True)
            try:
                index = tantivy.Index(SCHEMA, path=str(directory), reuse=True)
            except (OSError, ValueError) as exc:  # unreadable: derived data, built again
                log.warning("search index at %s unreadable (%s): rebuilding", directory, exc)
                shutil.rmtree(directory, ignore_errors=True)
                directory.mkdir(parents=True)
                index = tantivy.Index(SCHEMA, path=str(directory), reuse=False)
        index.register_tokenizer("paperboy", analyzer())
        index.config_reader("Manual")
        return index

    # -- reading -----------------------------------------------------------------------------

    def mark(self) -> Mark:
        """The database changes every indexed paper is up to date with."""
        searcher = self._index.searcher()
        marker = tantivy.Query.term_query(SCHEMA, "kind", _MARKER)
        hits = searcher.search(marker, 1, count=False).hits
        if not hits:
            return NOTHING
        stored = searcher.doc(hits[0][1])
        return Mark(str(stored["epoch"][0]), int(stored["seq"][0]), int(stored["top_id"][0]))

    def current(self, clock: Mark) -> bool:
        """Whether every paper committed as of `clock` was in the index when it last looked."""
        return self._checked.covers(clock)

    def count(self) -> int:
        """Papers in the index."""
        return max(0, int(self._index.searcher().num_docs) - (self.mark() != NOTHING))

    def search(self, query: SearchQuery) -> list[tuple[int, float | None]]:
        """(row id, relevance) of the page, every match ranked exactly (relevance None when
        sorted by date or upvotes)."""
        searcher = self._index.searcher()
        compiled = to_query(query, lambda key: bool(searcher.doc_freq("title_key", key)))
        if compiled is None:
            return []
        field = {Sort.RECENT: "recent", Sort.UPVOTES: "upvotes"}.get(query.sort)
        found = searcher.search(
            compiled,
            query.limit,
            count=False,
            order_by_field=field,
            offset=query.offset,
        )
        addresses = [address for _, address in found.hits]
        ids = (
            [int(i or 0) for i in searcher.fast_field_values("id", addresses)] if addresses else []
        )
        scores = [None if field else float(key) for key, _ in found.hits]
        return list(zip(ids, scores, strict=True))

    def known(self, word: str) -> bool:
        """Whether any paper holds `word` (as the index reads it) in any field."""
        searcher = self._index.searcher()
        tokens = index_tokens(word)
        return bool(tokens) and all(
            any(searcher.doc_freq(name, token) for name in WEIGHTS) for token in tokens
        )

    def near(self, word: str, limit: int = 20) -> list[int]:
        """Row ids of papers whose titles hold a word close to `word`: one edit away for a
        word of up to 5 letters, two for a longer one (Elasticsearch's "AUTO" fuzziness; a
        swap of two letters is one edit). Two edits from a short word reach too many words,
        and searching for them is what made a query that finds nothing slow."""
        tokens = index_tokens(word)
        if len(tokens) != 1 or len(tokens[0]) < 4:
            return []
        edits = 1 if len(tokens[0]) <= 5 else 2
        fuzzy = tantivy.Query.fuzzy_term_query(SCHEMA, "title", tokens[0], edits, True)
        searcher = self._index.searcher()
        hits = searcher.search(fuzzy, limit, count=False).hits
        if not hits:
            return []
        return [int(i or 0) for i in searcher.fast_field_values("id", [a for _, a in hits])]

    # -- keeping in step ---------------------------------------------------------------------

    async def ready(self, conn: AsyncConnection, engine: AsyncEngine) -> bool:
        """Whether the index holds every paper committed as `conn` sees it; indexes a few rows
        if needed (on their own connection), starts a background catch-up for many."""
        clock = await _clock(conn)
        if self._checked.covers(clock):
            return True
        async with self._catching_up:
            self._index.reload()  # another process sharing the directory may have caught up
            mark = self.mark()
            if mark.covers(clock):
                self._checked = clock
                return True
            pending = await _pending(conn, mark.since(clock))
            few = pending <= INLINE and self._background is None
            if few and await self._catch_up(engine, background=False):
                return True
            # Many rows, or another writer (a process, or our own merges) holds the lock.
            self.behind = pending
            self._start_background(engine)
            return False

    def _start_background(self, engine: AsyncEngine) -> None:
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self._run_background(engine))

    async def _run_background(self, engine: AsyncEngine) -> None:
        try:
            if not await self._catch_up(engine, background=True, wait=LONG_WAIT):
                log.warning("search index: another process kept the writer; caught up later")
        except _Closing:
            pass
        except Exception:
            log.exception("search index catch-up failed; searches answer from the database")
        finally:
            self._background = None
            self.behind = 0

    async def catch_up(
        self, engine: AsyncEngine, progress: Callable[[int], None] = lambda n: None
    ) -> int:
        """Index every row written since the index last looked (all of them for a new index);
        returns how many rows were indexed."""
        indexed = 0

        def counted(n: int) -> None:
            nonlocal indexed
            indexed += n
            progress(n)

        if not await self._catch_up(engine, background=True, progress=counted, wait=LONG_WAIT):
            raise RuntimeError("another process is writing the search index; try again")
        if self._merging is not None:  # asked for outright: leave the index compact
            await self._merging
        return indexed

    async def rebuild(
        self, engine: AsyncEngine, progress: Callable[[int], None] = lambda n: None
    ) -> int:
        """Forget the index and build it again from the database."""
        writer = await self._writer(LONG_WAIT)
        if writer is None:
            raise RuntimeError("another process is writing the search index; try again")
        writer.delete_all_documents()
        writer.commit()
        await asyncio.to_thread(writer.wait_merging_threads)
        self._index.reload()
        self._checked = NOTHING
        return await self.catch_up(engine, progress)

    async def _writer(self, wait: float) -> tantivy.IndexWriter | None:
        """The index's writer, waiting up to `wait` seconds while another process holds it."""
        deadline = time.monotonic() + wait
        while True:
            try:
                return self._index.writer(WRITER_HEAP, 0)  # a thread per core
            except ValueError:  # LockBusy: another process is writing
                if self._closing:
                    raise _Closing from None
                if time.monotonic() > deadline:
                    return None
                await asyncio.sleep(0.02)

    async def _catch_up(
        self,
        engine: AsyncEngine,
        *,
        background: bool,
        progress: Callable[[int], None] = lambda n: None,
        wait: float = LOCK_WAIT,
    ) -> bool:
        """One pass under the writer lock: False when another process held it all `wait`."""
        writer = await self._writer(wait)
        if writer is None:
            return False
        try:
            self._index.reload()
            async with engine.connect() as conn:
                clock = await _clock(conn)
                mark = self.mark()
                if mark.epoch != clock.epoch and mark != NOTHING:  # another database's index
                    writer.delete_all_documents()
                top = since = mark.since(clock)
                top_id = mark.top_id if since >= 0 else 0
                async for rows in _changed(conn, since):
                    if self._closing:  # not cancelled mid-batch: a thread may hold the writer
                        raise _Closing
                    if background:
                        await asyncio.to_thread(_write, writer, rows, top_id)
                    else:
                        _write(writer, rows, top_id)
                    top = max(top, rows[-1].change_seq)
                    top_id = max(top_id, *(row.id for row in rows))
                    progress(len(rows))
            done = Mark(clock.epoch, max(clock.seq, top), top_id)
            writer.delete_documents_by_term("kind", _MARKER)
            marker = {"kind": _MARKER, "epoch": done.epoch, "seq": done.seq, "top_id": top_id}
            writer.add_document(tantivy.Document(**marker))
            if background:
                await asyncio.to_thread(writer.commit)
            else:
                writer.commit()
        except BaseException:
            await asyncio.to_thread(writer.wait_merging_threads)  # drops what was not committed
            raise
        # Segment merges may follow a commit; the search does not wait for them. The writer
        # (and its lock) is released when they end: `_writer` waits for it meanwhile.
        self._merging = asyncio.create_task(asyncio.to_thread(writer.wait_merging_threads))
        self._index.reload()
        self._checked = done
        return True

    async def close(self) -> None:
        """Stop a background catch-up at its next batch (what it committed stays), and wait
        for segment merges still going on (the writer's lock is then released)."""
        self._closing = True
        if self._background is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._background
        if self._merging is not None:
            await self._merging


class _Closing(Exception):
    """The process is closing the index: a background catch-up stops where it is."""


def location(url: str, setting: str = "") -> Path | None:
    """Where the index of the database at `url` lives: `setting` when given ("memory": in
    memory), else beside a SQLite file (`papers.db` -> `papers.db.search`), else in this
    machine's cache, one directory per database."""
    if setting == "memory":
        return None
    if setting:
        return Path(setting).expanduser()
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or database.startswith("file:"):
            return None
        return Path(database).expanduser().resolve().with_name(Path(database).name + ".search")
    from platformdirs import user_cache_dir

    named = parsed.render_as_string(hide_password=True).encode()
    return Path(user_cache_dir("paperboy")) / f"search-{hashlib.sha256(named).hexdigest()[:16]}"


def _write(writer: tantivy.IndexWriter, rows: Iterable[Any], top_id: int) -> None:
    """Index `rows`, replacing their earlier versions. Rows above the index's `top_id` are
    new to it (ids are taken under the change counter's lock, so they grow with it): deleting
    nothing is a third of the work of a full build."""
    for row in rows:
        if row.id <= top_id:
            writer.delete_documents_by_term("id", row.id)
        writer.add_document(document(row))


_papers = cast(sa.Table, PaperRow.__table__)
_INDEXED = [
    _papers.c[name]
    for name in (
        "id",
        "change_seq",
        "title",
        "title_key",
        "abstract",
        "authors_text",
        "categories_text",
        "published",
        "upvotes",
    )
]


async def _clock(conn: AsyncConnection) -> Mark:
    """The database's change counter now (committed transactions only)."""
    row = (await conn.execute(sa.text("SELECT epoch, seq FROM paper_changes WHERE id = 1"))).one()
    return Mark(row.epoch, int(row.seq))


async def _pending(conn: AsyncConnection, seen: int) -> int:
    query = sa.select(sa.func.count()).select_from(_papers).where(_papers.c.change_seq > seen)
    return int((await conn.execute(query)).scalar_one())


async def _changed(conn: AsyncConnection, seen: int) -> AsyncIterator[Sequence[Any]]:
    """Rows written after `seen`, in batches, in (change_seq, id) order."""
    newer: sa.ColumnElement[bool] = _papers.c.change_seq > seen
    while True:
        query = (
            sa.select(*_INDEXED)
            .where(newer)
            .order_by(_papers.c.change_seq, _papers.c.id)
            .limit(BATCH)
        )
        rows = (await conn.execute(query)).all()
        if rows:
            yield rows
        if len(rows) < BATCH:
            return
        last = sa.tuple_(rows[-1].change_seq, rows[-1].id)
        newer = sa.tuple_(_papers.c.change_seq, _papers.c.id) > last
