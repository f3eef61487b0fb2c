"""`paperboy fetch` and `paperboy run` against a fake of the sources on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from storage import open_storage
from storage.playground import SqlChannelLog
from tests.conftest import OWN_FIXTURES
from tests.fake_sources import FakeSources, hf_daily
from tests.fakes import invoke_paperboy, run_paperboy

RSS = (OWN_FIXTURES / "arxiv_rss_mixed.xml").read_bytes()
HF = (OWN_FIXTURES / "hf_daily_2024_schema.json").read_bytes()


def _paperboy(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command's output and exit status, in this process; `run_paperboy` where a real process
    matters (restarts, signals)."""
    return invoke_paperboy(args, env, cwd)


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
    # fetched through the configured base, linked as in chat: to arxiv.org, not the proxy
    assert "arXiv: https://arxiv.org/abs/2605.01234" in done.stdout
    assert fake.base not in done.stdout
    assert "2 papers from arxiv-rss:cs.LG+cs.CL" in done.stderr


def test_fetch_json_and_a_failing_source(tmp_path: Path) -> None:
    with FakeSources({"hf-day": HF}, failing={"rss"}) as fake:  # a day's list asked by date
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


def _fresh_hf_daily(count: int) -> bytes:
    # Yesterday's papers: before a new subscription began, well within the staleness limit.
    return hf_daily(count, datetime.now(UTC) - timedelta(days=1))


def _general(db_path: Path) -> list[str]:
    async def read() -> list[str]:
        storage = await open_storage(f"sqlite:///{db_path}")
        try:
            messages = await SqlChannelLog(storage.engine).channel("general")
        finally:
            await storage.close()
        return [card["title"] for m in messages for card in m["cards"]]

    return asyncio.run(read())


def test_run_once_posts_the_top_papers_once_across_restarts(tmp_path: Path) -> None:
    db = {"PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}"}
    with FakeSources({"hf": _fresh_hf_daily(8)}, failing={"rss"}) as fake:
        env = {**fake.env(), **db, "PAPERBOY_HTTP_ATTEMPTS": "1", "PAPERBOY_POLL_SECONDS": "0.3"}
        first = run_paperboy(["run", "--once"], env, tmp_path)
        time.sleep(0.4)  # the feed is due again (a restart waits for the poll the last run planned)
        second = run_paperboy(["run", "--once"], env, tmp_path)
    assert first.returncode == 0, first.stderr
    # A first run catches up with the feed's top 5 by upvotes, in the playground's #general.
    assert _general(tmp_path / "papers.db") == [f"Paper {n}" for n in (8, 7, 6, 5, 4)]
    assert "[arxiv-rss:cs.AI+cs.CL+cs.LG] unavailable: arxiv-rss: HTTP 503" in first.stdout
    assert "[fetched] hf-daily: 8; 5 posts" in first.stdout
    assert "[fetched] hf-daily: 8; 0 posts" in second.stdout  # the ledger remembers across restarts
    assert len(_general(tmp_path / "papers.db")) == 5


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_run(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """`paperboy run` in a process of its own, its output piped."""
    return subprocess.Popen(
        [sys.executable, "-c", "from adapters.cli import main; main()", "run"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_run_serves_the_playground_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}",
        "PAPERBOY_LOG_LEVEL": "WARNING",
        "PAPERBOY_HTTP_ATTEMPTS": "1",
        "PAPERBOY_PLAYGROUND_PORT": str(port),
    }
    with FakeSources({"hf": _fresh_hf_daily(2)}, failing={"rss"}) as fake:
        process = _start_run({**env, **fake.env()}, tmp_path)
        assert process.stdout is not None
        for line in process.stdout:  # wait for the first cycle to finish
            if line.startswith("[fetched]"):
                break
        page = httpx.get(f"http://127.0.0.1:{port}/c/general", timeout=10)
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=30)
    assert page.status_code == 200
    assert "Paper 2" in page.text
    assert process.returncode == 0, err
    assert "Traceback" not in err


def test_sigterm_stops_within_seconds_while_a_failing_source_is_retried(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}",
        "PAPERBOY_LOG_LEVEL": "WARNING",
        "PAPERBOY_HTTP_ATTEMPTS": "10",  # backoff 2 s, 4 s, 8 s ...: minutes of retrying
        "PAPERBOY_PLAYGROUND_PORT": str(_free_port()),
    }
    with FakeSources({}, failing={"hf", "rss"}) as fake:
        process = _start_run({**env, **fake.env()}, tmp_path)
        deadline = time.monotonic() + 30
        while len(fake.hits) < 2 and time.monotonic() < deadline:  # retrying by now
            time.sleep(0.1)
        assert len(fake.hits) >= 2
        asked = time.monotonic()
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
        took = time.monotonic() - asked
    assert process.returncode == 0, err
    assert took < 5, f"stopping took {took:.1f} s"
    assert "Traceback" not in err


def test_a_failing_source_is_said_once_not_at_every_poll(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}",
        "PAPERBOY_HTTP_ATTEMPTS": "1",
        "PAPERBOY_POLL_SECONDS": "0.5",
        "PAPERBOY_PLAYGROUND_PORT": str(_free_port()),
    }
    with FakeSources({"hf": _fresh_hf_daily(2), "rss": RSS}, failing={"rss"}) as fake:
        process = _start_run({**env, **fake.env()}, tmp_path)
        deadline = time.monotonic() + 60
        while fake.hits.count("/rss/cs.AI+cs.CL+cs.LG") < 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        status = httpx.get(f"http://127.0.0.1:{env['PAPERBOY_PLAYGROUND_PORT']}/api/status")
        fake.failing.clear()  # the source comes back
        polls = len(fake.hits)
        while len(fake.hits) < polls + 4 and time.monotonic() < deadline:
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=60)
    assert fake.hits.count("/rss/cs.AI+cs.CL+cs.LG") >= 4, fake.hits
    assert out.count("[arxiv-rss:cs.AI+cs.CL+cs.LG] unavailable: arxiv-rss: HTTP 503") == 1, out
    assert out.count("[arxiv-rss:cs.AI+cs.CL+cs.LG] back") == 1, out
    assert status.json()["sources"] == {
        "hf-daily": None,
        "arxiv-rss:cs.AI+cs.CL+cs.LG": "arxiv-rss: HTTP 503",
    }
    assert process.returncode == 0, err


def test_playground_beyond_loopback_needs_a_token(tmp_path: Path) -> None:
    env = {
        "PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}",
        "PAPERBOY_PLAYGROUND_HOST": "0.0.0.0",
    }
    done = _paperboy(["run"], env, tmp_path)
    assert done.returncode != 0
    assert "set PAPERBOY_PLAYGROUND_TOKEN too" in done.stderr


def test_a_database_that_cannot_be_opened_is_a_message_not_a_traceback(tmp_path: Path) -> None:
    for url, said in (
        ("postgresql+psycopg://paperboy:secret@127.0.0.1:1/x", "cannot open the database"),
        ("mysql://paperboy@127.0.0.1/x", "unsupported database 'mysql'"),
    ):
        done = _paperboy(["run", "--once"], {"PAPERBOY_DATABASE_URL": url}, tmp_path)
        assert done.returncode == 1
        assert said in done.stderr
        assert "Traceback" not in done.stderr
        assert "secret" not in done.stderr  # the password is masked


def test_postgresql_without_its_driver_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if not installed: `import` fails
    done = _paperboy(
        ["run", "--once"],
        {"PAPERBOY_DATABASE_URL": "postgresql://bot:secret@127.0.0.1/x"},
        tmp_path,
    )
    assert done.returncode == 1
    assert "install Paperboy with its `postgres` extra" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "secret" not in done.stderr
