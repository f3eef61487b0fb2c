"""The Discord adapter: the real discord.py client against a fake Discord (REST + gateway) on
loopback, with the real store, command set and engine. Assertions read the fake's wire log."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import discord
import httpx
import pytest
from discord.gateway import DiscordWebSocket

from adapters.discord.client import DiscordBot, DiscordOptions, client_id_of, invite_url
from bot.commands import Commands
from bot.engine import Engine
from bot.feeds import FeedKind, FeedSpec, Poller, Sources
from bot.finder import Finder
from bot.models import Origin, Paper
from bot.qa.service import Answerer
from bot.sources import ArxivApi, ArxivRss, HuggingFace
from bot.sources.http import Http, RetryPolicy
from bot.subscriptions import Outcome, Rules, Target
from bot.threads import ThreadAnswers
from storage import Storage, open_storage
from tests.discord.fake_discord import (
    BOT_ID,
    EVERYONE,
    FORUM_CHANNEL,
    GONE_CHANNEL,
    MANAGE_CHANNELS,
    TEXT_CHANNEL,
    FakeDiscord,
)
from tests.fakes import FakeTime

HOSTILE = "@everyone <@1100000000000000010> <@&42> **Free** [click](https://evil.example) " + "x" * 400
HERE = Target("discord", TEXT_CHANNEL)


async def until(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Wait for `check()` to be truthy (the bot works asynchronously of the fake)."""
    for _ in range(int(seconds / 0.02)):
        if result := check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


def daily(*papers: tuple[str, str]) -> list[dict[str, Any]]:
    now = datetime.now(UTC).isoformat()
    return [
        {
            "paper": {
                "id": arxiv_id,
                "title": title,
                "summary": f"We study {title.lower()[:40]}. Our method uses the ImageNet dataset "
                "and improves accuracy by 3 points over strong baselines.",
                "upvotes": 12,
                "publishedAt": now,
                "authors": [{"name": "Ada Lovelace"}],
            },
            "title": title,
            "publishedAt": now,
        }
        for arxiv_id, title in papers
    ]


@dataclass
class Paperboy:
    fake: FakeDiscord
    bot: DiscordBot
    storage: Storage
    engine: Engine
    feed: list[dict[str, Any]]


@pytest.fixture
async def paperboy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Paperboy]:
    # discord.py's module-wide endpoints, restored after the test.
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)
    fake = FakeDiscord()
    await fake.start()
    storage = await open_storage(f"sqlite:///{tmp_path / 'paperboy.db'}")
    feed: list[dict[str, Any]] = []
    client = httpx.AsyncClient(transport=httpx.MockTransport(lambda _: httpx.Response(200, json=feed)))
    http = Http(client, RetryPolicy(attempts=1), FakeTime().sleep)
    sources = Sources(HuggingFace(http, "http://hf"), ArxivApi(http, "http://api"), ArxivRss(http, "http://rss"))
    answerer = Answerer()  # extractive answers from the abstract (no full text, no model)
    threads = ThreadAnswers(storage.papers, storage.threads, answerer)
    publishers: dict[str, Any] = {}
    engine = Engine(storage.papers, storage.subscriptions, storage.ledger, publishers, Poller(sources))
    commands = Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        Finder(storage.papers, live_search=False),
        engine=engine,
        answerer=answerer,
        threads=threads,
        votes=storage.votes,
    )
    bot = DiscordBot(
        commands,
        threads,
        storage.votes,
        "MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.token",
        DiscordOptions(api_base_url=fake.api, gateway_url=fake.gateway),
    )
    publishers["discord"] = bot.publisher
    task = asyncio.create_task(bot.start())
    await asyncio.wait_for(bot.client.wait_until_ready(), 10)
    yield Paperboy(fake, bot, storage, engine, feed)
    await bot.close()
    await asyncio.wait_for(task, 10)
    await client.aclose()
    await storage.close()
    await fake.stop()


def callback(fake: FakeDiscord, interaction_id: str) -> dict[str, Any] | None:
    return next((body for i, body in fake.callbacks if i == interaction_id), None)


async def reply_to(fake: FakeDiscord, interaction_id: str) -> dict[str, Any]:
    """What the bot answered to an interaction: the message itself, or the deferred follow-up."""
    body = await until(lambda: callback(fake, interaction_id))
    if body["type"] == 4:
        return dict(body["data"])
    assert body["type"] == 5  # deferred ("thinking"), within the 3 seconds
    token = f"token-{interaction_id}"
    return dict(await until(lambda: next((b for m, p, b in fake.wire if token in p and m in ("POST", "PATCH") and "callback" not in p), None)))


async def test_connects_with_minimal_intents_and_registers_papers(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    assert fake.identify is not None
    intents = discord.Intents._from_value(fake.identify["intents"])
    assert intents.guilds and intents.guild_messages and intents.guild_reactions
    assert not intents.message_content and not intents.members and not intents.presences
    (papers,) = fake.commands
    assert papers["name"] == "papers"
    assert {o["name"] for o in papers["options"]} == {
        "search", "show", "ask", "subscribe", "unsubscribe", "resume", "subscriptions", "why", "digest", "top", "help",
    }


async def test_subscribe_needs_manage_channels_then_cards_are_posted_with_threads(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    denied = await fake.slash("subscribe", {"source": "hf-daily"}, permissions=EVERYONE)
    body = await reply_to(fake, denied)
    assert "manage the channel" in body["content"]
    assert body["flags"] & 64  # ephemeral: only the asker sees it
    assert await paperboy.storage.subscriptions.for_target(HERE) == []

    done = await fake.slash("subscribe", {"source": "hf-daily", "catch_up": 5}, permissions=EVERYONE | MANAGE_CHANNELS)
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


async def test_search_with_hostile_input_and_paging(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    await paperboy.storage.papers.upsert(
        [
            Paper(arxiv_id=f"2611.{n:05d}", title=f"Diffusion study number {n}", abstract="Diffusion.", published=datetime(2026, 11, n, tzinfo=UTC), sources=frozenset({Origin.ARXIV_API}))
            for n in range(1, 8)
        ]
    )

    hostile = await fake.slash("search", {"query": 'diffusion "unclosed <@&1> @here ' + "z" * 300})
    body = await reply_to(fake, hostile)
    assert not body.get("flags", 0) & 64 or "No papers" in body.get("content", "")
    assert body["allowed_mentions"] == {"parse": []}

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
    assert turned["type"] == 7  # the message updated in place
    assert turned["data"]["content"].startswith("Page 2:")
    assert len(turned["data"]["embeds"]) == 2
