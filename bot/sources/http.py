"""Polite HTTP for sources: retries with backoff, and pacing for arXiv's one-request-per-3s rule."""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

import httpx

from bot.errors import RateLimited, SourceUnavailable, UnreadableResponse
from bot.text import whole_number

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]

MiB = 1024 * 1024
# A response is read in pieces and given up past this (after decompression, so a small gzip
# bomb counts at its full size): a day's list or a page of results is well under 2 MiB.
MAX_RESPONSE = 16 * MiB


@dataclass(frozen=True, slots=True)
class Fetched:
    """A response read whole (within its size limit)."""

    status_code: int
    headers: httpx.Headers
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """Retry 429, 5xx and network faults `attempts` times in all, with exponential backoff.

    A server asking us to wait longer than `max_delay` is not waited for: the fetch fails now
    and the poller tries again on its next round, instead of holding every other source up.
    """

    attempts: int = 4
    base_delay: float = 2.0
    max_delay: float = 60.0
    jitter: float = 0.25

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        if retry_after is not None:
            return retry_after
        backoff = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return backoff * (1 + random.uniform(-self.jitter, self.jitter))


class Pacer:
    """One request at a time, at least `interval` seconds apart (end of one to start of next).

    arXiv asks for one connection and at most one request every 3 seconds across the API, RSS
    and OAI-PMH, so every arXiv client of a process shares one `Pacer`.
    """

    def __init__(
        self, interval: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ):
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = asyncio.Lock()
        self._last_end: float | None = None

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        async with self._lock:
            if self._last_end is not None:
                wait = self._last_end + self.interval - self._clock()
                if wait > 0:
                    await self._sleep(wait)
            try:
                yield
            finally:
                self._last_end = self._clock()


_RATELIMIT_RESET = re.compile(r"\bt=(\d+)")


def retry_after_seconds(headers: httpx.Headers) -> float | None:
    """Seconds to wait from `Retry-After` (seconds or HTTP date) or HF's `RateLimit: ...;t=N`."""
    value = headers.get("retry-after")
    if value:
        value = value.strip()
        if (seconds := whole_number(value, 10**9)) is not None:
            return float(seconds)
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            moment = None
        if moment is not None:
            return max(0.0, moment.timestamp() - time.time())
    limit = headers.get("ratelimit")
    if limit and (m := _RATELIMIT_RESET.search(limit)):
        return float(m[1])
    return None


@dataclass(frozen=True, slots=True)
class Http:
    """What a source needs to make requests: the client, the retry policy, and how to wait."""

    client: httpx.AsyncClient
    retry: RetryPolicy = RetryPolicy()
    sleep: Sleep = asyncio.sleep
    pacer: Pacer | None = None

    async def get(
        self,
        source: str,
        url: str,
        params: Mapping[str, str | int] | None = None,
        *,
        max_bytes: int = MAX_RESPONSE,
        attempts: int | None = None,
    ) -> Fetched:
        """GET with retries; returns any response that is not 429 or 5xx for the caller to judge.
        A body over `max_bytes` is an `UnreadableResponse`, not retried. `attempts`: fewer than
        the policy's (someone is waiting for the answer)."""
        failure: SourceUnavailable = SourceUnavailable(source, "no attempt made")
        tries = min(attempts or self.retry.attempts, self.retry.attempts)
        for attempt in range(1, tries + 1):
            wait: float | None = None
            try:
                response = await self._send(source, url, params, max_bytes)
            except httpx.TransportError as exc:  # timeouts, refused connections, DNS, protocol
                # httpx's timeouts often carry no message: say what happened, and where.
                detail = str(exc) or (
                    "timed out" if isinstance(exc, httpx.TimeoutException) else "no detail"
                )
                where = httpx.URL(url).host
                failure = SourceUnavailable(source, f"{type(exc).__name__}: {detail} ({where})")
            else:
                if response.status_code == 429:
                    wait = retry_after_seconds(response.headers)
                    body = response.text.strip()[:80] or "Too Many Requests"
                    failure = RateLimited(source, f"HTTP 429 {body}")
                elif response.status_code >= 500:
                    failure = SourceUnavailable(source, f"HTTP {response.status_code}")
                else:
                    return response
            if attempt == tries or (wait is not None and wait > self.retry.max_delay):
                break
            delay = self.retry.delay(attempt, wait)
            # Each retry is detail: the feed's poller says once that a source is down.
            log.debug(
                "%s (attempt %d of %d), retrying in %.1fs",
                failure,
                attempt,
                tries,
                delay,
            )
            await self.sleep(delay)
        raise failure

    async def _send(
        self, source: str, url: str, params: Mapping[str, str | int] | None, max_bytes: int
    ) -> Fetched:
        if self.pacer is None:
            return await self._read(source, url, params, max_bytes)
        async with self.pacer.slot():
            return await self._read(source, url, params, max_bytes)

    async def _read(
        self, source: str, url: str, params: Mapping[str, str | int] | None, max_bytes: int
    ) -> Fetched:
        async with self.client.stream("GET", url, params=params) as response:
            host = httpx.URL(url).host
            too_large = UnreadableResponse(
                source, f"the response is larger than {max_bytes / MiB:.3g} MiB ({host})"
            )
            declared = whole_number(response.headers.get("content-length", ""), 2**62)
            # A compressed body's declared length is not its size: that one is counted as read.
            plain = "content-encoding" not in response.headers
            if plain and declared is not None and declared > max_bytes:
                raise too_large
            body = bytearray()
            async for chunk in response.aiter_bytes():
                body += chunk
                if len(body) > max_bytes:
                    raise too_large
            return Fetched(response.status_code, response.headers, bytes(body))
