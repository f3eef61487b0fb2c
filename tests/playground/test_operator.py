"""The operator's view: `/healthz` and `/metrics`, scraped as a monitoring system would, on the
playground's server and on their own port."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from adapters.compose import App, open_app
from adapters.observe import operator_app, operator_routes
from adapters.playground.app import Playground, build_app
from adapters.settings import Settings
from bot.cycle import CycleReport
from bot.domain import FeedKind, FeedSpec
from bot.errors import SourceUnavailable
from bot.feeds import SourceHealth


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'ops.db'}",
        hf_live_search=False,
        OPENAI_API_KEY=None,
        OPENAI_BASE_URL=None,
    )
    async with open_app(
        settings, transport=httpx.MockTransport(lambda r: httpx.Response(404))
    ) as wired:
        yield wired


def _client(asgi: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=asgi), base_url="http://ops")  # type: ignore[arg-type]


async def test_metrics_are_scraped_and_health_names_each_source(app: App) -> None:
    down = SourceHealth()
    down.failed(SourceUnavailable("hf-daily", "HTTP 503"), datetime(2026, 6, 12, 9, tzinfo=UTC))
    app.engine.intake.poller.health[FeedSpec(FeedKind.HF_DAILY)] = down
    report = CycleReport(fetched={"arxiv-rss:cs.LG": 40}, posted=7, deferred=2, rate_limited=1)
    app.metrics.cycle(report)
    app.metrics.answered(0.3)
    app.metrics.tokens.inc(15)
    routes = operator_routes(app.storage.ping, lambda: app.engine.health, app.metrics)
    playground = Playground(app.channel_log, app.commands, app.threads)
    async with _client(build_app(playground, routes)) as client:
        scraped = await client.get("/metrics")
        health = await client.get("/healthz")
    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = scraped.text
    assert 'paperboy_papers_fetched_total{feed="arxiv-rss:cs.LG"} 40.0' in text
    assert 'paperboy_deliveries_total{outcome="posted"} 7.0' in text
    assert 'paperboy_deliveries_total{outcome="deferred"} 2.0' in text
    assert "paperboy_rate_limited_total 1.0" in text
    assert "paperboy_queue_depth 0.0" in text
    assert "paperboy_answer_seconds_count 1.0" in text
    assert "paperboy_llm_tokens_total 15.0" in text
    assert health.status_code == 200
    assert health.json() == {
        "database": "ok",
        "sources": {
            "hf-daily": {
                "ok": False,
                "error": "hf-daily: HTTP 503",
                "failing_since": "2026-06-12T09:00:00Z",
                "failed_polls": 1,
                "last_read": None,
            }
        },
    }


async def test_health_is_503_when_the_database_does_not_answer(app: App) -> None:
    async def gone() -> None:
        raise ConnectionError("refused")

    routes = operator_routes(gone, lambda: app.engine.health, app.metrics)
    async with _client(operator_app(routes, None)) as client:
        health = await client.get("/healthz")
    assert health.status_code == 503
    assert health.json()["database"] == "unavailable: ConnectionError"


async def test_on_their_own_port_the_routes_want_the_token(app: App) -> None:
    routes = operator_routes(app.storage.ping, lambda: app.engine.health, app.metrics)
    async with _client(operator_app(routes, "s3cret")) as client:
        assert (await client.get("/metrics")).status_code == 401
        assert (await client.get("/metrics?token=wrong")).status_code == 401
        bearer = {"Authorization": "Bearer s3cret"}
        assert (await client.get("/metrics", headers=bearer)).status_code == 200
        assert (await client.get("/healthz?token=s3cret")).status_code == 200
