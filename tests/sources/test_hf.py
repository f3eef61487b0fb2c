from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.domain import Origin
from bot.errors import SourceRejected, SourceUnavailable, UnreadableResponse
from bot.sources.hf import HuggingFace, parse_hf_daily, parse_hf_paper
from bot.sources.http import Http, RetryPolicy
from tests.fakes import FakeHttp, FakeTime, ok

BASE = "http://127.0.0.1/hf"


def _hf(client) -> HuggingFace:  # type: ignore[no-untyped-def]
    return HuggingFace(Http(client, RetryPolicy(jitter=0.0), FakeTime().sleep), BASE)


def test_old_schema_hidden_authors_and_drift(own: Path) -> None:
    batch = parse_hf_daily((own / "hf_daily_2024_schema.json").read_bytes())
    old, drifted = batch.papers
    assert batch.skipped == ("item 2: no arXiv id in item (id=None)", "item 3: not an object: str")
    assert old.title == "An Old-Schema Paper with a Hard-Wrapped Title"
    assert old.authors == ("Ada Lovelace", "Alan Turing")  # the hidden author is left out
    assert old.abstract == "The summary is wrapped like arXiv's. It costs $0.0007 per call."
    assert (old.upvotes, old.num_comments, old.ai_summary, old.hf_daily_date) == (12, 2, None, None)
    # Wrong types read as missing, never as a crash.
    assert (drifted.authors, drifted.upvotes, drifted.num_comments, drifted.github_stars) == (
        (),
        None,
        None,
        None,
    )
    assert drifted.github_url is None  # javascript: is not a link
    assert drifted.project_url == "https://example.org/project"
    assert drifted.ai_keywords == ("ok",)
    assert drifted.organization == "some-org"
    assert drifted.withdrawn


def test_requested_day_fills_in_for_old_items(own: Path) -> None:
    day = datetime(2024, 10, 2, tzinfo=UTC)
    old = parse_hf_daily((own / "hf_daily_2024_schema.json").read_bytes(), day).papers[0]
    assert old.hf_daily_date == day


def test_unreadable_bodies() -> None:
    with pytest.raises(UnreadableResponse, match="not JSON"):
        parse_hf_daily(b"<html>502 Bad Gateway</html>")
    with pytest.raises(UnreadableResponse, match="expected a JSON array"):
        parse_hf_daily(b'{"error": "x"}')
    with pytest.raises(UnreadableResponse, match="no arXiv id"):
        parse_hf_paper(b'{"title": "x"}')


def _items(start: int, count: int) -> str:
    return json.dumps(
        [{"paper": {"id": f"2606.{n:05d}", "upvotes": n}} for n in range(start, start + count)]
    )


async def test_daily_pages_until_a_short_page() -> None:
    fake = FakeHttp([ok(_items(0, 3)), ok(_items(3, 3)), ok(_items(6, 1))])
    async with fake.client() as client:
        hf = _hf(client)
        hf.page_size = 3
        papers = await hf.daily(date=date(2026, 6, 12))
    assert len(papers) == 7
    params = [dict(r.url.params) for r in fake.requests]
    assert [p["p"] for p in params] == ["0", "1", "2"]
    assert all(p["date"] == "2026-06-12" and p["limit"] == "3" for p in params)
    assert fake.requests[0].url.path == "/hf/api/daily_papers"
    assert all(p.hf_daily_date == datetime(2026, 6, 12, tzinfo=UTC) for p in papers)


async def test_daily_week_month_and_latest_parameters() -> None:
    fake = FakeHttp([ok("[]"), ok("[]"), ok("[]")])
    async with fake.client() as client:
        hf = _hf(client)
        await hf.daily(week="2026-W24")
        await hf.daily(month="2026-06")
        assert await hf.daily() == []  # an empty day is not an error
    assert [dict(r.url.params) for r in fake.requests] == [
        {"limit": "100", "week": "2026-W24", "p": "0"},
        {"limit": "100", "month": "2026-06", "p": "0"},
        {"limit": "100", "p": "0"},
    ]


async def test_paper_and_missing_paper() -> None:
    body = json.dumps(
        {"id": "2608.09888", "title": "T", "upvotes": 5, "githubRepo": "https://github.com/o/r"}
    )
    fake = FakeHttp([ok(body), ok('{"error":"Paper not found"}', 404)])
    async with fake.client() as client:
        hf = _hf(client)
        paper = await hf.paper("2608.09888")
        assert await hf.paper("2601.99999") is None
    assert paper is not None
    assert (paper.arxiv_id, paper.upvotes, paper.on_hf) == (
        "2608.09888",
        5,
        True,
    )
    assert paper.sources == {Origin.HF_PAPER}
    assert fake.requests[1].url.path == "/hf/api/papers/2601.99999"


async def test_search_passes_the_query() -> None:
    fake = FakeHttp([ok(json.dumps([{"paper": {"id": "2404.04487"}, "highlightedTitle": []}]))])
    async with fake.client() as client:
        papers = await _hf(client).search('kazakh "QA"', limit=5)
    assert [p.arxiv_id for p in papers] == ["2404.04487"]
    assert dict(fake.requests[0].url.params) == {"q": 'kazakh "QA"', "limit": "5"}


async def test_outage_and_refusals_are_typed() -> None:
    fake = FakeHttp([ok("", 503) for _ in range(4)] + [ok("forbidden", 403)])
    async with fake.client() as client:
        hf = _hf(client)
        with pytest.raises(SourceUnavailable, match="huggingface: HTTP 503"):
            await hf.daily()
        with pytest.raises(SourceRejected, match="HTTP 403"):
            await hf.search("x")
