"""`Ledger` on SQLAlchemy Core: the delivery ledger and outbox, one row per (subscription,
paper, kind) decided once.

Claiming pending deliveries is one statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED)`, so on PostgreSQL several workers share the outbox without taking the same row;
SQLite (one process) ignores the locking clause and its single writer does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.ports import Claim, DeliveryRecord
from bot.subscriptions import Decision, Outcome, Target
from storage.mapping import utc
from storage.papers import insert_ignoring_conflicts
from storage.tables import DeliveryRow, SubscriptionRow

deliveries = cast(sa.Table, DeliveryRow.__table__)
subscriptions = cast(sa.Table, SubscriptionRow.__table__)
SENDING = "sending"  # an outcome while a worker holds the lease
CARD = (
    "card"  # the kind of a paper's card; updates in its thread are "update:...", digests "digest"
)


class SqlLedger:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def undecided(self, subscription_id: int, arxiv_ids: Sequence[str]) -> list[str]:
        async with self.engine.connect() as conn:
            known = set(
                (
                    await conn.execute(
                        sa.select(deliveries.c.arxiv_id).where(
                            deliveries.c.subscription_id == subscription_id,
                            deliveries.c.kind == CARD,
                            deliveries.c.arxiv_id.in_(list(arxiv_ids)),
                        )
                    )
                ).scalars()
            )
        return [a for a in arxiv_ids if a not in known]

    async def record(self, decisions: Sequence[tuple[int, str, Decision]], now: datetime) -> None:
        await self._add(
            [(sub_id, arxiv_id, CARD, d.outcome, d.reason) for sub_id, arxiv_id, d in decisions],
            now,
        )

    async def add_updates(
        self, updates: Sequence[tuple[int, str, str, str]], now: datetime
    ) -> None:
        await self._add(
            [
                (sub_id, arxiv_id, kind, Outcome.PENDING, text)
                for sub_id, arxiv_id, kind, text in updates
            ],
            now,
        )

    async def _add(self, entries: list[tuple[int, str, str, Outcome, str]], now: datetime) -> None:
        """Insert ledger rows; a (subscription, paper, kind) already there keeps its first row."""
        if not entries:
            return
        rows = [
            {
                "subscription_id": sub_id,
                "arxiv_id": arxiv_id,
                "kind": kind,
                "outcome": outcome.value,
                "reason": reason,
                "message_id": None,
                "attempts": 0,
                "decided": now,
                "updated": now,
                "lease_until": None,
                "not_before": None,
            }
            for sub_id, arxiv_id, kind, outcome, reason in entries
        ]
        async with self.engine.begin() as conn:
            keys = ["subscription_id", "arxiv_id", "kind"]
            await conn.execute(insert_ignoring_conflicts(conn, deliveries, keys), rows)

    async def posted_cards(self, arxiv_ids: Sequence[str]) -> list[tuple[int, str]]:
        query = sa.select(deliveries.c.subscription_id, deliveries.c.arxiv_id).where(
            deliveries.c.arxiv_id.in_(list(arxiv_ids)),
            deliveries.c.kind == CARD,
            deliveries.c.outcome == Outcome.POSTED.value,
        )
        async with self.engine.connect() as conn:
            return [(r.subscription_id, r.arxiv_id) for r in (await conn.execute(query)).all()]

    async def card_message(self, subscription_id: int, arxiv_id: str) -> str | None:
        query = sa.select(deliveries.c.message_id).where(
            deliveries.c.subscription_id == subscription_id,
            deliveries.c.arxiv_id == arxiv_id,
            deliveries.c.kind == CARD,
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).scalar_one_or_none()

    async def occupied(self, arxiv_ids: Sequence[str]) -> set[tuple[Target, str]]:
        query = (
            sa.select(subscriptions.c.platform, subscriptions.c.channel, deliveries.c.arxiv_id)
            .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
            .where(
                deliveries.c.arxiv_id.in_(list(arxiv_ids)),
                deliveries.c.kind == CARD,
                deliveries.c.outcome.in_([Outcome.PENDING.value, SENDING, Outcome.POSTED.value]),
            )
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(Target(r.platform, r.channel), r.arxiv_id) for r in rows}

    async def posted_since(self, subscription_id: int, since: datetime) -> int:
        query = (
            sa.select(sa.func.count())
            .select_from(deliveries)
            .where(
                deliveries.c.subscription_id == subscription_id,
                deliveries.c.kind == CARD,
                deliveries.c.outcome.in_([Outcome.PENDING.value, SENDING, Outcome.POSTED.value]),
                deliveries.c.decided >= since,
            )
        )
        async with self.engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

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
        chosen_outcome: Outcome = Outcome.PENDING,
    ) -> None:
        d = deliveries
        async with self.engine.begin() as conn:
            for ids, outcome, reason in (
                (chosen, chosen_outcome, f"in the {label}"),
                (rest, Outcome.FILTERED, f"not in the top of the {label}"),
            ):
                if ids:
                    await conn.execute(
                        sa.update(d)
                        .where(
                            d.c.subscription_id == subscription_id,
                            d.c.outcome == Outcome.HELD.value,
                            d.c.arxiv_id.in_(list(ids)),
                        )
                        .values(outcome=outcome.value, reason=reason, updated=now)
                    )

    async def is_new(self, subscription_id: int) -> bool:
        query = (
            sa.select(deliveries.c.id)
            .where(deliveries.c.subscription_id == subscription_id)
            .limit(1)
        )
        async with self.engine.connect() as conn:
            return (await conn.execute(query)).first() is None

    async def claim(self, now: datetime, lease: timedelta, limit: int) -> list[Claim]:
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
            .where(s.c.paused.is_(None), due)
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
                d.c.id, d.c.subscription_id, d.c.arxiv_id, d.c.attempts, d.c.kind, d.c.reason
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
                    t.arxiv_id,
                    targets[t.subscription_id],
                    t.attempts > 1,
                    attempts=t.attempts,
                    kind=t.kind,
                    text=t.reason if t.kind != CARD else "",
                )
                for t in taken
            ),
            key=lambda c: c.delivery_id,
        )

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
                d.c.outcome,
                d.c.reason,
                d.c.message_id,
                d.c.decided,
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
                utc(r.decided) or r.decided,
                r.kind,
            )
            for r in rows
        ]
