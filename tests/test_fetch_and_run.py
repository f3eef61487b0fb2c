"""`paperboy fetch` and `paperboy run` against a fake of the sources on loopback."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import httpx

from adapters.console import console_loop
from bot.feeds import FeedKind, FeedSpec, Sources
from bot.sources import ArxivApi, ArxivRss, HuggingFace
from bot.sources.http import Http, RetryPolicy
from storage import open_store
from tests.conftest import OWN_FIXTURES
from tests.fake_sources import FakeSources
from tests.fakes import FakeTime, run_paperboy

RSS = (OWN_FIXTURES / "arxiv_rss_mixed.xml").read_bytes()
HF = (OWN_FIXTURES / "hf_daily_2024_schema.json").read_bytes()


def _paperboy(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_paperboy(args, env, cwd)


def test_fetch_dry_run_prints_cards_from_the_configured_sources(tmp_path: Path) -> None:
    with FakeSources({"rss": RSS}) as fake:
        done = _paperboy(
            ["fetch", "--source", "arxiv-rss:cs.LG+cs.CL", "--dry-run"], fake.env(), tmp_path
        )
    assert done.returncode == 0, done.stderr
    assert fake.hits == ["/rss/cs.LG+cs.CL"]
    assert "Sparse Mixture of α-Experts for Fast Training" in done.stdout
    assert "Cross-listed Paper on Tokenizers" in done.stdout
    assert "An Old Paper, Revised" not in done.stdout  # replacements are not new papers
    assert f"arXiv: {fake.base}/arxiv/abs/2605.01234" in done.stdout
    assert "2 papers from arxiv-rss:cs.LG+cs.CL" in done.stderr


def test_fetch_json_and_a_failing_source(tmp_path: Path) -> None:
    with FakeSources({"hf": HF}, failing={"rss"}) as fake:
        ok = _paperboy(
            ["fetch", "--source", "hf-daily:2024-10-02", "--dry-run", "--json"],
            fake.env(),
            tmp_path,
        )
        env = {**fake.env(), "PAPERBOY_HTTP_ATTEMPTS": "1"}
        bad = _paperboy(["fetch", "--source", "arxiv-rss:cs.LG", "--dry-run"], env, tmp_path)
    assert ok.returncode == 0, ok.stderr
    records = [json.loads(line) for line in ok.stdout.splitlines()]
    assert [r["arxiv_id"] for r in records] == ["2410.01234", "2410.05678"]
    assert records[0]["hf_daily_date"] == "2024-10-02T00:00:00Z"
    assert bad.returncode == 1
    assert bad.stderr.strip().splitlines()[-1] == "paperboy: arxiv-rss: HTTP 503"
    assert "Traceback" not in bad.stderr


def test_fetch_stores_and_a_second_fetch_changes_nothing(tmp_path: Path) -> None:
    db = {"PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}"}
    with FakeSources({"rss": RSS, "hf": HF}) as fake:
        env = {**fake.env(), **db}
        first = _paperboy(["fetch", "--source", "arxiv-rss:cs.LG"], env, tmp_path)
        again = _paperboy(["fetch", "--source", "arxiv-rss:cs.LG"], env, tmp_path)
        hf = _paperboy(["fetch", "--source", "hf-daily"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    assert "2 papers from arxiv-rss:cs.LG: 2 new, 0 updated, 0 unchanged" in first.stderr
    assert "0 new, 0 updated, 2 unchanged" in again.stderr
    assert "2 new" in hf.stderr
    shown = _paperboy(["show", "2605.01234"], db, tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(
        "Sparse Mixture of α-Experts for Fast Training\narXiv:2605.01234v1"
    )


async def test_console_run_shows_top_papers_then_only_new_ones_and_reports_outages(
    tmp_path: Path,
) -> None:
    daily = [
        json.dumps(
            [
                {"paper": {"id": f"2606.{n:05d}", "title": f"Paper {n}", "upvotes": n}}
                for n in range(range_start, 15)
            ]
        )
        for range_start in (0, 0)
    ]
    daily[1] = json.dumps(
        [{"paper": {"id": "2606.09999", "title": "Fresh", "upvotes": 1}}, *json.loads(daily[1])]
    )
    responses = iter([httpx.Response(200, content=daily[0]), httpx.Response(200, content=daily[1])])

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "rss":
            return httpx.Response(503)
        return next(responses)

    time = FakeTime()
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        http = Http(client, RetryPolicy(attempts=1), time.sleep)
        sources = Sources(
            HuggingFace(http, "http://hf"),
            ArxivApi(http, "http://api"),
            ArxivRss(http, "http://rss"),
        )
        out = io.StringIO()
        feeds = [FeedSpec(FeedKind.HF_DAILY), FeedSpec(FeedKind.ARXIV_RSS, "cs.LG")]
        store = await open_store(f"sqlite:///{tmp_path / 'papers.db'}")
        try:
            await console_loop(
                sources,
                feeds,
                out=out,
                poll_seconds=60,
                rounds=2,
                sleep=time.sleep,
                clock=time.clock,
                store=store,
            )
            assert await store.count() == 16  # everything fetched is stored, shown or not
        finally:
            await store.close()
    text = out.getvalue()
    first, second = text.split("[hf-daily] 1 new papers")
    assert "[hf-daily] 15 new papers, showing the top 10" in first
    assert "Paper 14" in first
    assert "Paper 5\n" in first
    assert "Paper 4\n" not in first
    assert "[arxiv-rss:cs.LG] unavailable (1 in a row): HTTP 503" in first
    assert "Fresh" in second
    assert "Paper 14" not in second
