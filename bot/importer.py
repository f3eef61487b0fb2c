"""Bulk import of saved responses and the arXiv metadata snapshot into a `PaperStore`.

Files are read in batches off the event loop; each batch is stored in one transaction, so an
interrupted import leaves whole batches, never half-written rows. Records that cannot be read are
counted and reported with their line or position; they never stop the import.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import pickle
import struct
import sys
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from bot.domain import Paper, UpsertResult
from bot.errors import SourceError
from bot.ports import PaperStore
from bot.saved import parse_saved
from bot.sources.arxiv_snapshot import BadLine, looks_like_snapshot, parse_snapshot_lines

BATCH = 2000
PARSER_PROCESS_FROM = 32_000_000  # bytes: a smaller file is parsed in a thread (no process start)
_FRAME = struct.Struct("<Q")  # a parsed batch's size, before it
MAX_SAMPLES = 10  # bad records quoted in the report; the rest are counted


@dataclass
class ImportReport:
    stored: UpsertResult = field(default_factory=UpsertResult)
    bad: int = 0
    bad_samples: list[str] = field(default_factory=list)
    failed_files: list[str] = field(default_factory=list)

    def add_bad(self, where: str) -> None:
        self.bad += 1
        if len(self.bad_samples) < MAX_SAMPLES:
            self.bad_samples.append(where)


Progress = Callable[[int], None]  # called with the number of bytes just consumed


def _open(path: Path) -> BinaryIO:
    return gzip.open(path, "rb") if path.suffix == ".gz" else path.open("rb")  # type: ignore[return-value]


def _read_all(path: Path) -> bytes:
    with _open(path) as handle:
        return handle.read()


def _read_batch(handle: BinaryIO, size: int) -> tuple[list[bytes], int]:
    lines: list[bytes] = []
    consumed = 0
    for line in handle:
        lines.append(line)
        consumed += len(line)
        if len(lines) >= size:
            break
    return lines, consumed


Batch = tuple[list[Paper | BadLine], int, int]  # parsed records, lines read, bytes read


def _next_batch(handle: BinaryIO) -> Batch:
    lines, consumed = _read_batch(handle, BATCH)
    return list(parse_snapshot_lines(lines)), len(lines), consumed


async def _parsed_here(path: Path) -> AsyncGenerator[Batch]:
    """The file's batches, each read and parsed in a thread while the one before is stored."""
    with _open(path) as handle:
        while True:
            batch = await asyncio.to_thread(_next_batch, handle)
            yield batch
            if not batch[1]:
                return


async def _parsed_elsewhere(path: Path) -> AsyncGenerator[Batch]:
    """The file's batches, read and parsed by a second Python process (`python -m
    bot.importer PATH`). Parsing is Python work: in a thread it holds the interpreter lock
    the storing needs, so only a process puts a second core to it. (A process of our own, not
    `multiprocessing`'s spawn, which would run the caller's main module again.)"""
    parser = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.importer", str(path), stdout=asyncio.subprocess.PIPE
    )
    assert parser.stdout is not None
    try:
        while True:
            try:
                (size,) = _FRAME.unpack(await parser.stdout.readexactly(_FRAME.size))
                frame = await parser.stdout.readexactly(size)
            except asyncio.IncompleteReadError:
                code = await parser.wait()
                raise OSError(f"the parser process stopped (exit status {code})") from None
            batch: Batch = await asyncio.to_thread(pickle.loads, frame)  # from our own process
            yield batch
            if not batch[1]:
                return
    finally:
        if parser.returncode is None:
            parser.kill()
        await parser.wait()


def _serve(path: Path, out: BinaryIO) -> None:
    """The parser process: `path`'s batches, pickled, as length-prefixed frames on `out`."""
    with _open(path) as handle:
        while True:
            batch = _next_batch(handle)
            frame = pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
            out.write(_FRAME.pack(len(frame)) + frame)
            out.flush()
            if not batch[1]:
                return


async def _import_snapshot(
    path: Path, store: PaperStore, report: ImportReport, progress: Progress
) -> None:
    first_line = 1
    large = (await asyncio.to_thread(path.stat)).st_size >= PARSER_PROCESS_FROM
    batches = _parsed_elsewhere(path) if large else _parsed_here(path)
    async with contextlib.aclosing(batches):
        # Pipelined: the next batch is read and parsed while this one is stored.
        pending = asyncio.ensure_future(anext(batches))
        while True:
            items, line_count, consumed = await pending
            if not line_count:
                return
            pending = asyncio.ensure_future(anext(batches))
            papers: list[Paper] = []
            for item in items:
                if isinstance(item, BadLine):
                    report.add_bad(f"{path}:{first_line + item.line - 1}: {item.reason}")
                else:
                    papers.append(item)
            try:
                report.stored += await store.upsert(papers)
            except BaseException:
                await asyncio.gather(pending, return_exceptions=True)  # never leave it reading
                raise
            first_line += line_count
            progress(consumed)


async def import_files(
    paths: list[Path], store: PaperStore, progress: Progress = lambda n: None
) -> ImportReport:
    """Store every paper in `paths`: HF JSON, arXiv Atom/RSS, or snapshot JSON Lines (.gz too)."""
    report = ImportReport()
    for path in paths:
        try:
            with _open(path) as handle:
                head = handle.read(65536)
            if looks_like_snapshot(head):
                await _import_snapshot(path, store, report, progress)
                continue
            body = await asyncio.to_thread(_read_all, path)
            batch = parse_saved(body)
            for reason in batch.skipped:
                report.add_bad(f"{path}: {reason}")
            report.stored += await store.upsert(batch.papers)
            progress(len(body))
        except (OSError, EOFError, SourceError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            report.failed_files.append(f"{path}: {reason}")
    return report


if __name__ == "__main__":  # the parser process of `_parsed_elsewhere`
    _serve(Path(sys.argv[1]), sys.stdout.buffer)
