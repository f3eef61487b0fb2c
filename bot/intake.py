"""Intake: one poll of one feed. Fetch it, complete records that lack a title, store them,
hand what is new to the decider, and queue news (a new version, code, upvotes) in the threads
of cards already posted."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.cycle import CycleReport, utc_now
from bot.deciding import Decider
from bot.domain import FeedSpec, Paper, Subscription
from bot.feeds import Poller
from bot.merge import merge, merge_all
from bot.ports import Outbox, PaperStore, PollLeases
from bot.updates import queue_updates

log = logging.getLogger(__name__)


def half_an_hour(feed: FeedSpec, now: datetime) -> datetime:
    """A feed's lease without a scheduler: its next poll is about this far."""
    return now + timedelta(minutes=30)


@dataclass
class Intake:
    papers: PaperStore
    poller: Poller
    decider: Decider
    outbox: Outbox
    worker: str  # who holds a feed's lease while polling it
    clock: Callable[[], datetime] = utc_now
    leases: PollLeases | None = None  # several processes on one database poll each feed once
    # Until when a poll holds its feed: its next poll, so no other process polls it before then
    # (and a restarted process waits for it too). A dead holder's feeds are taken over then.
    lease_until: Callable[[FeedSpec, datetime], datetime] = half_an_hour
    # Set when the process is stopping: a fetch in progress (a source being retried, say) is
    # dropped at once; nothing is posted yet then, and the feed is read at the next start.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    _locks: dict[FeedSpec, asyncio.Lock] = field(default_factory=dict)

    async def poll_safely(
        self, feed: FeedSpec, subs: list[Subscription], report: CycleReport
    ) -> None:
        lock = self._locks.setdefault(feed, asyncio.Lock())
        try:
            async with lock:
                await self.poll(feed, subs, report)
        except Exception as exc:
            # One feed's fault (a row the database refuses, say) never stops the others.
            log.exception("polling %s failed", feed)
            report.failed_feeds[str(feed)] = f"{type(exc).__name__}: {exc}"

    async def poll(self, feed: FeedSpec, subs: list[Subscription], report: CycleReport) -> None:
        now = self.clock()
        if self.leases and not await self.leases.take(
            str(feed), self.worker, now, self.lease_until(feed, now)
        ):
            return  # another process polls this feed; the outbox is shared all the same
        fetch = asyncio.ensure_future(self.poller.poll(feed, now))
        stop = asyncio.ensure_future(self.stopping.wait())
        await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        stop.cancel()
        if not fetch.done():
            fetch.cancel()
            await asyncio.wait({fetch})
            report.failed_feeds[str(feed)] = "not read: the bot is stopping"
            return
        result = fetch.result()
        if result.error is not None:
            report.failed_feeds[str(feed)] = str(result.error)
            return
        report.fetched[str(feed)] = len(result.papers)
        before = await self.papers.get_many([p.arxiv_id for p in result.papers])
        papers = await self._complete(result.papers, before)
        if held := len(result.papers) - len(papers):
            report.held[str(feed)] = held
        stored = await self._store(papers, before, report)
        await self.decider.at_poll(feed, subs, [stored.get(p.arxiv_id, p) for p in papers], report)
        await self._new_versions(result.updates, report)

    async def _store(
        self, papers: list[Paper], before: dict[str, Paper], report: CycleReport
    ) -> dict[str, Paper]:
        """Store the papers, the threads of their posted cards told first what changed: were
        the store to fail then, the next poll finds the same news, and the outbox keeps one of
        each; told after, news queued in vain would be lost with the record saved. Returns
        the store's records (it merges what every source said), read once."""
        told = {
            p.arxiv_id: merge(before[p.arxiv_id], p)
            for p in merge_all(papers)
            if p.arxiv_id in before
        }
        report.updates += await queue_updates(self.outbox, before, told, self.clock())
        return (await self.papers.upsert(papers, records=True)).records

    async def _new_versions(self, updates: tuple[Paper, ...], report: CycleReport) -> None:
        """A new version announced of a paper the bot has: the record takes it, and the
        threads of its cards are told. One it does not have is no news to anyone here (and an
        old paper revised is not a new card)."""
        if not updates:
            return
        before = await self.papers.get_many([p.arxiv_id for p in updates])
        known = [p for p in updates if p.arxiv_id in before]
        if not known:
            return
        # A card posted from Hugging Face knew no version: a replacement's vN follows vN-1
        was = {
            p.arxiv_id: replace(before[p.arxiv_id], version=p.version - 1)
            for p in known
            if before[p.arxiv_id].version is None and p.version and p.version > 1
        }
        await self._store(known, before | was, report)

    async def _complete(self, papers: tuple[Paper, ...], before: dict[str, Paper]) -> list[Paper]:
        """The papers with a title, from the feed, the store or arXiv. A record without one
        (a source that sent only an id, or fields of the wrong type) is no card: it is held,
        neither stored nor decided, and counted, until a complete record arrives."""
        partial = [p for p in papers if not p.title and not before.get(p.arxiv_id, p).title]
        if not partial:
            return list(papers)
        found = {p.arxiv_id: p for p in await self.poller.look_up([p.arxiv_id for p in partial])}
        done = {p.arxiv_id: merge(p, found[p.arxiv_id]) for p in partial if p.arxiv_id in found}
        held = [p.arxiv_id for p in partial if not (p.arxiv_id in done and done[p.arxiv_id].title)]
        if held:
            log.warning("held %d records without a title: %s", len(held), ", ".join(held[:5]))
        return [done.get(p.arxiv_id, p) for p in papers if p.arxiv_id not in held]
