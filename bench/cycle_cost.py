"""What one engine cycle costs as subscriptions and ledger history grow.

    .venv/bin/python bench/cycle_cost.py [--subs 1000,10000] [--history 10000,1000000]
                                         [--engines sqlite,postgresql] [--papers 50] [--runs 3]
                                         [--baseline-runs 1] [--no-drain]

Every subscription follows hf-daily (the worst case: one feed, every subscription decides every
paper), each in its own channel, with a mix of rules: 40% none, 30% a keyword rule, 20% a
category, 10% a minimum of upvotes. The ledger is filled with `history` old decisions first.
Measured through the real engine and store (PostgreSQL in a schema of its own, dropped first):

- idle cycle: a whole cycle (`Engine.run_once`, 5 runs) whose fetch lists only papers already
  seen (50 papers, stored, logged and decided before the runs); posting is left out, looking
  for a backlog to decide is in;
- poll N new: one poll whose fetch lists N new papers (`--runs` runs): the papers stored and
  logged once; "rows" is the decisions it wrote (none for subscriptions past their first poll);
- first stretch: the first `Engine.decide_backlog` after it (up to 20,000 (subscription,
  paper) pairs in one transaction): when the first posts can be claimed;
- whole backlog: from the first stretch until nothing is left to decide (not with
  `--no-drain`); "pairs" is how many (subscription, paper) pairs were decided, "rows" how many
  of them got a row (posts queued, upvote waits; what a rule turned away gets none), "per pair"
  the whole backlog's time over its pairs;

beside the baseline: the previous engine's query pattern for the same idle cycle (all
subscriptions loaded and parsed, then per subscription: which papers are undecided, how many
were posted today, whether it is new), on the same database in the same run
(`--baseline-runs`, 1 by default: it takes seconds to minutes).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.domain import Cadence, FeedKind, FeedSpec, Rules  # noqa: E402
from bot.engine import QUIET, CycleReport, build_engine  # noqa: E402
from bot.feeds import Poller, Sources  # noqa: E402
from bot.sources import ArxivApi, ArxivRss, HuggingFace  # noqa: E402
from bot.sources.http import Http, RetryPolicy  # noqa: E402
from storage import Storage, open_storage  # noqa: E402
from storage.ledger import CARD, deliveries, new_key, subscriptions  # noqa: E402
from storage.subscriptions import cadence_json, rules_json  # noqa: E402
from tests.feed.fake_platform import FakePlatform  # noqa: E402

NOW = datetime(2026, 6, 12, 15, tzinfo=UTC)
HF = FeedSpec(FeedKind.HF_DAILY)
WORDS = ["diffusion", "transformer", "robot", "graph", "agent"]
WORDS += ["reasoning", "video", "speech", "vision", "retrieval"]
CATEGORIES = ["cs.LG", "cs.CL", "cs.CV", "cs.AI", "cs.RO", "stat.ML"]


class Feed:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def fresh(self, n: int, start: int) -> None:
        rng = random.Random(start)
        self.items = [
            {
                "paper": {
                    "id": f"2606.{start + i:05d}",
                    "title": f"{rng.choice(WORDS)} {rng.choice(WORDS)} models {start + i}",
                    "summary": " ".join(rng.choice(WORDS) for _ in range(40)),
                    "upvotes": rng.randint(0, 40),
                    "publishedAt": (NOW - timedelta(hours=10)).isoformat(),
                    "authors": [{"name": f"Author {rng.randint(1, 500)}"}],
                },
                "submittedOnDailyAt": NOW.replace(hour=0).isoformat(),
            }
            for i in range(n)
        ]

    def handler(self, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=self.items)


def rules_for(rng: random.Random) -> Rules:
    from bot.keywords import parse_keywords

    kind = rng.random()
    if kind < 0.4:
        return Rules()
    if kind < 0.7:
        return Rules(keywords=parse_keywords(f"{rng.choice(WORDS)} OR {rng.choice(WORDS)}"))
    if kind < 0.9:
        return Rules(categories=frozenset({rng.choice(CATEGORIES)}))
    return Rules(min_upvotes=rng.choice([10, 20, 50]))


async def fill(storage: Storage, subs: int, history: int) -> None:
    rng = random.Random(7)
    rows = [
        {
            "platform": "fake",
            "channel": f"c{n}",
            "feed": str(HF),
            "rules": rules_json(rules_for(rng)),
            "cadence": cadence_json(Cadence()),
            "created": NOW - timedelta(days=60),
            "paused": None,
            "last_digest": None,
            "baseline": NOW - timedelta(days=60),
            "decided_to": 0,
        }
        for n in range(subs)
    ]
    async with storage.engine.begin() as conn:
        await conn.execute(sa.insert(subscriptions), rows)
    old = NOW - timedelta(days=10)
    for start in range(0, history, 50_000):
        batch = [
            {
                "subscription_id": 1 + (n % subs),
                "arxiv_id": f"2401.{n // subs:05d}",
                "kind": CARD,
                "outcome": "posted" if n % 5 == 0 else "filtered",
                "reason": "matches",
                "message_id": f"m{n}" if n % 5 == 0 else None,
                "key": new_key(),
                "attempts": 1,
                "decided": old,
                "updated": old,
                "lease_until": None,
                "not_before": None,
            }
            for n in range(start, min(history, start + 50_000))
        ]
        async with storage.engine.begin() as conn:
            await conn.execute(sa.insert(deliveries), batch)
    async with storage.engine.begin() as conn:
        await conn.exec_driver_sql("ANALYZE")  # both engines: plan on the filled tables


async def previous_idle_cycle(storage: Storage, ids: list[str]) -> None:
    """The previous engine's idle cycle, query for query: subscriptions loaded and parsed twice
    (the runner's schedule, then the cycle), then three queries per subscription."""
    d = deliveries
    day_start = NOW.replace(hour=0)
    for _ in range(2):
        subs = await storage.subscriptions.active()
    async with storage.engine.connect() as conn:
        for sub in subs:
            await conn.execute(
                sa.select(d.c.arxiv_id).where(
                    d.c.subscription_id == sub.id, d.c.kind == CARD, d.c.arxiv_id.in_(ids)
                )
            )
            await conn.execute(
                sa.select(sa.func.count())
                .select_from(d)
                .where(
                    d.c.subscription_id == sub.id,
                    d.c.kind == CARD,
                    d.c.outcome.in_(["pending", "sending", "posted"]),
                    d.c.decided >= day_start,
                )
            )
            await conn.execute(sa.select(d.c.id).where(d.c.subscription_id == sub.id).limit(1))


def rows_written(report: CycleReport) -> float:
    """Decisions recorded as rows: posts queued and upvote waits (what a rule turned away
    gets none)."""
    return sum(n for outcome, n in report.decided.items() if outcome not in QUIET)


async def timed(action: Callable[[], Any], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        await action()
        times.append((time.perf_counter() - began) * 1000)
    return times


def fmt(times: list[float] | None) -> str:
    return f"{statistics.median(times):.1f} ms" if times else "-"


async def measure(
    url: str, subs: int, history: int, papers: int, runs: int, baseline_runs: int, drain: bool
) -> dict[str, list[float]]:
    storage = await open_storage(url)
    try:
        await fill(storage, subs, history)
        feed = Feed()
        client = httpx.AsyncClient(transport=httpx.MockTransport(feed.handler))
        http = Http(client, RetryPolicy(attempts=1))
        sources = Sources(
            HuggingFace(http, "http://hf"), ArxivApi(http, "http://a"), ArxivRss(http, "http://r")
        )
        clock = [NOW]
        engine = build_engine(
            storage.papers,
            storage.subscriptions,
            storage.ledger,
            {"fake": FakePlatform()},
            Poller(sources),
            lambda: clock[0],
        )
        all_subs = await storage.subscriptions.all()
        feed.fresh(papers, 1)

        async def decide_only(report: CycleReport | None = None) -> CycleReport:
            """Posting is left out: what is measured is polling and deciding (posts stay
            pending); the cycle still looks for a backlog to decide, as `deliver` does."""
            report = report or CycleReport()
            while await engine.decide_backlog(report):
                pass
            return report

        engine.deliver = decide_only  # type: ignore[method-assign]
        ids = [item["paper"]["id"] for item in feed.items]
        await storage.ledger.mark_seen(str(HF), ids, NOW - timedelta(hours=1))
        await engine.run_once()  # the day's list stored and decided: from here on, idle
        result = {"idle": await timed(engine.run_once, 5)}
        if baseline_runs:
            previous = await timed(lambda: previous_idle_cycle(storage, ids), baseline_runs)
            result["previous idle"] = previous
        for run in range(runs):
            feed.fresh(papers, 1000 + run * papers)
            clock[0] += timedelta(minutes=1)
            report = CycleReport()
            began = time.perf_counter()
            await engine.poll(HF, all_subs, report)
            result.setdefault("poll", []).append((time.perf_counter() - began) * 1000)
            result["poll rows"] = [rows_written(report)]
            report = CycleReport()
            began = time.perf_counter()
            await engine.decide_backlog(report)  # the first stretch: then posting can begin
            result.setdefault("first", []).append((time.perf_counter() - began) * 1000)
            if drain:
                await decide_only(report)
                result.setdefault("backlog", []).append((time.perf_counter() - began) * 1000)
                result["backlog rows"] = [rows_written(report)]
                result["pairs"] = [sum(report.decided.values())]
        await client.aclose()
        return result
    finally:
        await storage.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subs", default="1000,10000")
    parser.add_argument("--history", default="10000,1000000")
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--papers", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3, help="decide runs per row; 0: none")
    parser.add_argument("--baseline-runs", type=int, default=1, help="0: no baseline")
    parser.add_argument(
        "--no-drain", action="store_true", help="decide only the backlog's first stretch"
    )
    parser.add_argument(
        "--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    print(
        f"{'engine':<11}{'subs':>8}{'history':>10}{'idle cycle':>13}{'previous idle':>15}"
        f"{'poll ' + str(args.papers) + ' new':>13}{'rows':>6}{'first stretch':>15}"
        f"{'whole backlog':>15}{'pairs':>9}{'rows':>9}{'per pair':>10}   (medians)"
    )
    for engine_name in args.engines.split(","):
        for subs in [int(s) for s in args.subs.split(",")]:
            for history in [int(h) for h in args.history.split(",")]:
                with tempfile.TemporaryDirectory() as folder:
                    if engine_name == "sqlite":
                        url = f"sqlite:///{folder}/bench.db"
                    else:
                        admin = sa.create_engine(args.postgres_url)
                        with admin.begin() as conn:
                            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent"))
                            conn.execute(sa.text("DROP SCHEMA IF EXISTS pb_cycle CASCADE"))
                            conn.execute(sa.text("CREATE SCHEMA pb_cycle"))
                        admin.dispose()
                        url = (
                            sa.make_url(args.postgres_url)
                            .update_query_dict({"options": "-csearch_path=pb_cycle"})
                            .render_as_string(hide_password=False)
                        )
                    r = await measure(
                        url,
                        subs,
                        history,
                        args.papers,
                        args.runs,
                        args.baseline_runs,
                        not args.no_drain,
                    )
                per_pair = "-"
                if r.get("pairs", [0])[0]:
                    per_pair = f"{statistics.median(r['backlog']) * 1000 / r['pairs'][0]:.1f} us"
                print(
                    f"{engine_name:<11}{subs:>8}{history:>10}{fmt(r['idle']):>13}"
                    f"{fmt(r.get('previous idle')):>15}{fmt(r.get('poll')):>13}"
                    f"{count(r, 'poll rows'):>6}{fmt(r.get('first')):>15}"
                    f"{fmt(r.get('backlog')):>15}{count(r, 'pairs'):>9}"
                    f"{count(r, 'backlog rows'):>9}{per_pair:>10}",
                    flush=True,
                )


def count(result: dict[str, list[float]], name: str) -> str:
    return str(int(result[name][0])) if name in result else "-"


if __name__ == "__main__":
    asyncio.run(main())
