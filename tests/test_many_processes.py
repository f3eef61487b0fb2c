"""Three `paperboy run` processes on one PostgreSQL database, killed at random while they
deliver: every paper reaches every channel exactly once.

The processes are real (`python -m` the CLI, as a person runs it), the sources a loopback fake
of Hugging Face, the channels the playground's (posted into the same database). A killed process
is started again at once, as a supervisor would.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from bot.domain import Rules, Target
from bot.feeds import parse_feed_spec
from storage import open_storage
from storage.ledger import deliveries, subscriptions
from storage.playground import SqlChannelLog
from tests.fake_sources import FakeSources, hf_daily

CHANNELS = ["one", "two", "three", "four"]
PAPERS = 100


async def _subscribe(url: str) -> None:
    storage = await open_storage(url)
    try:
        for channel in CHANNELS:
            await storage.subscriptions.add(
                Target("playground", channel),
                parse_feed_spec("hf-daily"),
                Rules(),
                datetime.now(UTC) - timedelta(hours=1),
            )
    finally:
        await storage.close()


async def _channels(url: str) -> dict[str, list[str]]:
    storage = await open_storage(url)
    try:
        log = SqlChannelLog(storage.engine)
        return {
            channel: [
                card["arxiv_id"]
                for message in await log.channel(channel, limit=10 * PAPERS)
                for card in message["cards"]
            ]
            for channel in CHANNELS
        }
    finally:
        await storage.close()


def _outcomes(url: str) -> tuple[Counter[str], int]:
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(deliveries.c.outcome, deliveries.c.attempts)).all()
    finally:
        engine.dispose()
    return Counter(r.outcome for r in rows), max((r.attempts for r in rows), default=0)


def _started(url: str) -> bool:
    """Whether every subscription has had its first poll."""
    engine = sa.create_engine(sa.make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            waiting = conn.execute(
                sa.select(sa.func.count())
                .select_from(subscriptions)
                .where(subscriptions.c.baseline.is_(None))
            ).scalar_one()
    finally:
        engine.dispose()
    return waiting == 0


def _start(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", "from adapters.cli import main; main()", "run"],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_three_processes_killed_at_random_lose_and_duplicate_nothing(
    pg_url: str, tmp_path: Path
) -> None:
    asyncio.run(_subscribe(pg_url))
    rng = random.Random(13)
    with FakeSources({"hf": b"[]"}) as fake:
        env = {
            **os.environ,
            **fake.env(),
            "PAPERBOY_DATABASE_URL": pg_url.replace("postgresql://", "postgresql+psycopg://"),
            "PAPERBOY_PLAYGROUND_ENABLED": "false",
            "PAPERBOY_POLL_SECONDS": "1",
            "PAPERBOY_HTTP_ATTEMPTS": "1",
            "PAPERBOY_DELIVERY_LEASE_SECONDS": "3",
            "PAPERBOY_LOG_LEVEL": "WARNING",
        }
        processes = [_start(env, tmp_path) for _ in range(3)]
        try:
            # Each subscription's first poll sees an empty list; then the day's papers appear.
            deadline = time.monotonic() + 60
            while not _started(pg_url) and time.monotonic() < deadline:
                time.sleep(0.2)
            fake.bodies["hf"] = hf_daily(PAPERS, datetime.now(UTC) - timedelta(hours=2))
            kills = 0
            while kills < 10 and time.monotonic() < deadline:
                time.sleep(rng.uniform(0.1, 0.6))
                counts, _ = _outcomes(pg_url)
                if counts and not counts.get("pending") and not counts.get("sending"):
                    break  # all delivered: nothing left to interrupt
                # While deliveries are held ("sending"), all three die at once: whichever
                # holds them is killed mid-delivery (a lone random kill may miss it)
                every = range(len(processes))
                victims = every if counts.get("sending") else [rng.randrange(len(processes))]
                for victim in victims:
                    processes[victim].send_signal(signal.SIGKILL)
                    processes[victim].wait()
                    processes[victim] = _start(env, tmp_path)
                kills += 1
            while time.monotonic() < deadline + 60:
                counts, _ = _outcomes(pg_url)
                if counts.get("posted") == PAPERS * len(CHANNELS):
                    break
                time.sleep(0.5)
        finally:
            for process in processes:
                process.send_signal(signal.SIGTERM)
            for process in processes:
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()

    counts, most_attempts = _outcomes(pg_url)
    assert kills > 0
    assert counts == Counter({"posted": PAPERS * len(CHANNELS)}), counts
    expected = sorted(f"2606.{n:05d}" for n in range(1, PAPERS + 1))
    for channel, posted in asyncio.run(_channels(pg_url)).items():
        assert sorted(posted) == expected, (channel, Counter(posted).most_common(3))
    # Some kill landed while its process held deliveries, which another then took over.
    assert most_attempts >= 2, "no kill landed mid-delivery: the test proved nothing"
