"""The bot's main loop: poll the feeds that are due, decide, deliver, sleep until the next."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.engine import CycleReport, Engine
from bot.schedule import Scheduler


async def run(
    engine: Engine,
    scheduler: Scheduler,
    *,
    stop: asyncio.Event,
    once: bool = False,
    on_report: Callable[[CycleReport], None] = lambda report: None,
) -> None:
    """Cycle until `stop` is set (SIGTERM), or once. A cycle in progress always finishes, so no
    delivery is left between posting and recording; a stop during the sleep ends it at once."""
    while True:
        feeds = {sub.feed for sub in await engine.subscriptions.active()}
        now = engine.clock()
        due = scheduler.due(feeds, now)
        report = await engine.run_once(due)
        for feed in due:
            scheduler.polled(feed, now, failed=str(feed) in report.failed_feeds)
        on_report(report)
        if once or stop.is_set():
            return
        wait = (scheduler.next_wake(feeds, engine.clock()) - engine.clock()).total_seconds()
        try:
            await asyncio.wait_for(stop.wait(), timeout=max(1.0, wait))
            return
        except TimeoutError:
            continue
