"""`Ledger` on SQLAlchemy Core: the delivery ledger and outbox, one row per (subscription,
paper, kind) decided once.

Claiming pending deliveries is one statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED)`, so on PostgreSQL several workers share the outbox without taking the same row;
SQLite (one process) ignores the locking clause and its single writer does the rest.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import (
    Backlog,
    Claim,
    Decided,
    DeliveryKind,
    DeliveryRecord,
    Logged,
    Move,
    Outcome,
    Outgoing,
    Pair,
    Placed,
    Target,
)
from storage import counters
from storage.dialect import insert_for, insert_ignoring_conflicts
from storage.tables import DeliveryRow, FeedItemRow, SubscriptionRow, ThreadPaperRow

deliveries = cast(sa.Table, DeliveryRow.__table__)
subscriptions = cast(sa.Table, SubscriptionRow.__table__)
feed_items = cast(sa.Table, FeedItemRow.__table__)
thread_papers = cast(sa.Table, ThreadPaperRow.__table__)
SENDING = "sending"  # an outcome while a worker holds the lease
CARD = DeliveryKind.CARD.value
UNIQUE = ["subscription_id", "arxiv_id", "kind", "topic"]  # one row per pair and news
# Finished rows that nothing reads once old: threads, `why` and `top` need the posted ones.
PRUNABLE = [
    o.value
    for o in (Outcome.FILTERED, Outcome.STALE, Outcome.CAPPED, Outcome.DUPLICATE, Outcome.FAILED)
]
IN_AT_ONCE = 5_000  # ids in one IN (...) list: within every driver's limit on parameters
ON_THE_WAY = [Outcome.PENDING.value, SENDING, Outcome.POSTED.value]


def new_key() -> str:
    """An idempotency key no delivery ever had: 25 characters, within every platform's limit."""
    return f"paperboy-{secrets.token_hex(8)}"


def _card_rows(decisions: Sequence[Decided], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "subscription_id": d.subscription_id,
            "arxiv_id": d.arxiv_id,
            "kind": CARD,
            "topic": "",
            "outcome": d.decision.outcome.value,
            "reason": d.decision.reason,
            "key": new_key(),
            "decided": d.when,
            "updated": now,
            "not_before": d.decision.until,
        }
        for d in decisions
    ]


def _message_rows(messages: Sequence[Outgoing], now: datetime) -> list[dict[str, Any]]:
    return [
        {
            "subscription_id": m.subscription_id,
            "arxiv_id": m.arxiv_id or "",  # a digest's list is about no one paper
            "kind": m.kind.value,
            "topic": m.topic[:64],
            "outcome": Outcome.PENDING.value,
            "reason": "queued",
            "text": m.text,
            "key": new_key(),
            "decided": now,
            "updated": now,
            "not_before": None,
        }
        for m in messages
    ]


class _Moved(Exception):
    """A cursor moved under a backlog transaction: it is rolled back."""


class SqlLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def first_seen(self, feed: str, arxiv_ids: Sequence[str]) -> dict[str, datetime]:
        query = sa.select(feed_items.c.arxiv_id, feed_items.c.first_seen).where(
            feed_items.c.feed == feed, feed_items.c.arxiv_id.in_(list(arxiv_ids))
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {r.arxiv_id: r.first_seen for r in rows}

    async def first_listed(self, feed: str) -> datetime | None:
        query = sa.select(sa.func.min(feed_items.c.first_seen)).where(feed_items.c.feed == feed)
        async with self.engine.connect() as conn:
            first: datetime | None = (await conn.execute(query)).scalar()
        return first

    async def mark_seen(self, feed: str, arxiv_ids: Sequence[str], now: datetime) -> None:
        await self.record_poll(feed, arxiv_ids, [], {}, now)

    async def feeds_listing(self, arxiv_id: str) -> dict[str, datetime]:
        query = sa.select(feed_items.c.feed, feed_items.c.first_seen).where(
            feed_items.c.arxiv_id == arxiv_id
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {r.feed: r.first_seen for r in rows}

    async def record(self, decisions: Sequence[Decided], now: datetime) -> None:
        async with self.engine.begin() as conn:
            await self._decide(conn, decisions, now)

    async def record_poll(
        self,
        feed: str,
        fresh: Sequence[str],
        decisions: Sequence[Decided],
        starting: Mapping[int, datetime],
        now: datetime,
    ) -> None:
        async with self.engine.begin() as conn:
            if decisions:
                await self._decide(conn, decisions, now)
            end = 0
            if fresh or starting:
                # The counter's row stays locked until this transaction commits (PostgreSQL):
                # positions in the log are committed in order.
                end = await counters.bump(conn, counters.FEED_ITEMS, len(fresh))
            if fresh:
                first = end - len(fresh) + 1
                rows = [
                    {"feed": feed, "arxiv_id": a, "first_seen": now, "seq": first + n}
                    for n, a in enumerate(fresh)
                ]
                await conn.execute(
                    insert_ignoring_conflicts(conn, feed_items, ["feed", "arxiv_id"]), rows
                )
            if starting:
                await conn.execute(
                    sa.update(subscriptions)
                    .where(
                        subscriptions.c.id == sa.bindparam("sub"),
                        subscriptions.c.baseline.is_(None),
                    )
                    .values(baseline=sa.bindparam("base"), decided_to=end),
                    [{"sub": sub, "base": base} for sub, base in starting.items()],
                )
                await counters.bump(conn, counters.SUBSCRIPTIONS)

    async def backlog(self, papers: int, cursors: int) -> Backlog:
        s, f = subscriptions, feed_items
        async with self.engine.connect() as conn:
            low = (await conn.execute(sa.select(sa.func.min(s.c.decided_to)))).scalar()
            if low is None:
                return Backlog([], {}, True)
            logged = (
                await conn.execute(
                    sa.select(f.c.seq, f.c.feed, f.c.arxiv_id, f.c.first_seen)
                    .where(f.c.seq > low)
                    .order_by(f.c.seq)
                    .limit(papers)
                )
            ).all()
            if not logged:
                return Backlog([], {}, True)
            behind = (
                sa.select(s.c.id, s.c.decided_to)
                .where(s.c.decided_to < logged[-1].seq, s.c.feed.in_({r.feed for r in logged}))
                .order_by(s.c.decided_to, s.c.id)
                .limit(cursors + 1)
            )
            rows = (await conn.execute(behind)).all()
        return Backlog(
            [Logged(r.seq, r.feed, r.arxiv_id, r.first_seen) for r in logged],
            {r.id: r.decided_to for r in rows[:cursors]},
            len(rows) <= cursors,
        )

    async def record_backlog(
        self,
        decisions: Sequence[Decided],
        moves: Mapping[int, Move],
        stretch: Backlog,
        now: datetime,
    ) -> int | None:
        s = subscriptions
        together: dict[Move, list[int]] = defaultdict(list)
        for sub_id, move in moves.items():
            together[move].append(sub_id)
        end = stretch.logged[-1].seq
        try:
            async with self.engine.begin() as conn:
                moved = 0
                for (was, to), unsorted in sorted(together.items()):
                    ids = sorted(unsorted)  # rows locked in one order by every process
                    for start in range(0, len(ids), IN_AT_ONCE):
                        done = await conn.execute(
                            sa.update(s)
                            .where(s.c.id.in_(ids[start : start + IN_AT_ONCE]))
                            .where(s.c.decided_to == was)
                            .values(decided_to=to)
                        )
                        moved += done.rowcount or 0
                if moved != len(moves):
                    raise _Moved
                if decisions:
                    await self._decide(conn, decisions, now)
                if not stretch.whole:
                    # A long backlog of its own feeds is still being worked through: the scan
                    # below waits for its last stretch (it is only ever an optimisation).
                    return moved
                # Nothing of their feeds lies in the stretch: past it (forward only, so safe
                # beside another process doing the same).
                passed = await conn.execute(
                    sa.update(s)
                    .where(s.c.decided_to < end, s.c.feed.not_in({i.feed for i in stretch.logged}))
                    .values(decided_to=end)
                )
        except _Moved:
            return None
        return moved + (passed.rowcount or 0)

    async def _decide(
        self, conn: AsyncConnection, decisions: Sequence[Decided], now: datetime
    ) -> None:
        """Insert decisions; a pair already decided keeps its row, unless it was waiting for
        upvotes, which the new decision settles (its key stays)."""
        rows = _card_rows(decisions, now)
        statement = insert_for(conn, deliveries)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=UNIQUE,
                set_={
                    "outcome": statement.excluded.outcome,
                    "reason": statement.excluded.reason,
                    "not_before": statement.excluded.not_before,
                    "updated": statement.excluded.updated,
                },
                where=deliveries.c.outcome == Outcome.WAITING.value,
            ),
            rows,
        )

    async def waiting(self, arxiv_ids: Sequence[str]) -> set[Pair]:
        query = sa.select(deliveries.c.subscription_id, deliveries.c.arxiv_id).where(
            deliveries.c.outcome == Outcome.WAITING.value,
            deliveries.c.arxiv_id.in_(list(arxiv_ids)),
        )
        async with self.engine.connect() as conn:
            return {Pair(r.subscription_id, r.arxiv_id) for r in (await conn.execute(query)).all()}

    async def settle_waiting(self, now: datetime) -> int:
        d = deliveries
        async with self.engine.begin() as conn:
            done = await conn.execute(
                sa.update(d)
                .where(d.c.outcome == Outcome.WAITING.value, d.c.not_before < now)
                .values(
                    outcome=Outcome.FILTERED.value,
                    reason="upvotes: too few when its window closed",
                    not_before=None,
                    updated=now,
                )
            )
        return int(done.rowcount or 0)

    async def queue(self, messages: Sequence[Outgoing], now: datetime) -> None:
        if not messages:
            return
        async with self.engine.begin() as conn:
            await conn.execute(
                insert_ignoring_conflicts(conn, deliveries, UNIQUE), _message_rows(messages, now)
            )

    async def posted_cards(self, arxiv_ids: Sequence[str]) -> list[Pair]:
        query = sa.select(deliveries.c.subscription_id, deliveries.c.arxiv_id).where(
            deliveries.c.arxiv_id.in_(list(arxiv_ids)),
            deliveries.c.kind == CARD,
            deliveries.c.outcome == Outcome.POSTED.value,
        )
        async with self.engine.connect() as conn:
            return [Pair(r.subscription_id, r.arxiv_id) for r in (await conn.execute(query)).all()]

    async def card_message(self, subscription_id: int, arxiv_id: str) -> str | None:
        query = sa.select(deliveries.c.message_id).where(
            deliveries.c.subscription_id == subscription_id,
            deliveries.c.arxiv_id == arxiv_id,
            deliveries.c.kind == CARD,
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def occupied(
        self, arxiv_ids: Sequence[str], subscription_ids: Sequence[int], targets: Sequence[Target]
    ) -> set[Placed]:
        query = (
            sa.select(subscriptions.c.platform, subscriptions.c.channel, deliveries.c.arxiv_id)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(
                deliveries.c.outcome.in_(ON_THE_WAY),
                deliveries.c.arxiv_id.in_(list(arxiv_ids)),
                deliveries.c.subscription_id.in_(list(subscription_ids)),
                deliveries.c.kind == CARD,
            )
        )
        # Cards of removed subscriptions, by paper (a few channels each), kept for `targets`
        # here: a condition per channel grows past what PostgreSQL parses at 8,000 channels.
        t = thread_papers
        removed = sa.select(t.c.platform, t.c.channel, t.c.arxiv_id).where(
            t.c.from_feed, t.c.arxiv_id.in_(list(arxiv_ids))
        )
        async with self.engine.connect() as conn:
            rows = list((await conn.execute(query)).all()) if subscription_ids else []
            if targets:
                wanted = set(targets)
                shown = (await conn.execute(removed)).all()
                rows += [r for r in shown if Target(r.platform, r.channel) in wanted]
        return {Placed(Target(r.platform, r.channel), r.arxiv_id) for r in rows}

    async def posted_since(
        self, subscription_ids: Sequence[int], since: datetime
    ) -> dict[int, int]:
        d = deliveries
        query = (
            sa.select(d.c.subscription_id, sa.func.count())
            .where(
                d.c.subscription_id.in_(list(subscription_ids)),
                d.c.outcome.in_(ON_THE_WAY),
                d.c.decided >= since,
                d.c.kind == CARD,
            )
            .group_by(d.c.subscription_id)
        )
        async with self.engine.connect() as conn:
            return {r[0]: int(r[1]) for r in (await conn.execute(query)).all()}

    async def held(self, subscription_id: int) -> list[str]:
        query = sa.select(deliveries.c.arxiv_id).where(
            deliveries.c.subscription_id == subscription_id,
            deliveries.c.outcome == Outcome.HELD.value,
        )
        async with self.engine.connect() as conn:
            return list((await conn.execute(query)).scalars())

    async def release(
        self,
        subscription_id: int,
        chosen: Sequence[str],
        rest: Sequence[str],
        label: str,
        now: datetime,
        listed: Sequence[str] = (),
        message: Outgoing | None = None,
    ) -> None:
        d = deliveries
        async with self.engine.begin() as conn:
            moved = {}
            for ids, outcome, reason in (
                (chosen, Outcome.PENDING, f"in the {label}"),
                (listed, Outcome.LISTED, f"listed in the {label}"),
                (rest, Outcome.FILTERED, f"not in the top of the {label}"),
            ):
                if ids:
                    done = await conn.execute(
                        sa.update(d)
                        .where(
                            d.c.subscription_id == subscription_id,
                            d.c.outcome == Outcome.HELD.value,
                            d.c.arxiv_id.in_(list(ids)),
                        )
                        .values(outcome=outcome.value, reason=reason, updated=now)
                    )
                    moved[outcome] = done.rowcount
            # The list goes out with its papers or not at all: another process that released
            # them first queued its own.
            if message is not None and moved.get(Outcome.LISTED):
                await conn.execute(
                    insert_ignoring_conflicts(conn, deliveries, UNIQUE),
                    _message_rows([message], now),
                )

    async def claim(
        self, now: datetime, lease: timedelta, limit: int, platforms: Sequence[str] | None = None
    ) -> list[Claim]:
        d, s = deliveries, subscriptions
        due = sa.or_(
            sa.and_(
                d.c.outcome == Outcome.PENDING.value,
                sa.or_(d.c.not_before.is_(None), d.c.not_before <= now),
            ),
            sa.and_(d.c.outcome == SENDING, d.c.lease_until < now),  # a worker died mid-send
        )
        pick = (
            sa.select(d.c.id)
            .join(s, s.c.id == d.c.subscription_id)
            .where(
                s.c.paused.is_(None),
                due,
                sa.true() if platforms is None else s.c.platform.in_(list(platforms)),
            )
            .order_by(d.c.id)
            .limit(limit)
            .with_for_update(of=d, skip_locked=True)
        )
        take = (
            sa.update(d)
            .where(d.c.id.in_(pick.scalar_subquery()))
            .values(
                outcome=SENDING, lease_until=now + lease, attempts=d.c.attempts + 1, updated=now
            )
            .returning(
                d.c.id,
                d.c.subscription_id,
                d.c.arxiv_id,
                d.c.attempts,
                d.c.kind,
                d.c.topic,
                d.c.text,
                d.c.key,
            )
        )
        async with self.engine.begin() as conn:
            taken = (await conn.execute(take)).all()
            if not taken:
                return []
            targets = {
                row.id: Target(row.platform, row.channel)
                for row in (
                    await conn.execute(
                        sa.select(s.c.id, s.c.platform, s.c.channel).where(
                            s.c.id.in_({t.subscription_id for t in taken})
                        )
                    )
                ).all()
            }
        return sorted(
            (
                Claim(
                    t.id,
                    t.subscription_id,
                    t.arxiv_id or None,
                    targets[t.subscription_id],
                    t.attempts > 1,
                    attempts=t.attempts,
                    kind=DeliveryKind(t.kind),
                    topic=t.topic,
                    text=t.text or "",
                    key=t.key or f"paperboy-{t.id}",
                )
                for t in taken
            ),
            key=lambda c: c.delivery_id,
        )

    async def renew(self, claims: Sequence[Claim], until: datetime) -> None:
        d = deliveries
        async with self.engine.begin() as conn:
            for claim in claims:  # a row taken over since (more attempts) is not ours to renew
                await conn.execute(
                    sa.update(d)
                    .where(
                        d.c.id == claim.delivery_id,
                        d.c.outcome == SENDING,
                        d.c.attempts == claim.attempts,
                    )
                    .values(lease_until=until)
                )

    async def queue_depth(self) -> int:
        """Deliveries waiting to be posted (pending, or being sent now), for the metrics."""
        query = sa.select(sa.func.count()).where(
            deliveries.c.outcome.in_([Outcome.PENDING.value, SENDING])
        )
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def prune(self, before: datetime) -> int:
        d = deliveries
        async with self.engine.begin() as conn:
            gone = await conn.execute(
                sa.delete(d).where(d.c.outcome.in_(PRUNABLE), d.c.updated < before)
            )
            # A paper still listed after this is news again, and decided as such: too old.
            await conn.execute(sa.delete(feed_items).where(feed_items.c.first_seen < before))
            if conn.dialect.name == "sqlite":
                await conn.exec_driver_sql("PRAGMA optimize")  # keeps the planner's statistics
        return int(gone.rowcount or 0)

    async def finish(
        self, claim: Claim, outcome: Outcome, reason: str, message_id: str | None, now: datetime
    ) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == claim.delivery_id)
                .values(
                    outcome=outcome.value,
                    reason=reason,
                    message_id=message_id,
                    updated=now,
                    lease_until=None,
                )
            )

    async def retry_at(self, claim: Claim, when: datetime, reason: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(deliveries)
                .where(deliveries.c.id == claim.delivery_id)
                .values(
                    outcome=Outcome.PENDING.value, reason=reason, not_before=when, lease_until=None
                )
            )

    async def why(self, arxiv_id: str) -> list[DeliveryRecord]:
        d, s = deliveries, subscriptions
        query = (
            sa.select(
                d.c.subscription_id,
                s.c.platform,
                s.c.channel,
                d.c.kind,
                d.c.topic,
                d.c.outcome,
                d.c.reason,
                d.c.message_id,
                d.c.decided,
                d.c.updated,
            )
            .join(s, s.c.id == d.c.subscription_id)
            .where(d.c.arxiv_id == arxiv_id)
            .order_by(d.c.id)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return [
            DeliveryRecord(
                r.subscription_id,
                Target(r.platform, r.channel),
                Outcome.PENDING if r.outcome == SENDING else Outcome(r.outcome),
                r.reason,
                r.message_id,
                r.decided,
                DeliveryKind(r.kind),
                r.topic,
                r.updated,
            )
            for r in rows
        ]
