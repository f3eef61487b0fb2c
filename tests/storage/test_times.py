"""Every timestamp is stored as UTC and read back aware in UTC, on SQLite and PostgreSQL: SQLite
kept an aware datetime's wall clock, so 12:00+02:00 read back as 12:00Z, after 11:00Z."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.domain import FeedKind, FeedSpec, Origin, Paper, Rules, Sort, Target
from bot.search import build_query
from storage import Storage, open_storage

CEST = timezone(timedelta(hours=2))
NOON_CEST = datetime(2026, 5, 5, 12, tzinfo=CEST)  # 10:00Z
ELEVEN_Z = datetime(2026, 5, 5, 11, tzinfo=UTC)


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    opened = await open_storage(db_url)
    yield opened
    await opened.close()


def paper(arxiv_id: str, published: datetime) -> Paper:
    return Paper(
        arxiv_id=arxiv_id,
        title=f"Paper {arxiv_id}",
        published=published,
        sources=frozenset({Origin.ARXIV_API}),
    )


async def test_times_in_any_zone_are_kept_as_the_same_instant(storage: Storage) -> None:
    await storage.papers.upsert([paper("2605.00001", NOON_CEST), paper("2605.00002", ELEVEN_Z)])
    early = await storage.papers.get("2605.00001")
    assert early is not None and early.published == datetime(2026, 5, 5, 10, tzinfo=UTC)
    assert early.published.utcoffset() == timedelta(0)
    newest = await storage.papers.search(build_query("paper", sort=Sort.RECENT))
    assert [h.paper.arxiv_id for h in newest] == ["2605.00002", "2605.00001"]

    sub = await storage.subscriptions.add(
        Target("fake", "c"), FeedSpec(FeedKind.HF_DAILY), Rules(), NOON_CEST
    )
    (read,) = await storage.subscriptions.all()
    assert read.id == sub.id and read.created == datetime(2026, 5, 5, 10, tzinfo=UTC)

    await storage.ledger.mark_seen("hf-daily", ["2605.00001"], NOON_CEST)
    seen = await storage.ledger.first_seen("hf-daily", ["2605.00001"])
    assert seen == {"2605.00001": datetime(2026, 5, 5, 10, tzinfo=UTC)}
