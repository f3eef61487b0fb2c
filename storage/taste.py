"""`TasteSignals` on SQLAlchemy Core: each channel's votes, questions, `show`s and posted
cards, counted per paper since the channel's last reset."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain import Outcome, PaperSignals, Signal, Target
from storage.chat import votes
from storage.dialect import insert_for
from storage.ledger import CARD, deliveries, subscriptions
from storage.tables import TasteResetRow, TasteSignalRow

signals = cast(sa.Table, TasteSignalRow.__table__)
resets = cast(sa.Table, TasteResetRow.__table__)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KNOWN = frozenset(s.value for s in Signal)


class SqlTasteSignals:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def note(self, target: Target, arxiv_id: str, signal: Signal, now: datetime) -> None:
        row = {"arxiv_id": arxiv_id[:64], "signal": signal.value, "created": now}
        async with self.engine.begin() as conn:
            await conn.execute(sa.insert(signals).values(**_where(target), **row))

    async def reset(self, target: Target, now: datetime) -> None:
        async with self.engine.begin() as conn:
            statement = insert_for(conn, resets).values(**_where(target), since=now)
            await conn.execute(
                statement.on_conflict_do_update(
                    index_elements=["platform", "channel"], set_={"since": now}
                )
            )

    async def revision(self, target: Target) -> tuple[int, str]:
        stamps: list[tuple[object, ...]] = []
        done = 0
        async with self.engine.connect() as conn:
            since = await _since(conn, target) or EPOCH
            for table in (votes, signals):
                query = sa.select(sa.func.count(), sa.func.max(table.c.created)).where(
                    table.c.platform == target.platform,
                    table.c.channel == target.channel,
                    table.c.created >= since,
                )
                count, latest = (await conn.execute(query)).one()
                done += int(count)
                stamps.append((count, latest))
        return done, repr((since, stamps))

    async def of_channel(self, target: Target, limit: int) -> list[PaperSignals]:
        counts: dict[str, dict[str, Any]] = defaultdict(dict)

        def add(arxiv_id: str, name: str, value: Any, when: datetime) -> None:
            entry = counts[arxiv_id]
            entry[name] = value
            entry["last"] = max(entry.get("last", when), when)

        async with self.engine.connect() as conn:
            since = await _since(conn, target) or EPOCH
            people = sa.func.count(sa.distinct(votes.c.voter))
            voted = (
                sa.select(votes.c.arxiv_id, votes.c.up, people, sa.func.max(votes.c.created))
                .where(
                    votes.c.platform == target.platform,
                    votes.c.channel == target.channel,
                    votes.c.created >= since,
                )
                .group_by(votes.c.arxiv_id, votes.c.up)
            )
            for arxiv_id, up, n, when in await conn.execute(voted):
                add(arxiv_id, "up" if up else "down", n, when)
            noted = (
                sa.select(
                    signals.c.arxiv_id,
                    signals.c.signal,
                    sa.func.count(),
                    sa.func.max(signals.c.created),
                )
                .where(
                    signals.c.platform == target.platform,
                    signals.c.channel == target.channel,
                    signals.c.created >= since,
                )
                .group_by(signals.c.arxiv_id, signals.c.signal)
            )
            for arxiv_id, signal, n, when in await conn.execute(noted):
                if signal in KNOWN:  # a later version's kind of signal is not read here
                    add(arxiv_id, signal, n, when)
            posted = (
                sa.select(deliveries.c.arxiv_id, deliveries.c.updated)
                .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                .where(
                    subscriptions.c.platform == target.platform,
                    subscriptions.c.channel == target.channel,
                    deliveries.c.kind == CARD,
                    deliveries.c.outcome == Outcome.POSTED.value,
                    deliveries.c.updated >= since,
                )
                .order_by(deliveries.c.updated.desc())
                .limit(limit)
            )
            for arxiv_id, when in await conn.execute(posted):
                add(arxiv_id, "posted", True, when)
        latest = sorted(counts.items(), key=lambda item: item[1]["last"], reverse=True)
        return [PaperSignals(arxiv_id, **entry) for arxiv_id, entry in latest[:limit]]


def _where(target: Target) -> dict[str, str]:
    return {"platform": target.platform, "channel": target.channel}


async def _since(conn: AsyncConnection, target: Target) -> datetime | None:
    query = sa.select(resets.c.since).where(
        resets.c.platform == target.platform, resets.c.channel == target.channel
    )
    return cast(datetime | None, (await conn.execute(query)).scalar_one_or_none())
