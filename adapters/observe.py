"""What an operator watches: `/metrics` (Prometheus text, names prefixed `paperboy_`) and
`/healthz` (the database answers; each source's state), from the engine's cycle reports and the
thread answers' timings."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.guard import token_guard
from bot.cycle import CycleReport
from bot.domain import FeedSpec
from bot.feeds import SourceHealth
from bot.records import iso_utc

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    """One registry per process (not the global one: tests and several apps stay apart)."""

    def __init__(self, queue_depth: Callable[[], Awaitable[int]]) -> None:
        self.registry = CollectorRegistry()
        self._queue_depth = queue_depth
        self.fetched = Counter(
            "paperboy_papers_fetched",
            "Papers read from the feeds",
            ["feed"],
            registry=self.registry,
        )
        self.feed_failures = Counter(
            "paperboy_feed_failures",
            "Polls of a feed that failed",
            ["feed"],
            registry=self.registry,
        )
        self.deliveries = Counter(
            "paperboy_deliveries",
            "Deliveries by outcome: posted, deferred (to retry), failed",
            ["outcome"],
            registry=self.registry,
        )
        self.rate_limited = Counter(
            "paperboy_rate_limited", "Posts a platform answered 429", registry=self.registry
        )
        self.queue = Gauge(
            "paperboy_queue_depth", "Deliveries waiting to be posted", registry=self.registry
        )
        self.tokens = Counter(
            "paperboy_llm_tokens",
            "Tokens the language model spent (prompt and answer)",
            registry=self.registry,
        )
        self.answers = Histogram(
            "paperboy_answer_seconds",
            "Time to answer a question in a thread",
            buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60),
            registry=self.registry,
        )

    def cycle(self, report: CycleReport) -> None:
        for feed, papers in report.fetched.items():
            self.fetched.labels(feed).inc(papers)
        for feed in report.failed_feeds:
            self.feed_failures.labels(feed).inc()
        for outcome, count in (
            ("posted", report.posted),
            ("deferred", report.deferred),
            ("failed", report.failed),
        ):
            self.deliveries.labels(outcome).inc(count)
        self.rate_limited.inc(report.rate_limited)

    def answered(self, seconds: float) -> None:
        self.answers.observe(seconds)

    async def render(self) -> bytes:
        self.queue.set(await self._queue_depth())
        return generate_latest(self.registry)


def sources_state(health: Mapping[FeedSpec, SourceHealth]) -> dict[str, Any]:
    """Each feed's state as `/healthz` shows it."""
    return {
        str(feed): {
            "ok": state.last_error is None,
            "error": state.last_error,
            "failing_since": iso_utc(state.failing_since),
            "failed_polls": state.failures_in_a_row,
            "last_read": iso_utc(state.last_success),
        }
        for feed, state in sorted(health.items(), key=lambda item: str(item[0]))
    }


def operator_routes(
    ping: Callable[[], Awaitable[None]],
    health: Callable[[], Mapping[FeedSpec, SourceHealth]],
    metrics: Metrics,
) -> list[Route]:
    """`GET /healthz`: 200 when the database answers (503 when not), with each source's state;
    `GET /metrics`: Prometheus text."""

    async def healthz(request: Request) -> Response:
        try:
            await ping()
            database, status = "ok", 200
        except Exception as exc:  # whatever the driver raises: the answer is "not healthy"
            database, status = f"unavailable: {type(exc).__name__}", 503
        body = {"database": database, "sources": sources_state(health())}
        return JSONResponse(body, status_code=status)

    async def scrape(request: Request) -> Response:
        return Response(await metrics.render(), media_type=CONTENT_TYPE)

    return [Route("/healthz", healthz), Route("/metrics", scrape)]


def operator_app(routes: list[Route], token: str | None) -> Starlette:
    """The two routes alone (`PAPERBOY_METRICS_PORT`, when the playground is off), behind the
    same token as the playground."""
    return Starlette(routes=routes, middleware=[token_guard(token)])
