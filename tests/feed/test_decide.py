from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import FeedKind, FeedSpec, Outcome, Paper, Rules, Subscription, Target
from bot.keywords import parse_keywords
from bot.subscriptions import Facts, decide, is_news

NOW = datetime(2026, 6, 12, 12, tzinfo=UTC)


def _sub(**rules: object) -> Subscription:
    return Subscription(
        id=1,
        target=Target("fake", "c1"),
        feed=FeedSpec(FeedKind.HF_DAILY),
        rules=Rules(**rules),
        created=NOW - timedelta(days=1),
    )  # type: ignore[arg-type]


def _paper(**fields: object) -> Paper:
    base: dict[str, object] = {
        "arxiv_id": "2606.00001",
        "title": "Diffusion video",
        "abstract": "x",
        "published": NOW - timedelta(hours=5),
        "categories": ("cs.CV",),
        "authors": ("Ada Lovelace",),
        "upvotes": 10,
    }
    return Paper(**{**base, **fields})  # type: ignore[arg-type]


def test_matching_paper_is_pending() -> None:
    assert decide(_sub(), _paper(), NOW, 0).outcome is Outcome.PENDING  # type: ignore[union-attr]


def test_stale_papers_are_not_posted() -> None:
    stale = decide(_sub(), _paper(published=NOW - timedelta(days=4)), NOW, 0)
    assert (stale.outcome, stale.reason) == (Outcome.STALE, "from 2026-06-08, older than 3 days")


def test_news_is_what_the_feed_lists_after_the_first_poll() -> None:
    """Hugging Face stamps a day's list at midnight: a subscription made in the afternoon must
    still get the papers listed after it, and only those (or what its own dates prove newer)."""
    created = NOW - timedelta(hours=4)  # subscribed at 08:00
    sub = Subscription(
        id=1, target=Target("fake", "c"), feed=FeedSpec(FeedKind.HF_DAILY), created=created
    )
    midnight = NOW.replace(hour=0)
    listed_today = Facts.of(_paper(published=midnight - timedelta(days=1), hf_daily_date=midnight))
    baseline = created + timedelta(minutes=1)  # the subscription's first poll
    assert not is_news(sub, listed_today, baseline, baseline)  # there when it subscribed
    assert not is_news(sub, listed_today, created - timedelta(hours=3), baseline)
    assert is_news(sub, listed_today, baseline + timedelta(hours=2), baseline)  # listed later
    assert is_news(sub, listed_today, created + timedelta(seconds=30), baseline)  # in between
    published_after = Facts.of(_paper(published=created + timedelta(seconds=1)))
    assert is_news(sub, published_after, baseline, baseline)  # its own date says so


def test_each_filter_says_which_rule() -> None:
    cases = [
        (_sub(categories=frozenset({"cs.CL"})), "category: not in cs.CL"),
        (_sub(keywords=parse_keywords("robotics")), "keywords: does not match robotics"),
        (_sub(authors=("Alan Turing",)), "authors: none of Alan Turing"),
    ]
    for sub, reason in cases:
        decision = decide(sub, _paper(), NOW, 0)
        assert decision is not None
        assert (decision.outcome, decision.reason) == (Outcome.FILTERED, reason)
    assert decide(_sub(authors=("ada  LOVELACE",)), _paper(), NOW, 0).outcome is Outcome.PENDING  # type: ignore[union-attr]


def test_upvote_threshold_waits_within_its_window_then_filters() -> None:
    sub = _sub(min_upvotes=50)
    waiting = decide(sub, _paper(upvotes=10), NOW, 0)  # it may still get there
    assert waiting.outcome is Outcome.WAITING and waiting.until == NOW + timedelta(days=3, hours=-5)
    assert decide(sub, _paper(upvotes=60), NOW, 0).outcome is Outcome.PENDING  # type: ignore[union-attr]
    late = decide(
        sub, _paper(upvotes=10, published=NOW - timedelta(hours=80)), NOW - timedelta(hours=0), 0
    )
    # 80 h old: past the 3-day window (and stale) - never posted either way
    assert late is not None and late.outcome in (Outcome.FILTERED, Outcome.STALE)


def test_daily_cap() -> None:
    capped = decide(_sub(daily_cap=2), _paper(), NOW, 2)
    assert capped is not None and (capped.outcome, capped.reason) == (
        Outcome.CAPPED,
        "daily cap of 2 reached",
    )
