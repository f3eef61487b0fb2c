"""The search index: every match ranked, kept in step across processes, rebuilt when lost,
and never answering silently from a stale state. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import Origin, Paper, Sort
from bot.search import SearchError, build_query, title_key
from storage import SqlPaperStore, create_engine, open_store
from storage.search_index import SearchIndex, location
from storage.search_schema import document, to_query


def _paper(n: int, title: str, abstract: str, day: datetime) -> Paper:
    return Paper(
        arxiv_id=f"2601.{n:05d}",
        version=1,
        title=title,
        abstract=abstract,
        authors=("Jane Doe",),
        categories=("cs.LG",),
        published=day,
        sources=frozenset({Origin.ARXIV_API}),
    )


FILLER = (
    "We study robust evaluation of large language models across many tasks, with careful "
    "ablations over data, optimisation, architecture and scale; results hold across seeds."
)


async def test_an_older_paper_about_a_common_word_outranks_recent_passing_mentions(
    store: SqlPaperStore,
) -> None:
    """The seminal paper on diffusion, older than 1,200 recent papers that mention diffusion
    once in passing, comes first for "diffusion": every match is ranked."""
    start = datetime(2020, 1, 1, tzinfo=UTC)
    seminal = _paper(
        1,
        "Denoising diffusion probabilistic models",
        "Diffusion models learn to reverse a diffusion process; diffusion sampling is slow.",
        start,
    )
    recent = [
        _paper(n, f"Evaluating language models, part {n}", f"{FILLER} Unlike diffusion, ...", day)
        for n in range(2, 1_202)
        for day in [start + timedelta(days=1_000 + n)]
    ]
    await store.upsert([seminal, *recent])
    hits = await store.search(build_query("diffusion"))
    assert hits[0].paper.arxiv_id == "2601.00001"
    assert hits.note is None
    # Still found among papers that say it less: a two-word query, and page 2 is page 2.
    assert (await store.search(build_query("diffusion sampling")))[0].paper.arxiv_id == (
        "2601.00001"
    )
    first = await store.search(build_query("diffusion", limit=5))
    second = await store.search(build_query("diffusion", limit=5, offset=5))
    assert not {h.paper.arxiv_id for h in first} & {h.paper.arxiv_id for h in second}
    newest = await store.search(build_query("diffusion", sort=Sort.RECENT, limit=3))
    assert [h.paper.arxiv_id for h in newest] == ["2601.01201", "2601.01200", "2601.01199"]


async def test_a_catch_up_reads_only_what_was_written_since_the_last(
    store: SqlPaperStore,
) -> None:
    """Each catch-up indexes the rows of the transactions after the last it saw, not that
    last transaction's rows again (an import's last batch was indexed at every catch-up)."""
    day = datetime(2026, 1, 5, tzinfo=UTC)
    await store.upsert([_paper(n, f"Paper {n}", "Words.", day) for n in (1, 2, 3)])
    assert await store.catch_up_index() == 3
    await store.upsert([_paper(4, "Paper 4", "Words.", day)])
    assert await store.catch_up_index() == 1
    assert await store.catch_up_index() == 0


async def test_another_process_sees_a_paper_at_its_next_search(db_url: str) -> None:
    """Two processes on one database, each with its own index: a paper one of them stores is
    found by the other's next search, and an update to it is searched by its new words."""
    day = datetime(2026, 1, 5, tzinfo=UTC)
    writer, reader = await open_store(db_url, "memory"), await open_store(db_url, "memory")
    try:
        assert not await reader.search(build_query("tokenizer"))
        await writer.upsert([_paper(1, "A byte-level tokenizer", "Bytes, not words.", day)])
        assert [h.paper.arxiv_id for h in await reader.search(build_query("tokenizer"))] == [
            "2601.00001"
        ]
        renamed = _paper(1, "A byte-level tokeniser", "Bytes, not words.", day)
        await writer.upsert([replace(renamed, version=2)])
        assert [h.paper.arxiv_id for h in await reader.search(build_query("tokeniser"))] == [
            "2601.00001"
        ]
        assert reader.index.count() == 1
    finally:
        await writer.close()
        await reader.close()


async def test_processes_sharing_one_directory_take_turns(tmp_path: Path) -> None:
    """Two processes (two indexes on one directory, one database): each catches up under
    tantivy's writer lock and reads the other's commits."""
    url = f"sqlite:///{tmp_path / 'papers.db'}"
    day = datetime(2026, 1, 5, tzinfo=UTC)
    first, second = await open_store(url), await open_store(url)
    assert first.index.path == second.index.path == tmp_path / "papers.db.search"
    try:
        await first.upsert([_paper(1, "Sparse attention", "Sparse.", day)])
        await second.upsert([_paper(2, "Dense attention", "Dense.", day)])
        both = await asyncio.gather(
            first.search(build_query("attention")), second.search(build_query("attention"))
        )
        for hits in both:
            assert sorted(h.paper.arxiv_id for h in hits) == ["2601.00001", "2601.00002"]
            assert hits.note is None
    finally:
        await first.close()
        await second.close()


async def test_an_index_kept_from_another_database_is_rebuilt_not_believed(
    tmp_path: Path,
) -> None:
    """An index directory reused for a different (or recreated) database: its row ids mean
    other papers there, so it is rebuilt rather than answering with them."""
    day = datetime(2026, 1, 5, tzinfo=UTC)
    directory = str(tmp_path / "index")
    old = await open_store(f"sqlite:///{tmp_path / 'old.db'}", directory)
    await old.upsert([_paper(n, f"Old paper {n} on graphs", "Graphs.", day) for n in range(1, 4)])
    assert len(await old.search(build_query("graphs"))) == 3
    await old.close()
    new = await open_store(f"sqlite:///{tmp_path / 'new.db'}", directory)
    try:
        await new.upsert([_paper(9, "New paper on graphs", "Graphs.", day)])
        hits = await new.search(build_query("graphs"))
        assert [h.paper.arxiv_id for h in hits] == ["2601.00009"]
        assert new.index.count() == 1
    finally:
        await new.close()


async def test_a_lost_index_is_rebuilt_and_says_so_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index directory deleted under a database of papers: the next search answers from
    the database with a note while the index is rebuilt in the background; `rebuild` (behind
    `paperboy db reindex`) builds it from the database on demand."""
    url = f"sqlite:///{tmp_path / 'papers.db'}"
    day = datetime(2026, 1, 5, tzinfo=UTC)
    store = await open_store(url)
    await store.upsert([_paper(n, f"Paper {n} about retrieval", "Retrieval.", day) for n in (1, 2)])
    assert await store.catch_up_index() == 2
    await store.close()
    monkeypatch.setattr("storage.search_index.INLINE", 1)
    engine = create_engine(url)
    lost = SqlPaperStore(engine, index=SearchIndex(tmp_path / "elsewhere"))
    try:
        meanwhile = await lost.search(build_query("retrieval"))
        assert len(meanwhile) == 2 and meanwhile.note and "catching up (2 papers" in meanwhile.note
        assert lost.index._background is not None
        await lost.index._background
        after = await lost.search(build_query("retrieval"))
        assert len(after) == 2 and after.note is None
        assert await lost.index.rebuild(engine) == 2
        assert lost.index.count() == 2
    finally:
        await lost.close()


async def test_closing_during_a_background_catch_up_stops_it_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Closed while the index is being built in the background (a bot stopping during a long
    catch-up): it stops between batches, nothing is logged as failed, and the next process
    finishes the job."""
    url = f"sqlite:///{tmp_path / 'papers.db'}"
    day = datetime(2026, 1, 5, tzinfo=UTC)
    store = await open_store(url, "memory")
    await store.upsert([_paper(n, f"Paper {n} on retrieval", "Retrieval.", day) for n in range(40)])
    await store.close()
    monkeypatch.setattr("storage.search_index.INLINE", 1)
    monkeypatch.setattr("storage.search_index.BATCH", 2)
    closing = await open_store(url)
    assert (await closing.search(build_query("retrieval"))).note  # catching up, in the background
    await asyncio.sleep(0)
    await closing.close()
    assert closing.index.count() < 40  # stopped before the end
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    reopened = await open_store(url)
    try:
        assert await reopened.catch_up_index() > 0
        assert len(await reopened.search(build_query("retrieval", limit=50))) == 40
    finally:
        await reopened.close()


def test_the_index_lives_beside_sqlite_or_in_the_cache_or_in_memory(tmp_path: Path) -> None:
    assert location(f"sqlite:///{tmp_path / 'a.db'}") == tmp_path / "a.db.search"
    assert location("sqlite://") is None
    assert location(f"sqlite:///{tmp_path / 'a.db'}", "memory") is None
    assert location("sqlite:///x.db", str(tmp_path / "here")) == tmp_path / "here"
    one = location("postgresql+psycopg://u:secret@db/one")
    two = location("postgresql+psycopg://u:other@db/two")
    assert one is not None and two is not None and one != two
    assert "secret" not in str(one)


def _indexed(papers: list[tuple[str, str]], authors: str = "") -> SearchIndex:
    """An index in memory of (title, abstract) papers, row ids from 1, a day apart."""
    index = SearchIndex()
    writer = index._index.writer(15_000_000, 1)
    for n, (title, abstract) in enumerate(papers, start=1):
        row = SimpleNamespace(
            id=n,
            title=title,
            title_key=title_key(title),
            abstract=abstract,
            authors_text=authors,
            categories_text="cs.LG",
            published=datetime(2026, 1, n, tzinfo=UTC),
            upvotes=n,
        )
        writer.add_document(document(row))
    writer.commit()
    writer.wait_merging_threads()
    index._index.reload()
    return index


SMALL = _indexed(
    [
        ("Naïve Bayes déjà vu", "An O'Brien-style study of naïve classifiers."),
        ("CCI3.0-HQ: a Chinese dataset", "x² and ² and 3.1 and NUL-free text."),
        ("Diffusion models", "We diffuse; diffusion is all you need (really)."),
    ],
    authors="Seán O'Brien",
)


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200), prefix=st.booleans(), sort=st.sampled_from(list(Sort)))
def test_any_query_text_searches_the_index_without_error(
    text: str, prefix: bool, sort: Sort
) -> None:
    """Untrusted query text, as typed or being typed, in any order: a clear SearchError or a
    list of hits, never an index error (tantivy's query syntax is never parsed)."""
    try:
        query = build_query(text, as_typed=prefix, sort=sort)
    except SearchError:
        return
    ranked = SMALL.search(query)
    assert {row_id for row_id, _ in ranked} <= {1, 2, 3}


def test_words_are_found_as_people_type_them() -> None:
    """Stems, folded accents, versions split as in titles, and a word still being typed."""
    for typed, expected in [
        ("naive", [1]),
        ("Naïve classifier", [1]),
        ("CCI3.0-HQ", [2]),
        ('"cci3 0 hq"', [2]),
        ("diffusing", [3]),
        ("obrien", []),  # an apostrophe splits a name, as in the query
        ("o'brien", [1, 2, 3]),
    ]:
        found = sorted(i for i, _ in SMALL.search(build_query(typed)))
        assert found == expected, typed
    typing = build_query("diffu", as_typed=True)
    assert [i for i, _ in SMALL.search(typing)] == [3]
    # From the third letter a word being typed is the start of words; before, a whole word
    # (one or two letters begin a good share of all words: too many to rank at each key).
    assert [i for i, _ in SMALL.search(build_query("dif", as_typed=True))] == [3]
    assert SMALL.search(build_query("di", as_typed=True)) == []
    assert [i for i, _ in SMALL.search(build_query("vu", as_typed=True))] == [1]  # "déjà vu"


def test_a_lone_word_ranks_as_every_word_does_and_its_exact_title_first() -> None:
    """One word with no filter is asked as a plain union of its fields (fast for frequent
    words): the scores are those of the general form; a paper titled by that very word still
    comes first."""
    papers = [
        ("Transformers transformers transformers", "Transformers, transformers and more."),
        ("Attention for transformers", "We revisit attention."),
        ("Graph networks", "Transformers are mentioned once."),
    ]
    index = _indexed(papers)
    searcher = index._index.searcher()
    for word in ("transformers", "attention", "graph"):
        query = build_query(word)
        lone = to_query(query, lambda key: False)
        general = to_query(query, lambda key: True)  # the exact-title clause, matching nothing
        assert lone is not None and general is not None
        assert "Must" not in repr(lone) and "Must" in repr(general)  # a union; an intersection
        got = [(a.doc, round(s, 5)) for s, a in searcher.search(lone, 10).hits]
        want = [(a.doc, round(s, 5)) for s, a in searcher.search(general, 10).hits]
        assert got == want and got, word
    titled = _indexed([*papers, ("Transformers", "A survey.")])
    assert titled.search(build_query("transformers"))[0][0] == 4  # the paper so titled
    assert index.search(build_query("transformers"))[0][0] == 1  # without it: by BM25


async def test_a_word_nobody_wrote_is_searched_as_the_close_one_many_did(
    store: SqlPaperStore,
) -> None:
    """Did you mean: "difusion modles" finds nothing as typed, so the titles' closest words are
    searched instead, and the note says so; a query with no close words still finds nothing."""
    day = datetime(2026, 1, 5, tzinfo=UTC)
    await store.upsert(
        [
            _paper(1, "Diffusion models for audio", "Audio synthesis.", day),
            _paper(2, "Fast diffusion samplers", "Few steps.", day),
            _paper(3, "Graph transformers", "Graphs.", day),
        ]
    )
    hits = await store.search(build_query("Difusion modles"))
    assert [h.paper.arxiv_id for h in hits] == ["2601.00001"]
    assert hits.note == "Nothing matched “Difusion modles”; showing “diffusion models”."
    exact = await store.search(build_query("diffusion"))
    assert len(exact) == 2 and exact.note is None
    assert not await store.search(build_query("qqqqzzzz"))
    assert (await store.search(build_query("qqqqzzzz"))).note is None
    # A short word is forgiven one edit ("grahp": two letters swapped).
    assert [h.paper.arxiv_id for h in await store.search(build_query("grahp"))] == ["2601.00003"]


def test_close_words_are_one_edit_from_a_short_word_two_from_a_longer_one() -> None:
    index = _indexed([("Fast samplers", "Few steps."), ("Graph transformers", "Graphs.")])
    assert index.near("grahp") == [2]  # two letters swapped: one edit
    assert index.near("sampl") == []  # two letters short of "sampler": two edits
    assert index.near("smplers") == [1]  # seven letters: two edits are forgiven
