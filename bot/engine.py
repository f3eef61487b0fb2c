"""The posting engine: fetch each feed once, decide every (subscription, paper) once, deliver.

A delivery is exactly-once across crashes: the decision is recorded before anything is sent; a
worker takes a lease on the row before posting with the row's idempotency key; the result is
recorded after. If the worker dies in between, the lease runs out, another worker takes the row
as `recovering` and first asks the platform whether a message with that key already exists.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from bot.cards import card_for, render_list
from bot.domain import Backlog, Claim, Decision, FeedSpec, Outcome, Paper, Subscription, Target
from bot.feeds import Poller
from bot.merge import merge
from bot.ports import (
    Decided,
    Ledger,
    PaperStore,
    PollLeases,
    Publisher,
    Rejected,
    RetryLater,
    SubscriptionStore,
    TargetGone,
    Tldrs,
)
from bot.subscriptions import STALE_AFTER, Facts, decide, is_news, stale
from bot.throttle import Throttle
from bot.updates import Change, changes

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class CycleReport:
    fetched: dict[str, int] = field(default_factory=dict)  # feed -> papers
    failed_feeds: dict[str, str] = field(default_factory=dict)  # feed -> error
    decided: dict[Outcome, int] = field(default_factory=lambda: defaultdict(int))
    posted: int = 0
    digests: int = 0  # papers released by digests this cycle
    news: dict[int, int] = field(default_factory=dict)  # subscription -> papers new to it
    held: dict[str, int] = field(default_factory=dict)  # feed -> records without a title yet
    updates: int = 0  # replies queued in the threads of posted cards
    deferred: int = 0
    failed: int = 0


TLDRS_AT_ONCE = 4  # model requests for cards' TL;DRs in flight at once


class _NotSendable(Exception):
    """This delivery cannot be made (its paper is gone or went stale): recorded, not retried."""


QUIET = frozenset({Outcome.FILTERED, Outcome.STALE})  # decisions `why` works out again
DECIDE_AT_ONCE = 20_000  # (subscription, paper) pairs decided from the log in one transaction
LOG_AT_ONCE = 500  # papers of the log read at once
BACKLOG_LEASE = "(deciding the backlog)"  # one process at a time decides it (not a feed)


def _day(moment: datetime) -> datetime:
    """The start of the (UTC) day a daily cap counts in."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class Engine:
    papers: PaperStore
    subscriptions: SubscriptionStore
    ledger: Ledger
    publishers: Mapping[str, Publisher]  # by platform name
    poller: Poller
    clock: Callable[[], datetime] = utc_now
    # What a worker holds is renewed while it works, so a crashed worker's deliveries wait
    # about a lease, not a whole batch's delivery time; small batches let every process help.
    lease: timedelta = timedelta(minutes=1)
    batch: int = 100
    max_attempts: int = 12  # then a post is recorded failed, never retried forever
    retention: timedelta = timedelta(days=30)  # finished decisions nothing reads are pruned then
    monotonic: Callable[[], float] = time.monotonic  # for pacing
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    leases: PollLeases | None = None  # several processes on one database poll each feed once
    tldrs: Tldrs | None = None  # a model-written TL;DR per paper, for cards that have none
    # Set when there is work now (a new subscription): the main loop's pause ends early.
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    # Set when the process is stopping: a fetch in progress (a source being retried, say) is
    # dropped at once; nothing is posted yet then, and the feed is read at the next start.
    stopping: asyncio.Event = field(default_factory=asyncio.Event)
    worker: str = field(
        default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
    )
    # Until when a poll holds its feed: its next poll, so no other process polls it before then
    # (and a restarted process waits for it too). A dead holder's feeds are taken over then.
    lease_until: Callable[[FeedSpec, datetime], datetime] = lambda feed, now: (
        now + timedelta(minutes=30)
    )
    _throttles: dict[str, Throttle] = field(default_factory=dict)
    # The subscriptions, parsed once and read again only when their revision changes.
    _subs: list[Subscription] = field(default_factory=list)
    _revision: int | None = None
    _shared: dict[Target, list[int]] = field(default_factory=dict)  # channel -> subscriptions
    _upvotes: dict[FeedSpec, dict[str, int]] = field(default_factory=dict)  # last seen, by feed
    _feed_locks: dict[FeedSpec, asyncio.Lock] = field(default_factory=dict)
    _upkept: datetime | None = None
    _background: set[asyncio.Task[CycleReport]] = field(default_factory=set)
    _backlog_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def all_subscriptions(self) -> list[Subscription]:
        revision = await self.subscriptions.revision()
        if revision != self._revision:
            self._subs = await self.subscriptions.all()
            self._revision = revision
            by_target: dict[Target, list[int]] = defaultdict(list)
            for sub in self._subs:
                by_target[sub.target].append(sub.id)
            # Only a channel with several subscriptions can get a paper twice.
            self._shared = {t: ids for t, ids in by_target.items() if len(ids) > 1}
        return self._subs

    async def feeds(self) -> set[FeedSpec]:
        """The feeds some subscription follows (paused ones too: their papers wait)."""
        return {sub.feed for sub in await self.all_subscriptions()}

    async def run_once(self, feeds: set[FeedSpec] | None = None) -> CycleReport:
        """One cycle: poll each subscribed feed once (only `feeds`, when given), decide,
        deliver whatever is due."""
        report = CycleReport()
        by_feed: dict[FeedSpec, list[Subscription]] = defaultdict(list)
        for sub in await self.all_subscriptions():
            by_feed[sub.feed].append(sub)
        for feed, subs in by_feed.items():
            if feeds is None or feed in feeds:
                await self._poll_safely(feed, subs, report)
        for sub in [s for subs in by_feed.values() for s in subs]:
            if not sub.paused and sub.digest_due(self.clock()):
                report.digests += await self.digest(sub, report)
        await self.upkeep()
        await self.deliver(report)
        return report

    async def start(self, sub: Subscription) -> int | None:
        """A new subscription's first poll of its feed, now: returns how many papers the feed
        already listed (left out, bar a catch-up), or None if the feed could not be read."""
        report = CycleReport()
        subs = [s for s in await self.all_subscriptions() if s.feed == sub.feed]
        await self._poll_safely(sub.feed, [*subs, sub] if sub not in subs else subs, report)
        if str(sub.feed) not in report.fetched:
            self.wake.set()  # the main loop polls it instead, and keeps trying
            return None
        task = asyncio.create_task(self.deliver())  # a catch-up goes out now
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return report.fetched[str(sub.feed)] - report.news.get(sub.id, 0)

    async def _poll_safely(
        self, feed: FeedSpec, subs: list[Subscription], report: CycleReport
    ) -> None:
        lock = self._feed_locks.setdefault(feed, asyncio.Lock())
        try:
            async with lock:
                await self.poll(feed, subs, report)
        except Exception as exc:
            # One feed's fault (a row the database refuses, say) never stops the others.
            log.exception("polling %s failed", feed)
            report.failed_feeds[str(feed)] = f"{type(exc).__name__}: {exc}"

    async def poll(self, feed: FeedSpec, subs: list[Subscription], report: CycleReport) -> None:
        """Fetch one feed, store its papers, decide what is news to its subscriptions, and
        queue updates in the threads of cards already posted."""
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
        ids = [p.arxiv_id for p in papers]
        await self.papers.upsert(papers)
        # The current record of each paper: the store merges what every source said.
        stored = await self.papers.get_many(ids)
        await self.decide(feed, subs, [stored.get(p.arxiv_id, p) for p in papers], report)
        report.updates += await self.queue_updates(before, stored)

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

    async def queue_updates(self, before: dict[str, Paper], after: dict[str, Paper]) -> int:
        """Replies in the threads of cards already posted, for what changed in this fetch."""
        news: dict[str, list[Change]] = {}
        for arxiv_id, old in before.items():
            new = after.get(arxiv_id)
            if new is not None and (found := changes(old, new)):
                news[arxiv_id] = found
        if not news:
            return 0
        queued = [
            (sub_id, arxiv_id, f"update:{change.kind}", change.text)
            for sub_id, arxiv_id in await self.ledger.posted_cards(list(news))
            for change in news[arxiv_id]
        ]
        await self.ledger.add_updates(queued, self.clock())
        return len(queued)

    async def digest(self, sub: Subscription, report: CycleReport | None = None) -> int:
        """Make the subscription's digest now: its held papers ranked by upvotes, then recency;
        the top ones are posted, the rest recorded as left out. Returns how many go out."""
        while await self.decide_backlog(report or CycleReport()):  # what it holds, decided
            pass
        now = self.clock()
        held = list((await self.papers.get_many(await self.ledger.held(sub.id))).values())
        oldest = datetime.min.replace(tzinfo=UTC)
        held.sort(key=lambda p: (p.upvotes or 0, p.published or oldest), reverse=True)
        top = held[: sub.cadence.top]
        chosen = [p.arxiv_id for p in top]
        rest = [p.arxiv_id for p in held[sub.cadence.top :]]
        label = f"{sub.cadence.every} digest of {now:%Y-%m-%d}"
        if sub.cadence.compact and top:
            # One message for the list, queued like any other delivery (exactly once).
            heading = f"{label.capitalize()}: the top {len(top)} papers"
            await self.ledger.add_updates(
                [(sub.id, f"digest:{now:%Y-%m-%dT%H:%M}", "digest", render_list(heading, top))], now
            )
            await self.ledger.release(sub.id, chosen, rest, label, now, Outcome.LISTED)
        else:
            await self.ledger.release(sub.id, chosen, rest, label, now)
        await self.subscriptions.digested(sub.id, now)
        return len(chosen)

    async def decide(
        self, feed: FeedSpec, subs: list[Subscription], papers: list[Paper], report: CycleReport
    ) -> None:
        """Log the papers `feed` lists for the first time (best first: a daily cap keeps the
        papers people upvoted most) and decide now only what cannot wait: a new
        subscription's first poll (what its feed lists now was there before it, bar a
        catch-up) and papers waiting for upvotes whose upvotes moved. The logged papers are
        decided for the other subscriptions from the log as the outbox drains
        (`decide_backlog`): a poll writes what is new once, not once per subscription."""
        now = self.clock()
        ids = [p.arxiv_id for p in papers]
        seen = await self.ledger.first_seen(str(feed), ids)
        # What waits for upvotes is decided again only when its upvotes moved (a closed window
        # is settled by `upkeep`); each feed remembers the counts it last saw (all, at start).
        upvotes = {p.arxiv_id: p.upvotes or 0 for p in papers}
        last = self._upvotes.get(feed, {})
        moved = [i for i, votes in upvotes.items() if last.get(i) != votes]
        waiting = (
            await self.ledger.waiting(moved)
            if moved and any(s.rules.min_upvotes is not None for s in subs)
            else set()
        )
        ranked = sorted(papers, key=lambda p: p.upvotes or 0, reverse=True)
        fresh = [p.arxiv_id for p in ranked if p.arxiv_id not in seen]
        facts = {p.arxiv_id: Facts.of(p) for p in ranked}
        # A new subscription's baseline is read afresh: another process may have set it.
        unset = [s.id for s in subs if s.baseline is None]
        baselines = await self.subscriptions.baselines(unset) if unset else {}
        waits: dict[int, list[str]] = defaultdict(list)
        for sub_id, arxiv_id in waiting:
            waits[sub_id].append(arxiv_id)
        todo: list[tuple[Subscription, Facts, datetime]] = []
        starting: list[int] = []
        for sub in subs:
            if sub.baseline is None and sub.id not in baselines:  # this poll is its first
                starting.append(sub.id)
                news = [f for i, f in facts.items() if is_news(sub, f, seen.get(i, now), now)]
                report.news[sub.id] = len(news)
                top = {p.arxiv_id for p in ranked[: sub.rules.catch_up]}
                news += [facts[i] for i in top if facts[i] not in news]
            else:
                report.news[sub.id] = len(fresh)
                news = [facts[i] for i in waits.get(sub.id, ())]
            todo += [(sub, f, now) for f in news]
        rank = {p.arxiv_id: i for i, p in enumerate(ranked)}
        todo.sort(key=lambda entry: rank[entry[1].paper.arxiv_id])
        decisions = await self._decisions(todo, waiting, report)
        await self.ledger.record_poll(str(feed), fresh, decisions, starting, now)
        self._upvotes[feed] = upvotes
        if starting:
            self._revision = None  # the baselines changed: read the subscriptions again

    async def decide_backlog(self, report: CycleReport, pairs: int = DECIDE_AT_ONCE) -> int:
        """Decide up to `pairs` (subscription, paper) pairs that the feeds logged past the
        subscriptions' cursors, in one transaction: in the log's order, paper by paper across
        subscriptions (so every channel gets its next paper before any gets two), each as of
        when its feed listed it. Returns how many pairs were decided and cursors moved; 0 when
        none is behind (or another process is deciding them)."""
        async with self._backlog_lock:
            backlog = await self.ledger.backlog(LOG_AT_ONCE, pairs)
            if not backlog.logged:
                return 0
            # One process at a time decides a stretch (the others deliver meanwhile); were two
            # to decide the same pairs, the cursors' check keeps the second from recording.
            now = self.clock()
            if self.leases is None:
                return await self._decide_stretch(backlog, pairs, report)
            if not await self.leases.take(BACKLOG_LEASE, self.worker, now, now + self.lease):
                return 0
            try:
                return await self._decide_stretch(backlog, pairs, report)
            finally:
                await self.leases.release(BACKLOG_LEASE, self.worker)

    async def _decide_stretch(self, backlog: Backlog, pairs: int, report: CycleReport) -> int:
        subs = {s.id: s for s in await self.all_subscriptions()}
        behind: dict[str, list[Subscription]] = defaultdict(list)
        for sub_id in backlog.cursors:  # furthest behind first
            if sub_id in subs:  # one removed since is left alone
                behind[str(subs[sub_id].feed)].append(subs[sub_id])
        stored = await self.papers.get_many(sorted({i.arxiv_id for i in backlog.logged}))
        cursors = dict(backlog.cursors)
        todo: list[tuple[Subscription, Facts, datetime]] = []
        cut = False
        for item in backlog.logged:  # paper by paper, across subscriptions
            paper = stored.get(item.arxiv_id)  # stored before it was logged
            facts = Facts.of(paper) if paper is not None else None
            for sub in behind.get(item.feed, ()):
                if cursors[sub.id] >= item.seq:
                    continue
                if len(todo) == pairs:
                    cut = True
                    break
                cursors[sub.id] = item.seq
                if facts is not None:
                    todo.append((sub, facts, item.first_seen))
            if cut:
                break
        if backlog.whole and not cut:  # nothing else of their feeds lies in the stretch
            end = backlog.logged[-1].seq
            cursors = {i: end if i in subs else c for i, c in cursors.items()}
        moves = {i: (c, cursors[i]) for i, c in backlog.cursors.items() if cursors[i] != c}
        counted = CycleReport()
        decisions = await self._decisions(todo, set(), counted)
        moved = await self.ledger.record_backlog(decisions, moves, backlog, self.clock())
        if moved is None:
            return 0  # another process decided these first
        for outcome, n in counted.decided.items():
            report.decided[outcome] += n
        return len(todo) + moved

    async def _decisions(
        self,
        todo: list[tuple[Subscription, Facts, datetime]],
        waiting: set[tuple[int, str]],
        report: CycleReport,
    ) -> list[Decided]:
        """The decisions to record for `todo` (subscription, paper, as of when), in its order,
        with daily caps and one card per channel and paper."""
        capped = sorted({s.id for s, _, _ in todo if s.rules.daily_cap is not None})
        day_of = {when: _day(when) for when in {when for _, _, when in todo}}
        posted: dict[tuple[int, datetime], int] = {}
        for day in sorted(set(day_of.values())) if capped else ():
            for sub_id, n in (await self.ledger.posted_since(capped, day)).items():
                posted[sub_id, day] = n
        # What other subscriptions of the same channels already posted (or are posting).
        await self.all_subscriptions()  # the channels' subscriptions, read if they changed
        targets = {s.target for s, _, _ in todo} & self._shared.keys()
        neighbours = sorted({i for t in targets for i in self._shared[t]})
        candidates = sorted({f.paper.arxiv_id for _, f, _ in todo})
        occupied = set()
        if candidates and neighbours:
            occupied = await self.ledger.occupied(candidates, neighbours)
        decisions: list[Decided] = []
        for sub, facts, when in todo:
            arxiv_id = facts.paper.arxiv_id
            today = (sub.id, day_of[when])
            decision = decide(sub, facts, when, posted.get(today, 0))
            if decision.outcome is Outcome.PENDING:
                if (sub.target, arxiv_id) in occupied:
                    decision = Decision(
                        Outcome.DUPLICATE, "already in this channel by another subscription"
                    )
                else:
                    occupied.add((sub.target, arxiv_id))
                    posted[today] = posted.get(today, 0) + 1
            was_waiting = (sub.id, arxiv_id) in waiting
            if decision.outcome is Outcome.WAITING and was_waiting:
                continue  # still waiting: its row says so already
            report.decided[decision.outcome] += 1
            if decision.outcome not in QUIET or was_waiting:
                decisions.append((sub.id, arxiv_id, decision, when))
        return decisions

    async def upkeep(self) -> None:
        """Hourly: settle what waited for upvotes past its window, prune old decisions."""
        now = self.clock()
        if self._upkept is not None and now - self._upkept < timedelta(hours=1):
            return
        self._upkept = now
        await self.ledger.settle_waiting(now)
        await self.ledger.prune(now - self.retention)

    async def deliver(self, report: CycleReport | None = None) -> CycleReport:
        report = report or CycleReport()
        for _ in range(10_000):  # a bound, not a plan: each pass leaves rows posted or deferred
            claims = await self.ledger.claim(
                self.clock(), self.lease, self.batch, list(self.publishers)
            )
            if not claims:
                # The outbox ran dry: decide the next stretch of the log, then deliver it.
                try:
                    if await self.decide_backlog(report):
                        continue
                except Exception:  # the database away, say: the next cycle decides them
                    log.exception("deciding the backlog failed")
                break
            working = {claim.delivery_id: claim for claim in claims}
            renewing = asyncio.create_task(self._renew(working))
            try:
                await self._write_tldrs(claims)
                by_target: dict[Target, list[Claim]] = defaultdict(list)
                for claim in claims:
                    by_target[claim.target].append(claim)
                # Channels in parallel, each channel's posts in order, all within the limits.
                async with asyncio.TaskGroup() as group:
                    for target_claims in by_target.values():
                        group.create_task(self._deliver_in_order(target_claims, working, report))
            finally:
                renewing.cancel()
        return report

    async def _renew(self, working: dict[int, Claim]) -> None:
        """Keep the lease on what this worker is still delivering (pacing can take minutes)."""
        every = self.lease.total_seconds() / 3
        while working:
            await asyncio.sleep(every)  # real time: the lease guards against real crashes
            try:
                await self.ledger.renew(list(working.values()), self.clock() + self.lease)
            except Exception:  # the next renewal may get through; a lost lease is recovered
                log.exception("renewing delivery leases failed")

    async def _write_tldrs(self, claims: list[Claim]) -> None:
        """The cards' TL;DRs, written before posting and a few at once, so that no channel waits
        on them one by one (each is then read from the store)."""
        if self.tldrs is None:
            return
        tldrs = self.tldrs
        papers = await self.papers.get_many(
            sorted({c.arxiv_id for c in claims if c.kind == "card"})
        )
        gate = asyncio.Semaphore(TLDRS_AT_ONCE)

        async def write(paper: Paper) -> None:
            async with gate:
                try:
                    await tldrs.for_paper(paper)
                except Exception:  # the card goes out without one
                    log.exception("no TL;DR for %s", paper.arxiv_id)

        async with asyncio.TaskGroup() as group:
            for paper in papers.values():
                group.create_task(write(paper))

    async def _deliver_in_order(
        self, claims: list[Claim], working: dict[int, Claim], report: CycleReport
    ) -> None:
        for claim in claims:
            try:
                await self._deliver(claim, report)
                working.pop(claim.delivery_id, None)
            except Exception:
                working.pop(claim.delivery_id, None)
                # A fault nobody foresaw (the database away mid-way, say): the rest go on. This
                # one keeps its lease; when it runs out the delivery is taken again as one that
                # may have been posted, and `find` checks before anything is posted twice.
                log.exception("delivery of %s to %s failed", claim.arxiv_id, claim.target)
                report.deferred += 1

    def _throttle(self, platform: str, publisher: Publisher) -> Throttle:
        if platform not in self._throttles:
            self._throttles[platform] = Throttle(publisher.limits, self.monotonic, self.sleep)
        return self._throttles[platform]

    async def _deliver(self, claim: Claim, report: CycleReport) -> None:
        now = self.clock()
        publisher = self.publishers[claim.target.platform]  # claimed for these platforms only
        throttle = self._throttle(claim.target.platform, publisher)

        async def post() -> tuple[str, str]:
            """The message id and the ledger's reason, once posted (or found posted)."""
            if claim.recovering:
                # A reply is looked for in its card's thread, a card or digest in the channel.
                thread = None
                if claim.kind not in ("card", "digest"):
                    thread = await self.ledger.card_message(claim.subscription_id, claim.arxiv_id)
                await throttle.wait(claim.target)
                existing = await publisher.find(claim.target, claim.key, thread)
                if existing is not None:
                    return existing, claim.text or "posted (confirmed after a restart)"
            send, missing = await self._sender(claim, publisher)
            if send is None:
                raise _NotSendable(missing)
            await throttle.wait(claim.target)
            return await send(), claim.text or "posted"

        try:
            message_id, reason = await post()
        except _NotSendable as exc:
            outcome = Outcome.STALE if str(exc).startswith("went stale") else Outcome.FAILED
            report.failed += outcome is Outcome.FAILED
            await self.ledger.finish(claim, outcome, str(exc), None, now)
        except RetryLater as exc:
            if claim.attempts >= self.max_attempts:
                report.failed += 1
                reason = f"gave up after {claim.attempts} attempts: {exc}"
                await self.ledger.finish(claim, Outcome.FAILED, reason, None, now)
                return
            report.deferred += 1
            wait = exc.retry_after
            if wait is None:  # a fault, not a rate limit: back off 5 s, 10 s, 20 s ... 10 min
                wait = min(600.0, 5.0 * 2 ** (claim.attempts - 1))
            # An update's reason is its text, kept until it is posted.
            await self.ledger.retry_at(
                claim, now + timedelta(seconds=wait), claim.text or f"retrying: {exc}"
            )
        except TargetGone as exc:
            report.deferred += 1
            for sub in await self.subscriptions.for_target(claim.target):
                await self.subscriptions.pause(sub.id, f"paused: {exc}")
            await self.ledger.retry_at(claim, now, claim.text or f"waiting: {exc}")
        except Rejected as exc:
            report.failed += 1
            log.error("post of %s to %s rejected: %s", claim.arxiv_id, claim.target, exc)
            await self.ledger.finish(claim, Outcome.FAILED, f"rejected: {exc}", None, now)
        else:
            report.posted += 1
            await self.ledger.finish(claim, Outcome.POSTED, reason, message_id, self.clock())

    async def _sender(
        self, claim: Claim, publisher: Publisher
    ) -> tuple[Callable[[], Awaitable[str]] | None, str]:
        """How to send this delivery (a card, or a reply in its thread), or why it cannot be."""
        if claim.kind == "digest":
            return (lambda: publisher.post_text(claim.target, claim.text, claim.key)), ""
        if claim.kind != "card":
            parent = await self.ledger.card_message(claim.subscription_id, claim.arxiv_id)
            if parent is None:
                return None, "the card's message is unknown"
            return (lambda: publisher.reply(claim.target, parent, claim.text, claim.key)), ""
        paper = await self.papers.get(claim.arxiv_id)
        if paper is None:
            return None, "paper missing from the store"
        if stale(paper, self.clock()):
            return None, f"went stale waiting (older than {STALE_AFTER.days} days)"
        card = card_for(paper)
        if self.tldrs is not None and (written := await self.tldrs.for_paper(paper)):
            card = replace(card, tldr=written, tldr_is_ai=True)
        return (lambda: publisher.post(claim.target, card, claim.key)), ""
