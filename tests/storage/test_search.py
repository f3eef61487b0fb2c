"""Full-text search on both engines: matching, filters, sorting, paging and hostile input."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.domain import Hits, Origin, Paper, Sort
from bot.search import MAX_QUERY_CHARS, SearchError, build_query, related_query
from storage import SqlPaperStore
from storage import search as search_module
from storage import search_index as index_module


def _p(
    n: int,
    title: str,
    abstract: str = "",
    *,
    day: int = 1,
    upvotes: int | None = None,
    authors: tuple[str, ...] = ("Jane Doe",),
    categories: tuple[str, ...] = ("cs.LG",),
) -> Paper:
    return Paper(
        arxiv_id=f"2606.{n:05d}",
        version=1,
        title=title,
        abstract=abstract or title,
        authors=authors,
        categories=categories,
        upvotes=upvotes,
        published=datetime(2026, 6, day, tzinfo=UTC),
        sources=frozenset({Origin.ARXIV_API}),
    )


CORPUS = [
    _p(
        1,
        "Diffusion models for video generation",
        "We generate videos with diffusion.",
        day=1,
        upvotes=5,
    ),
    _p(
        2,
        "Diffusion transformers at scale",
        "Scaling diffusion with transformers.",
        day=5,
        upvotes=50,
        authors=("Ada Lovelace", "Grace Hopper"),
        categories=("cs.CV", "cs.LG"),
    ),
    _p(
        3,
        "Graph neural networks",
        "Message passing on graphs; no diffusion here.",
        day=10,
        upvotes=1,
        categories=("cs.LG", "stat.ML"),
    ),
    _p(
        4,
        "Language models as judges",
        "Large language models evaluate answers.",
        day=15,
        upvotes=20,
        authors=("Alan Turing",),
        categories=("cs.CL",),
    ),
    _p(
        5,
        "Naïve Bayes déjà vu",
        "An O'Brien-style study of naïve classifiers.",
        day=20,
        authors=("Seán O'Brien",),
        categories=("cs.LG",),
    ),
]


@pytest.fixture
async def corpus(store: SqlPaperStore) -> SqlPaperStore:
    await store.upsert(CORPUS)
    return store


def _ids(hits: list) -> list[str]:  # type: ignore[type-arg]
    return [h.paper.arxiv_id[-1] for h in hits]


async def test_words_match_title_authors_and_abstract_ranked(corpus: SqlPaperStore) -> None:
    hits = await corpus.search(build_query("diffusion"))
    assert set(_ids(hits)) == {"1", "2", "3"}
    assert _ids(hits)[-1] == "3"  # only in the abstract: ranked below title matches
    assert all(h.score is not None for h in hits)
    assert _ids(await corpus.search(build_query("lovelace"))) == ["2"]
    assert _ids(await corpus.search(build_query("diffusion video"))) == ["1"]  # every word


async def test_phrases_exclusions_and_stemming(corpus: SqlPaperStore) -> None:
    assert _ids(await corpus.search(build_query('"language models"'))) == ["4"]
    assert set(_ids(await corpus.search(build_query("diffusion -video")))) == {"2", "3"}
    assert _ids(await corpus.search(build_query("judge"))) == ["4"]  # judges
    assert _ids(await corpus.search(build_query("deja vu"))) == ["5"]  # diacritics folded / stemmed


async def test_a_word_still_being_typed_matches_as_a_prefix(corpus: SqlPaperStore) -> None:
    assert set(_ids(await corpus.search(build_query("diffus", as_typed=True)))) == {"1", "2", "3"}
    assert _ids(await corpus.search(build_query("vid", as_typed=True))) == ["1"]
    assert _ids(await corpus.search(build_query("vid"))) == []  # a finished word is a word
    assert _ids(await corpus.search(build_query("video diff", as_typed=True))) == ["1"]
    assert set(_ids(await corpus.search(build_query("diffusion ", as_typed=True)))) == {
        "1",
        "2",
        "3",
    }


async def test_filters(corpus: SqlPaperStore) -> None:
    assert set(_ids(await corpus.search(build_query("diffusion", category="cs.CV")))) == {"2"}
    assert set(_ids(await corpus.search(build_query("diffusion", since=date(2026, 6, 5))))) == {
        "2",
        "3",
    }
    assert set(_ids(await corpus.search(build_query("diffusion", until=date(2026, 6, 5))))) == {
        "1",
        "2",
    }
    assert _ids(await corpus.search(build_query("diffusion", author="grace hopper"))) == ["2"]
    assert _ids(await corpus.search(build_query("", author="O'Brien"))) == ["5"]
    # Filters alone list the newest first.
    assert _ids(await corpus.search(build_query("", category="cs.LG"))) == ["5", "3", "2", "1"]


async def test_sorting_and_pages(corpus: SqlPaperStore) -> None:
    recent = await corpus.search(build_query("diffusion", sort=Sort.RECENT))
    assert _ids(recent) == ["3", "2", "1"]
    assert _ids(await corpus.search(build_query("diffusion", sort=Sort.UPVOTES))) == ["2", "1", "3"]
    page1 = await corpus.search(build_query("diffusion", sort=Sort.RECENT, limit=2))
    page2 = await corpus.search(build_query("diffusion", sort=Sort.RECENT, limit=2, offset=2))
    assert (_ids(page1), _ids(page2)) == (["3", "2"], ["1"])


async def test_the_index_follows_updates(corpus: SqlPaperStore) -> None:
    await corpus.upsert(
        [replace(CORPUS[2], version=2, title="Graph transformers", abstract="Attention on graphs.")]
    )
    assert "3" not in _ids(await corpus.search(build_query("diffusion")))
    assert _ids(await corpus.search(build_query("attention"))) == ["3"]


HOSTILE = [
    '"',
    '""',
    "'",
    "-",
    "--",
    ":",
    "title:diffusion",
    "abstract : x",
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "diffusion AND",
    "NOT diffusion",
    "NEAR(diffusion video, 2)",
    "diffusion*",
    "^diffusion",
    "(diffusion",
    "diffusion)",
    "{diffusion}",
    "a:b:c",
    "o'brien",
    "🤖🧠 diffusion 🚀",
    "🤖",
    "'; DROP TABLE papers; --",
    "%",
    "_",
    "\\",
    "diffusion\x00video",
    "x" * MAX_QUERY_CHARS,
    "the",
    "a & b | !c <-> d",
    "!!!",
    "diffusion -",
    "-diffusion",
]


@pytest.mark.parametrize("text", HOSTILE)
async def test_hostile_input_never_breaks_the_database(corpus: SqlPaperStore, text: str) -> None:
    try:
        query = build_query(text)
    except SearchError as exc:  # a clear message instead of results
        message = str(exc)
        assert message.endswith(".")
        return
    hits = await corpus.search(query)
    assert isinstance(hits, list)
    assert await corpus.count() == len(CORPUS)


async def test_hostile_input_still_finds_what_it_says(corpus: SqlPaperStore) -> None:
    assert _ids(await corpus.search(build_query("title:diffusion video"))) == ["1"]
    assert _ids(await corpus.search(build_query("🤖 graph"))) == ["3"]
    assert _ids(await corpus.search(build_query("o'brien"))) == ["5"]


async def test_a_stale_index_answers_from_the_database_and_says_so(
    corpus: SqlPaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An index too far behind to catch up within a search (here: any row at all) is caught up
    in the background; meanwhile the database lists its newest papers holding the words, and
    the hits say so."""
    monkeypatch.setattr(index_module, "INLINE", 0)
    monkeypatch.setattr(search_module, "FALLBACK_WINDOW", 3)  # the 3 newest papers
    stale = await corpus.search(build_query("diffusion"))
    assert _ids(stale) == ["3"]  # the newest holding the word, among the newest three
    assert isinstance(stale, Hits) and stale.note and "catching up" in stale.note
    background = corpus.index._background
    assert background is not None
    await background
    exact = await corpus.search(build_query("diffusion"))
    assert set(_ids(exact)) == {"1", "2", "3"} and exact.note is None


@pytest.mark.parametrize(
    "title",
    [
        "CCI3.0-HQ: a large-scale Chinese dataset of high quality",
        "Llama-3.1-Nemotron-70B-Reward: reward models at 70B",
        "GPT-4o mini vs. o1: a 2.5x cheaper judge",
    ],
)
async def test_a_title_with_versions_and_hyphens_is_found_by_its_exact_text(
    store: SqlPaperStore, title: str
) -> None:
    """Index and query split words the same way on both engines: `CCI3.0-HQ` is `cci3 0 hq`
    in both (PostgreSQL's parser used to keep `3.0`-like tokens whole in the index)."""
    await store.upsert([_p(1, title, "Unrelated abstract.")])
    hits = await store.search(build_query(title))
    assert [h.paper.arxiv_id for h in hits] == ["2606.00001"]
    phrase = await store.search(build_query(f'"{title.split(":")[0]}"'))
    assert [h.paper.arxiv_id for h in phrase] == ["2606.00001"]


async def test_an_exact_title_comes_first(store: SqlPaperStore) -> None:
    """Held-back titles found SQLite ranking "The Breeze 2 Herd of Models" first for the exact
    title "The Llama 3 Herd of Models": an exact title match now leads, on both engines."""
    await store.upsert(
        [
            _p(1, "The Llama 3 Herd of Models", "Llama models. " * 3),
            _p(
                2,
                "The Breeze 2 Herd of Models",
                "Built on Llama 3: the Llama 3 herd of models, Llama 3 models, Llama 3 herd.",
            ),
            _p(3, "Herd behaviour in models of markets", "The herd of models."),
        ]
    )
    for typed in ("The Llama 3 Herd of Models", "the llama 3 herd of models "):
        hits = await store.search(build_query(typed))
        assert hits[0].paper.title == "The Llama 3 Herd of Models", typed


async def test_a_papers_exact_title_finds_it_first_however_old(
    store: SqlPaperStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seminal paper on a popular topic, older than every other match, is found by its exact
    title, first, and listed once across pages."""
    seminal = _p(1, "Attention Is All You Need", "The Transformer.", day=1)
    newer = [
        _p(n, f"Attention study {n}", "Attention is all you need, they said; we need more.", day=n)
        for n in range(2, 12)
    ]
    await store.upsert([seminal, *newer])
    plain = await store.search(build_query("need attention", limit=5))
    assert "2606.00001" in [h.paper.arxiv_id for h in plain]  # every match is ranked
    for typed in ("Attention Is All You Need", '"attention is all you need"'):
        first = await store.search(build_query(typed, limit=3))
        second = await store.search(build_query(typed, limit=3, offset=3))
        assert first[0].paper.title == "Attention Is All You Need", typed
        ids = [h.paper.arxiv_id for h in first + second]
        assert len(ids) == len(set(ids)) == 6  # two full pages, the seminal paper once
    filtered = await store.search(
        build_query("Attention Is All You Need", since=datetime(2026, 6, 2, tzinfo=UTC).date())
    )
    assert "2606.00001" not in [h.paper.arxiv_id for h in filtered]  # filters still hold
    recent = await store.search(build_query("Attention Is All You Need", sort=Sort.RECENT))
    assert recent[0].paper.arxiv_id != "2606.00001"  # an explicit order is kept


async def test_related_papers_share_its_telling_words_rarest_first(store: SqlPaperStore) -> None:
    """More like this, on both engines: any of the paper's telling words matches; papers that
    share its rare words rank above those sharing a common one; unrelated ones are not listed."""
    paper = _p(
        1,
        "Graph neural networks for molecules",
        "We pass messages over molecular graphs to predict molecular properties.",
    )
    await store.upsert(
        [
            paper,
            _p(2, "Message passing on molecular graphs", "Molecular property prediction.", day=2),
            _p(3, "Deep networks for images", "Convolutional networks classify images.", day=3),
            _p(4, "A survey of tokenizers", "Byte pair encoding and friends.", day=4),
            *[_p(n, f"Networks study {n}", "Networks, networks.", day=5) for n in range(5, 9)],
        ]
    )
    query = related_query(paper)
    assert query.terms.any and "for" not in query.terms.words
    ids = [h.paper.arxiv_id for h in await store.search(query)]
    # Itself (the command leaves it out) and the paper sharing its rare words lead.
    assert set(ids[:2]) == {"2606.00001", "2606.00002"}
    assert "2606.00003" in ids and "2606.00004" not in ids
