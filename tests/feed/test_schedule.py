from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bot.domain import FeedKind, FeedSpec
from bot.schedule import EASTERN, Scheduler, next_poll

WEDNESDAY = datetime(2026, 6, 10, 12, tzinfo=UTC)
FRIDAY_NIGHT = datetime(2026, 6, 13, 3, 30, tzinfo=UTC)  # Friday 23:30 in New York


def test_intervals_fit_each_source_with_jitter() -> None:
    rng = random.Random(1)
    hf = [next_poll(FeedKind.HF_DAILY, WEDNESDAY, rng=rng) - WEDNESDAY for _ in range(50)]
    assert all(timedelta(minutes=27) <= d <= timedelta(minutes=33) for d in hf)
    assert len(set(hf)) > 40  # jitter: bots do not poll in step
    rss = next_poll(FeedKind.ARXIV_RSS, WEDNESDAY, rng=rng) - WEDNESDAY
    assert timedelta(minutes=54) <= rss <= timedelta(minutes=66)


def test_arxiv_rss_is_not_polled_on_its_empty_weekend() -> None:
    at = next_poll(FeedKind.ARXIV_RSS, FRIDAY_NIGHT, rng=random.Random(0)).astimezone(EASTERN)
    assert (at.weekday(), at.hour, at.minute) == (0, 0, 30)  # Monday 00:30 New York time
    hf = next_poll(FeedKind.HF_DAILY, FRIDAY_NIGHT, rng=random.Random(0))
    assert hf - FRIDAY_NIGHT < timedelta(hours=1)  # HF keeps going


def test_override_and_failures() -> None:
    feed = FeedSpec(FeedKind.HF_DAILY)
    assert next_poll(feed.kind, WEDNESDAY, override=timedelta(seconds=5)) == WEDNESDAY + timedelta(
        seconds=5
    )
    scheduler = Scheduler()
    assert scheduler.due({feed}, WEDNESDAY) == {feed}  # never polled: due at once
    scheduler.polled(feed, WEDNESDAY)
    assert scheduler.due({feed}, WEDNESDAY + timedelta(minutes=10)) == set()
    scheduler.polled(feed, WEDNESDAY, failed=True)
    assert scheduler.next_wake({feed}, WEDNESDAY) == WEDNESDAY + timedelta(minutes=5)
