"""Journeys with time moving as it does: a channel subscribes mid-day, then its feed lists
papers. Each source's real dating quirk is served as it is (Hugging Face stamps a day's list at
midnight, arXiv RSS lists the day's announcement at once, an arXiv query returns papers submitted
before the subscription): what a feed lists after the subscription's first poll is posted once,
what it listed before is not (unless caught up), across restarts, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import httpx
import pytest

from bot.commands import Commands, Context
from bot.domain import Decided, FeedSpec, Outcome, Target
from bot.engine import Engine, build_engine
from bot.feeds import FeedResult, Poller, Sources, parse_feed_spec
from bot.finder import Finder
from bot.sources import ArxivApi, ArxivRss, HuggingFace
from bot.sources.http import Http, RetryPolicy
from storage import Storage, open_storage
from tests.fakes import FakeTime
from tests.feed.fake_platform import FakePlatform

TUESDAY = datetime(2026, 6, 9, tzinfo=UTC)  # midnight UTC
ONE, TWO = Target("fake", "one"), Target("fake", "two")


@dataclass
class World:
    """The three sources as they are at the moment: what each lists, with the dates it gives."""

    hf: list[dict[str, object]] = field(default_factory=list)
    rss: list[tuple[str, str]] = field(default_factory=list)  # (arXiv id, title)
    revised: list[tuple[str, int]] = field(default_factory=list)  # RSS `replace`: id, version
    rss_day: datetime = TUESDAY
    api: list[tuple[str, str, datetime]] = field(default_factory=list)  # id, title, published
    broken: set[str] = field(default_factory=set)  # hosts answering 500
    today: str | None = None  # the latest list's day when it has no paper yet (after midnight)

    def list_on_hf(self, arxiv_id: str, title: str, day: datetime, upvotes: int = 5) -> str:
        self.hf.append(
            {
                "paper": {
                    "id": arxiv_id,
                    "title": title,
                    "summary": f"About {title}.",
                    "upvotes": upvotes,
                    "publishedAt": (day - timedelta(hours=20)).isoformat(),  # on arXiv before
                    "authors": [{"name": "Ada Lovelace"}],
                    # Hugging Face's day stamp: midnight, whatever time of day it was listed.
                    "submittedOnDailyAt": day.replace(hour=0).isoformat(),
                },
                "title": title,
            }
        )
        return arxiv_id

    def handler(self, request: httpx.Request) -> httpx.Response:
        host = request.url.host
        if host in self.broken:
            return httpx.Response(500)
        if host == "hf":  # one day's list: the day asked for, else the latest day's
            stamps = [str(item["paper"]["submittedOnDailyAt"])[:10] for item in self.hf]  # type: ignore[index]
            day = request.url.params.get("date") or self.today or max(stamps, default="")
            return httpx.Response(
                200, json=[i for i, d in zip(self.hf, stamps, strict=True) if d == day]
            )
        if host == "rss":
            return httpx.Response(200, content=self._rss())
        return httpx.Response(200, content=self._atom())

    def _rss(self) -> bytes:
        day = self.rss_day.strftime("%a, %d %b %Y 00:00:00 -0400")
        announced = [(aid, title, 1, "new") for aid, title in self.rss]
        announced += [(aid, f"Revised {aid}", v, "replace") for aid, v in self.revised]
        items = "".join(
            f"<item><title>{escape(title)}</title><link>https://arxiv.org/abs/{aid}</link>"
            f"<description>arXiv:{aid}v{v} Announce Type: {kind} Abstract: About it."
            f"</description><guid isPermaLink='false'>oai:arXiv.org:{aid}v{v}</guid>"
            f"<category>cs.LG</category><pubDate>{day}</pubDate>"
            f"<arxiv:announce_type>{kind}</arxiv:announce_type>"
            "<dc:creator>Ada Lovelace</dc:creator></item>"
            for aid, title, v, kind in announced
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?><rss xmlns:arxiv="http://arxiv.org/schemas/'
            'atom" xmlns:dc="http://purl.org/dc/elements/1.1/" version="2.0"><channel>'
            f"<title>cs.LG updates on arXiv.org</title><pubDate>{day}</pubDate>{items}"
            "</channel></rss>"
        ).encode()

    def _atom(self) -> bytes:
        entries = "".join(
            f"<entry><id>http://arxiv.org/abs/{aid}v1</id><title>{escape(title)}</title>"
            f"<summary>About {escape(title)}.</summary>"
            f"<published>{when:%Y-%m-%dT%H:%M:%SZ}</published>"
            f"<updated>{when:%Y-%m-%dT%H:%M:%SZ}</updated>"
            "<author><name>Ada Lovelace</name></author>"
            '<arxiv:primary_category term="cs.LG"/><category term="cs.LG"/></entry>'
            for aid, title, when in self.api
        )
        return (
            "<?xml version='1.0' encoding='UTF-8'?><feed xmlns:opensearch="
            '"http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom"'
            ' xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>q</title>'
            f"<opensearch:totalResults>{len(self.api)}</opensearch:totalResults>"
            f"<opensearch:startIndex>0</opensearch:startIndex>{entries}</feed>"
        ).encode()


@dataclass
class Bot:
    """One `paperboy run` process: its storage and engine (a restart is a new Bot)."""

    storage: Storage
    engine: Engine
    commands: Commands

    async def subscribe(self, target: Target, text: str) -> str:
        reply = await self.commands.handle(f"subscribe {text}", Context(target, "ada", True))
        assert not reply.error, reply.text
        return reply.text

    async def why(self, target: Target, arxiv_id: str) -> str:
        return (await self.commands.handle(f"why {arxiv_id}", Context(target, "ada", False))).text


@dataclass
class Clock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Ticking(Clock):
    """A clock that moves a millisecond each time it is read."""

    def __call__(self) -> datetime:
        self.now += timedelta(milliseconds=1)
        return self.now


@pytest.fixture
async def boot(db_url: str) -> AsyncIterator[object]:
    opened: list[Storage] = []

    async def start(world: World, platform: FakePlatform, clock: Clock) -> Bot:
        storage = await open_storage(db_url)
        opened.append(storage)
        client = httpx.AsyncClient(transport=httpx.MockTransport(world.handler))
        http = Http(client, RetryPolicy(attempts=1), FakeTime().sleep)
        sources = Sources(
            HuggingFace(http, "http://hf"),
            ArxivApi(http, "http://api"),
            ArxivRss(http, "http://rss"),
        )
        engine = build_engine(
            storage.papers,
            storage.subscriptions,
            storage.ledger,
            {"fake": platform},
            Poller(sources),
            clock,
        )
        finder = Finder(storage.papers, live_search=False)
        commands = Commands(
            storage.subscriptions, storage.ledger, storage.papers, finder, engine, clock=clock
        )
        return Bot(storage, engine, commands)

    yield start
    for storage in opened:
        await storage.close()


async def test_a_mid_day_subscription_gets_every_paper_hf_lists_after_it(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=14))
    morning = world.list_on_hf("2606.00001", "Listed this morning", TUESDAY)
    bot = await boot(world, platform, clock)
    reply = await bot.subscribe(ONE, "hf-daily")
    assert "hf-daily lists 1 paper already, not posted" in reply
    caught = await bot.subscribe(TWO, "hf-daily catch-up=3")
    assert "lists 1 paper already, not posted, except the top 1, coming now" in caught
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == []  # it was there before the subscription
    assert platform.papers_in(TWO) == [morning]  # caught up, as asked

    clock.now += timedelta(hours=1)  # 15:00: Hugging Face lists a paper, stamped 00:00 today
    afternoon = world.list_on_hf("2606.00002", "Listed this afternoon", TUESDAY)
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == [afternoon]
    assert platform.papers_in(TWO) == [morning, afternoon]

    bot = await boot(world, platform, clock)  # a restart: a new process, the same database
    clock.now += timedelta(hours=1)
    evening = world.list_on_hf("2606.00003", "Listed this evening", TUESDAY, upvotes=1)
    await bot.engine.run_once()
    clock.now += timedelta(minutes=30)
    await bot.engine.run_once()  # and polling again posts nothing twice
    assert platform.papers_in(ONE) == [afternoon, evening]
    assert platform.papers_in(TWO) == [morning, afternoon, evening]
    assert "#1: listed before this subscription began" in await bot.why(ONE, morning)
    assert "posted" in await bot.why(ONE, afternoon)


async def test_a_subscription_made_while_its_feed_is_down_gets_what_it_lists_after(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    morning = world.list_on_hf("2606.00501", "Listed this morning", TUESDAY)
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")  # its feed is read as it subscribes
    await bot.engine.run_once()

    clock.now += timedelta(hours=1)  # 10:00: Hugging Face answers 500 all day
    world.broken.add("hf")
    reply = await bot.subscribe(TWO, "hf-daily")
    assert "Papers hf-daily lists already are not posted" in reply  # it could not say how many
    await bot.engine.run_once()
    clock.now += timedelta(hours=1)  # 11:00: a paper is listed while the feed is still down
    noon = world.list_on_hf("2606.00502", "Listed while it was down", TUESDAY)
    await bot.engine.run_once()
    clock.now += timedelta(hours=1)  # 12:00: back
    world.broken.clear()
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == [noon]
    assert platform.papers_in(TWO) == [noon]  # not taken for one listed before TWO subscribed
    assert "listed before this subscription began" in await bot.why(TWO, morning)
    assert "#2: posted, 2026-06-09 12:00 UTC" in await bot.why(TWO, noon)


async def test_a_subscription_another_process_polls_first_gets_what_it_lists_after(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    morning = world.list_on_hf("2606.00601", "Listed this morning", TUESDAY)
    first = await boot(world, platform, clock)
    await first.subscribe(ONE, "hf-daily")
    second = await boot(world, platform, clock)
    second.engine.start = _unread  # type: ignore[method-assign]  # the other process polls it
    clock.now += timedelta(minutes=1)
    await second.subscribe(TWO, "hf-daily")
    clock.now += timedelta(minutes=1)
    later = world.list_on_hf("2606.00602", "Listed a minute later", TUESDAY)
    await first.engine.run_once()  # the first poll of TWO's feed since it subscribed
    assert platform.papers_in(TWO) == [later]
    assert platform.papers_in(ONE) == [later]
    assert "listed before this subscription began" in await first.why(TWO, morning)


async def test_what_the_subscribe_time_poll_lists_first_is_not_posted_to_the_new_one(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Ticking(TUESDAY + timedelta(hours=9))  # the poll reads the feed after the subscribing
    world.list_on_hf("2606.00701", "Listed this morning", TUESDAY)
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")
    clock.now += timedelta(minutes=20)
    second = world.list_on_hf("2606.00702", "Listed before TWO subscribed", TUESDAY)
    reply = await bot.subscribe(TWO, "hf-daily")  # this poll is the first to see `second`
    assert "hf-daily lists 2 papers already, not posted" in reply
    await bot.engine.run_once()
    await bot.engine.run_once()  # the subscribe's own delivery may have held the outbox
    assert platform.papers_in(ONE) == [second]
    assert platform.papers_in(TWO) == []  # as the reply said


async def _unread(sub: object) -> None:
    return None  # what `Engine.start` says when it could not read the feed


async def _subscribed_at_nine(boot, rules: str) -> tuple[World, FakePlatform, Clock, Bot]:  # type: ignore[no-untyped-def]
    """Channel ONE subscribed on Tuesday at 09:00, its first poll made; the clock an hour on."""
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, rules)
    await bot.engine.run_once()
    clock.now += timedelta(hours=1)
    return world, platform, clock, bot


async def test_hf_papers_wait_for_upvotes_and_are_decided_when_they_reach_them(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform, clock, bot = await _subscribed_at_nine(boot, "hf-daily min-upvotes=10")
    rising = world.list_on_hf("2606.00010", "Rising", TUESDAY, upvotes=2)
    flat = world.list_on_hf("2606.00011", "Flat", TUESDAY, upvotes=2)
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == []
    assert "waiting (upvotes: 2 of 10 so far" in await bot.why(ONE, rising)
    clock.now += timedelta(hours=5)
    world.hf[0]["paper"]["upvotes"] = 25  # type: ignore[index]
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == [rising]
    world.hf.clear()  # the next day's list no longer has them
    clock.now += timedelta(days=4)
    await bot.engine.run_once()  # the hourly upkeep settles what waited past its window
    assert "filtered (upvotes: too few when its window closed)" in await bot.why(ONE, flat)


@pytest.mark.parametrize("listed_wednesday", [True, False])
async def test_a_paper_added_to_a_days_list_after_its_last_poll_is_posted_the_next_day(
    boot, listed_wednesday: bool
) -> None:  # type: ignore[no-untyped-def]
    """Hugging Face's latest list moves to a new day at midnight UTC: what was added to the day
    before after the last poll is not in it, nor in any later list; it is read from the day
    before's list, also while the new day's list is still empty."""
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=23, minutes=40))
    world.list_on_hf("2606.00901", "Listed Tuesday morning", TUESDAY)
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")
    await bot.engine.run_once()
    late = world.list_on_hf("2606.00902", "Listed Tuesday at 23:55", TUESDAY)
    clock.now = TUESDAY + timedelta(days=1, minutes=10)  # Wednesday 00:10
    news = [late]
    if listed_wednesday:
        news.append(world.list_on_hf("2606.00903", "Listed Wednesday", clock.now))
    else:
        world.today = "2026-06-10"  # Wednesday's list, empty as yet
    await bot.engine.run_once()
    assert sorted(platform.papers_in(ONE)) == news


async def test_after_days_down_the_day_before_the_latest_is_posted_not_every_day(boot) -> None:  # type: ignore[no-untyped-def]
    """Hugging Face's earlier lists are read for late additions to the day before and for
    upvotes; a bot back after days down posts the latest day and the one before, not all."""
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")
    await bot.engine.run_once()
    days = [TUESDAY + timedelta(days=n) for n in (1, 2, 3)]  # Wednesday to Friday
    wednesday, thursday, friday = (
        world.list_on_hf(f"2606.0093{n}", f"Listed on day {n}", day) for n, day in enumerate(days)
    )
    clock.now = TUESDAY + timedelta(days=3, hours=1)  # back on Friday at 01:00
    await bot.engine.run_once()
    assert sorted(platform.papers_in(ONE)) == [thursday, friday]
    assert wednesday not in platform.papers_in(ONE)


async def test_a_catch_up_takes_the_top_papers_not_too_old_to_post(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    old = world.list_on_hf("2606.00941", "Tuesday's favourite", TUESDAY, upvotes=170)
    friday = TUESDAY + timedelta(days=3)
    fresh = [
        world.list_on_hf(f"2606.0095{n}", f"Friday {n}", friday, upvotes=10 - n) for n in range(3)
    ]
    clock = Clock(friday + timedelta(hours=10))
    bot = await boot(world, platform, clock)
    reply = await bot.subscribe(ONE, "hf-daily catch-up=3")
    assert "except the top 3" in reply, reply
    await bot.engine.run_once()
    assert sorted(platform.papers_in(ONE)) == fresh  # not Tuesday's: stale by now
    assert old not in platform.papers_in(ONE)


async def test_upvotes_a_paper_reaches_after_its_day_are_seen(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform, clock, bot = await _subscribed_at_nine(boot, "hf-daily min-upvotes=10")
    slow = world.list_on_hf("2606.00910", "Upvoted the next day", TUESDAY, upvotes=2)
    await bot.engine.run_once()
    assert "waiting (upvotes: 2 of 10 so far" in await bot.why(ONE, slow)
    clock.now = TUESDAY + timedelta(days=1, hours=10)  # Wednesday: the latest list is another
    world.list_on_hf("2606.00911", "Wednesday's paper", TUESDAY + timedelta(days=1), upvotes=1)
    world.hf[0]["paper"]["upvotes"] = 50  # type: ignore[index]
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == [slow]


async def test_arxiv_rss_posts_the_next_announcement_not_todays(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    world.rss = [("2606.00101", "Announced Tuesday")]
    clock = Clock(TUESDAY + timedelta(hours=15))
    bot = await boot(world, platform, clock)
    reply = await bot.subscribe(ONE, "arxiv-rss:cs.LG")
    assert "arxiv-rss:cs.LG lists 1 paper already, not posted" in reply
    await bot.subscribe(TWO, "arxiv-rss:cs.LG catch-up=1")
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == []
    assert platform.papers_in(TWO) == ["2606.00101"]
    bot = await boot(world, platform, clock)  # restarted overnight
    clock.now = TUESDAY + timedelta(days=1, hours=5)
    world.rss, world.rss_day = [("2606.00201", "Announced Wednesday")], TUESDAY + timedelta(1)
    await bot.engine.run_once()
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == ["2606.00201"]
    assert platform.papers_in(TWO) == ["2606.00101", "2606.00201"]


async def test_a_new_version_announced_in_rss_is_a_reply_in_the_cards_thread(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=15))
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "arxiv-rss:cs.LG")
    await bot.engine.run_once()
    clock.now = TUESDAY + timedelta(days=1, hours=5)
    world.rss, world.rss_day = [("2606.00401", "Announced Wednesday")], TUESDAY + timedelta(1)
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == ["2606.00401"]

    # Thursday: arXiv announces its v2 (and a v3 of an old paper the bot never had)
    clock.now = TUESDAY + timedelta(days=2, hours=5)
    world.rss, world.rss_day = [], TUESDAY + timedelta(2)
    world.revised = [("2606.00401", 2), ("2301.00001", 3)]
    await bot.engine.run_once()
    await bot.engine.run_once()  # read again the same day: not said twice
    assert platform.papers_in(ONE) == ["2606.00401"]  # an old paper revised is not a new card
    assert platform.replies_in(ONE) == [
        "reply to m1: New version v2 on arXiv: https://arxiv.org/abs/2606.00401v2"
    ]
    paper = await bot.storage.papers.get("2606.00401")
    assert paper is not None and paper.version == 2
    assert await bot.storage.papers.get("2301.00001") is None


async def test_a_new_version_of_an_old_paper_does_not_make_it_news(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    april = datetime(2026, 4, 15, tzinfo=UTC)
    clock = Clock(april + timedelta(hours=5))
    bot = await boot(world, platform, clock)
    await bot.subscribe(TWO, "arxiv-rss:cs.LG")
    clock.now += timedelta(days=1)
    world.rss, world.rss_day = [("2604.05001", "Old paper")], april + timedelta(days=1)
    await bot.engine.run_once()
    assert platform.papers_in(TWO) == ["2604.05001"]

    clock.now = TUESDAY + timedelta(hours=9)  # June: another channel follows an arXiv query
    await bot.subscribe(ONE, "arxiv-query:cat:cs.LG")
    clock.now += timedelta(days=1)  # arXiv announces v2, and the query returns the paper
    world.rss, world.rss_day = [], TUESDAY + timedelta(days=1)
    world.revised = [("2604.05001", 2)]
    world.api = [("2604.05001", "Old paper", april)]
    await bot.engine.run_once()
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == []  # from April: stale, whatever its new version
    assert "stale" in await bot.why(ONE, "2604.05001")
    assert len(platform.replies_in(TWO)) == 1


async def test_a_card_from_hugging_face_hears_of_a_new_version_in_rss(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")
    await bot.subscribe(TWO, "arxiv-rss:cs.LG")
    clock.now += timedelta(hours=1)
    paper = world.list_on_hf("2606.00801", "Listed on Hugging Face", TUESDAY)
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == [paper]
    clock.now += timedelta(days=2)  # Hugging Face gives no version; arXiv RSS announces v2
    world.rss_day, world.revised = TUESDAY + timedelta(days=2), [(paper, 2)]
    await bot.engine.run_once()
    await bot.engine.run_once()
    assert platform.replies_in(ONE) == [
        "reply to m1: New version v2 on arXiv: https://arxiv.org/abs/2606.00801v2"
    ]


async def test_an_arxiv_query_posts_what_it_returns_after_the_subscription(boot) -> None:  # type: ignore[no-untyped-def]
    """arXiv's API lists a paper hours after its submission date: one submitted before the
    subscription but returned only after it is news, and posted."""
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=15))
    world.api = [("2606.00301", "Already returned", TUESDAY - timedelta(hours=10))]
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "arxiv-query:cat:cs.LG")
    await bot.engine.run_once()
    clock.now += timedelta(hours=8)
    world.api.insert(
        0, ("2606.00302", "Submitted before, returned now", TUESDAY + timedelta(hours=2))
    )
    bot = await boot(world, platform, clock)  # across a restart too
    await bot.engine.run_once()
    await bot.engine.run_once()
    assert platform.papers_in(ONE) == ["2606.00302"]


async def test_a_failing_feed_never_stops_the_others(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=15))
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")
    await bot.subscribe(TWO, "arxiv-rss:cs.LG")
    await bot.engine.run_once()

    class Faulty(Poller):
        async def poll(self, spec: FeedSpec, now: datetime | None = None) -> FeedResult:
            if spec.kind.value == "arxiv-rss":
                raise RuntimeError("a fault nobody foresaw")
            return await super().poll(spec, now)

    bot.engine.intake.poller = Faulty(bot.engine.intake.poller.sources)
    clock.now += timedelta(hours=1)
    paper = world.list_on_hf("2606.00401", "Still posted", TUESDAY)
    report = await bot.engine.run_once()
    assert platform.papers_in(ONE) == [paper]
    assert report.failed_feeds == {"arxiv-rss:cs.LG": "RuntimeError: a fault nobody foresaw"}


async def test_an_oversized_subscription_is_refused_with_a_reason(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    bot = await boot(world, platform, Clock(TUESDAY))
    query = "all:" + "_OR_all:".join(f"word{n}" for n in range(60))  # 600 characters and more
    reply = await bot.commands.handle(f"subscribe arxiv-query:{query}", Context(ONE, "a", True))
    assert reply.error and "at most 300 characters" in reply.text
    assert await bot.storage.subscriptions.all() == []
    with pytest.raises(ValueError, match="at most 300"):
        parse_feed_spec("arxiv-query:" + "x" * 301)


async def test_keys_are_never_reused_after_unsubscribing(boot) -> None:  # type: ignore[no-untyped-def]
    """SQLite reuses a deleted row's id: a key made of it would name two deliveries."""
    from bot.domain import Decision, Rules

    world, platform = World(), FakePlatform()
    now = TUESDAY
    bot = await boot(world, platform, Clock(now))
    keys = []
    for _ in range(3):
        sub = await bot.storage.subscriptions.add(ONE, parse_feed_spec("hf-daily"), Rules(), now)
        await bot.storage.ledger.record(
            [Decided(sub.id, "2606.00001", Decision(Outcome.PENDING, "m"), now)], now
        )
        (claim,) = await bot.storage.ledger.claim(now, timedelta(minutes=1), 10)
        keys.append(claim.key)
        await bot.storage.subscriptions.remove(sub.id)
    assert len(set(keys)) == 3 and all(len(k) <= 25 for k in keys)


async def test_a_crashed_workers_deliveries_wait_about_a_minute(boot) -> None:  # type: ignore[no-untyped-def]
    from bot.domain import Decision, Rules

    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY)
    first, second = await boot(world, platform, clock), await boot(world, platform, clock)
    sub = await first.storage.subscriptions.add(
        ONE, parse_feed_spec("hf-daily"), Rules(), clock.now
    )
    ids = [f"2606.{n:05d}" for n in range(250)]
    await first.storage.ledger.record(
        [Decided(sub.id, i, Decision(Outcome.PENDING, "matches"), clock.now) for i in ids],
        clock.now,
    )
    taken = await first.storage.ledger.claim(
        clock.now, first.engine.deliverer.lease, first.engine.deliverer.batch
    )
    assert (
        len(taken) == first.engine.deliverer.batch == 100
    )  # small batches: the others stay for others
    # The first worker renews what it still works on; then it dies.
    clock.now += timedelta(seconds=40)
    await first.storage.ledger.renew(taken, clock.now + first.engine.deliverer.lease)
    clock.now += timedelta(seconds=40)
    rest = await second.storage.ledger.claim(clock.now, second.engine.deliverer.lease, 1000)
    assert len(rest) == 150  # the renewed lease still holds
    clock.now += timedelta(seconds=21)  # a minute after the last renewal
    retaken = await second.storage.ledger.claim(clock.now, second.engine.deliverer.lease, 1000)
    assert sorted(c.delivery_id for c in retaken) == sorted(c.delivery_id for c in taken)
    assert all(c.recovering for c in retaken)
    await first.storage.ledger.renew(taken, clock.now + timedelta(hours=1))  # too late: not its
    clock.now += timedelta(seconds=61)
    assert (
        len(await first.storage.ledger.claim(clock.now, first.engine.deliverer.lease, 1000)) == 250
    )


async def test_old_decisions_are_pruned_but_posted_cards_kept(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    bot = await boot(world, platform, clock)
    await bot.subscribe(ONE, "hf-daily")
    await bot.subscribe(ONE, "hf-daily keywords=diffusion")
    await bot.engine.run_once()
    clock.now += timedelta(hours=1)
    paper = world.list_on_hf("2606.00501", "Diffusion", TUESDAY)
    await bot.engine.run_once()
    assert sorted(r.outcome for r in await bot.storage.ledger.why(paper)) == [
        Outcome.DUPLICATE,
        Outcome.POSTED,
    ]
    assert await bot.storage.ledger.prune(clock.now - timedelta(days=30)) == 0
    assert await bot.storage.ledger.prune(clock.now + timedelta(days=1)) == 1
    assert [r.outcome for r in await bot.storage.ledger.why(paper)] == [Outcome.POSTED]


async def test_a_process_without_a_platform_leaves_its_posts_to_one_that_has_it(boot) -> None:  # type: ignore[no-untyped-def]
    world, platform = World(), FakePlatform()
    clock = Clock(TUESDAY + timedelta(hours=9))
    with_it = await boot(world, platform, clock)
    without = await boot(world, platform, clock)
    without.engine.deliverer.publishers = {}  # e.g. a process started without the Discord token
    await with_it.subscribe(ONE, "hf-daily")
    clock.now += timedelta(hours=1)
    paper = world.list_on_hf("2606.00001", "Listed after", TUESDAY)
    await without.engine.run_once()  # it polls and decides, but cannot post to "fake"
    assert platform.papers_in(ONE) == []
    assert "pending" in await without.why(ONE, paper)
    await with_it.engine.deliver()  # nothing waited out a retry delay in between
    assert platform.papers_in(ONE) == [paper]
