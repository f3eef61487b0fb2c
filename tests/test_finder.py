"""`Finder`: ids first (fetched and stored when unknown), store search, HF live fallback."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.domain import Origin, Paper
from bot.finder import Finder
from bot.search import SearchError, build_query
from bot.sources import ArxivApi, HuggingFace
from bot.sources.http import Http, RetryPolicy
from storage import SqlPaperStore, open_store
from tests.conftest import OWN_FIXTURES
from tests.fakes import FakeTime

ATOM = (OWN_FIXTURES / "arxiv_api_two_pages_p1.atom.xml").read_bytes()  # holds 2605.00003


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlPaperStore]:
    opened = await open_store(f"sqlite:///{tmp_path / 'papers.db'}")
    await opened.upsert(
        [
            Paper(
                arxiv_id="2606.00001",
                title="Diffusion models",
                sources=frozenset({Origin.ARXIV_API}),
            ),
            Paper(
                arxiv_id="2606.00002",
                title="Diffusion transformers",
                sources=frozenset({Origin.ARXIV_API}),
            ),
            Paper(
                arxiv_id="2606.00003",
                title="Diffusion at scale",
                sources=frozenset({Origin.ARXIV_API}),
            ),
        ]
    )
    yield opened
    await opened.close()


def _finder(store: SqlPaperStore, handler) -> tuple[Finder, list[httpx.Request]]:  # type: ignore[no-untyped-def]
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(record))
    http = Http(client, RetryPolicy(attempts=1), FakeTime().sleep)
    return Finder(
        store, HuggingFace(http, "http://hf"), ArxivApi(http, "http://arxiv/api/query")
    ), seen


def _no_network(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected request {request.url}")


async def test_stored_results_need_no_source(store: SqlPaperStore) -> None:
    finder, _ = _finder(store, _no_network)
    page = await finder.search(build_query("diffusion"))
    assert len(page.hits) == 3
    assert not any(h.live for h in page.hits)


async def test_a_known_id_or_url_is_found_directly(store: SqlPaperStore) -> None:
    finder, _ = _finder(store, _no_network)
    page = await finder.search(build_query("https://arxiv.org/abs/2606.00002v3"))
    assert [h.paper.arxiv_id for h in page.hits] == ["2606.00002"]


async def test_an_unknown_id_is_fetched_merged_and_stored(store: SqlPaperStore) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "arxiv":
            assert request.url.params["id_list"] == "2605.00003"
            return httpx.Response(200, content=ATOM)
        return httpx.Response(200, json={"id": "2605.00003", "upvotes": 9, "title": "HF copy"})

    finder, seen = _finder(store, handler)
    page = await finder.search(build_query("arXiv:2605.00003"))
    (hit,) = page.hits
    assert (hit.paper.title, hit.paper.upvotes, hit.paper.on_hf) == ("Widgets III", 9, True)
    assert len(seen) == 2
    assert await store.get("2605.00003") == hit.paper


async def test_unreachable_sources_are_said_plainly(store: SqlPaperStore) -> None:
    finder, _ = _finder(store, lambda r: httpx.Response(503))
    page = await finder.search(build_query("2605.00003"))
    assert page.hits == ()
    assert page.note == "could not reach arxiv-api, huggingface"


async def test_a_paper_the_sources_give_no_title_for_is_no_card(store: SqlPaperStore) -> None:
    """As in the feed: held, not stored, not shown as "arXiv:2612.79601" (outside check)."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "arxiv":
            return httpx.Response(503)
        return httpx.Response(200, json={"id": "2612.79601", "upvotes": 4, "title": ""})

    finder, _ = _finder(store, handler)
    page = await finder.search(build_query("2612.79601"))
    assert page.hits == ()
    assert page.note == ("could not reach arxiv-api; the sources give no title for 2612.79601 yet")
    assert await store.get("2612.79601") is None
    # nor from a live search
    untitled = [{"paper": {"id": "2404.04487", "title": ""}, "highlightedTitle": []}]
    finder, _ = _finder(store, lambda r: httpx.Response(200, content=json.dumps(untitled)))
    assert (await finder.search(build_query("kazakh"))).hits == ()
    assert await store.get("2404.04487") is None


async def test_few_stored_matches_ask_hugging_face_live(store: SqlPaperStore) -> None:
    live = [
        {"paper": {"id": "2404.04487", "title": "KazQAD"}, "highlightedTitle": []},
        {"paper": {"id": "2606.00001", "title": "already stored"}, "highlightedTitle": []},
    ]
    finder, seen = _finder(store, lambda r: httpx.Response(200, content=json.dumps(live)))
    page = await finder.search(build_query("kazakh"))
    assert [(h.paper.arxiv_id, h.live) for h in page.hits] == [
        ("2404.04487", True),
        ("2606.00001", True),
    ]
    assert seen[0].url.params["q"] == "kazakh"
    assert await store.get("2404.04487") is not None
    stored = await store.get("2606.00001")  # HF's copy merged in; arXiv's title kept
    assert stored is not None
    assert (stored.title, stored.on_hf) == ("Diffusion models", True)
    # Filters or a later page never go live; a failing live search leaves a note, not an error.
    assert (await finder.search(build_query("kazakh", category="cs.CL"))).hits == ()
    finder_down, _ = _finder(store, lambda r: httpx.Response(503))
    assert (
        await finder_down.search(build_query("zebra"))
    ).note == "Hugging Face search is unreachable (huggingface: HTTP 503); stored results only."


def test_bad_input_is_a_clear_message() -> None:
    with pytest.raises(SearchError, match="under 1,000"):
        build_query("x" * 10_000)
    with pytest.raises(SearchError, match="Type some words"):
        build_query("   ")
    with pytest.raises(SearchError, match="not an arXiv category"):
        build_query("x", category="cs.LG%")
