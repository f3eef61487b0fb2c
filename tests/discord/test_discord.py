"""The Discord adapter: the real discord.py client against a fake Discord (REST + gateway) on
loopback, with the real store, command set and engine. Assertions read the fake's wire log."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import discord
import pytest
import sqlalchemy as sa
from discord.gateway import DiscordWebSocket
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.client import DiscordBot, DiscordOptions, client_id_of, invite_url
from bot.domain import Claim, DeliveryKind, Origin, Outcome, Outgoing, Paper, Target
from bot.engine import Engine, build_engine, utc_now
from bot.qa.service import ARRIVED, LATE_FOLLOWS, STILL_LATE
from storage import Storage
from tests.chat import (
    ODD_INPUTS,
    PROMOTED_PAPERS,
    PROMOTING,
    Core,
    core,
    daily,
    paperboy_process,
    promoted_list,
    promoted_why,
    run_env,
    start_paperboy,
    stop_paperboy,
    studies,
    until,
)
from tests.discord.fake_discord import (
    BOT_ID,
    DROPPED,
    EVERYONE,
    FORUM_CHANNEL,
    GONE_CHANNEL,
    GUILD_ID,
    MANAGE_CHANNELS,
    TEXT_CHANNEL,
    FakeDiscord,
)
from tests.fakes import CountedVotes
from tests.feed.fake_platform import Crash

HOSTILE = (
    "@everyone <@1100000000000000010> <@&42> **Free** [click](https://evil.example) " + "x" * 400
)
HERE = Target("discord", TEXT_CHANNEL)


@dataclass
class Paperboy:
    fake: FakeDiscord
    bot: DiscordBot
    storage: Storage
    engine: Engine
    feed: list[dict[str, Any]]
    core: Core


@asynccontextmanager
async def running(
    tmp_path: Path, options: dict[str, Any], database_url: str | None = None, **more: Any
) -> AsyncIterator[Paperboy]:
    """The bot against the fake Discord; `more`: the core's options (see `tests.chat.core`)."""
    fake = FakeDiscord()
    await fake.start()
    async with core(tmp_path, database_url, **more) as wired:
        bot = DiscordBot(
            wired.commands,
            wired.threads,
            wired.storage.votes,
            "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token",
            DiscordOptions(api_base_url=fake.api, gateway_url=fake.gateway, **options),
        )
        wired.publishers["discord"] = bot.publisher
        # discord.py calls itself ready `guild_ready_timeout` (2 s) after the last GUILD_CREATE;
        # the fake sends its one guild right after READY: wait for that guild, not 2 s.
        bot.client._connection.guild_ready_timeout = 0.05
        task = asyncio.create_task(bot.start())
        await asyncio.wait_for(bot.client.wait_until_ready(), 10)
        await until(lambda: (g := bot.client.get_guild(int(GUILD_ID))) and not g.unavailable)
        yield Paperboy(fake, bot, wired.storage, wired.engine, wired.feed, wired)
        await bot.close()
        await asyncio.wait_for(task, 10)
    await fake.stop()


def _restore_endpoints(monkeypatch: pytest.MonkeyPatch) -> None:
    """discord.py's endpoints are module-wide: restored after the test."""
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)


@pytest.fixture
async def paperboy(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Paperboy]:
    _restore_endpoints(monkeypatch)
    async with running(tmp_path, getattr(request, "param", {})) as started:
        yield started


@pytest.fixture
async def paperboy_on(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Paperboy]:
    """The bot on SQLite and on PostgreSQL."""
    _restore_endpoints(monkeypatch)
    async with running(tmp_path, {}, db_url) as started:
        yield started


def callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any] | None:
    return next((body for i, body in fake.callbacks if i == interaction_id), None)


async def reply_to(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    """What the bot answered to an interaction: the message itself, or the deferred follow-up."""
    body = await until(lambda: callback(fake, interaction_id))
    if body["type"] == 4:
        return dict(body["data"])
    assert body["type"] == 5  # deferred ("thinking"), within the 3 seconds
    token = f"token-{interaction_id}"
    return dict(
        await until(
            lambda: next(
                (
                    b
                    for m, p, b in fake.wire
                    if token in p and m in ("POST", "PATCH") and "callback" not in p
                ),
                None,
            )
        )
    )


async def test_connects_with_minimal_intents_and_registers_papers(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    assert fake.identify is not None
    intents = discord.Intents._from_value(fake.identify["intents"])
    assert intents.guilds and intents.guild_messages and intents.guild_reactions
    assert not intents.message_content and not intents.members and not intents.presences
    (papers,) = fake.commands
    assert papers["name"] == "papers"
    assert {o["name"] for o in papers["options"]} == {
        "search",
        "show",
        "related",
        "ask",
        "subscribe",
        "unsubscribe",
        "resume",
        "subscriptions",
        "why",
        "digest",
        "top",
        "taste",
        "help",
    }


async def test_subscribe_needs_manage_channels_then_cards_are_posted_with_threads(
    paperboy: Paperboy,
) -> None:
    fake = paperboy.fake
    denied = await fake.slash("subscribe", {"source": "hf-daily"}, permissions=EVERYONE)
    body = await reply_to(fake, denied)
    assert "manage the channel" in body["content"]
    assert body["flags"] & 64  # ephemeral: only the asker sees it
    assert await paperboy.storage.subscriptions.for_target(HERE) == []

    done = await fake.slash(
        "subscribe", {"source": "hf-daily", "catch_up": 5}, permissions=EVERYONE | MANAGE_CHANNELS
    )
    assert "Subscribed: #1 hf-daily" in (await reply_to(fake, done))["content"]

    paperboy.feed.extend(daily(("2611.00001", "Diffusion video models"), ("2611.00002", HOSTILE)))
    report = await paperboy.engine.run_once()
    assert report.posted == 2
    cards = fake.posts(TEXT_CHANNEL)
    assert len(cards) == 2
    for card in cards:
        assert card["allowed_mentions"] == {"parse": []}  # no title can ping anyone
        assert card["nonce"].startswith("paperboy-")
        (embed,) = card["embeds"]
        assert len(embed["title"]) <= 256
        buttons = card["components"][0]["components"]
        assert [b["label"] for b in buttons][:2] == ["arXiv", "PDF"]
        assert card["id"] in fake.threads  # a thread under every card
        assert 1 <= len(fake.threads[card["id"]]["name"]) <= 100
    hostile = cards[1]["embeds"][0]["title"]
    assert "@\u200beveryone" in hostile and "<@\u200b1100000000000000010>" in hostile
    assert "\\*\\*Free\\*\\*" in hostile  # shown as typed, not bold

    # Running again posts nothing twice.
    assert (await paperboy.engine.run_once()).posted == 0
    assert len(fake.posts(TEXT_CHANNEL)) == 2


async def test_a_dropped_connection_while_opening_a_cards_thread_keeps_the_card(
    paperboy: Paperboy,
) -> None:
    """The card is posted, then the connection drops as its thread is being made: the card
    counts as posted (never posted twice); its thread is made when a reply needs it."""
    fake = paperboy.fake
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    fake.fail("POST", rf"/channels/{TEXT_CHANNEL}/messages/\d+/threads$", DROPPED)
    report = await paperboy.engine.run_once()
    assert report.posted == 1 and report.deferred == 0
    (card,) = fake.posts(TEXT_CHANNEL)
    assert card["id"] not in fake.threads
    assert (await paperboy.engine.run_once()).posted == 0
    assert len(fake.posts(TEXT_CHANNEL)) == 1


async def test_search_with_hostile_input_and_paging(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    await paperboy.storage.papers.upsert(studies())

    hostile = await fake.slash("search", {"query": 'diffusion "unclosed <@&1> @here ' + "z" * 300})
    body = await reply_to(fake, hostile)
    assert body["content"] == "No papers found."  # read as words, none breaks anything
    assert body["allowed_mentions"] == {"parse": []}
    pasted = await fake.slash("search", {"query": "x" * 1500})
    refused = await reply_to(fake, pasted)
    assert refused["flags"] & 64 and "under 1,000" in refused["content"]  # a clear, private no

    first = await fake.slash("search", {"query": "diffusion"})
    page1 = await reply_to(fake, first)
    assert page1["content"].startswith("Page 1:")
    assert len(page1["embeds"]) == 5
    buttons = page1["components"][0]["components"]
    assert [b["label"] for b in buttons] == ["◀ Previous", "Next ▶"]
    assert buttons[0]["disabled"] is True
    message = next(m for m in fake.messages[TEXT_CHANNEL] if m["content"].startswith("Page 1:"))
    clicked = await fake.click(buttons[1]["custom_id"], message)
    turned = await until(lambda: callback(fake, clicked))
    assert turned["type"] == 6  # acknowledged at once; the message is then updated in place
    token = f"token-{clicked}"
    edited = await until(
        lambda: next((b for m, p, b in fake.wire if m == "PATCH" and token in p), None)
    )
    assert edited["content"].startswith("Page 2:")
    assert len(edited["embeds"]) == 2


async def test_a_cards_related_button_shows_the_closest_papers_to_whoever_clicked(
    paperboy: Paperboy,
) -> None:
    fake = paperboy.fake
    await paperboy.storage.papers.upsert(studies(3))
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00042", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    buttons = [b for row in card["components"] for b in row["components"]]
    (related,) = [b for b in buttons if b.get("custom_id")]
    assert related["label"] == "Related papers" and related["style"] == 2
    assert related["custom_id"] == "paperboy:related:2611.00042"

    clicked = await fake.click(related["custom_id"], card)
    body = await reply_to(fake, clicked)
    assert body["flags"] & 64  # only whoever clicked sees it: the channel is not filled
    assert body["content"].startswith("Related to “Diffusion video models” (arXiv:2611.00042)")
    titles = [embed["title"] for embed in body["embeds"]]
    assert titles and all("Diffusion study number" in t for t in titles)
    assert not any("video" in t for t in titles)  # the paper itself is left out

    # The button of a card this process never posted (one from before a restart): answered
    # by its id alone.
    older = json.loads(json.dumps(card).replace("2611.00042", "2611.00001"))
    again = await fake.click("paperboy:related:2611.00001", older)
    reply = await reply_to(fake, again)
    assert reply["content"].startswith("Related to “Diffusion study number 1”")


async def subscribed(paperboy: Paperboy, channel: str, *papers: tuple[str, str]) -> None:
    await paperboy.core.subscribe(Target("discord", channel), *papers)


async def test_a_question_in_a_cards_thread_is_answered_there_with_history(
    paperboy: Paperboy,
) -> None:
    fake = paperboy.fake
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    thread = card["id"]

    # Without the Message Content intent a plain message arrives empty: the bot says how to ask.
    await fake.say(thread, "")
    hint = await until(lambda: fake.posts(thread))
    assert "/papers ask" in hint[0]["content"]

    # A mention carries its text even without the intent.
    await fake.say(thread, f"<@{BOT_ID}> which dataset do they use?")
    answers = await until(lambda: fake.posts(thread)[1:])
    assert "ImageNet" in answers[0]["content"]
    assert answers[0]["message_reference"]["message_id"]  # a reply to the question
    assert answers[0]["allowed_mentions"] == {"parse": []}

    # `/papers ask` inside the thread knows the paper; the thread's turns are in our store.
    asked = await fake.slash("ask", {"question": "what accuracy gain?"}, channel=thread)
    assert "3 points" in (await reply_to(fake, asked))["content"]
    turns = await paperboy.storage.threads.turns(HERE, thread, 10)
    assert [t.text for t in turns[::2]] == ["which dataset do they use?", "what accuracy gain?"]


async def test_a_question_is_answered_in_time_while_every_full_text_source_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restore_endpoints(monkeypatch)
    async with running(
        tmp_path, {}, full_text_hangs=True, answer_wait_seconds=0.5, answer_improve_seconds=6
    ) as paperboy:
        fake = paperboy.fake
        await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
        await paperboy.engine.run_once()  # the card's full text is being fetched: it hangs
        (card,) = fake.posts(TEXT_CHANNEL)
        asked = time.monotonic()
        await fake.say(card["id"], f"<@{BOT_ID}> which dataset do they use?")
        # The reply is posted at its first piece (the note) and edited as the answer grows.
        (answer,) = await until(
            lambda: [m for m in fake.posts(card["id"]) if "ImageNet dataset" in m["content"]]
        )  # from the abstract, quoted
        assert time.monotonic() - asked < 3  # the wait (0.5 s here, 6 s by default), not 30
        assert answer["content"].startswith(LATE_FOLLOWS.strip())
        # The full text does not come within the improvement's wait: the answer says so. While
        # it waits, the bot is not "typing" (discord.py would repeat it every 5 s).
        await until(lambda: STILL_LATE.strip() in fake.posts(card["id"])[0]["content"], 15)
        assert len(fake.posts(card["id"])) == 1
        assert len(fake.requests("POST", rf"/channels/{card['id']}/typing$")) == 1


async def test_an_answer_from_the_abstract_grows_with_the_full_texts_when_it_arrives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _restore_endpoints(monkeypatch)
    async with running(tmp_path, {}, full_text_after=1.0, answer_wait_seconds=0.3) as paperboy:
        fake = paperboy.fake
        await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
        await paperboy.engine.run_once()  # the card's full text is fetched: it takes 2 s
        (card,) = fake.posts(TEXT_CHANNEL)
        await fake.say(card["id"], f"<@{BOT_ID}> which dataset do they use?")
        (answer,) = await until(lambda: fake.posts(card["id"]))
        assert answer["content"].startswith(LATE_FOLLOWS.strip())
        assert "Kinetics" not in answer["content"]  # the abstract's answer first, at once
        # Then the same message is edited: the full text's answer follows the abstract's.
        (grown,) = await until(
            lambda: [m for m in fake.posts(card["id"]) if "Kinetics-700" in m["content"]]
        )
        assert grown["id"] == answer["id"] and grown["edited_timestamp"] is not None
        assert "ImageNet dataset" in grown["content"] and ARRIVED.strip() in grown["content"]
        # The thread's memory: the question and the abstract's answer, kept when it was given
        # (a follow-up asked meanwhile reads it), then the full text's.
        for _ in range(100):  # kept once the answer is whole
            turns = await paperboy.storage.threads.turns(HERE, card["id"], 10)
            if len(turns) == 3:
                break
            await asyncio.sleep(0.05)
        question, first, then = turns
        assert question.text == "which dataset do they use?"
        assert "ImageNet dataset" in first.text and "Kinetics" not in first.text
        assert then.text.startswith("From the full text, on “which dataset do they use?”: ")
        assert "Kinetics-700" in then.text and "ImageNet" not in then.text


async def test_a_promoted_card_says_why_the_rest_are_one_list_and_taste_answers(
    paperboy: Paperboy,
) -> None:
    fake = paperboy.fake
    here = Target("discord", TEXT_CHANNEL)
    await paperboy.core.subscribe(here, *PROMOTED_PAPERS, rules=PROMOTING)
    await paperboy.engine.run_once()
    card, listed = fake.posts(TEXT_CHANNEL)
    fields = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}
    assert promoted_why(fields["Why here"]), fields
    assert promoted_list(listed["content"]), listed["content"]
    asked = await fake.slash("taste", {}, channel=TEXT_CHANNEL)
    said = (await reply_to(fake, asked))["content"]
    assert "subscriptions' rules" in said and "diffusion" in said and "graph" in said
    reset = await fake.slash("taste", {"action": "reset"}, channel=TEXT_CHANNEL)
    assert "manage the channel" in (await reply_to(fake, reset))["content"]


async def test_a_429_is_retried_once_after_retry_after(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    fake.fail("POST", rf"/channels/{TEXT_CHANNEL}/messages$", 429, retry_after=0.3)
    began = asyncio.get_running_loop().time()
    assert (await paperboy.engine.run_once()).posted == 1
    assert asyncio.get_running_loop().time() - began >= 0.3
    assert len(fake.requests("POST", rf"/channels/{TEXT_CHANNEL}/messages$")) == 2  # one retry
    assert len(fake.posts(TEXT_CHANNEL)) == 1


async def test_a_lost_channel_pauses_its_subscription_and_a_rejected_card_is_not_retried(
    paperboy: Paperboy, caplog: pytest.LogCaptureFixture
) -> None:
    fake = paperboy.fake
    await subscribed(paperboy, GONE_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (sub,) = await paperboy.storage.subscriptions.for_target(Target("discord", GONE_CHANNEL))
    assert sub.paused is not None and "Missing Access" in sub.paused

    await subscribed(paperboy, TEXT_CHANNEL)
    fake.fail("POST", rf"/channels/{TEXT_CHANNEL}/messages$", 400, times=10)
    await paperboy.engine.run_once()
    await paperboy.engine.run_once()
    assert len(fake.requests("POST", rf"/channels/{TEXT_CHANNEL}/messages$")) == 1
    records = [r for r in await paperboy.storage.ledger.why("2611.00001") if r.target == HERE]
    assert records[0].outcome is Outcome.FAILED and "50035" in records[0].reason
    assert "2611.00001" in caplog.text


async def test_a_crash_between_posting_and_recording_does_not_post_twice(
    paperboy: Paperboy,
) -> None:
    publisher, fake = paperboy.bot.publisher, paperboy.fake
    await paperboy.storage.papers.upsert(
        [Paper(arxiv_id="2611.00001", title="A", sources=frozenset({Origin.ARXIV_API}))]
    )
    from bot.cards import card_for

    card = card_for(await paperboy.storage.papers.get("2611.00001"))  # type: ignore[arg-type]
    first = await publisher.post(HERE, card, "paperboy-7")
    again = await publisher.post(HERE, card, "paperboy-7")  # a retry: Discord's nonce check
    assert first == again and len(fake.posts(TEXT_CHANNEL)) == 1
    assert await publisher.find(HERE, "paperboy-7") == first  # after a restart: the footer
    assert await publisher.find(HERE, "paperboy-8") is None


async def test_replies_and_digests_carry_their_key_where_find_reads_it(
    paperboy: Paperboy,
) -> None:
    fake, publisher = paperboy.fake, paperboy.bot.publisher
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    reply = await publisher.reply(HERE, card["id"], "Code released.", "paperboy-90")
    digest = await publisher.post_text(HERE, "Daily digest: the top 1 papers", "paperboy-91")
    fake.forget_nonces()  # found by what history shows, not by Discord's short nonce memory

    # A reply is looked for in its card's thread, a digest in the channel.
    assert await publisher.find(HERE, "paperboy-90", card["id"]) == reply
    assert await publisher.find(HERE, "paperboy-91") == digest
    assert await publisher.find(HERE, "paperboy-92", card["id"]) is None
    assert await publisher.find(HERE, "paperboy-92") is None
    assert await publisher.find(HERE, "paperboy-90") is None  # not in the channel itself
    # A card whose thread was never made has no reply in it (and `find` does not fail).
    assert await publisher.find(HERE, "paperboy-90", "1299999999999999999") is None

    # The key is a last line of subtext; typed into the text, it is escaped and counts for nothing.
    assert fake.posts(card["id"])[0]["content"] == "Code released.\n-# paperboy-90"
    spoof = await publisher.post_text(HERE, "Look\n-# paperboy-93", "paperboy-94")
    assert await publisher.find(HERE, "paperboy-93") is None
    assert await publisher.find(HERE, "paperboy-94") == spoof

    # A long digest takes several messages; the last carries the key, and is the one found.
    long = "\n".join(f"{n}. A paper about diffusion, " + "y" * 80 for n in range(60))
    posted = await publisher.post_text(HERE, long, "paperboy-95")
    pieces = [m for m in fake.posts(TEXT_CHANNEL) if m["nonce"].startswith("paperboy-95")]
    assert len(pieces) > 1 and all(len(p["content"]) <= 2000 for p in pieces)
    assert sum(p["content"].count("A paper about diffusion") for p in pieces) == 60
    assert ["paperboy-95" in p["content"] for p in pieces] == [False] * (len(pieces) - 1) + [True]
    assert pieces[-1]["id"] == posted and pieces[-1]["content"].endswith("\n-# paperboy-95")
    assert await publisher.find(HERE, "paperboy-95") == posted


async def test_a_reply_in_a_forum_post_is_found_in_the_post(paperboy: Paperboy) -> None:
    fake, publisher = paperboy.fake, paperboy.bot.publisher
    forum = Target("discord", FORUM_CHANNEL)
    await subscribed(paperboy, FORUM_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (post,) = fake.threads
    reply = await publisher.reply(forum, post, "A new version: v2.", "paperboy-96")
    assert await publisher.find(forum, "paperboy-96", post) == reply
    assert await publisher.find(forum, "paperboy-97", post) is None


class DiesWhileRecording:
    """The ledger of a process that dies after a post, before recording it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def finish(self, claim: Claim, *args: Any) -> None:
        raise Crash("after posting, before recording")


async def crash_then_recover(paperboy: Paperboy) -> int:
    """One worker posts what is queued and dies before recording it; once its lease has run out
    (and with it Discord's memory of the nonce), another takes over. Returns what that one
    counted as posted."""
    engine = paperboy.engine
    dying = build_engine(
        engine.deliverer.papers,
        engine.deliverer.subscriptions,
        DiesWhileRecording(engine.decider.ledger),
        engine.deliverer.publishers,
        engine.intake.poller,
    )
    with pytest.raises(BaseExceptionGroup) as died:
        await dying.deliver()
    assert died.group_contains(Crash, match="before recording", depth=None)
    paperboy.fake.forget_nonces()
    later = utc_now() + engine.deliverer.lease + timedelta(seconds=1)
    restarted = build_engine(
        engine.deliverer.papers,
        engine.deliverer.subscriptions,
        engine.decider.ledger,
        engine.deliverer.publishers,
        engine.intake.poller,
        lambda: later,
    )
    return (await restarted.deliver()).posted


async def test_a_crash_after_a_reply_or_digest_is_sent_does_not_send_it_twice(
    paperboy: Paperboy,
) -> None:
    fake, ledger = paperboy.fake, paperboy.storage.ledger
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    (sub,) = await paperboy.storage.subscriptions.for_target(HERE)

    code = Outgoing(sub.id, DeliveryKind.UPDATE, "2611.00001", "code", "Code released.")
    await ledger.queue([code], utc_now())
    assert await crash_then_recover(paperboy) == 1  # confirmed from the thread, not sent again
    (reply,) = fake.posts(card["id"])
    assert reply["content"].startswith("Code released.")
    (update,) = [
        r
        for r in await ledger.why("2611.00001")
        if (r.kind, r.topic) == (DeliveryKind.UPDATE, "code")
    ]
    assert update.outcome is Outcome.POSTED and update.message_id == reply["id"]

    text = "Daily digest: the top 1 papers"
    await ledger.queue(
        [Outgoing(sub.id, DeliveryKind.DIGEST, None, "2026-11-26T08:00", text)], utc_now()
    )
    assert await crash_then_recover(paperboy) == 1
    digests = [m for m in fake.posts(TEXT_CHANNEL) if m["content"].startswith("Daily digest")]
    assert len(digests) == 1
    digest = sa.text("SELECT outcome, message_id FROM deliveries WHERE kind = 'digest'")
    async with paperboy.storage.engine.connect() as conn:
        row = (await conn.execute(digest)).one()
    assert row.outcome == "posted" and row.message_id == digests[0]["id"]


async def test_forum_posts_are_tagged_and_reactions_make_top(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    await subscribed(
        paperboy,
        FORUM_CHANNEL,
        ("2611.00001", "Diffusion video models"),
        ("2611.00002", "Graph nets"),
    )
    # arXiv already told us their categories (HF's daily list does not carry them).
    await paperboy.storage.papers.upsert(
        [
            Paper(
                arxiv_id=f"2611.0000{n}",
                categories=("cs.CV",),
                sources=frozenset({Origin.ARXIV_API}),
            )
            for n in (1, 2)
        ]
    )
    assert (await paperboy.engine.run_once()).posted == 2
    posts = fake.requests("POST", rf"/channels/{FORUM_CHANNEL}/threads$")
    assert len(posts) == 2
    assert all(p["message"]["allowed_mentions"] == {"parse": []} for p in posts)
    assert [p["applied_tags"] for p in posts] == [["1300000000000000002"]] * 2  # the cs.CV tag
    # Forum posts take no nonce: after a crash, `find` looks at the recent posts' footers.
    forum_target = Target("discord", FORUM_CHANNEL)
    (second,) = [
        r for r in await paperboy.storage.ledger.why("2611.00002") if r.target == forum_target
    ]
    key = posts[1]["message"]["embeds"][0]["footer"]["text"].rsplit(" · ", 1)[1]
    assert await paperboy.bot.publisher.find(forum_target, key) == second.message_id
    assert await paperboy.bot.publisher.find(forum_target, "paperboy-999") is None
    threads = list(fake.threads)
    paperboy.bot.votes = votes = CountedVotes(paperboy.bot.votes)
    # Two people like the second paper, one the first. A second emoji from the same person counts
    # once, and taking one of them back leaves the other; a thumbs-down is no vote (it counts
    # against the paper in the channel's taste).
    await fake.react(threads[1], threads[1], "1100000000000000020")
    await fake.react(threads[1], threads[1], "1100000000000000021")
    await fake.react(threads[1], threads[1], "1100000000000000021", emoji="🔥")
    await fake.react(threads[1], threads[1], "1100000000000000021", emoji="🔥", add=False)
    await fake.react(threads[0], threads[0], "1100000000000000020")
    await fake.react(threads[0], threads[0], "1100000000000000022", emoji="👎")
    forum = Target("discord", FORUM_CHANNEL)
    await until(lambda: votes.recorded == 6)
    top = await fake.slash("top", {}, channel=FORUM_CHANNEL)
    text = (await reply_to(fake, top))["content"]
    assert text.index("Graph nets") < text.index("Diffusion video models")
    assert "2 votes" in text and "1 vote" in text
    assert await paperboy.storage.votes.top(forum, datetime(2026, 1, 1, tzinfo=UTC), 5) == [
        ("2611.00002", 2),
        ("2611.00001", 1),
    ]
    signals = {s.arxiv_id: s for s in await paperboy.storage.signals.of_channel(forum, 10)}
    assert (signals["2611.00001"].up, signals["2611.00001"].down) == (1, 1)
    assert (signals["2611.00002"].up, signals["2611.00002"].down) == (2, 0)


def test_invite_url_has_exactly_the_scopes_and_permissions_used() -> None:
    url = invite_url("1100000000000000001")
    assert "client_id=1100000000000000001" in url
    assert "scope=bot+applications.commands" in url
    permissions = discord.Permissions(int(url.split("permissions=")[1].split("&")[0]))
    assert permissions.send_messages_in_threads and permissions.create_public_threads
    assert not permissions.administrator and not permissions.mention_everyone
    assert client_id_of("MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token") == "1100000000000000001"
    assert client_id_of("not a token") is None


def test_invite_url_command(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from adapters.cli import app

    monkeypatch.setenv("DISCORD_TOKEN", "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token")
    done = CliRunner().invoke(app, ["discord", "invite-url"])
    assert done.exit_code == 0, done.output
    assert done.output.strip() == invite_url("1100000000000000001")
    monkeypatch.delenv("DISCORD_TOKEN")
    missing = CliRunner().invoke(app, ["discord", "invite-url"])
    assert missing.exit_code == 2 and "--client-id" in missing.output


async def test_paperboy_run_serves_discord_when_its_token_is_set(tmp_path: Path) -> None:
    """`paperboy run` as deployed: its own process, settings from the environment, sources over
    HTTP, Discord on; a subscription made with /papers gets cards; SIGTERM stops it cleanly."""
    from tests.fake_sources import FakeSources

    fake = FakeDiscord()
    await fake.start()
    papers = daily(("2611.00001", "Sparse Mixture of α-Experts"), ("2611.00002", "Graph nets"))
    with FakeSources({"hf": json.dumps(papers).encode()}) as sources:
        env = run_env(
            tmp_path,
            **sources.env(),
            DISCORD_TOKEN="MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token",
            DISCORD_API_BASE_URL=fake.api,
            DISCORD_GATEWAY_URL=fake.gateway,
        )
        process = await start_paperboy(["run"], env, tmp_path)
        try:
            await asyncio.wait_for(fake.ready.wait(), 30)
            await until(lambda: fake.commands)
            done = await fake.slash(
                "subscribe",
                {"source": "hf-daily", "catch_up": 5},
                permissions=EVERYONE | MANAGE_CHANNELS,
            )
            assert "Subscribed" in (await reply_to(fake, done))["content"]
            cards = await until(
                lambda: len(fake.posts(TEXT_CHANNEL)) >= 2 and fake.posts(TEXT_CHANNEL), 20
            )
            titles = {c["embeds"][0]["title"] for c in cards}
            assert titles == {"Sparse Mixture of α-Experts", "Graph nets"}
        finally:
            status, stderr = await stop_paperboy(process)
            await fake.stop()
    assert status == 0, stderr
    assert "Discord: connected as Paperboy" in stderr and "Traceback" not in stderr


async def test_paper_options_autocomplete_from_the_store(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    await paperboy.storage.papers.upsert(
        [
            Paper(
                arxiv_id="2611.00001",
                title="Diffusion video models",
                sources=frozenset({Origin.ARXIV_API}),
            )
        ]
    )
    typing = await fake.slash("show", {"paper": "diffus"}, kind=4, focused="paper")
    body = await until(lambda: callback(fake, typing))
    assert body["type"] == 8
    assert body["data"]["choices"] == [
        {"name": "2611.00001 Diffusion video models", "value": "2611.00001"}
    ]


@pytest.mark.parametrize("paperboy", [{"message_content": True}], indirect=True)
async def test_with_the_message_content_intent_plain_questions_are_answered(
    paperboy: Paperboy,
) -> None:
    fake = paperboy.fake
    assert discord.Intents._from_value(fake.identify["intents"]).message_content  # type: ignore[index]
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    await fake.say(card["id"], "which dataset do they use?")
    (answer,) = await until(lambda: fake.posts(card["id"]))
    assert "ImageNet" in answer["content"]
    await fake.say(TEXT_CHANNEL, "which dataset do they use?")  # not in a card's thread: no answer
    await asyncio.sleep(0.3)
    assert len(fake.posts(TEXT_CHANNEL)) == 1


@pytest.mark.parametrize("paperboy", [{"sharded": True, "shard_count": 1}], indirect=True)
async def test_sharded_client_connects_and_posts(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    assert isinstance(paperboy.bot.client, discord.AutoShardedClient)
    assert fake.identify is not None and fake.identify["shard"] == [0, 1]
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    assert (await paperboy.engine.run_once()).posted == 1


@pytest.mark.parametrize("paperboy", [{"shard_count": 2, "shard_ids": (1,)}], indirect=True)
async def test_one_of_several_processes_connects_its_own_shard(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    assert fake.identify is not None and fake.identify["shard"] == [1, 2]
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    assert (await paperboy.engine.run_once()).posted == 1  # any channel, over REST


def test_shard_ids_need_a_count_above_them() -> None:
    from pydantic import ValidationError

    from adapters.settings import Settings

    assert Settings(discord_shard_ids="2,0", discord_shard_count=3).discord_shard_ids_list == (
        0,
        2,
    )
    for bad in ({"discord_shard_ids": "0"}, {"discord_shard_ids": "3", "discord_shard_count": 3}):
        with pytest.raises(ValidationError, match="SHARD_COUNT"):
            Settings(**bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Settings(discord_shard_ids="0;1", discord_shard_count=3)


async def test_a_slow_command_is_deferred_then_answered(
    paperboy: Paperboy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapters.discord.commands as discord_commands

    monkeypatch.setattr(discord_commands, "ANSWER_WITHIN", 0.0)  # as if the search took > 2 s
    fake = paperboy.fake
    asked = await fake.slash("subscriptions", {})
    body = await until(lambda: callback(fake, asked))
    assert body["type"] == 5  # "Paperboy is thinking...", within the 3 seconds
    followup = await reply_to(fake, asked)
    assert "no subscriptions" in followup["content"]
    # A private answer (here: no permission) after a public "thinking..." stays private.
    commands, run = paperboy.core.commands, paperboy.core.commands.run

    async def slowly(*args: Any) -> Any:
        await asyncio.sleep(0.1)
        return await run(*args)

    monkeypatch.setattr(commands, "run", slowly)
    refused = await fake.slash("unsubscribe", {"subscription": 1})
    assert (await until(lambda: callback(fake, refused)))["type"] == 5
    token = f"token-{refused}"
    said = await until(
        lambda: next(
            (b for m, p, b in fake.wire if m == "POST" and token in p and "callback" not in p), None
        )
    )
    assert said["flags"] & 64 and "manage the channel" in said["content"]
    assert any(m == "DELETE" and token in p for m, p, _ in fake.wire)


async def test_a_model_written_answer_is_posted_in_the_thread_and_grows(
    paperboy: Paperboy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapters.discord.client as discord_client
    from adapters.openai_chat import OpenAIChat
    from bot.qa.llm import LlmAnswerer
    from tests.qa.fake_openai import FakeOpenAI

    monkeypatch.setattr(discord_client, "EDIT_EVERY", 0.0)  # every sentence shows at once
    fake = paperboy.fake
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    reply = "They use ImageNet [1]. It is a large image dataset. @everyone see http://evil.example"
    with FakeOpenAI([reply]) as model:
        answerer = paperboy.bot.threads.answerer  # type: ignore[union-attr]
        answerer.llm = LlmAnswerer(
            OpenAIChat("m", api_key=None, base_url=model.base_url, max_retries=0)
        )
        await fake.say(card["id"], f"<@{BOT_ID}> which dataset?")
        (answer,) = await until(
            lambda: [m for m in fake.posts(card["id"]) if "From the paper" in m["content"]]
        )
    assert answer["content"].startswith("They use ImageNet [1]. It is a large image dataset.")
    assert "(at)everyone" in answer["content"]  # defused by the answer's sanitizer
    assert "evil.example" not in answer["content"] and "[link removed]" in answer["content"]
    edits = fake.requests("PATCH", rf"/channels/{card['id']}/messages/")
    assert len(edits) >= 2  # it grew sentence by sentence
    (request,) = model.requests
    assert request["stream"] is True


async def test_a_wrong_token_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    fake = FakeDiscord()
    await fake.start()
    fake.fail("GET", r"/users/@me$", 401)
    env = run_env(
        tmp_path,
        DISCORD_TOKEN="wrong",
        DISCORD_API_BASE_URL=fake.api,
        DISCORD_GATEWAY_URL=fake.gateway,
    )
    try:
        status, stderr = await paperboy_process(["run"], env, tmp_path)
    finally:
        await fake.stop()
    assert status == 1
    assert stderr.strip().splitlines()[-1].startswith("paperboy: Discord refused DISCORD_TOKEN")
    assert "Traceback" not in stderr


async def test_a_deleted_card_ends_its_reply_not_the_channels_subscriptions(
    paperboy: Paperboy,
) -> None:
    from bot.ports import Rejected

    fake, publisher = paperboy.fake, paperboy.bot.publisher
    await subscribed(paperboy, TEXT_CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(TEXT_CHANNEL)
    # A card whose thread was never made gets one for its first reply.
    del fake.threads[card["id"]]
    assert await publisher.reply(HERE, card["id"], "Code released.", "paperboy-90")
    (reply,) = fake.posts(card["id"])
    assert card["id"] in fake.threads and reply["content"] == "Code released.\n-# paperboy-90"
    # A card someone deleted (no thread, no message): that reply is rejected, nothing paused.
    with pytest.raises(Rejected, match="Unknown Message"):
        await publisher.reply(HERE, "1299999999999999999", "Code released.", "paperboy-91")
    (sub,) = await paperboy.storage.subscriptions.for_target(HERE)
    assert sub.paused is None


GENERATED = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@GENERATED
@given(
    command=st.sampled_from(
        [
            ("search", "query"),
            ("search", "since"),
            ("search", "until"),
            ("search", "author"),
            ("search", "category"),
            ("subscribe", "source"),
            ("subscribe", "keywords"),
            ("subscribe", "tz"),
            ("subscribe", "at"),
            ("subscribe", "authors"),
            ("show", "paper"),
            ("why", "paper"),
            ("ask", "question"),
        ]
    ),
    text=ODD_INPUTS,
)
async def test_any_text_in_any_option_gets_a_reply_never_a_failure(
    paperboy_on: Paperboy, command: tuple[str, str], text: str
) -> None:
    subcommand, option = command
    required = {"search": "query", "subscribe": "source", "show": "paper", "why": "paper"}
    options = {required.get(subcommand, option): "x", option: text}
    if subcommand == "ask":
        options = {"question": text, "paper": "2606.00001"}
    fake = paperboy_on.fake
    body = await reply_to(
        fake, await fake.slash(subcommand, options, permissions=EVERYONE | MANAGE_CHANNELS)
    )
    assert body.get("content") or body.get("embeds"), body
    assert "Something went wrong" not in str(body.get("content")), (command, text)
    assert body["allowed_mentions"] == {"parse": []}
