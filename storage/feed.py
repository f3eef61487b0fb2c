"""`SubscriptionStore` and `Ledger` on SQLAlchemy Core (SQLite and PostgreSQL).

Claiming pending deliveries is one statement, `UPDATE ... WHERE id IN (SELECT ... FOR UPDATE
SKIP LOCKED)`, so on PostgreSQL several workers share the outbox without taking the same row;
SQLite (one process) ignores the locking clause and its single writer does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.feeds import parse_feed_spec
from bot.keywords import parse_keywords
from bot.ports import Claim, DeliveryRecord
from bot.subscriptions import Cadence, Decision, Every, Outcome, Rules, Subscription, Target
from storage.mapping import utc
from storage.papers import insert_ignoring_conflicts
from storage.tables import DeliveryRow, PollLeaseRow, SubscriptionRow

subscriptions = cast(sa.Table, SubscriptionRow.__table__)
deliveries = cast(sa.Table, DeliveryRow.__table__)
leases = cast(sa.Table, PollLeaseRow.__table__)
SENDING = "sending"
CARD = "card"  # the kind of a paper's card; updates in its thread are "update:..."


def rules_json(rules: Rules) -> dict[str, Any]:
    return {
        "keywords": str(rules.keywords) if rules.keywords else None,
        "categories": sorted(rules.categories),
        "authors": list(rules.authors),
        "min_upvotes": rules.min_upvotes,
        "upvote_window_days": rules.upvote_window_days,
        "daily_cap": rules.daily_cap,
        "catch_up": rules.catch_up,
    }


def rules_from_json(data: dict[str, Any]) -> Rules:
    keywords = data.get("keywords")
    return Rules(
        keywords=parse_keywords(keywords) if keywords else None,
        categories=frozenset(data.get("categories") or ()),
        authors=tuple(data.get("authors") or ()),
        min_upvotes=data.get("min_upvotes"),
        upvote_window_days=int(data.get("upvote_window_days") or 3),
        daily_cap=data.get("daily_cap"),
        catch_up=data.get("catch_up") or 0,
    )


def cadence_json(cadence: Cadence) -> dict[str, Any]:
    return {
        "every": cadence.every.value,
        "at": cadence.at.strftime("%H:%M"),
        "tz": cadence.tz,
        "weekday": cadence.weekday,
        "top": cadence.top,
        "compact": cadence.compact,
    }


def cadence_from_json(data: dict[str, Any]) -> Cadence:
    return Cadence(
        every=Every(data.get("every", "instant")),
        at=time.fromisoformat(data.get("at", "09:00")),
        tz=data.get("tz", "UTC"),
        weekday=int(data.get("weekday", 0)),
        top=int(data.get("top", 10)),
        compact=bool(data.get("compact", False)),
    )


def _subscription(row: Any) -> Subscription:
    return Subscription(
        id=row.id,
        target=Target(row.platform, row.channel),
        feed=parse_feed_spec(row.feed),
        rules=rules_from_json(row.rules),
        cadence=cadence_from_json(row.cadence),
        created=utc(row.created) or row.created,
        paused=row.paused,
        last_digest=utc(row.last_digest),
    )


class SqlSubscriptionStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def add(
        self, target: Target, feed: Any, rules: Rules, now: datetime, cadence: Cadence | None = None
    ) -> Subscription:
        cadence = cadence or Cadence()
        values = {
            "platform": target.platform,
            "channel": target.channel,
            "feed": str(feed),
            "rules": rules_json(rules),
            "cadence": cadence_json(cadence),
            "created": now,
            "paused": None,
            "last_digest": None,
        }
        async with self.engine.begin() as conn:
            new_id = (
                await conn.execute(sa.insert(subscriptions).returning(subscriptions.c.id), values)
            ).scalar_one()
        return Subscription(
            id=new_id, target=target, feed=feed, rules=rules, cadence=cadence, created=now
        )

    async def remove(self, subscription_id: int) -> bool:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.delete(deliveries).where(deliveries.c.subscription_id == subscription_id)
            )
            gone = await conn.execute(
                sa.delete(subscriptions).where(subscriptions.c.id == subscription_id)
            )
        return bool(gone.rowcount)

    async def _select(self, where: Any) -> list[Subscription]:
        async with self.engine.connect() as conn:
            rows = (
                await conn.execute(
                    sa.select(subscriptions).where(where).order_by(subscriptions.c.id)
                )
            ).all()
        return [_subscription(r) for r in rows]

    async def active(self) -> list[Subscription]:
        return await self._select(subscriptions.c.paused.is_(None))

    async def for_target(self, target: Target) -> list[Subscription]:
        return await self._select(
            sa.and_(
                subscriptions.c.platform == target.platform,
                subscriptions.c.channel == target.channel,
            )
        )

    async def digested(self, subscription_id: int, when: datetime) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(last_digest=when)
            )

    async def pause(self, subscription_id: int, reason: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(paused=reason)
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


class SqlPollLeases:
    """One holder per feed: taken when free, expired, or already ours, in one atomic upsert."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def take(self, feed: str, holder: str, now: datetime, until: datetime) -> bool:
        async with self.engine.begin() as conn:
            insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
            statement = (
                insert(leases)
                .values(feed=feed, holder=holder, until=until)
                .on_conflict_do_update(
                    index_elements=["feed"],
                    set_={"holder": holder, "until": until},
                    where=sa.or_(leases.c.until < now, leases.c.holder == holder),
                )
                .returning(leases.c.holder)
            )
            return (await conn.execute(statement)).first() is not None
