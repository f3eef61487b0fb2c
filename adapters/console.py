"""The terminal as a channel: what `paperboy run` posts to when no chat platform is configured.

A stand-in until the local playground (issue #5) gives `paperboy run` a web page. It goes
through the same engine, ledger and Publisher port as any platform, so a restarted bot never
prints a card twice.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from datetime import timedelta
from typing import TextIO

from adapters.compose import open_sources
from bot.cards import Card, render_text
from bot.config import Settings
from bot.engine import CycleReport, Engine, utc_now
from bot.feeds import FeedKind, FeedSpec, Poller, parse_feed_spec
from bot.ports import SubscriptionStore
from bot.runner import run
from bot.schedule import Scheduler
from bot.subscriptions import Rules, Target
from bot.throttle import UNLIMITED
from storage import open_storage

TERMINAL = Target("console", "terminal")
CATCH_UP = 5  # a first run shows the current top papers of each feed, not nothing


class ConsolePublisher:
    limits = UNLIMITED

    def __init__(self, out: TextIO) -> None:
        self.out = out

    async def post(self, target: Target, card: Card, key: str) -> str:
        print(f"\n{render_text(card)}\n", file=self.out, flush=True)
        return key

    async def post_text(self, target: Target, text: str, key: str) -> str:
        print(f"\n{text}\n", file=self.out, flush=True)
        return key

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        print(f"  ↳ {text}", file=self.out, flush=True)
        return key

    async def find(self, target: Target, key: str) -> str | None:
        return None  # printed text cannot be looked up; the ledger records right after printing


async def ensure_terminal_subscriptions(
    subscriptions: SubscriptionStore, settings: Settings
) -> None:
    """On a first run, follow HF Daily Papers and arXiv RSS for the configured categories."""
    if await subscriptions.for_target(TERMINAL):
        return
    feeds = [FeedSpec(FeedKind.HF_DAILY), parse_feed_spec(f"arxiv-rss:{settings.run_categories}")]
    for feed in feeds:
        await subscriptions.add(TERMINAL, feed, Rules(catch_up=CATCH_UP), utc_now())


def _reporter(out: TextIO):  # type: ignore[no-untyped-def]
    def report(cycle: CycleReport) -> None:
        for feed, error in cycle.failed_feeds.items():
            print(
                f"[{feed}] unavailable: {error}; trying again in a few minutes",
                file=out,
                flush=True,
            )
        if cycle.fetched:
            fetched = ", ".join(f"{feed}: {n}" for feed, n in cycle.fetched.items())
            print(f"[fetched] {fetched}; {cycle.posted} new cards", file=out, flush=True)

    return report


async def run_console(settings: Settings, *, once: bool = False, out: TextIO = sys.stdout) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    print(
        "Paperboy is running with no chat platform configured: new papers print here.\n"
        "Press Ctrl+C to stop (the cycle in progress finishes first).",
        file=out,
        flush=True,
    )
    storage = await open_storage(settings.database_url)
    try:
        await ensure_terminal_subscriptions(storage.subscriptions, settings)
        async with open_sources(settings) as sources:
            engine = Engine(
                storage.papers,
                storage.subscriptions,
                storage.ledger,
                {TERMINAL.platform: ConsolePublisher(out)},
                Poller(sources),
                leases=storage.leases,
            )
            override = timedelta(seconds=settings.poll_seconds) if settings.poll_seconds else None
            scheduler = Scheduler(override)
            engine.lease_until = scheduler.next_for
            await run(engine, scheduler, stop=stop, once=once, on_report=_reporter(out))
    finally:
        await storage.close()
