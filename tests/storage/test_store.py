"""The PaperStore contract, on both engines."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.domain import Origin, Paper, UpsertResult
from bot.search import build_query
from storage import SqlPaperStore, open_store


def _t(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


FULL = Paper(
    arxiv_id="2606.00467",
    version=1,
    title="Sparse Mixture of Experts for Fast Training",
    authors=("Ada Lovelace", "Alan Turing"),
    abstract="We train sparse experts quickly. Routing matters.",
    published=_t(1),
    updated=_t(1),
    announced=_t(2, 4),
    categories=("cs.LG", "cs.AI"),
    comment="12 pages",
    journal_ref="J. ML 1 (2026)",
    doi="10.1/abc",
    announce_type="new",
    upvotes=10,
    num_comments=2,
    github_url="https://github.com/o/r",
    github_stars=100,
    project_url="https://o.github.io/r",
    thumbnail_url="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2606.00467.png",
    ai_summary="Experts, fast.",
    ai_keywords=("moe", "routing"),
    organization="Org",
    hf_daily_date=_t(3, 0),
    on_hf=True,
    withdrawn=False,
    sources=frozenset({Origin.HF_DAILY, Origin.ARXIV_RSS}),
)


def _paper(n: int, title: str, **fields: object) -> Paper:
    return Paper(
        arxiv_id=f"2606.{n:05d}",
        title=title,
        version=1,
        sources=frozenset({Origin.ARXIV_API}),
        **fields,
    )  # type: ignore[arg-type]


async def test_round_trip_keeps_every_field(store: SqlPaperStore) -> None:
    assert await store.upsert([FULL]) == UpsertResult(new=1)
    assert await store.get("2606.00467") == FULL
    assert await store.get("2606.99999") is None
    assert await store.count() == 1


async def test_reimporting_the_same_data_changes_nothing(store: SqlPaperStore) -> None:
    await store.upsert([FULL])
    assert await store.upsert([FULL, FULL]) == UpsertResult(unchanged=1)
    assert await store.count() == 1


async def test_newer_data_updates_and_keeps_version_history(store: SqlPaperStore) -> None:
    await store.upsert([FULL])
    v2 = replace(
        FULL,
        version=2,
        title="Sparse Experts, Revised",
        updated=_t(9),
        upvotes=50,
        sources=frozenset({Origin.ARXIV_API}),
    )
    assert await store.upsert([v2]) == UpsertResult(updated=1)
    stored = await store.get(FULL.arxiv_id)
    assert stored is not None
    assert (stored.version, stored.title, stored.upvotes, stored.published, stored.updated) == (
        2,
        "Sparse Experts, Revised",
        50,
        _t(1),
        _t(9),
    )
    assert stored.sources == {Origin.HF_DAILY, Origin.ARXIV_RSS, Origin.ARXIV_API}
    history = await store.versions(FULL.arxiv_id)
    assert [(v.version, v.updated) for v in history] == [(1, _t(1)), (2, _t(9))]
    # An older version read later changes nothing and is not a new version.
    assert await store.upsert([FULL]) == UpsertResult(unchanged=1)
    assert len(await store.versions(FULL.arxiv_id)) == 2


async def test_hf_and_arxiv_records_merge_in_the_store(store: SqlPaperStore) -> None:
    hf = Paper(
        arxiv_id="2606.00001",
        title="HF title",
        upvotes=7,
        on_hf=True,
        github_url="https://github.com/a/b",
        sources=frozenset({Origin.HF_DAILY}),
    )
    arxiv = Paper(
        arxiv_id="2606.00001",
        version=3,
        title="arXiv title",
        categories=("cs.CL",),
        sources=frozenset({Origin.ARXIV_API}),
    )
    await store.upsert([hf])
    assert await store.upsert([arxiv]) == UpsertResult(updated=1)
    merged = await store.get("2606.00001")
    assert merged is not None
    assert (merged.title, merged.version, merged.upvotes, merged.github_url, merged.categories) == (
        "arXiv title",
        3,
        7,
        "https://github.com/a/b",
        ("cs.CL",),
    )


async def test_a_failing_batch_leaves_nothing_half_written(
    store: SqlPaperStore, monkeypatch
) -> None:
    async def broken(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(store, "_record_versions", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        await store.upsert([FULL, _paper(2, "Another")])
    assert await store.count() == 0
    assert await store.search(build_query("sparse")) == []


async def test_concurrent_writers_of_the_same_paper_do_not_collide(db_url: str) -> None:
    first, second = await open_store(db_url), await open_store(db_url)
    try:
        results = await asyncio.gather(
            first.upsert([FULL]), second.upsert([replace(FULL, upvotes=99)])
        )
        assert sum(r.new for r in results) == 1
        stored = await first.get(FULL.arxiv_id)
        assert stored is not None
        assert stored.upvotes == 99
    finally:
        await first.close()
        await second.close()


async def test_large_batches_are_chunked(store: SqlPaperStore) -> None:
    papers = [_paper(n, f"Paper number {n}") for n in range(1, 1201)]
    assert await store.upsert(papers) == UpsertResult(new=1200)
    assert await store.upsert(papers) == UpsertResult(unchanged=1200)
    assert await store.count() == 1200


async def test_get_many_returns_the_stored_ones_by_id(store: SqlPaperStore) -> None:
    papers = [_paper(n, f"Paper {n}") for n in range(1, 702)]
    await store.upsert(papers)
    found = await store.get_many([p.arxiv_id for p in papers] + ["2699.00001", papers[0].arxiv_id])
    assert len(found) == 701  # across chunks, unknown and repeated ids ignored
    assert found["2606.00007"].title == "Paper 7"
    assert await store.get_many([]) == {}
