"""The bot's main loop: poll the feeds that are due, decide, deliver, sleep until the next."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from bot.engine import CycleReport, Engine
from bot.schedule import Scheduler

log = logging.getLogger(__name__)
FAULT_WAITS = (10.0, 30.0, 60.0, 120.0, 300.0)  # after a failed cycle (the database away, say)


async def run(
    engine: Engine,
    scheduler: Scheduler,
    *,
    stop: asyncio.Event,
    once: bool = False,
    on_report: Callable[[CycleReport], None] = lambda report: None,
) -> None:
    """Cycle until `stop` is set (SIGTERM), or once. A cycle in progress always finishes, so no
    delivery is left between posting and recording, and so does the work begun for commands
    (a catch-up being posted); a stop during the sleep ends it at once."""
    try:
        await _cycles(engine, scheduler, stop, once, on_report)
    finally:
        await engine.settle()


async def _cycles(
    engine: Engine,
    scheduler: Scheduler,
    stop: asyncio.Event,
    once: bool,
    on_report: Callable[[CycleReport], None],
) -> None:
    faults = 0
    while True:
        try:
            feeds = await engine.feeds()
            now = engine.clock()
            due = scheduler.due(feeds, now)
            report = await engine.run_once(due)
        except Exception:
            if once:
                raise
            # A bot that stops on a fault goes quiet until someone notices: log it, wait, retry.
            wait = FAULT_WAITS[min(faults, len(FAULT_WAITS) - 1)]
            faults += 1
            log.exception("a cycle failed; trying again in %.0f s", wait)
            if await _pause(stop, engine.wake, wait):
                return
            continue
        faults = 0
        for feed in due:
            scheduler.polled(feed, now, failed=str(feed) in report.failed_feeds)
        on_report(report)
        if once or stop.is_set():
            return
        wait = (scheduler.next_wake(feeds, engine.clock()) - engine.clock()).total_seconds()
        if await _pause(stop, engine.wake, max(1.0, wait)):
            return


async def _pause(stop: asyncio.Event, wake: asyncio.Event, seconds: float) -> bool:
    """Sleep `seconds`, or until `stop` (returns True) or `wake` (new work) is set."""
    waiters = [asyncio.ensure_future(stop.wait()), asyncio.ensure_future(wake.wait())]
    _, pending = await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    for waiter in pending:
        waiter.cancel()
    wake.clear()
    return stop.is_set()
