"""`SubscriptionStore` on SQLAlchemy Core: subscriptions with their rules and cadence as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import Cadence, Every, Outcome, Rules, Subscription, Target
from bot.feeds import parse_feed_spec
from bot.keywords import parse_keywords
from storage import counters
from storage.dialect import insert_ignoring_conflicts
from storage.ledger import CARD, SENDING, deliveries, thread_papers
from storage.tables import SubscriptionRow

subscriptions = cast(sa.Table, SubscriptionRow.__table__)
POSTED = Outcome.POSTED.value


def rules_json(rules: Rules) -> dict[str, Any]:
    return {
        "keywords": str(rules.keywords) if rules.keywords else None,
        "categories": sorted(rules.categories),
        "authors": list(rules.authors),
        "min_upvotes": rules.min_upvotes,
        "upvote_window_days": rules.upvote_window_days,
        "daily_cap": rules.daily_cap,
        "catch_up": rules.catch_up,
        "promote": rules.promote,
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
        promote=data.get("promote") or None,
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
        created=row.created,
        paused=row.paused,
        last_digest=row.last_digest,
        baseline=row.baseline,
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
            "baseline": None,
        }
        async with self.engine.begin() as conn:
            new_id = (
                await conn.execute(sa.insert(subscriptions).returning(subscriptions.c.id), values)
            ).scalar_one()
            await counters.bump(conn, counters.SUBSCRIPTIONS)
        return Subscription(
            id=new_id, target=target, feed=feed, rules=rules, cadence=cadence, created=now
        )

    async def remove(self, subscription_id: int) -> bool:
        """Remove the subscription and its ledger; its channel keeps the cards it posted (see
        migration 0013): their threads go on answering, and no other subscription of the
        channel posts them again."""
        d, s = deliveries, subscriptions
        async with self.engine.begin() as conn:
            target = (
                await conn.execute(
                    sa.select(s.c.platform, s.c.channel).where(s.c.id == subscription_id)
                )
            ).one_or_none()
            # The rows as deleted: a card a worker marked posted meanwhile is read as posted.
            dropped = await conn.execute(
                sa.delete(d)
                .where(d.c.subscription_id == subscription_id, d.c.kind == CARD)
                .returning(d.c.arxiv_id, d.c.outcome, d.c.message_id, d.c.key, d.c.updated)
            )
            await conn.execute(sa.delete(d).where(d.c.subscription_id == subscription_id))
            if target is not None:
                await _remember(conn, Target(target.platform, target.channel), dropped.all())
            gone = await conn.execute(sa.delete(s).where(s.c.id == subscription_id))
            await counters.bump(conn, counters.SUBSCRIPTIONS)
        return bool(gone.rowcount)

    async def revision(self) -> int:
        async with self.engine.connect() as conn:
            return await counters.read(conn, counters.SUBSCRIPTIONS)

    async def baselines(self, subscription_ids: Sequence[int]) -> dict[int, datetime]:
        s = subscriptions
        query = sa.select(s.c.id, s.c.baseline).where(
            s.c.id.in_(list(subscription_ids)), s.c.baseline.is_not(None)
        )
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {r.id: r.baseline for r in rows}

    async def all(self) -> list[Subscription]:
        return await self._select(sa.true())

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
            await counters.bump(conn, counters.SUBSCRIPTIONS)

    async def resume(self, subscription_id: int) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(paused=None)
            )
            await counters.bump(conn, counters.SUBSCRIPTIONS)

    async def pause(self, subscription_id: int, reason: str) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(subscriptions)
                .where(subscriptions.c.id == subscription_id)
                .values(paused=reason)
            )
            await counters.bump(conn, counters.SUBSCRIPTIONS)


async def _remember(conn: AsyncConnection, target: Target, cards: Sequence[Any]) -> None:
    """The channel's cards, as `thread_papers` rows: a posted card by its message (its thread);
    one being sent as the subscription went, by its key (posted, maybe: not posted again)."""
    rows = [
        {
            "platform": target.platform,
            "channel": target.channel,
            "thread": card.message_id if card.outcome == POSTED else f"sending:{card.key}",
            "arxiv_id": card.arxiv_id,
            "created": card.updated,
            "from_feed": True,
        }
        for card in cards
        if (card.outcome == POSTED and card.message_id) or (card.outcome == SENDING and card.key)
    ]
    if rows:
        keys = ["platform", "channel", "thread"]
        await conn.execute(insert_ignoring_conflicts(conn, thread_papers, keys), rows)
