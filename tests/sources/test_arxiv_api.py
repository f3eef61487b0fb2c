from __future__ import annotations

from pathlib import Path

import pytest

from bot.errors import ArxivQueryError, RateLimited, SourceRejected
from bot.sources.arxiv_api import ArxivApi, parse_atom
from bot.sources.http import Http, Pacer, RetryPolicy
from tests.fakes import FakeHttp, FakeTime, ok

URL = "http://127.0.0.1/api/query"


def _api(fake: FakeHttp, time: FakeTime, client) -> ArxivApi:  # type: ignore[no-untyped-def]
    pacer = Pacer(3.0, clock=time.clock, sleep=time.sleep)
    return ArxivApi(Http(client, RetryPolicy(jitter=0.0), time.sleep, pacer), URL)


def test_entry_fields_primary_first_and_foreign_codes_dropped(own: Path) -> None:
    batch = parse_atom((own / "arxiv_api_two_pages_p0.atom.xml").read_bytes())
    first, second = batch.papers
    assert (batch.total, batch.start) == (3, 0)
    assert first.categories == ("stat.ML", "cs.LG")  # MSC 68T05 and ACM I.2.6 are not arXiv's
    assert (first.version, first.authors) == (2, ("A. One",))
    assert second.published is None
    assert second.categories == ()


async def test_query_all_pages_until_the_total(own: Path) -> None:
    fake = FakeHttp([ok((own / f"arxiv_api_two_pages_p{i}.atom.xml").read_bytes()) for i in (0, 1)])
    time = FakeTime()
    async with fake.client() as client:
        api = _api(fake, time, client)
        api.page_size = 2
        papers = await api.query_all("all:widgets", limit=10)
    assert [p.arxiv_id for p in papers] == ["2605.00001", "2605.00002", "2605.00003"]
    params = [dict(r.url.params) for r in fake.requests]
    assert [(p["start"], p["max_results"]) for p in params] == [("0", "2"), ("2", "2")]
    assert params[0]["search_query"] == "all:widgets"
    assert params[0]["sortBy"] == "submittedDate"
    assert time.sleeps == [3.0]  # the second request waited out arXiv's 3 seconds


async def test_lookup_sends_id_lists_in_chunks() -> None:
    empty = '<feed xmlns="http://www.w3.org/2005/Atom"><opensearch:totalResults xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">0</opensearch:totalResults></feed>'
    fake = FakeHttp([ok(empty), ok(empty), ok(empty)])
    async with fake.client() as client:
        api = _api(fake, FakeTime(), client)
        await api.lookup([f"2401.{n:05d}" for n in range(250)])
    sizes = [len(r.url.params["id_list"].split(",")) for r in fake.requests]
    assert sizes == [100, 100, 50]


async def test_http_400_error_feed_is_a_typed_error(own: Path) -> None:
    fake = FakeHttp([ok((own / "arxiv_api_error_current_400.atom.xml").read_bytes(), 400)])
    async with fake.client() as client:
        with pytest.raises(ArxivQueryError, match="incorrect id format for 1234.12345"):
            await _api(fake, FakeTime(), client).lookup(["1234.12345"])
    assert len(fake.requests) == 1  # a bad query is never retried


async def test_other_4xx_is_rejected() -> None:
    fake = FakeHttp([ok("Bad Request", 400)])
    async with fake.client() as client:
        with pytest.raises(SourceRejected, match="HTTP 400"):
            await _api(fake, FakeTime(), client).query("all:x", max_results=5000)
    assert fake.requests[0].url.params["max_results"] == "2000"  # capped at arXiv's maximum


async def test_plain_text_rate_exceeded_is_retried_then_reported() -> None:
    fake = FakeHttp([ok("Rate exceeded.", 429) for _ in range(4)])
    time = FakeTime()
    async with fake.client() as client:
        with pytest.raises(RateLimited, match="Rate exceeded"):
            await _api(fake, time, client).query("all:x")
    assert len(fake.requests) == 4
    assert len(time.sleeps) >= 3


def test_error_entry_titled_error_with_a_real_id_is_a_paper() -> None:
    feed = b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<id>http://arxiv.org/abs/2401.00001v1</id><title>Error</title></entry></feed>"""
    (paper,) = parse_atom(feed).papers
    assert paper.title == "Error"
