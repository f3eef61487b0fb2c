from __future__ import annotations

import asyncio
import gzip
import itertools
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from bot.errors import RateLimited, SourceUnavailable, UnreadableResponse
from bot.sources.http import Http, Pacer, RetryPolicy, retry_after_seconds
from tests.fakes import FakeHttp, FakeTime, ok

FAST = RetryPolicy(attempts=4, base_delay=1.0, max_delay=60.0, jitter=0.0)


async def test_retries_5xx_and_timeouts_with_growing_backoff() -> None:
    fake = FakeHttp([ok("", 503), httpx.ReadTimeout("slow"), ok("", 502), ok("fine")])
    time = FakeTime()
    async with fake.client() as client:
        response = await Http(client, FAST, time.sleep).get("src", "http://127.0.0.1/x")
    assert response.text == "fine"
    assert time.sleeps == [1.0, 2.0, 4.0]


async def test_429_honours_retry_after() -> None:
    fake = FakeHttp([ok("Rate exceeded.", 429, [("Retry-After", "7")]), ok("fine")])
    time = FakeTime()
    async with fake.client() as client:
        await Http(client, FAST, time.sleep).get("src", "http://127.0.0.1/x")
    assert time.sleeps == [7.0]


async def test_persistent_429_becomes_rate_limited_with_the_body() -> None:
    fake = FakeHttp([ok("Rate exceeded.", 429) for _ in range(4)])
    time = FakeTime()
    async with fake.client() as client:
        with pytest.raises(RateLimited, match=r"arxiv-api: HTTP 429 Rate exceeded\."):
            await Http(client, FAST, time.sleep).get("arxiv-api", "http://127.0.0.1/x")
    assert len(fake.requests) == 4
    assert time.sleeps == [1.0, 2.0, 4.0]


async def test_a_wait_longer_than_max_delay_fails_now_instead_of_blocking() -> None:
    fake = FakeHttp([ok("", 429, [("Retry-After", "3600")])])
    time = FakeTime()
    async with fake.client() as client:
        with pytest.raises(RateLimited):
            await Http(client, FAST, time.sleep).get("src", "http://127.0.0.1/x")
    assert time.sleeps == []
    assert len(fake.requests) == 1


async def test_network_failure_after_every_retry_is_source_unavailable() -> None:
    fake = FakeHttp([httpx.ConnectError("refused") for _ in range(4)])
    async with fake.client() as client:
        with pytest.raises(SourceUnavailable, match="ConnectError: refused"):
            await Http(client, FAST, FakeTime().sleep).get("src", "http://127.0.0.1/x")


async def test_a_timeout_without_a_message_still_says_what_happened_and_where() -> None:
    fake = FakeHttp([httpx.ReadTimeout("") for _ in range(4)])
    async with fake.client() as client:
        with pytest.raises(SourceUnavailable, match=r"ReadTimeout: timed out \(127\.0\.0\.1\)"):
            await Http(client, FAST, FakeTime().sleep).get("src", "http://127.0.0.1/x")


async def test_4xx_is_returned_for_the_caller_to_judge_without_retry() -> None:
    fake = FakeHttp([ok("nope", 404)])
    async with fake.client() as client:
        response = await Http(client, FAST, FakeTime().sleep).get("src", "http://127.0.0.1/x")
    assert response.status_code == 404
    assert len(fake.requests) == 1


def test_retry_after_forms() -> None:
    assert retry_after_seconds(httpx.Headers({"Retry-After": "12"})) == 12.0
    assert (
        retry_after_seconds(httpx.Headers({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})) == 0.0
    )
    assert retry_after_seconds(httpx.Headers({"RateLimit": '"api";r=0;t=42'})) == 42.0
    assert retry_after_seconds(httpx.Headers({})) is None


def test_backoff_jitter_stays_in_bounds() -> None:
    policy = RetryPolicy(base_delay=2.0, jitter=0.25, max_delay=10.0)
    delays = [policy.delay(attempt) for attempt in (1, 2, 3, 4, 5) for _ in range(50)]
    assert all(1.5 <= d <= 12.5 for d in delays)
    assert max(policy.delay(10) for _ in range(50)) <= 12.5  # capped at max_delay (+ jitter)


async def test_pacer_spaces_requests_and_runs_one_at_a_time() -> None:
    time = FakeTime()
    pacer = Pacer(3.0, clock=time.clock, sleep=time.sleep)
    active = 0
    starts: list[float] = []

    async def request() -> None:
        nonlocal active
        async with pacer.slot():
            active += 1
            assert active == 1, "two requests in flight at once"
            starts.append(time.now)
            time.now += 0.5  # the request takes half a second
            await asyncio.sleep(0)
            active -= 1

    await asyncio.gather(*(request() for _ in range(4)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == [3.5, 3.5, 3.5]  # 0.5 s request + 3 s between the end of one and the next


@pytest.mark.parametrize(
    "response",
    [
        lambda: httpx.Response(200, content=b"x" * 5000),  # declared too long: not even read
        lambda: httpx.Response(200, stream=_Chunks(b"x" * 1000 for _ in range(50))),  # undeclared
        # A small gzip that grows past the limit: counted at its real size.
        lambda: httpx.Response(
            200, headers={"content-encoding": "gzip"}, content=gzip.compress(b"x" * 50_000)
        ),
    ],
)
async def test_a_response_over_the_size_limit_is_refused_whole(response) -> None:  # type: ignore[no-untyped-def]
    transport = httpx.MockTransport(lambda request: response())
    async with httpx.AsyncClient(transport=transport) as client:
        http = Http(client, FAST, FakeTime().sleep)
        with pytest.raises(UnreadableResponse, match=r"larger than 0.00381 MiB \(127.0.0.1\)"):
            await http.get("src", "http://127.0.0.1/x", max_bytes=4000)
        within = await http.get("src", "http://127.0.0.1/x", max_bytes=100_000)
    assert len(within.content) >= 5000


class _Chunks(httpx.AsyncByteStream):
    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self.chunks:
            yield chunk
