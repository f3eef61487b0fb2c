"""`bot.importer` on the project's own fixtures, into a real SQLite store."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
from pathlib import Path

import pytest

import bot.importer
from bot.domain import UpsertResult
from bot.importer import import_files
from bot.sources.arxiv_snapshot import BadLine, parse_snapshot_lines
from storage import SqlPaperStore, open_store
from tests.conftest import OWN_FIXTURES

SNAPSHOT = OWN_FIXTURES / "arxiv_snapshot_small.jsonl"


def test_snapshot_records_and_bad_lines() -> None:
    items = list(parse_snapshot_lines(SNAPSHOT.read_bytes().splitlines(keepends=True)))
    papers = [i for i in items if not isinstance(i, BadLine)]
    bad = [i for i in items if isinstance(i, BadLine)]
    assert [p.arxiv_id for p in papers] == ["0704.0001", "math/0309136", "2401.12345"]
    first = papers[0]
    assert (
        first.title
        == "Calculation of prompt diphoton production cross sections at Tevatron and LHC energies"
    )
    assert first.authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert first.version == 2
    assert (first.published.isoformat(), first.updated.isoformat()) == (  # type: ignore[union-attr]
        "2007-04-02T19:18:42+00:00",
        "2007-07-24T20:10:27+00:00",
    )
    assert (first.doi, first.journal_ref, first.categories) == (
        "10.1103/PhysRevD.76.013009",
        "Phys.Rev.D76:013009,2007",
        ("hep-ph",),
    )
    assert first.abstract
    assert first.abstract.startswith("A fully differential calculation")
    assert papers[1].authors == (
        "Ada Lovelace",
        "Alan Turing",
    )  # no authors_parsed: split the string
    assert papers[1].categories == ("math.GT", "math.AG")
    assert [b.line for b in bad] == [3, 4, 5]


async def _store(tmp_path: Path) -> SqlPaperStore:
    return await open_store(f"sqlite:///{tmp_path / 'papers.db'}")


async def test_import_counts_new_updated_unchanged_and_bad(tmp_path: Path) -> None:
    store = await _store(tmp_path)
    consumed: list[int] = []
    try:
        report = await import_files(
            [SNAPSHOT, OWN_FIXTURES / "arxiv_rss_mixed.xml"], store, consumed.append
        )
        assert report.stored == UpsertResult(new=7)
        assert report.bad == 4  # 3 snapshot lines + 1 RSS item
        assert report.bad_samples[0].endswith(
            "arxiv_snapshot_small.jsonl:3: Expecting value: line 1 column 1 (char 0)"
        )
        assert (
            sum(consumed)
            == SNAPSHOT.stat().st_size + (OWN_FIXTURES / "arxiv_rss_mixed.xml").stat().st_size
        )
        again = await import_files([SNAPSHOT], store)
        assert again.stored == UpsertResult(unchanged=3)
        assert await store.count() == 7
    finally:
        await store.close()


async def test_gzip_and_failed_files_do_not_stop_the_rest(tmp_path: Path) -> None:
    packed = tmp_path / "snapshot.jsonl.gz"
    with SNAPSHOT.open("rb") as src, gzip.open(packed, "wb") as dst:
        shutil.copyfileobj(src, dst)
    broken = tmp_path / "broken.json"
    broken.write_text("[{")
    store = await _store(tmp_path)
    try:
        report = await import_files([tmp_path / "missing.jsonl", broken, packed], store)
        assert report.stored.new == 3
        assert len(report.failed_files) == 2
        assert "No such file or directory" in report.failed_files[0]
        assert "not JSON" in report.failed_files[1]
    finally:
        await store.close()


def _many_records(path: Path, count: int, bad_at: int) -> None:
    """`count` snapshot records (several import batches) with an unreadable line at `bad_at`."""
    with path.open("w") as out:
        for n in range(1, count + 1):
            if n == bad_at:
                out.write("{not json\n")
                continue
            record = {"id": f"2501.{n:05d}", "title": f"Paper {n}", "abstract": "Words."}
            record["versions"] = [{"version": "v1", "created": "Mon, 6 Jan 2025 10:00:00 GMT"}]
            out.write(json.dumps(record) + "\n")


async def test_a_large_file_is_parsed_by_a_second_process_with_the_same_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "many.jsonl"
    _many_records(source, 4_500, bad_at=2_501)  # in the second batch of 2,000 lines
    reports = []
    for parser_process_from in (10**12, 0):  # in a thread, then in a second process
        monkeypatch.setattr(bot.importer, "PARSER_PROCESS_FROM", parser_process_from)
        store = await open_store(f"sqlite:///{tmp_path / f'{parser_process_from}.db'}")
        try:
            consumed: list[int] = []
            reports.append(await import_files([source], store, consumed.append))
            assert await store.count() == 4_499
            assert sum(consumed) == source.stat().st_size
            assert (await store.get("2501.04500")) is not None
        finally:
            await store.close()
    here, elsewhere = reports
    assert elsewhere == here
    assert elsewhere.stored == UpsertResult(new=4_499) and elsewhere.bad == 1
    assert elsewhere.bad_samples[0].startswith(f"{source}:2501: ")


async def test_a_parser_process_that_dies_fails_its_file_not_the_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bot.importer, "PARSER_PROCESS_FROM", 0)
    monkeypatch.setattr(sys, "executable", shutil.which("false") or "/bin/false")
    store = await _store(tmp_path)
    try:
        report = await import_files([SNAPSHOT], store)
        assert report.failed_files == [f"{SNAPSHOT}: the parser process stopped (exit status 1)"]
        assert await store.count() == 0
    finally:
        await store.close()
