from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import FeedKind, FeedSpec
from bot.errors import SourceUnavailable
from bot.feeds import SourceHealth, parse_feed_spec


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        ("hf-daily", FeedSpec(FeedKind.HF_DAILY)),
        ("hf-daily:2026-06-12", FeedSpec(FeedKind.HF_DAILY, "2026-06-12")),
        ("hf-daily:2026-W24", FeedSpec(FeedKind.HF_DAILY, "2026-W24")),
        ("hf-daily:2026-06", FeedSpec(FeedKind.HF_DAILY, "2026-06")),
        ("arxiv-rss:cs.LG", FeedSpec(FeedKind.ARXIV_RSS, "cs.LG")),
        ("arxiv-rss:cs.CL+cs.AI", FeedSpec(FeedKind.ARXIV_RSS, "cs.CL+cs.AI")),
        ("arxiv-rss:cs.CL, hep-th", FeedSpec(FeedKind.ARXIV_RSS, "cs.CL+hep-th")),
        (
            "arxiv-query:cat:cs.LG AND all:diffusion",
            FeedSpec(FeedKind.ARXIV_QUERY, "cat:cs.LG AND all:diffusion"),
        ),
    ],
)
def test_feed_specs(text: str, spec: FeedSpec) -> None:
    assert parse_feed_spec(text) == spec
    assert parse_feed_spec(str(spec)) == spec


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("twitter:x", "unknown source 'twitter'"),
        ("hf-daily:yesterday", "hf-daily takes a day"),
        ("hf-daily:2026-02-30", "day is out of range"),
        ("hf-daily:2026-13", "a month is 01 to 12, not '2026-13'"),
        ("hf-daily:2026-00", "a month is 01 to 12"),
        ("hf-daily:2026-W60", "weeks are W01 to W53, not '2026-W60'"),
        ("arxiv-rss:", "needs categories"),
        ("arxiv-rss:cs.LG;DROP TABLE", "needs categories"),
        ("arxiv-query:", "needs a query"),
    ],
)
def test_bad_feed_specs_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_feed_spec(text)


def test_health_says_how_long_a_source_has_failed_and_when_it_last_read() -> None:
    health = SourceHealth()
    assert health.said() is None
    health.succeeded(datetime(2026, 5, 5, 9, 30, tzinfo=UTC))
    error = SourceUnavailable("hf", "HTTP 503")
    health.failed(error)
    assert (
        health.said()
        == "cannot be read now (failed once, last read 2026-05-05 09:30 UTC): hf: HTTP 503"
    )
    for _ in range(6):
        health.failed(error)
    assert health.said() == (
        "cannot be read now (failed 7 times in a row, last read 2026-05-05 09:30 UTC): hf: HTTP 503"
    )
    health.succeeded(datetime(2026, 5, 5, 10, tzinfo=UTC))
    assert health.said() is None


async def test_a_source_down_is_logged_once_then_hourly_then_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One warning when a feed goes down, a summary an hour later, one line when it is back:
    never a line per retry or per poll (the log once repeated one warning 105 times)."""
    import logging
    from datetime import timedelta

    import httpx

    from bot.feeds import Poller, Sources
    from bot.sources import ArxivApi, ArxivRss, HuggingFace
    from bot.sources.http import Http, RetryPolicy
    from tests.fakes import FakeTime

    up = False

    def hf(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=[]) if up else httpx.Response(503)

    http = Http(
        httpx.AsyncClient(transport=httpx.MockTransport(hf)),
        RetryPolicy(attempts=3),
        FakeTime().sleep,
    )
    poller = Poller(
        Sources(
            HuggingFace(http, "http://hf"), ArxivApi(http, "http://a"), ArxivRss(http, "http://r")
        )
    )
    spec = FeedSpec(FeedKind.HF_DAILY)
    start = datetime(2026, 5, 5, 9, tzinfo=UTC)
    with caplog.at_level(logging.DEBUG):
        for minute in range(0, 61, 5):  # thirteen polls, three attempts each, over an hour
            await poller.poll(spec, start + timedelta(minutes=minute))
        up = True
        await poller.poll(spec, start + timedelta(minutes=65))
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 3, warned
    assert warned[0].startswith("hf-daily is unavailable: ")
    assert warned[1].startswith("hf-daily still unavailable since 2026-05-05 09:00 UTC (13 failed")
    assert warned[2] == "hf-daily is back after 13 failed polls"
