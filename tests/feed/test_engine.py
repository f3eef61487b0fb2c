"""The posting engine end to end on SQLite and PostgreSQL: a fake HF feed over a mock
transport, the real store and ledger, and an in-memory platform."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

import httpx
import pytest

from bot.commands import Commands, Context
from bot.domain import (
    Cadence,
    Card,
    DeliveryKind,
    Every,
    FeedKind,
    FeedSpec,
    Outcome,
    Outgoing,
    Rules,
    Target,
)
from bot.engine import CycleReport, Engine, build_engine
from bot.feeds import Poller, Sources
from bot.finder import Finder
from bot.keywords import parse_keywords
from bot.sources import ArxivApi, ArxivRss, HuggingFace
from bot.sources.http import Http, RetryPolicy
from bot.tastes import Tastes
from storage import Storage, open_storage
from tests.fakes import FakeTime
from tests.feed.fake_platform import Crash, CrashingLedger, FakePlatform

START = datetime(2026, 6, 12, 8, tzinfo=UTC)
HF = FeedSpec(FeedKind.HF_DAILY)
ONE, TWO = Target("fake", "one"), Target("fake", "two")


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class FakeFeed:
    """Hugging Face's daily list, as the tests want it to be right now."""

    items: list[dict[str, object]] = field(default_factory=list)
    requests: int = 0  # reads of the latest list: one a poll (the earlier days' are not counted)

    def add(self, n: int, title: str, *, upvotes: int = 5, published: datetime = START) -> str:
        arxiv_id = f"2606.{n:05d}"
        self.items.append(
            {
                "paper": {
                    "id": arxiv_id,
                    "title": title,
                    "summary": f"About {title}.",
                    "upvotes": upvotes,
                    "publishedAt": published.isoformat(),
                }
            }
        )
        return arxiv_id

    def handler(self, request: httpx.Request) -> httpx.Response:
        if "date" in request.url.params:  # an earlier day's list: these tests list none
            return httpx.Response(200, json=[])
        self.requests += 1
        return httpx.Response(200, json=self.items)


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    opened = await open_storage(db_url)
    yield opened
    await opened.close()


def engine_for(
    storage: Storage,
    feed: FakeFeed,
    platform: FakePlatform,
    clock: Clock,
    ledger: object | None = None,
    *,
    leases: bool = False,
    tastes: Tastes | None = None,
) -> Engine:
    client = httpx.AsyncClient(transport=httpx.MockTransport(feed.handler))
    http = Http(client, RetryPolicy(attempts=1), FakeTime().sleep)
    sources = Sources(
        HuggingFace(http, "http://hf"), ArxivApi(http, "http://api"), ArxivRss(http, "http://rss")
    )
    return build_engine(
        storage.papers,
        storage.subscriptions,
        ledger or storage.ledger,  # type: ignore[arg-type]
        {"fake": platform},
        Poller(sources),
        clock,
        leases=storage.leases if leases else None,
        tastes=tastes,
    )


async def test_feed_end_to_end_posts_each_paper_once(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=2))
    await storage.subscriptions.add(
        TWO, HF, Rules(keywords=parse_keywords("diffusion")), START - timedelta(hours=2)
    )
    a = feed.add(1, "Diffusion video")
    b = feed.add(2, "Graph networks")
    engine = engine_for(storage, feed, platform, clock)

    report = await engine.run_once()
    assert report.posted == 3
    assert sorted(platform.papers_in(ONE)) == [a, b]
    assert platform.papers_in(TWO) == [a]
    assert feed.requests == 1  # one fetch serves every subscription of the feed

    clock.now += timedelta(minutes=30)
    c = feed.add(3, "Diffusion again")
    again = await engine.run_once()
    assert again.posted == 2  # only the new paper, to both channels
    assert sorted(platform.papers_in(ONE)) == [a, b, c]
    assert platform.papers_in(TWO) == [a, c]

    # What a rule turned away keeps no ledger row: `why` asks the rule again.
    why = await storage.ledger.why(b)
    assert [(str(r.target), r.outcome, r.reason) for r in why] == [
        ("fake:one", Outcome.POSTED, "posted")
    ]
    assert (await why_in(storage, TWO, b)).endswith(
        ": filtered: keywords: does not match diffusion"
    )


def commands_for(
    storage: Storage, engine: Engine | None = None, clock: Clock | None = None
) -> Commands:
    """`/papers` on the store, with the running engine where a test has one."""
    return Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        Finder(storage.papers, live_search=False),
        engine=engine,
        clock=clock or Clock(),
    )


async def looping(engine: Engine) -> tuple[asyncio.Event, asyncio.Task[None]]:
    """The bot's main loop on `engine`, past its first cycle; set the event to stop it."""
    from bot import runner
    from bot.schedule import Scheduler

    stop, first = asyncio.Event(), asyncio.Event()
    loop = asyncio.create_task(
        runner.run(engine, Scheduler(), stop=stop, on_report=lambda report: first.set())
    )
    await first.wait()  # the first cycle: nothing subscribed, so the loop would sleep minutes
    return stop, loop


async def why_in(storage: Storage, target: Target, arxiv_id: str) -> str:
    """What `/papers why` says in `target` (one subscription there)."""
    commands = commands_for(storage)
    reply = await commands.handle(f"why {arxiv_id}", Context(target, "ada", can_manage=False))
    return reply.text.splitlines()[-1]


async def test_new_subscription_does_not_flood(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    old = feed.add(1, "Yesterday's paper", published=START - timedelta(days=1))
    await storage.subscriptions.add(ONE, HF, Rules(), START)
    report = await engine_for(storage, feed, platform, clock).run_once()
    assert report.posted == 0
    assert await storage.ledger.why(old) == []
    assert "listed before this subscription began" in await why_in(storage, ONE, old)


async def test_catch_up_posts_the_top_of_a_first_cycle_only(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    yesterday = START - timedelta(days=1)
    papers = [feed.add(n, f"Paper {n}", upvotes=n * 10, published=yesterday) for n in range(1, 5)]
    await storage.subscriptions.add(ONE, HF, Rules(catch_up=2), START)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert platform.papers_in(ONE) == [papers[3], papers[2]]  # the two most upvoted
    clock.now += timedelta(hours=1)
    later = feed.add(9, "Listed later", published=yesterday)
    await engine.run_once()  # no more catching up; what is listed after the first poll is news
    assert platform.papers_in(ONE) == [papers[3], papers[2], later]


async def test_subscribing_again_does_not_show_a_channel_what_it_was_shown(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    yesterday = START - timedelta(days=1)
    papers = [feed.add(n, f"Paper {n}", upvotes=n * 10, published=yesterday) for n in range(1, 5)]
    first = await storage.subscriptions.add(ONE, HF, Rules(catch_up=2), START)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert platform.papers_in(ONE) == [papers[3], papers[2]]

    clock.now += timedelta(hours=1)
    assert await storage.subscriptions.remove(first.id)
    await storage.subscriptions.add(ONE, HF, Rules(catch_up=2), clock.now)
    await engine.run_once()
    # The catch-up skips what the channel was shown; the old cards' threads still answer.
    assert platform.papers_in(ONE) == [papers[3], papers[2], papers[1], papers[0]]
    assert await storage.threads.paper_of(ONE, "m1") == papers[3]
    commands = commands_for(storage)
    asked = Context(ONE, "ada", can_manage=False)
    shown = (await commands.handle(f"why {papers[3]}", asked)).text
    assert "earlier: posted here by a subscription since removed" in shown
    assert "since removed" not in (await commands.handle(f"why {papers[1]}", asked)).text
    assert await storage.subscriptions.remove((await storage.subscriptions.for_target(ONE))[0].id)
    assert (await commands.handle(f"why {papers[1]}", asked)).text == (
        f"{papers[1]}:\nearlier: posted here by a subscription since removed"
    )


async def test_what_channels_were_shown_is_read_for_thousands_of_channels(
    storage: Storage,
) -> None:
    # A condition per channel overflowed PostgreSQL's parser from 8,000 channels on.
    channels = [Target("fake", f"c{n}") for n in range(12_000)]
    assert await storage.ledger.occupied(["2606.00001"], [], channels) == set()


@dataclass
class UnsubscribedWhilePosting(FakePlatform):
    """A platform where someone unsubscribes while the card is on its way."""

    storage: Storage | None = None
    subscription: int = 0

    async def post(self, target: Target, card: Card, key: str) -> str:
        message_id = await super().post(target, card, key)
        if self.storage is not None and self.subscription:
            await self.storage.subscriptions.remove(self.subscription)
            self.subscription = 0
        return message_id


async def test_a_card_sent_as_its_subscription_goes_is_not_posted_again(
    storage: Storage,
) -> None:
    clock, feed = Clock(), FakeFeed()
    sub = await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    platform = UnsubscribedWhilePosting(storage=storage, subscription=sub.id)
    paper = feed.add(1, "A paper")
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert platform.papers_in(ONE) == [paper]
    clock.now += timedelta(hours=1)
    await storage.subscriptions.add(ONE, HF, Rules(catch_up=3), clock.now)
    await engine.run_once()
    assert platform.papers_in(ONE) == [paper]


@dataclass
class DayAndWeek(FakeFeed):
    """The daily list (`items`) and the week's list, which may list a paper later."""

    week: list[dict[str, object]] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        listed = self.week if "week" in request.url.params else self.items
        return httpx.Response(200, json=listed)


async def test_a_paper_one_subscription_posted_stays_posted_after_it_goes(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), DayAndWeek(), FakePlatform()
    daily = await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    weekly = FeedSpec(FeedKind.HF_DAILY, "2026-W24")
    await storage.subscriptions.add(ONE, weekly, Rules(), START - timedelta(hours=1))
    paper = feed.add(1, "Video models")
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert platform.papers_in(ONE) == [paper]

    clock.now += timedelta(hours=1)
    await storage.subscriptions.remove(daily.id)
    feed.week = list(feed.items)  # the week's list takes it up after the daily one went
    await engine.run_once()
    assert platform.papers_in(ONE) == [paper]  # not twice in one channel


async def test_featured_on_hf_today_is_news_even_if_older_on_arxiv(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    paper = feed.add(1, "Old on arXiv", published=START - timedelta(days=6))
    feed.items[0]["paper"]["submittedOnDailyAt"] = START.isoformat()  # type: ignore[index]
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=2))
    await engine_for(storage, feed, platform, clock).run_once()
    assert platform.papers_in(ONE) == [paper]


async def test_two_subscriptions_in_one_channel_post_once(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    await storage.subscriptions.add(
        ONE, HF, Rules(keywords=parse_keywords("video")), START - timedelta(hours=1)
    )
    paper = feed.add(1, "Video models")
    await engine_for(storage, feed, platform, clock).run_once()
    assert platform.papers_in(ONE) == [paper]
    outcomes = sorted(r.outcome for r in await storage.ledger.why(paper))
    assert outcomes == [Outcome.DUPLICATE, Outcome.POSTED]


async def test_rate_limits_defer_and_lost_channels_pause_without_hurting_others(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform(busy=1)
    one = await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    await storage.subscriptions.add(TWO, HF, Rules(), START - timedelta(hours=1))
    platform.gone.add(TWO)
    paper = feed.add(1, "A paper")
    engine = engine_for(storage, feed, platform, clock)
    first = await engine.run_once()
    assert (first.posted, first.deferred) == (0, 2)  # one 429, one lost channel
    paused = list(await storage.subscriptions.for_target(TWO))
    assert paused[0].paused == "paused: missing access to two"
    assert [s.id for s in await storage.subscriptions.active()] == [one.id]
    clock.now += timedelta(seconds=2)  # past retry_after
    second = await engine.run_once()
    assert second.posted == 1
    assert platform.papers_in(ONE) == [paper]
    assert platform.papers_in(TWO) == []


async def _run_until_done(
    storage: Storage, feed: FakeFeed, platform: FakePlatform, clock: Clock
) -> int:
    """Run lives of the process until one completes; each crash loses the process."""
    for life in range(200):
        engine = engine_for(
            storage, feed, platform, clock, CrashingLedger(storage.ledger, platform)
        )
        try:
            await engine.run_once()
            return life
        except BaseException as exc:  # a Crash, maybe wrapped by the task group that saw it
            if not _is_crash(exc):
                raise
            clock.now += engine.deliverer.lease + timedelta(
                seconds=1
            )  # the dead worker's leases run out
    raise AssertionError("never finished")


def _is_crash(exc: BaseException) -> bool:
    if isinstance(exc, BaseExceptionGroup):
        return all(_is_crash(inner) for inner in exc.exceptions)
    return isinstance(exc, Crash)


@pytest.mark.parametrize("seed", range(25))
async def test_crashes_at_every_step_lose_and_duplicate_nothing(
    storage: Storage, seed: int
) -> None:
    rng = random.Random(seed)
    clock, feed = Clock(), FakeFeed()
    platform = FakePlatform(crash_rate=0.25, rng=rng)
    targets = [Target("fake", f"c{n}") for n in range(3)]
    for target in targets:
        await storage.subscriptions.add(target, HF, Rules(), START - timedelta(hours=1))
    papers = [feed.add(n, f"Paper {n}", upvotes=rng.randint(0, 50)) for n in range(1, 6)]
    lives = await _run_until_done(storage, feed, platform, clock)
    platform.crash_rate = 0.0
    await engine_for(storage, feed, platform, clock).run_once()  # and a calm run changes nothing
    for target in targets:
        assert sorted(platform.papers_in(target)) == papers, f"seed {seed}, {lives} crashes"
    for paper in papers:
        assert {r.outcome for r in await storage.ledger.why(paper)} == {Outcome.POSTED}


async def test_three_workers_share_the_outbox(storage: Storage, db_url: str) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    targets = [Target("fake", f"c{n}") for n in range(10)]
    for target in targets:
        await storage.subscriptions.add(target, HF, Rules(), START - timedelta(hours=1))
    papers = [feed.add(n, f"Paper {n}") for n in range(1, 101)]
    decider = engine_for(storage, feed, platform, clock)
    fetched = (await decider.intake.poller.poll(HF)).papers
    await storage.papers.upsert(fetched)
    await decider.decider.at_poll(
        HF, await storage.subscriptions.all(), list(fetched), CycleReport()
    )
    others = [await open_storage(db_url) for _ in range(2)]
    try:
        workers = [engine_for(s, feed, platform, clock) for s in (storage, *others)]
        for worker in workers:
            worker.deliverer.batch = 70
        reports = await asyncio.gather(*(w.deliver() for w in workers))
    finally:
        for other in others:
            await other.close()
    assert sum(r.posted for r in reports) == 1000
    assert all(r.posted for r in reports), "every worker took a share"
    for target in targets:
        assert sorted(platform.papers_in(target)) == papers


async def test_several_processes_poll_each_feed_once(storage: Storage, db_url: str) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    paper = feed.add(1, "A paper")
    other = await open_storage(db_url)
    try:
        first = engine_for(storage, feed, platform, clock, leases=True)
        second = engine_for(other, feed, platform, clock, leases=True)
        await first.run_once()
        await second.run_once()
        assert feed.requests == 1  # the second process left the feed to the lease holder
        clock.now += timedelta(minutes=31)  # the holder's next poll was due; it went quiet
        await second.run_once()
        assert feed.requests == 2  # and its lease was taken over
        assert platform.papers_in(ONE) == [paper]
    finally:
        await other.close()


async def test_daily_digest_posts_the_top_papers_at_its_time(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    digest = Cadence(every=Every.DAILY, at=time(9, 0), tz="UTC", top=2)
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1), digest)
    low, high, mid = (feed.add(n, f"Paper {n}", upvotes=u) for n, u in ((1, 3), (2, 90), (3, 40)))
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()  # 08:00: held for the digest
    assert platform.papers_in(ONE) == []
    assert {r.outcome for r in await storage.ledger.why(low)} == {Outcome.HELD}
    clock.now = START.replace(hour=9, minute=1)
    report = await engine.run_once()
    assert report.digests == 2
    assert platform.papers_in(ONE) == [high, mid]  # by upvotes
    (left_out,) = await storage.ledger.why(low)
    assert (left_out.outcome, left_out.reason) == (
        Outcome.FILTERED,
        "not in the top of the daily digest of 2026-06-12",
    )
    # `why` dates the card by its posting at the digest's time, not its decision at 08:00
    why = await Commands(
        storage.subscriptions, storage.ledger, storage.papers, Finder(storage.papers)
    ).handle(f"why {high}", Context(ONE, "ada", can_manage=False))
    assert "#1: posted, 2026-06-12 09:01 UTC" in why.text
    clock.now += timedelta(hours=2)
    assert (await engine.run_once()).digests == 0  # next one tomorrow at 09:00


async def test_digest_command_posts_now(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    weekly = Cadence(every=Every.WEEKLY, at=time(9, 0), weekday=0, top=1)
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1), weekly)
    best = feed.add(1, "Best", upvotes=50)
    feed.add(2, "Second", upvotes=5)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert platform.papers_in(ONE) == []  # held until Monday 09:00
    commands = Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        Finder(storage.papers),
        engine=engine,
        clock=clock,
    )
    reply = await commands.handle("digest", Context(ONE, "ada", can_manage=False))
    assert reply.text == "Digest of 1 paper released: posting now."
    assert platform.papers_in(ONE) == [best]
    again = await commands.handle("digest", Context(ONE, "ada", can_manage=False))
    assert again.text == "Nothing for a digest: no paper has come since the last one."


async def test_updates_go_into_the_cards_thread_once(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    paper = feed.add(1, "A paper", upvotes=8)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert platform.papers_in(ONE) == [paper]
    feed.items[0]["paper"].update(upvotes=60, githubRepo="https://github.com/o/r")  # type: ignore[attr-defined]
    clock.now += timedelta(minutes=30)
    report = await engine.run_once()
    assert report.updates == 2
    assert platform.papers_in(ONE) == [paper]  # no second card
    assert platform.replies_in(ONE) == [
        "reply to m1: Code released: https://github.com/o/r",
        "reply to m1: Now at 60 upvotes on Hugging Face.",
    ]
    await engine.run_once()  # the same news is not told twice
    assert len(platform.replies_in(ONE)) == 2
    kinds = [(r.kind, r.topic) for r in await storage.ledger.why(paper)]
    assert kinds == [
        (DeliveryKind.CARD, ""),
        (DeliveryKind.UPDATE, "code"),
        (DeliveryKind.UPDATE, "upvotes:50"),
    ]


@dataclass
class QueueFailsOnce:
    """The ledger, whose first queuing of thread replies fails (the database went away)."""

    inner: object
    failed: bool = False

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def queue(self, messages: list[Outgoing], now: datetime) -> None:
        if not self.failed:
            self.failed = True
            raise ConnectionError("the database went away")
        await self.inner.queue(messages, now)  # type: ignore[attr-defined]


async def test_news_that_could_not_be_queued_is_told_at_the_next_poll(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    paper = feed.add(1, "A paper")
    engine = engine_for(storage, feed, platform, clock, QueueFailsOnce(storage.ledger))
    await engine.run_once()
    feed.items[0]["paper"].update(githubRepo="https://github.com/o/r")  # type: ignore[attr-defined]
    clock.now += timedelta(minutes=30)
    report = await engine.run_once()
    assert "ConnectionError" in report.failed_feeds[str(HF)]
    clock.now += timedelta(minutes=30)
    await engine.run_once()
    assert platform.replies_in(ONE) == ["reply to m1: Code released: https://github.com/o/r"]
    assert platform.papers_in(ONE) == [paper]


async def test_server_faults_back_off_and_are_never_retried_forever(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform(broken=100)
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    paper = feed.add(1, "A paper")
    engine = engine_for(storage, feed, platform, clock)
    engine.deliverer.max_attempts = 4
    await engine.run_once()  # attempt 1 at START
    attempts_at = [0]
    for second in range(1, 120):  # then one delivery pass a second
        clock.now = START + timedelta(seconds=second)
        left = platform.broken
        await engine.deliver()
        if platform.broken < left:
            attempts_at.append(second)
    assert attempts_at == [0, 5, 15, 35]  # waits of 5, 10 and 20 s: exponential backoff
    (record,) = await storage.ledger.why(paper)
    assert (record.outcome, record.reason) == (Outcome.FAILED, "gave up after 4 attempts: HTTP 502")
    assert platform.papers_in(ONE) == []


async def test_compact_digest_is_one_list_message(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    digest = Cadence(every=Every.DAILY, at=time(9, 0), top=2, compact=True)
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1), digest)
    _, high, mid = (feed.add(n, f"Paper {n}", upvotes=u) for n, u in ((1, 3), (2, 90), (3, 40)))
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    clock.now = START.replace(hour=9, minute=1)
    await engine.run_once()
    assert platform.papers_in(ONE) == []  # no cards
    assert platform.texts_in(ONE) == [
        "Daily digest of 2026-06-12: the top 2 papers\n"
        f"1. Paper 2 (▲ 90) https://arxiv.org/abs/{high}\n"
        f"2. Paper 3 (▲ 40) https://arxiv.org/abs/{mid}"
    ]
    assert {r.outcome for r in await storage.ledger.why(high)} == {Outcome.LISTED}
    await engine.run_once()
    assert len(platform.texts_in(ONE)) == 1  # once


async def test_paused_subscription_resumes_and_stale_backlog_is_not_posted(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    sub = await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    platform.gone.add(ONE)
    fresh = feed.add(1, "Fresh")
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    assert (await storage.subscriptions.for_target(ONE))[
        0
    ].paused == "paused: missing access to one"
    platform.gone.clear()
    await storage.subscriptions.resume(sub.id)
    await engine.run_once()
    assert platform.papers_in(ONE) == [fresh]  # the held post goes out after the resume
    # A long pause: what waited past the staleness limit is recorded stale, not posted.
    old = feed.add(2, "Waited too long")
    platform.gone.add(ONE)
    clock.now += timedelta(minutes=30)
    await engine.run_once()
    platform.gone.clear()
    await storage.subscriptions.resume(sub.id)
    clock.now += timedelta(days=4)
    feed.items.clear()
    await engine.run_once()
    assert platform.papers_in(ONE) == [fresh]
    (record,) = await storage.ledger.why(old)
    assert (record.outcome, record.reason) == (
        Outcome.STALE,
        "went stale waiting (older than 3 days)",
    )


class Unforeseen(FakePlatform):
    """A platform whose posts fail in ways nobody mapped, and whose `find` can fail too."""

    def __init__(self) -> None:
        super().__init__()
        self.post_error: Exception | None = None
        self.find_error: Exception | None = None

    async def post(self, target: Target, card: object, key: str) -> str:  # type: ignore[override]
        if self.post_error:
            raise self.post_error
        return await super().post(target, card, key)  # type: ignore[arg-type]

    async def find(self, target: Target, key: str, thread: str | None = None) -> str | None:
        if self.find_error:
            raise self.find_error
        return await super().find(target, key, thread)


async def test_an_unforeseen_fault_leaves_the_post_for_a_checked_retry(storage: Storage) -> None:
    from bot.ports import TargetGone

    clock, feed, platform = Clock(), FakeFeed(), Unforeseen()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=2))
    await storage.subscriptions.add(TWO, HF, Rules(), START - timedelta(hours=2))
    feed.add(1, "Diffusion video")
    engine = engine_for(storage, feed, platform, clock)
    platform.post_error = KeyError("a field the platform's reply lacked")
    report = await engine.run_once()  # no crash: logged, the other channel not held up
    assert report.deferred == 2 and report.posted == 0

    # When the lease runs out the post is taken again as one that may have been made; a `find`
    # that fails with "gone" pauses the channel like a failed post would, without crashing.
    platform.post_error = None
    platform.find_error = TargetGone("missing access to one")
    clock.now += engine.deliverer.lease + timedelta(seconds=1)
    await engine.deliver()
    paused = {s.target: s.paused for s in await storage.subscriptions.for_target(ONE)}
    assert paused[ONE] is not None and "missing access" in paused[ONE]


async def test_the_loop_survives_a_failed_cycle(
    storage: Storage, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import runner
    from bot.schedule import Scheduler

    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    engine = engine_for(storage, feed, platform, clock)
    cycles = 0
    real = engine.run_once

    async def flaky(*args: object) -> CycleReport:
        nonlocal cycles
        cycles += 1
        if cycles == 1:
            raise ConnectionError("the database went away")
        return await real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "run_once", flaky)
    monkeypatch.setattr(runner, "FAULT_WAITS", (0.01,))
    stop = asyncio.Event()
    reports: list[CycleReport] = []

    def seen(report: CycleReport) -> None:
        reports.append(report)
        stop.set()

    await asyncio.wait_for(runner.run(engine, Scheduler(), stop=stop, on_report=seen), 5)
    assert cycles == 2 and len(reports) == 1
    cycles = 0
    with pytest.raises(ConnectionError):  # `paperboy run --once` still says what went wrong
        await runner.run(engine, Scheduler(), stop=asyncio.Event(), once=True)


async def test_a_new_subscription_is_read_at_once_and_caught_up(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    feed.add(1, "Diffusion video")
    feed.add(2, "Graph networks", upvotes=1)
    engine = engine_for(storage, feed, platform, clock)
    commands = commands_for(storage, engine, clock)
    stop, loop = await looping(engine)
    reply = await commands.handle(
        "subscribe hf-daily catch-up=1", Context(ONE, "ada", can_manage=True)
    )
    assert not reply.error, reply.text
    assert "hf-daily lists 2 papers already, not posted, except the top 1, coming now" in (
        reply.text
    )
    for _ in range(100):  # the catch-up is delivered in the background, at once
        if platform.papers_in(ONE):
            break
        await asyncio.sleep(0.05)
    assert platform.papers_in(ONE) == ["2606.00001"]
    assert feed.requests == 1  # the reply's read of the feed was the subscription's first poll
    stop.set()
    await asyncio.wait_for(loop, 5)


async def test_a_catch_up_says_how_many_come_when_some_were_shown_here_before(
    storage: Storage,
) -> None:
    """Subscribing again with catch-up=3: the channel has seen two of the feed's three papers,
    so one comes, and the reply says one (it promised "the top 3": outside check)."""
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    feed.add(1, "Diffusion video", upvotes=3)
    feed.add(2, "Graph networks", upvotes=2)
    engine = engine_for(storage, feed, platform, clock)
    commands = commands_for(storage, engine, clock)
    manage = Context(ONE, "ada", can_manage=True)
    first = await commands.handle("subscribe hf-daily catch-up=2", manage)
    await engine.settle()  # the catch-up goes out in the background
    assert sorted(platform.papers_in(ONE)) == ["2606.00001", "2606.00002"], first.text
    (sub,) = await storage.subscriptions.for_target(ONE)
    await commands.handle(f"unsubscribe {sub.id}", manage)
    feed.add(3, "Protein folding", upvotes=1)
    again = await commands.handle("subscribe hf-daily catch-up=3", manage)
    assert "lists 3 papers already, not posted, except the top 1 not shown here yet" in (again.text)
    await engine.settle()
    assert platform.papers_in(ONE)[2:] == ["2606.00003"]
    (sub,) = await storage.subscriptions.for_target(ONE)
    await commands.handle(f"unsubscribe {sub.id}", manage)
    last = await commands.handle("subscribe hf-daily catch-up=3", manage)
    assert "lists 3 papers already, not posted, all shown here already" in last.text


@dataclass
class HeldPlatform(FakePlatform):
    """Each post waits until the test lets it through (a slow or rate-limited channel)."""

    entered: asyncio.Event = field(default_factory=asyncio.Event)
    through: asyncio.Event = field(default_factory=asyncio.Event)

    async def post(self, target: Target, card: Card, key: str) -> str:
        self.entered.set()
        await self.through.wait()
        return await super().post(target, card, key)


async def test_a_stop_waits_for_a_catch_up_being_posted_and_records_it(storage: Storage) -> None:
    """SIGTERM while a new subscription's catch-up is going out: the loop ends only once the
    card is recorded (a card posted and not recorded is posted again at the next start; a
    database call cut by the process ending left its connection unreturned)."""
    clock, feed, platform = Clock(), FakeFeed(), HeldPlatform()
    paper = feed.add(1, "Diffusion video")
    engine = engine_for(storage, feed, platform, clock)
    commands = commands_for(storage, engine, clock)
    stop, loop = await looping(engine)
    reply = await commands.handle(
        "subscribe hf-daily catch-up=1", Context(ONE, "ada", can_manage=True)
    )
    assert "coming now" in reply.text, reply.text
    await asyncio.wait_for(platform.entered.wait(), 5)
    stop.set()
    await asyncio.sleep(0.2)
    assert not loop.done()  # the catch-up's post is still going
    platform.through.set()
    await asyncio.wait_for(loop, 5)
    assert platform.papers_in(ONE) == [paper]
    assert {r.outcome for r in await storage.ledger.why(paper)} == {Outcome.POSTED}


# --- The backlog: a poll logs what is new once; the outbox decides it pair by pair ---------


async def _subscribed(storage: Storage, n: int, rules: Rules | None = None) -> list[Target]:
    targets = [Target("fake", f"c{i}") for i in range(n)]
    for target in targets:
        await storage.subscriptions.add(target, HF, rules or Rules(), START - timedelta(hours=1))
    return targets


async def test_a_poll_logs_new_papers_once_and_the_outbox_decides_them_paper_by_paper(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    targets = await _subscribed(storage, 4)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()  # the subscriptions' first poll: an empty list
    clock.now += timedelta(minutes=30)
    papers = [feed.add(n, f"Paper {n}", upvotes=n) for n in range(1, 4)]

    polled = CycleReport()
    await engine.poll(HF, await storage.subscriptions.all(), polled)
    assert sorted(polled.news.values()) == [3, 3, 3, 3]
    assert not polled.decided  # nothing decided per subscription at the poll
    assert await storage.ledger.why(papers[0]) == []
    assert (await why_in(storage, targets[0], papers[0])).endswith(
        "new in its feed: queued, decided when the outbox reaches it"
    )

    # A stretch of four pairs: the best paper for every channel, before any channel's second.
    stretch = CycleReport()
    assert await engine.decide_backlog(stretch, pairs=4) > 0
    assert stretch.decided == {Outcome.PENDING: 4}
    best = await storage.ledger.why(papers[2])
    assert sorted(str(r.target) for r in best) == sorted(str(t) for t in targets)
    assert await storage.ledger.why(papers[1]) == []

    rest = await engine.run_once()
    assert rest.decided == {Outcome.PENDING: 8}
    assert rest.posted == 12
    for target in targets:
        assert sorted(platform.papers_in(target)) == papers
    assert await engine.decide_backlog(CycleReport()) == 0  # nothing behind any more


async def test_a_daily_cap_holds_across_stretches_and_keeps_the_most_upvoted(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    (target,) = await _subscribed(storage, 1, Rules(daily_cap=2))
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    clock.now += timedelta(minutes=30)
    papers = [feed.add(n, f"Paper {n}", upvotes=(n * 7) % 5) for n in range(1, 6)]
    await engine.poll(HF, await storage.subscriptions.all(), CycleReport())
    report = CycleReport()
    while await engine.decide_backlog(report, pairs=1):  # one pair per transaction
        pass
    assert report.decided == {Outcome.PENDING: 2, Outcome.CAPPED: 3}
    await engine.deliver()
    votes = {p: (int(p[-1]) * 7) % 5 for p in papers}
    assert sorted(platform.papers_in(target)) == sorted(sorted(papers, key=votes.get)[-2:])


async def test_processes_deciding_one_backlog_decide_each_pair_once(
    storage: Storage, db_url: str
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    targets = await _subscribed(storage, 6)
    # A second subscription in the first channel: a paper is posted there once, not twice.
    await storage.subscriptions.add(targets[0], HF, Rules(), START - timedelta(hours=1))
    first = engine_for(storage, feed, platform, clock)
    await first.run_once()
    clock.now += timedelta(minutes=30)
    papers = [feed.add(n, f"Paper {n}", upvotes=n % 4) for n in range(1, 21)]
    await first.poll(HF, await storage.subscriptions.all(), CycleReport())

    others = [await open_storage(db_url) for _ in range(2)]
    try:
        deciders = [first] + [engine_for(s, feed, platform, clock) for s in others]
        reports = [CycleReport() for _ in deciders]

        async def decide_all(engine: Engine, report: CycleReport) -> None:
            while await engine.decide_backlog(report, pairs=9):
                pass

        await asyncio.gather(*(decide_all(e, r) for e, r in zip(deciders, reports, strict=True)))
        leftover = CycleReport()
        await decide_all(first, leftover)  # whatever a decider left when it lost a race
    finally:
        for other in others:
            await other.close()
    decided: dict[Outcome, int] = {}
    for report in [*reports, leftover]:
        for outcome, n in report.decided.items():
            decided[outcome] = decided.get(outcome, 0) + n
    assert decided == {Outcome.PENDING: 6 * 20, Outcome.DUPLICATE: 20}  # each pair once
    await first.deliver()
    for target in targets:
        assert sorted(platform.papers_in(target)) == papers


async def test_a_feed_that_lists_nothing_new_does_not_hold_the_backlog_back(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    (target,) = await _subscribed(storage, 1)
    quiet = await storage.subscriptions.add(
        TWO, FeedSpec(FeedKind.ARXIV_RSS, "cs.LG"), Rules(), START - timedelta(hours=1)
    )
    await storage.ledger.record_poll("arxiv-rss:cs.LG", [], [], {quiet.id: START}, START)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()
    for day in range(3):
        clock.now += timedelta(hours=8)
        feed.add(day + 1, f"Paper {day}")
        await engine.run_once(feeds={HF})
    assert len(platform.papers_in(target)) == 3
    # Every cursor went past the log's end: a later stretch starts after it, not at the start.
    assert (await storage.ledger.backlog(10, 10)).logged == []


async def test_a_digest_made_before_the_backlog_is_decided_holds_its_papers(
    storage: Storage,
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    daily = Cadence(every=Every.DAILY, at=time(9, 0), tz="UTC", top=1)
    sub = await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1), daily)
    engine = engine_for(storage, feed, platform, clock)
    await engine.run_once()  # its first poll: an empty list
    clock.now += timedelta(minutes=30)
    feed.add(1, "Low", upvotes=1)
    best = feed.add(2, "Best", upvotes=9)
    await engine.poll(HF, await storage.subscriptions.all(), CycleReport())  # logged only
    assert await engine.digest(sub) == 1  # the digest decided the backlog first
    await engine.deliver()
    assert platform.papers_in(ONE) == [best]


async def test_any_process_decides_a_backlog_once_the_last_decider_is_done(
    storage: Storage, db_url: str
) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    targets = await _subscribed(storage, 2)
    other = await open_storage(db_url)
    try:
        first = engine_for(storage, feed, platform, clock, leases=True)
        second = engine_for(other, feed, platform, clock, leases=True)
        await first.run_once()
        clock.now += timedelta(minutes=30)
        one = feed.add(1, "Paper 1")
        assert (await first.run_once()).posted == 2  # decided and posted by the first
        clock.now += timedelta(seconds=10)
        two = feed.add(2, "Paper 2")
        await first.poll(HF, await storage.subscriptions.all(), CycleReport())  # logged
        # The second process, delivering, decides it at once: the first let the backlog go.
        assert (await second.deliver()).posted == 2
    finally:
        await other.close()
    for target in targets:
        assert platform.papers_in(target) == [one, two]
