"""Channel taste end to end on SQLite and PostgreSQL: papers appear after the subscription, the
channel reacts to the cards it got, and what it is shown next follows what it liked; every
card says why it is there; `taste` shows what was learned and `taste reset` forgets it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import time, timedelta

import pytest

from bot.commands import Commands, Context
from bot.domain import Cadence, DeliveryKind, Every, Outgoing, Rules, Signal
from bot.engine import Engine
from bot.finder import Finder
from bot.keywords import parse_keywords
from bot.tastes import Tastes
from storage import Storage, open_storage
from tests.feed.fake_platform import FakePlatform
from tests.feed.test_engine import HF, ONE, START, Clock, FakeFeed, engine_for

ADMIN = Context(ONE, "ada", can_manage=True)
MEMBER = Context(ONE, "bob", can_manage=False)


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    opened = await open_storage(db_url)
    yield opened
    await opened.close()


def tastes_for(storage: Storage, clock: Clock) -> Tastes:
    # Learned again at every look: the test's clock does not move between a vote and a cycle.
    return Tastes(storage.signals, storage.papers, storage.subscriptions, clock, timedelta(0))


def engine_with(storage: Storage, feed: FakeFeed, platform: FakePlatform, clock: Clock) -> Engine:
    return engine_for(storage, feed, platform, clock, tastes=tastes_for(storage, clock))


def message_of(platform: FakePlatform, arxiv_id: str) -> str:
    posted = platform.messages[ONE]
    return next(f"m{n}" for n, (_, a) in enumerate(posted, start=1) if a == arxiv_id)


async def test_promoted_cards_follow_what_the_channel_liked(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(promote=2), START - timedelta(hours=1))
    engine = engine_with(storage, feed, platform, clock)
    feed.add(1, "Listed before the subscription", published=START - timedelta(days=1))
    await engine.run_once()  # its first poll: what is listed now was there before it
    assert platform.papers_in(ONE) == []

    # Day one, no taste yet: the two most upvoted are cards, the rest one list.
    clock.now += timedelta(hours=1)
    video = feed.add(2, "Diffusion models for video generation", upvotes=30)
    graph = feed.add(3, "Graph neural networks for molecules", upvotes=40)
    feed.add(4, "Diffusion transformers scale to audio", upvotes=3)
    feed.add(5, "Protein folding with language models", upvotes=8)
    report = await engine.run_once()
    assert report.promoted == 4
    assert platform.papers_in(ONE) == [graph, video]
    (listed,) = platform.texts_in(ONE)
    assert listed.startswith("Also new here, ranked by this channel's taste:\n1. ")
    assert listed.count("https://arxiv.org/abs/") == 2
    first_cards = platform.cards[ONE]
    assert all(
        c.why == "new on Hugging Face Daily Papers · promoted by upvotes" for c in first_cards
    )

    # The channel likes the video paper (two people) and turns the graph paper down.
    for voter in ("u1", "u2"):
        assert await storage.votes.vote(ONE, message_of(platform, video), voter, "👍", clock.now)
    assert await storage.votes.vote(ONE, message_of(platform, graph), "u3", "👎", clock.now)

    # Day two: the papers like the liked one come first, whatever their upvotes.
    clock.now += timedelta(hours=1)
    images = feed.add(6, "Diffusion models for image generation", upvotes=2)
    speech = feed.add(7, "Video diffusion with temporal attention", upvotes=1)
    feed.add(8, "Graph networks for molecular property prediction", upvotes=90)
    feed.add(9, "A survey of reinforcement learning", upvotes=60)
    await engine.run_once()
    assert platform.papers_in(ONE)[2:] == [images, speech]
    why = platform.cards[ONE][2].why
    assert why is not None
    assert why.startswith("new on Hugging Face Daily Papers · promoted by this channel's taste")
    assert "like a paper liked here: “Diffusion models for video generation”" in why
    day_two = platform.texts_in(ONE)[1]
    assert day_two.index("reinforcement") < day_two.index("molecular")  # 👎 counts against

    # `why` says the same as the card; `taste` says what was learned.
    commands = Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        Finder(storage.papers, live_search=False),
        engine=engine,
        votes=storage.votes,
        tastes=tastes_for(storage, clock),
        clock=clock,
    )
    said = (await commands.handle(f"why {images}", MEMBER)).text
    assert f"why here: {why}" in said
    learned = (await commands.handle("taste", MEMBER)).text
    assert learned.startswith("Learned from 2 papers")
    words, avoided = learned.splitlines()[1], learned.splitlines()[-2]
    assert words.startswith("Words: ") and "video" in words and "diffusion" in words
    assert avoided.startswith("Leans away from: ") and "graph" in avoided

    # Reset: only the manager may; then nothing is learned and upvotes lead again.
    assert (await commands.handle("taste reset", MEMBER)).error
    reply = await commands.handle("taste reset", ADMIN)
    assert not reply.error and "reset" in reply.text
    assert (await commands.handle("taste", MEMBER)).text.startswith("This channel has no taste")
    clock.now += timedelta(hours=1)
    loud = feed.add(10, "Sparse attention kernels", upvotes=70)
    feed.add(11, "Diffusion models for 3D scenes", upvotes=1)
    quiet = feed.add(12, "Tokenizers for code", upvotes=20)
    await engine.run_once()
    assert platform.papers_in(ONE)[4:] == [loud, quiet]


async def test_questions_and_shows_count_and_the_rules_start_it(storage: Storage) -> None:
    clock = Clock()
    tastes = tastes_for(storage, clock)
    rules = Rules(keywords=parse_keywords('"world model" OR robotics NOT survey'))
    await storage.subscriptions.add(ONE, HF, rules, START)
    cold = await tastes.of(ONE)
    assert cold.from_rules and not cold.liked
    assert set(cold.leaning().words) == {"world", "model", "robotic"}  # not "survey"
    feed = FakeFeed()
    feed.add(1, "World models for robot planning")
    feed.add(2, "Sparse attention kernels")
    engine = engine_with(storage, feed, FakePlatform(), clock)
    await engine.run_once()
    papers = list((await storage.papers.get_many(["2606.00001", "2606.00002"])).values())
    ranked = await tastes.rank(ONE, papers)
    assert ranked[0].paper.arxiv_id == "2606.00001" and ranked[0].taste > ranked[1].taste

    await tastes.note(ONE, "2606.00002", Signal.ASKED)
    await tastes.note(ONE, "2606.00002", Signal.SHOWN)
    (signals,) = await storage.signals.of_channel(ONE, 10)
    assert (signals.arxiv_id, signals.asked, signals.shown, signals.up) == ("2606.00002", 1, 1, 0)
    taste = await tastes.of(ONE)
    assert [liked.arxiv_id for liked in taste.liked] == ["2606.00002"]
    assert taste.papers == 1


async def test_a_digest_promotes_its_first_cards_and_lists_the_rest(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    digest = Cadence(every=Every.DAILY, at=time(9, 0), top=3)
    await storage.subscriptions.add(ONE, HF, Rules(promote=1), START - timedelta(hours=1), digest)
    engine = engine_with(storage, feed, platform, clock)
    await engine.run_once()
    clock.now += timedelta(minutes=10)
    first = feed.add(1, "Paper one", upvotes=50)
    for n in range(2, 6):
        feed.add(n, f"Paper {n}", upvotes=10 - n)
    await engine.run_once()  # held for the digest
    assert platform.papers_in(ONE) == []
    clock.now = START.replace(hour=9, minute=1)
    report = await engine.run_once()
    assert report.digests == 3
    assert platform.papers_in(ONE) == [first]
    assert platform.cards[ONE][0].why == (
        "new on Hugging Face Daily Papers · in the daily digest · promoted by upvotes"
    )
    (listed,) = platform.texts_in(ONE)
    assert listed.startswith("More of the daily digest of 2026-06-12:\n1. Paper 2 (▲ 8)")
    assert "Paper 4" not in listed and "Paper 3" in listed


async def test_subscribe_with_promote_is_described(storage: Storage) -> None:
    commands = Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        Finder(storage.papers, live_search=False),
    )
    reply = await commands.handle("subscribe hf-daily promote=3", ADMIN)
    assert not reply.error, reply.text
    (sub,) = await storage.subscriptions.for_target(ONE)
    assert sub.rules.promote == 3
    assert "promote=3" in (await commands.handle("subscriptions", MEMBER)).text
    assert (await commands.handle("subscribe hf-daily promote=0", ADMIN)).error
    assert (await commands.handle("taste", MEMBER)).text == "Channel taste is not kept here."


class CountedReads:
    """The signal store, counting how often a channel's signals are read whole."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.reads = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    async def of_channel(self, *args: object) -> object:
        self.reads += 1
        return await self.inner.of_channel(*args)  # type: ignore[attr-defined]


async def test_a_taste_is_learned_again_only_when_its_signals_change(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    await storage.subscriptions.add(ONE, HF, Rules(), START - timedelta(hours=1))
    engine = engine_with(storage, feed, platform, clock)
    await engine.run_once()
    clock.now += timedelta(minutes=5)
    liked = feed.add(1, "Diffusion models for video", upvotes=3)
    await engine.run_once()
    reads = CountedReads(storage.signals)
    tastes = Tastes(reads, storage.papers, storage.subscriptions, clock, timedelta(0))  # type: ignore[arg-type]
    first = await tastes.of(ONE)
    assert first.empty and reads.reads == 0  # nobody did anything yet: nothing to read
    assert (await tastes.of(ONE)) is first
    await storage.votes.vote(ONE, message_of(platform, liked), "u1", "🔖", clock.now)
    assert [p.arxiv_id for p in (await tastes.of(ONE)).liked] == [liked]
    assert reads.reads == 1
    assert (await tastes.of(ONE)).liked and reads.reads == 1  # unchanged: kept
    clock.now += timedelta(hours=2)  # cards posted since count too: learned again hourly
    await tastes.of(ONE)
    assert reads.reads == 2


async def test_a_list_goes_out_once_when_two_processes_release_it(storage: Storage) -> None:
    clock, feed, platform = Clock(), FakeFeed(), FakePlatform()
    digest = Cadence(every=Every.DAILY, at=time(9, 0), top=3)
    sub = await storage.subscriptions.add(
        ONE, HF, Rules(promote=1), START - timedelta(hours=1), digest
    )
    engine = engine_with(storage, feed, platform, clock)
    await engine.run_once()
    clock.now += timedelta(minutes=10)
    for n in range(1, 4):
        feed.add(n, f"Paper {n}")
    await engine.run_once()
    held = sorted(await storage.ledger.held(sub.id))
    assert len(held) == 3
    # Both read what is held before either releases it; each queues its own list with it.
    for topic in ("first", "second"):
        message = Outgoing(sub.id, DeliveryKind.DIGEST, None, topic, f"list made by the {topic}")
        await storage.ledger.release(sub.id, held[:1], [], "digest", clock.now, held[1:], message)
    await engine.deliver()
    assert platform.texts_in(ONE) == ["list made by the first"]
    assert platform.papers_in(ONE) == held[:1]
