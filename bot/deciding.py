"""Deciding: each (subscription, paper) pair once, with its outcome, recorded before anything
is sent. A poll logs what its feed lists for the first time and decides at once only what
cannot wait; the rest is decided from the log as the outbox drains (`decide_backlog`), so a
poll writes what is new once, not once per subscription. Digests are made here too."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.cards import render_list
from bot.cycle import CycleReport, utc_now
from bot.domain import (
    Backlog,
    Decided,
    Decision,
    DeliveryKind,
    Every,
    FeedKind,
    FeedSpec,
    Move,
    Outcome,
    Outgoing,
    Pair,
    Paper,
    Placed,
    Subscription,
    Target,
)
from bot.ports import Ledger, PaperStore, PollLeases, SubscriptionStore
from bot.reasons import short_reason
from bot.subscriptions import Facts, decide, is_news, stale
from bot.tastes import Tastes

QUIET = frozenset({Outcome.FILTERED, Outcome.STALE})  # decisions `why` works out again
DECIDE_AT_ONCE = 20_000  # (subscription, paper) pairs decided from the log in one transaction
LOG_AT_ONCE = 500  # papers of the log read at once
LISTED_AT_MOST = 20  # papers in a cycle's list under its promoted cards (the rest: `search`)
BACKLOG_LEASE = "(deciding the backlog)"  # one process at a time decides it (not a feed)

# What to decide: a subscription, a paper, and as of when (when its feed listed it).
Todo = tuple[Subscription, Facts, datetime]


def _day(moment: datetime) -> datetime:
    """The start of the (UTC) day a daily cap counts in."""
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


@dataclass
class SubscriptionCache:
    """The subscriptions, parsed once and read again only when their revision changes (any
    process's change moves it)."""

    store: SubscriptionStore
    _subs: list[Subscription] = field(default_factory=list)
    _revision: int | None = None
    _shared: dict[Target, list[int]] = field(default_factory=dict)

    async def all(self) -> list[Subscription]:
        revision = await self.store.revision()
        if revision != self._revision:
            self._subs = await self.store.all()
            self._revision = revision
            by_target: dict[Target, list[int]] = defaultdict(list)
            for sub in self._subs:
                by_target[sub.target].append(sub.id)
            # Only a channel with several subscriptions can get a paper twice.
            self._shared = {t: ids for t, ids in by_target.items() if len(ids) > 1}
        return self._subs

    async def shared(self) -> dict[Target, list[int]]:
        """Channels with several subscriptions, and those subscriptions."""
        await self.all()
        return self._shared

    def forget(self) -> None:
        """Read them again next time (this process changed them)."""
        self._revision = None


@dataclass
class Decider:
    papers: PaperStore
    subscriptions: SubscriptionStore
    ledger: Ledger
    cache: SubscriptionCache
    worker: str  # who holds the backlog's lease
    clock: Callable[[], datetime] = utc_now
    leases: PollLeases | None = None
    lease: timedelta = timedelta(minutes=1)  # the backlog's lease: one stretch at most
    retention: timedelta = timedelta(days=30)  # finished decisions nothing reads are pruned then
    tastes: Tastes | None = None  # each channel's taste, to rank what promote=N holds
    _upvotes: dict[FeedSpec, dict[str, int]] = field(default_factory=dict)  # last seen, by feed
    _upkept: datetime | None = None
    _backlog_lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def at_poll(
        self, feed: FeedSpec, subs: list[Subscription], papers: list[Paper], report: CycleReport
    ) -> None:
        """Log the papers `feed` lists for the first time (best first: a daily cap keeps the
        papers people upvoted most) and decide now only what cannot wait: a new
        subscription's first poll (what its feed lists now was there before it, bar a
        catch-up) and papers waiting for upvotes whose upvotes moved."""
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
        behind = _read_for_upvotes(feed, papers)
        fresh = [p.arxiv_id for p in ranked if p.arxiv_id not in seen and p.arxiv_id not in behind]
        facts = {p.arxiv_id: Facts.of(p) for p in ranked}
        # A new subscription's baseline is read afresh: another process may have set it.
        unset = [s.id for s in subs if s.baseline is None]
        baselines = await self.subscriptions.baselines(unset) if unset else {}
        first = {s.id for s in subs if s.baseline is None and s.id not in baselines}
        listed_since = await self.ledger.first_listed(str(feed)) if first else None
        waits: dict[int, list[str]] = defaultdict(list)
        for pair in waiting:
            waits[pair.subscription_id].append(pair.arxiv_id)
        todo: list[Todo] = []
        starting: dict[int, datetime] = {}
        catching_up = {s.target for s in subs if s.id in first and s.rules.catch_up}
        shown = await self._shown(ranked, catching_up)
        for sub in subs:
            if sub.id in first:  # this poll is its first
                base = starting[sub.id] = _baseline(sub, report, listed_since, now)
                news = [f for i, f in facts.items() if is_news(sub, f, seen.get(i, now), base)]
                report.news[sub.id] = len(news)
                # the top N the channel has not seen, and not too old to post (the day lists
                # before the latest hold papers with more upvotes, some of them stale)
                unseen = [
                    p
                    for p in ranked
                    if Placed(sub.target, p.arxiv_id) not in shown and not stale(p, now)
                ]
                top = [facts[p.arxiv_id] for p in unseen[: sub.rules.catch_up]]
                report.caught_up[sub.id] = len(top)
                news += [f for f in top if f not in news]
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
            self.cache.forget()  # the baselines changed: read the subscriptions again

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
        subs = {s.id: s for s in await self.cache.all()}
        behind: dict[str, list[Subscription]] = defaultdict(list)
        for sub_id in backlog.cursors:  # furthest behind first
            if sub_id in subs:  # one removed since is left alone
                behind[str(subs[sub_id].feed)].append(subs[sub_id])
        stored = await self.papers.get_many(sorted({i.arxiv_id for i in backlog.logged}))
        cursors = dict(backlog.cursors)
        todo: list[Todo] = []
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
        moves = {i: Move(c, cursors[i]) for i, c in backlog.cursors.items() if cursors[i] != c}
        counted = CycleReport()
        decisions = await self._decisions(todo, set(), counted)
        moved = await self.ledger.record_backlog(decisions, moves, backlog, self.clock())
        if moved is None:
            return 0  # another process decided these first
        for outcome, n in counted.decided.items():
            report.decided[outcome] += n
        return len(todo) + moved

    async def _shown(self, papers: list[Paper], targets: set[Target]) -> set[Placed]:
        """Which of these papers these channels were shown or are being shown, by any
        subscription, present (another of the channel's) or past (removed since)."""
        if not papers or not targets:
            return set()
        shared = await self.cache.shared()
        neighbours = sorted({i for t in targets & shared.keys() for i in shared[t]})
        ids = sorted({p.arxiv_id for p in papers})
        return await self.ledger.occupied(ids, neighbours, list(targets))

    async def _decisions(
        self, todo: list[Todo], waiting: set[Pair], report: CycleReport
    ) -> list[Decided]:
        """The decisions to record for `todo`, in its order, with daily caps and one card per
        channel and paper."""
        capped = sorted({s.id for s, _, _ in todo if s.rules.daily_cap is not None})
        day_of = {when: _day(when) for when in {when for _, _, when in todo}}
        posted: dict[tuple[int, datetime], int] = {}
        for day in sorted(set(day_of.values())) if capped else ():
            for sub_id, n in (await self.ledger.posted_since(capped, day)).items():
                posted[sub_id, day] = n
        occupied = await self._shown([f.paper for _, f, _ in todo], {s.target for s, _, _ in todo})
        decisions: list[Decided] = []
        for sub, facts, when in todo:
            arxiv_id = facts.paper.arxiv_id
            today = (sub.id, day_of[when])
            decision = decide(sub, facts, when, posted.get(today, 0))
            if decision.outcome is Outcome.PENDING:
                if Placed(sub.target, arxiv_id) in occupied:
                    decision = Decision(
                        Outcome.DUPLICATE, "already in this channel by another subscription"
                    )
                else:
                    occupied.add(Placed(sub.target, arxiv_id))
                    posted[today] = posted.get(today, 0) + 1
            was_waiting = Pair(sub.id, arxiv_id) in waiting
            if decision.outcome is Outcome.WAITING and was_waiting:
                continue  # still waiting: its row says so already
            report.decided[decision.outcome] += 1
            if decision.outcome not in QUIET or was_waiting:
                decisions.append(Decided(sub.id, arxiv_id, decision, when))
        return decisions

    async def digest(self, sub: Subscription, report: CycleReport | None = None) -> int:
        """Make the subscription's digest now: its held papers ranked (by the channel's taste
        with promote=N, else by upvotes, then recency); the top ones go out as cards (with
        promote=N, the first N, the rest of the top as one list; compact: all as one list),
        the rest recorded as left out. Returns how many go out."""
        await self._decide_all(report)
        now = self.clock()
        top = sub.cadence.top
        cards = min(sub.rules.promote or (0 if sub.cadence.compact else top), top)
        label = f"{sub.cadence.every} digest of {now:%Y-%m-%d}"
        sent = await self._release(sub, label, cards, top - cards, now)
        await self.subscriptions.digested(sub.id, now)
        return sent

    async def promote(self, sub: Subscription, report: CycleReport | None = None) -> int:
        """After a cycle, what an instant subscription with promote=N held in it: the top N by
        the channel's taste as cards, the next ones as one list. Returns how many go out."""
        if not sub.rules.promote or sub.cadence.every is not Every.INSTANT:
            return 0
        await self._decide_all(report)
        now = self.clock()
        label = f"ranking by this channel's taste of {now:%Y-%m-%d %H:%M}"
        return await self._release(sub, label, sub.rules.promote, LISTED_AT_MOST, now)

    async def _decide_all(self, report: CycleReport | None) -> None:
        """Decide the whole backlog: what a subscription holds is all there."""
        while await self.decide_backlog(report or CycleReport()):
            pass

    async def _release(
        self, sub: Subscription, label: str, cards: int, listed: int, now: datetime
    ) -> int:
        held = list((await self.papers.get_many(await self.ledger.held(sub.id))).values())
        if not held:
            return 0
        ordered = await self._ordered(sub, held)
        chosen, listing = ordered[:cards], ordered[cards : cards + listed]
        rest = ordered[cards + listed :]
        message = None
        if listing:
            # One message for the list, queued like any other delivery (exactly once), with
            # its papers' release; its topic names its first paper, held only once.
            if not cards:
                heading = f"{label.capitalize()}: the top {len(listing)} papers"
            elif sub.cadence.every is Every.INSTANT:
                heading = "Also new here, ranked by this channel's taste:"
            else:
                heading = f"More of the {label}:"
            reasons = {p.arxiv_id: await self._short_reason(sub, p) for p in listing}
            text = render_list(heading, listing, reasons=reasons)
            topic = f"{now:%Y-%m-%dT%H:%M}:{listing[0].arxiv_id}"
            message = Outgoing(sub.id, DeliveryKind.DIGEST, None, topic, text)

        def ids(papers: list[Paper]) -> list[str]:
            return [p.arxiv_id for p in papers]

        await self.ledger.release(sub.id, ids(chosen), ids(rest), label, now, ids(listing), message)
        return len(chosen) + len(listing)

    async def _ordered(self, sub: Subscription, held: list[Paper]) -> list[Paper]:
        if sub.rules.promote and self.tastes is not None:
            return [r.paper for r in await self.tastes.rank(sub.target, held)]
        oldest = datetime.min.replace(tzinfo=UTC)
        return sorted(held, key=lambda p: (p.upvotes or 0, p.published or oldest), reverse=True)

    async def _short_reason(self, sub: Subscription, paper: Paper) -> str | None:
        like = None
        if self.tastes is not None:
            like = await self.tastes.resemblance(sub.target, paper)
        return short_reason(sub, paper, like)

    async def upkeep(self) -> None:
        """Hourly: settle what waited for upvotes past its window, prune old decisions."""
        now = self.clock()
        if self._upkept is not None and now - self._upkept < timedelta(hours=1):
            return
        self._upkept = now
        await self.ledger.settle_waiting(now)
        await self.ledger.prune(now - self.retention)


def _read_for_upvotes(feed: FeedSpec, papers: list[Paper]) -> set[str]:
    """Of `hf-daily`'s poll, the papers of the lists two and three days before the latest:
    read for their upvotes (a paper waiting for them), never news. After an outage of days,
    the day before the latest is posted (papers added to it late are news), not every day
    missed."""
    if feed.kind is not FeedKind.HF_DAILY or feed.arg:
        return set()
    days = {p.arxiv_id: p.hf_daily_date.date() for p in papers if p.hf_daily_date is not None}
    if not days:
        return set()
    oldest = max(days.values()) - timedelta(days=1)  # by day: a stamp's hour says nothing
    return {arxiv_id for arxiv_id, day in days.items() if day < oldest}


def _baseline(
    sub: Subscription, report: CycleReport, listed_since: datetime | None, now: datetime
) -> datetime:
    """What a subscription's first poll takes as "there before it". The poll made as it was
    subscribed reads the feed as it was then: `now`. A first poll that comes later (the feed
    was down, or another process polls it) would take papers listed meanwhile for old ones;
    when the feed's log reaches back before the subscription, that log says what was listed by
    then, and the subscription's own moment is its baseline (what was first listed after it is
    news). A feed never read before has only this poll to go by."""
    if report.opening == sub.id or listed_since is None or listed_since >= sub.created:
        return now
    return sub.created
