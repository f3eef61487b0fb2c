"""The posting engine: each cycle polls each subscribed feed once (`bot.intake`), decides every
(subscription, paper) once (`bot.deciding`) and delivers what is due (`bot.delivery`).

    engine = build_engine(papers, subscriptions, ledger, publishers, Poller(sources))
    report = await engine.run_once()
"""

from __future__ import annotations

import asyncio
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.cycle import CycleReport, FirstPoll, utc_now
from bot.deciding import DECIDE_AT_ONCE, QUIET, Decider, SubscriptionCache
from bot.delivery import Deliverer
from bot.domain import FeedSpec, Paper, Subscription
from bot.feeds import Poller, SourceHealth
from bot.intake import Intake, half_an_hour
from bot.ports import Ledger, PaperStore, PollLeases, Publisher, SubscriptionStore, Tldrs
from bot.tastes import Tastes

_T = TypeVar("_T")


@dataclass
class Engine:
    intake: Intake
    decider: Decider
    deliverer: Deliverer
    # Set when there is work now (a new subscription): the main loop's pause ends early.
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Work begun for a command (a first poll, a catch-up, a digest's posting) that outlives
    # the command's reply: the main loop waits for it before the process stops.
    _background: set[asyncio.Task[Any]] = field(default_factory=set)

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.decider.clock

    @property
    def health(self) -> Mapping[FeedSpec, SourceHealth]:
        """Each feed's state (failing since when), as its polls found it."""
        return self.intake.poller.health

    async def feeds(self) -> set[FeedSpec]:
        """The feeds some subscription follows (paused ones too: their papers wait)."""
        return {sub.feed for sub in await self.decider.cache.all()}

    async def run_once(self, feeds: set[FeedSpec] | None = None) -> CycleReport:
        """One cycle: poll each subscribed feed once (only `feeds`, when given), decide,
        deliver whatever is due."""
        report = CycleReport()
        by_feed: dict[FeedSpec, list[Subscription]] = defaultdict(list)
        for sub in await self.decider.cache.all():
            by_feed[sub.feed].append(sub)
        for feed, subs in by_feed.items():
            if feeds is None or feed in feeds:
                await self.intake.poll_safely(feed, subs, report)
        now = self.decider.clock()
        for sub in [s for subs in by_feed.values() for s in subs]:
            if sub.paused:
                continue
            if sub.digest_due(now):
                report.digests += await self.decider.digest(sub, report)
            elif sub.rules.promote:
                report.promoted += await self.decider.promote(sub, report)
        await self.decider.upkeep()
        await self.deliver(report)
        return report

    async def start(self, sub: Subscription) -> FirstPoll | None:
        """A new subscription's first poll of its feed, now: how many papers the feed already
        listed (left out, bar a catch-up), or None if the feed could not be read."""
        return await self._finishing(self._start(sub))

    async def _start(self, sub: Subscription) -> FirstPoll | None:
        report = CycleReport(opening=sub.id)
        subs = [s for s in await self.decider.cache.all() if s.feed == sub.feed]
        await self.intake.poll_safely(sub.feed, [*subs, sub] if sub not in subs else subs, report)
        if str(sub.feed) not in report.fetched:
            self.wake_up()  # the main loop polls it instead, and keeps trying
            return None
        await self.decider.promote(sub, report)  # a catch-up, ranked (with promote=N)
        self._later(self.deliver())  # a catch-up goes out now
        listed = report.fetched[str(sub.feed)] - report.news.get(sub.id, 0)
        return FirstPoll(listed, report.caught_up.get(sub.id, 0))

    def wake_up(self) -> None:
        """There is work now (a subscription resumed, say): the main loop's pause ends."""
        self.wake.set()

    async def digest(self, sub: Subscription) -> int:
        """Make the subscription's digest now; returns how many papers it holds."""
        return await self._finishing(self.decider.digest(sub))

    async def deliver(self, report: CycleReport | None = None) -> CycleReport:
        """Post what is due; when the outbox runs dry, decide the next stretch of the log."""
        return await self._finishing(
            self.deliverer.deliver(report or CycleReport(), self.decider.decide_backlog)
        )

    async def settle(self) -> None:
        """Wait for the work begun for commands (the process is stopping): a card posted and
        not yet recorded would be posted again at the next start, and a database call cut
        half-way leaves its connection unreturned."""
        while self._background:
            await asyncio.gather(*self._background, return_exceptions=True)

    def _later(self, work: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        task = asyncio.ensure_future(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    async def _finishing(self, work: Coroutine[Any, Any, _T]) -> _T:
        """`work`, carried on to its end when the caller stops waiting (a command's reply
        cancelled, a chat client closing): `settle` waits for it."""
        return await asyncio.shield(self._later(work))

    async def decide_backlog(self, report: CycleReport, pairs: int = DECIDE_AT_ONCE) -> int:
        return await self.decider.decide_backlog(report, pairs)

    async def poll(self, feed: FeedSpec, subs: list[Subscription], report: CycleReport) -> None:
        await self.intake.poll(feed, subs, report)


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def build_engine(
    papers: PaperStore,
    subscriptions: SubscriptionStore,
    ledger: Ledger,
    publishers: Mapping[str, Publisher],
    poller: Poller,
    clock: Callable[[], datetime] = utc_now,
    *,
    leases: PollLeases | None = None,
    tldrs: Tldrs | None = None,
    lease: timedelta = timedelta(minutes=1),
    lease_until: Callable[[FeedSpec, datetime], datetime] | None = None,
    retention: timedelta = timedelta(days=30),
    stopping: asyncio.Event | None = None,
    monotonic: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    on_card: Callable[[Paper], None] | None = None,
    tastes: Tastes | None = None,
) -> Engine:
    """The engine's parts on these stores (one worker name for the leases they take)."""
    worker = _worker()
    cache = SubscriptionCache(subscriptions)
    decider = Decider(
        papers, subscriptions, ledger, cache, worker, clock, leases, lease, retention, tastes
    )
    intake = Intake(
        papers,
        poller,
        decider,
        ledger,
        worker,
        clock,
        leases,
        lease_until or half_an_hour,
        stopping or asyncio.Event(),
    )
    deliverer = Deliverer(
        ledger,
        papers,
        subscriptions,
        publishers,
        clock,
        lease,
        monotonic=monotonic,
        sleep=sleep,
        tldrs=tldrs,
        on_card=on_card,
        tastes=tastes,
        subscriptions_now=cache.all,
    )
    return Engine(intake, decider, deliverer)


__all__ = ["QUIET", "CycleReport", "Engine", "build_engine", "utc_now"]
