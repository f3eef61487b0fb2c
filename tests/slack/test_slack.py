"""The Slack adapter: real slack-bolt and slack_sdk against a fake Slack on loopback, in Socket
Mode and in HTTP mode (signed requests), with the real store, command set and engine."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.slack.app import SlackBot, SlackOptions
from bot.domain import Claim, DeliveryKind, Outcome, Outgoing, Paper, Target
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
from tests.fakes import CountedVotes, invoke_paperboy
from tests.feed.fake_platform import Crash
from tests.slack.fake_slack import (
    ADMIN,
    CHANNEL,
    CREATOR,
    GONE,
    MEMBER,
    SECRET,
    FakeSlack,
    block_problems,
    form,
    signed,
)

HOSTILE = "<!channel> <!here> <@U0ADMIN> <https://evil.example|arXiv> & *bold* " + "y" * 300
HERE = Target("slack", CHANNEL)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Paperboy:
    fake: FakeSlack
    bot: SlackBot
    storage: Storage
    engine: Engine
    feed: list[dict[str, Any]]
    mode: str
    port: int
    core: Core

    async def _http(
        self, body: str, content_type: str, headers: dict[str, str] | None = None
    ) -> int:
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"http://127.0.0.1:{self.port}/slack/events",
                content=body.encode(),
                headers={
                    "Content-Type": content_type,
                    **(headers if headers is not None else signed(body)),
                },
            )
        return response.status_code

    async def command(self, text: str, user: str = MEMBER, name: str = "cmd") -> dict[str, Any]:
        """`/papers TEXT` typed by `user`; returns what the bot said through the response_url."""
        payload = self.fake.command(text, user=user, name=name)
        if self.mode == "socket":
            envelope = await self.fake.envelope("slash_commands", payload)
            await until(lambda: envelope in self.fake.acks, 3)  # acked within Slack's 3 s
        else:
            assert await self._http(form(payload), "application/x-www-form-urlencoded") == 200
        return dict(
            await until(lambda: next((r for r in self.fake.responses if r["_url"] == name), None))
        )

    async def event(self, event: dict[str, Any]) -> None:
        payload = self.fake.event(event)
        if self.mode == "socket":
            envelope = await self.fake.envelope("events_api", payload)
            await until(lambda: envelope in self.fake.acks, 3)
        else:
            assert await self._http(json.dumps(payload), "application/json") == 200

    async def action(self, payload: dict[str, Any]) -> None:
        if self.mode == "socket":
            envelope = await self.fake.envelope("interactive", payload)
            await until(lambda: envelope in self.fake.acks, 3)
        else:
            body = form({"payload": json.dumps(payload)})
            assert await self._http(body, "application/x-www-form-urlencoded") == 200


@asynccontextmanager
async def running(
    mode: str, tmp_path: Path, database_url: str | None = None, **more: Any
) -> AsyncIterator[Paperboy]:
    """The bot against the fake Slack; `more`: the core's options (see `tests.chat.core`)."""
    fake = FakeSlack()
    await fake.start()
    port = free_port()
    socket_mode = mode == "socket"
    async with core(tmp_path, database_url, **more) as wired:
        bot = SlackBot(
            wired.commands,
            wired.threads,
            wired.storage.votes,
            SlackOptions(
                bot_token="xoxb-fake",
                app_token="xapp-fake" if socket_mode else None,
                signing_secret=None if socket_mode else SECRET,
                host="127.0.0.1",
                port=port,
                api_base_url=fake.api,
            ),
        )
        wired.publishers["slack"] = bot.publisher
        task = asyncio.create_task(bot.start())
        if socket_mode:
            await asyncio.wait_for(fake.hello.wait(), 10)
        else:
            await until(lambda: _listening(port), 10)
        yield Paperboy(fake, bot, wired.storage, wired.engine, wired.feed, mode, port, wired)
        await bot.close()
        await asyncio.wait_for(task, 10)
    await fake.stop()


@pytest.fixture(params=["socket", "http"])
async def paperboy(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Paperboy]:
    async with running(request.param, tmp_path) as started:
        yield started


@pytest.fixture(params=["socket", "http"])
async def paperboy_on(
    request: pytest.FixtureRequest, db_url: str, tmp_path: Path
) -> AsyncIterator[Paperboy]:
    """Both modes, on SQLite and on PostgreSQL."""
    async with running(request.param, tmp_path, db_url) as started:
        yield started


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


async def subscribed(paperboy: Paperboy, channel: str = CHANNEL, *papers: tuple[str, str]) -> None:
    await paperboy.core.subscribe(Target("slack", channel), *papers)


def live_mentions(text: str) -> bool:
    return any(token in text for token in ("<!channel>", "<!here>", "<!everyone>", "<@U", "<http"))


def mrkdwn_of(blocks: list[dict[str, Any]]) -> str:
    """Every mrkdwn text in `blocks` (plain_text is never parsed for mentions or links)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(blocks)
    return "\n".join(found)


async def test_subscribe_is_for_admins_and_the_channels_creator(paperboy: Paperboy) -> None:
    denied = await paperboy.command("subscribe hf-daily min-upvotes=5", user=MEMBER, name="member")
    assert denied["response_type"] == "ephemeral" and "manage the channel" in denied["text"]
    by_admin = await paperboy.command("subscribe hf-daily min-upvotes=5", user=ADMIN, name="admin")
    assert (
        by_admin["response_type"] == "in_channel" and "Subscribed: #1 hf-daily" in by_admin["text"]
    )
    by_creator = await paperboy.command("unsubscribe 1", user=CREATOR, name="creator")
    assert "Unsubscribed #1" in by_creator["text"]
    assert await paperboy.storage.subscriptions.for_target(HERE) == []


async def test_cards_are_block_kit_within_limits_with_metadata_and_no_live_mentions(
    paperboy: Paperboy,
) -> None:
    await subscribed(
        paperboy, CHANNEL, ("2611.00001", "Diffusion video models"), ("2611.00002", HOSTILE)
    )
    assert (await paperboy.engine.run_once()).posted == 2
    cards = paperboy.fake.posts(CHANNEL)
    assert len(cards) == 2
    for card in cards:
        assert block_problems(card["blocks"]) == []
        assert card["unfurl_links"] is False and card["unfurl_media"] is False
        assert card["metadata"]["event_type"] == "paperboy_post"
        assert card["metadata"]["event_payload"]["key"].startswith("paperboy-")
        assert not live_mentions(mrkdwn_of(card["blocks"])) and not live_mentions(card["text"])
    hostile = cards[1]
    assert hostile["blocks"][0]["text"] == {
        "type": "plain_text",
        "text": hostile["blocks"][0]["text"]["text"],
        "emoji": False,
    }
    assert "&lt;!channel&gt;" in hostile["text"]
    assert hostile["metadata"]["event_payload"]["arxiv_id"] == "2611.00002"
    assert (await paperboy.engine.run_once()).posted == 0


async def test_a_promoted_card_says_why_the_rest_are_one_list_and_taste_answers(
    paperboy: Paperboy,
) -> None:
    await paperboy.core.subscribe(Target("slack", CHANNEL), *PROMOTED_PAPERS, rules=PROMOTING)
    await paperboy.engine.run_once()
    card, listed = paperboy.fake.posts(CHANNEL)
    assert block_problems(card["blocks"]) == []
    (why,) = [
        b["elements"][0]["text"]
        for b in card["blocks"]
        if b["type"] == "context" and b["elements"][0]["text"].startswith("Why here: ")
    ]
    assert promoted_why(why.removeprefix("Why here: ")), why
    assert promoted_list(listed["text"]), listed["text"]
    said = (await paperboy.command("taste", name="taste"))["text"]
    assert "subscriptions' rules" in said and "diffusion" in said and "graph" in said
    reset = await paperboy.command("taste reset", user=MEMBER, name="reset")
    assert "manage the channel" in reset["text"]

    # Slack says when a card's link is opened: that counts for the paper in the taste.
    (button, *_) = next(b for b in card["blocks"] if b["type"] == "actions")["elements"]
    await click(paperboy, button, "link", card["ts"])
    here = Target("slack", CHANNEL)
    clicked: list[str] = []
    for _ in range(250):  # the click is acked first, then counted
        clicked = [
            s.arxiv_id for s in await paperboy.storage.signals.of_channel(here, 10) if s.clicked
        ]
        if clicked:
            break
        await asyncio.sleep(0.02)
    assert clicked == [card["metadata"]["event_payload"]["arxiv_id"]]


async def click(
    paperboy: Paperboy, button: dict[str, Any], answer_to: str, message_ts: str = ""
) -> None:
    """A member clicks `button` (on the message `message_ts`, where given); the app answers to
    the response URL named `answer_to`."""
    container = {"type": "message", "channel_id": CHANNEL, "is_ephemeral": False}
    await paperboy.action(
        {
            "type": "block_actions",
            "team": {"id": "T0001"},
            "user": {"id": MEMBER},
            "api_app_id": "A0001",
            "channel": {"id": CHANNEL},
            "container": {**container, **({"message_ts": message_ts} if message_ts else {})},
            "response_url": paperboy.fake.response_url(answer_to),
            "trigger_id": "1.2.3",
            "actions": [{**button, "action_ts": "1"}],
        }
    )


async def test_search_with_hostile_input_and_paging(paperboy: Paperboy) -> None:
    await paperboy.storage.papers.upsert(studies())
    hostile = await paperboy.command(
        'search <!channel> "unclosed <@U1> ' + "z" * 200, name="hostile"
    )
    assert not live_mentions(hostile["text"]) and not live_mentions(mrkdwn_of(hostile["blocks"]))
    assert hostile["_problems"] == []

    first = await paperboy.command("search diffusion", name="search")
    assert first["text"].startswith("Page 1:") and first["_problems"] == []
    pages = first["blocks"][-1]
    assert [e["text"]["text"] for e in pages["elements"]] == ["Next ▶"]
    await click(paperboy, {**pages["elements"][0], "block_id": pages["block_id"]}, "page2")
    second = await until(
        lambda: next((r for r in paperboy.fake.responses if r["_url"] == "page2"), None)
    )
    assert second["replace_original"] is True and second["text"].startswith("Page 2:")
    # A button posted before commands were typed values holds the search's words: it pages too.
    legacy = {
        **pages["elements"][0],
        "value": json.dumps({"q": ["search", "diffusion"], "page": 2}),
    }
    await click(paperboy, {**legacy, "block_id": pages["block_id"]}, "legacy")
    old = await until(
        lambda: next((r for r in paperboy.fake.responses if r["_url"] == "legacy"), None)
    )
    assert old["text"] == second["text"]


async def test_a_cards_related_button_answers_whoever_clicked(paperboy: Paperboy) -> None:
    await paperboy.storage.papers.upsert(studies(3))
    await subscribed(paperboy, CHANNEL, ("2611.00042", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = paperboy.fake.posts(CHANNEL)
    actions = next(b for b in card["blocks"] if b["type"] == "actions")
    related = actions["elements"][-1]
    assert related["text"]["text"] == "Related papers" and "url" not in related
    assert related["value"] == "2611.00042"

    await click(paperboy, {**related, "block_id": actions.get("block_id", "")}, "related")
    shown = await until(
        lambda: next((r for r in paperboy.fake.responses if r["_url"] == "related"), None)
    )
    assert shown["response_type"] == "ephemeral" and shown["replace_original"] is False
    assert shown["_problems"] == []
    assert shown["text"].startswith("Related to “Diffusion video models” (arXiv:2611.00042)")
    headers = [b["text"]["text"] for b in shown["blocks"] if b["type"] == "header"]
    assert headers and all(h.startswith("Diffusion study number") for h in headers)


@pytest.mark.parametrize("streaming", [True, False])
async def test_a_thread_question_is_answered_in_the_thread(
    paperboy: Paperboy, streaming: bool
) -> None:
    fake = paperboy.fake
    fake.streaming = streaming
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(CHANNEL)
    question = fake.reply_in_thread(card["ts"], "which dataset do they use? <!channel>")
    await paperboy.event(question)
    (answer,) = await until(
        lambda: [m for m in fake.posts(CHANNEL, card["ts"]) if "ImageNet" in m["text"]]
    )
    if streaming:  # chat.startStream ... chat.stopStream, addressed to the asker
        (started,) = fake.called("chat.startStream")
        assert (started["recipient_user_id"], started["recipient_team_id"]) == (MEMBER, "T0001")
        await until(lambda: fake.called("chat.stopStream"))
        assert answer["streaming"] is False
    else:  # posted, then updated as it grows
        assert fake.called("chat.startStream") and not fake.called("chat.stopStream")
        assert block_problems(answer["blocks"]) == []
    assert not live_mentions(answer["text"])
    # The same event delivered again (a Slack retry) is not answered twice.
    await paperboy.event(question)
    await asyncio.sleep(0.3)
    assert len(fake.posts(CHANNEL, card["ts"])) == 1
    turns = await paperboy.storage.threads.turns(HERE, card["ts"], 10)
    assert turns[0].text == "which dataset do they use? <!channel>"
    assert "ImageNet" in turns[1].text
    assert not fake.called("conversations.replies")  # context comes from our store


async def test_a_question_is_answered_in_time_while_every_full_text_source_hangs(
    tmp_path: Path,
) -> None:
    async with running(
        "socket", tmp_path, full_text_hangs=True, answer_wait_seconds=0.5, answer_improve_seconds=1
    ) as paperboy:
        fake = paperboy.fake
        await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
        await paperboy.engine.run_once()  # the card's full text is being fetched: it hangs
        (card,) = fake.posts(CHANNEL)
        asked = time.monotonic()
        await paperboy.event(fake.reply_in_thread(card["ts"], "which dataset do they use?"))
        (answer,) = await until(
            lambda: [m for m in fake.posts(CHANNEL, card["ts"]) if "ImageNet" in m["text"]]
        )
        # The wait (0.5 s here, 6 s by default), not 30; and the streamed message is ended
        # while the answer waits for the full text (not held back in the stream's buffer).
        assert time.monotonic() - asked < 3
        assert answer["text"].startswith(LATE_FOLLOWS.strip())
        # The full text does not come within the improvement's wait: a message says so.
        # (read once its text is there: a streamed message starts empty and then grows)
        (_, never) = await until(
            lambda: (posts := fake.posts(CHANNEL, card["ts"]))[1:] and posts[1]["text"] and posts
        )
        assert never["text"] == STILL_LATE.strip()


@pytest.mark.parametrize("streaming", [True, False])
async def test_the_full_texts_answer_follows_the_abstracts_when_it_arrives(
    tmp_path: Path, streaming: bool
) -> None:
    async with running(
        "socket", tmp_path, full_text_after=1.0, answer_wait_seconds=0.3
    ) as paperboy:
        fake = paperboy.fake
        fake.streaming = streaming
        await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
        await paperboy.engine.run_once()  # the card's full text is fetched: it takes 2 s
        (card,) = fake.posts(CHANNEL)
        asked = time.monotonic()
        await paperboy.event(fake.reply_in_thread(card["ts"], "which dataset do they use?"))
        (answer,) = await until(
            lambda: [m for m in fake.posts(CHANNEL, card["ts"]) if m["text"].endswith("2611.00001")]
        )
        assert time.monotonic() - asked < 1.5  # shown whole, to its link, at once
        assert "ImageNet dataset" in answer["text"]
        assert answer["text"].startswith(LATE_FOLLOWS.strip()) and "Kinetics" not in answer["text"]
        (_, improved) = await until(
            lambda: (posts := fake.posts(CHANNEL, card["ts"]))[1:] and posts
        )
        await until(lambda: "Kinetics-700" in improved["text"])
        assert improved["text"].startswith(ARRIVED.strip())


async def test_a_removed_bot_pauses_the_subscription_and_429_is_retried(paperboy: Paperboy) -> None:
    await subscribed(paperboy, GONE, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (sub,) = await paperboy.storage.subscriptions.for_target(Target("slack", GONE))
    assert sub.paused is not None and "not_in_channel" in sub.paused

    await subscribed(paperboy, CHANNEL)
    paperboy.fake.rate_limited["chat.postMessage"] = 1
    assert (await paperboy.engine.run_once()).posted == 1
    posts = [c for c in paperboy.fake.called("chat.postMessage") if c["channel"] == CHANNEL]
    assert len(posts) == 2  # the 429, then one retry after Retry-After
    assert len(paperboy.fake.posts(CHANNEL)) == 1


async def test_reactions_are_votes(paperboy: Paperboy) -> None:
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = paperboy.fake.posts(CHANNEL)
    paperboy.bot.votes = votes = CountedVotes(paperboy.bot.votes)
    # U1 and U2 like it; U2's second reaction, then taken back, leaves one; U3's -1 is no vote
    # (it counts against the paper in the channel's taste).
    for kind, user, reaction in (
        ("reaction_added", "U1", "tada"),
        ("reaction_added", "U2", "tada"),
        ("reaction_added", "U2", "fire"),
        ("reaction_removed", "U2", "fire"),
        ("reaction_added", "U3", "-1::skin-tone-2"),
    ):
        await paperboy.event(
            {
                "type": kind,
                "user": user,
                "reaction": reaction,
                "item": {"type": "message", "channel": CHANNEL, "ts": card["ts"]},
                "event_ts": "1",
            }
        )
    await until(lambda: votes.recorded == 5)  # events are acked first, then handled
    reply = await paperboy.command("top", name="top")
    assert "Diffusion video models" in reply["text"] and "· 2 votes" in reply["text"]
    (signals,) = await paperboy.storage.signals.of_channel(Target("slack", CHANNEL), 10)
    assert (signals.up, signals.down, signals.posted) == (2, 1, True)


class DiesWhileRecording:
    """The ledger of a process that dies after a post, before recording it."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def finish(self, claim: Claim, *args: Any) -> None:
        raise Crash("after posting, before recording")


async def crash_then_recover(paperboy: Paperboy) -> int:
    """One worker posts what is due and dies before recording it; once its lease has run out,
    another takes over. Returns what that one counted as posted."""
    engine = paperboy.engine
    dying = build_engine(
        engine.deliverer.papers,
        engine.deliverer.subscriptions,
        DiesWhileRecording(engine.decider.ledger),
        engine.deliverer.publishers,
        engine.intake.poller,  # type: ignore[arg-type]
    )
    with pytest.raises(BaseExceptionGroup) as died:  # the delivery task group saw the crash
        await dying.run_once()
    assert died.group_contains(Crash, match="before recording", depth=None)
    later = (
        utc_now() + engine.deliverer.lease + timedelta(seconds=1)
    )  # the dead worker's lease ran out
    restarted = build_engine(
        engine.deliverer.papers,
        engine.deliverer.subscriptions,
        engine.decider.ledger,
        engine.deliverer.publishers,
        engine.intake.poller,
        lambda: later,
    )
    return (await restarted.deliver()).posted


async def test_a_crash_after_posting_does_not_post_twice_after_restart(paperboy: Paperboy) -> None:
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    assert await crash_then_recover(paperboy) == 1  # confirmed from the card's metadata
    assert len(paperboy.fake.posts(CHANNEL)) == 1
    (record,) = await paperboy.storage.ledger.why("2611.00001")
    assert (
        record.outcome is Outcome.POSTED
        and record.message_id == paperboy.fake.posts(CHANNEL)[0]["ts"]
    )


@pytest.mark.parametrize("paperboy", ["socket"], indirect=True)  # posting is the same in both
async def test_a_crash_after_a_reply_or_digest_is_sent_does_not_send_it_twice(
    paperboy: Paperboy,
) -> None:
    fake, ledger = paperboy.fake, paperboy.storage.ledger
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(CHANNEL)
    (sub,) = await paperboy.storage.subscriptions.for_target(HERE)

    code = Outgoing(sub.id, DeliveryKind.UPDATE, "2611.00001", "code", "Code released.")
    await ledger.queue([code], utc_now())
    assert await crash_then_recover(paperboy) == 1  # confirmed from the thread, not sent again
    (reply,) = fake.posts(CHANNEL, card["ts"])
    assert reply["text"] == "Code released."
    (update,) = [
        r
        for r in await ledger.why("2611.00001")
        if (r.kind, r.topic) == (DeliveryKind.UPDATE, "code")
    ]
    assert update.outcome is Outcome.POSTED and update.message_id == reply["ts"]
    (read,) = fake.called("conversations.replies")
    assert read["ts"] == card["ts"]

    text = "Daily digest: the top 1 papers"
    await ledger.queue(
        [Outgoing(sub.id, DeliveryKind.DIGEST, None, "2026-11-26T08:00", text)], utc_now()
    )
    assert await crash_then_recover(paperboy) == 1
    digests = [m for m in fake.posts(CHANNEL) if m["text"].startswith("Daily digest")]
    assert len(digests) == 1
    digest = sa.text("SELECT outcome, message_id FROM deliveries WHERE kind = 'digest'")
    async with paperboy.storage.engine.connect() as conn:
        row = (await conn.execute(digest)).one()
    assert row.outcome == "posted" and row.message_id == digests[0]["ts"]


@pytest.mark.parametrize("paperboy", ["socket"], indirect=True)
async def test_replies_and_digests_are_found_by_their_metadata(
    paperboy: Paperboy, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapters.slack.publisher as slack_publisher

    fake, publisher = paperboy.fake, paperboy.bot.publisher
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(CHANNEL)
    thread = card["ts"]
    reply = await publisher.reply(HERE, thread, "Code released.", "paperboy-90")
    digest = await publisher.post_text(HERE, "Daily digest: the top 1 papers", "paperboy-91")
    assert [m["metadata"]["event_payload"]["key"] for m in fake.posts(CHANNEL, thread)] == [
        "paperboy-90"
    ]

    # A reply is looked for in its card's thread, a digest in the channel (the fake, as Slack,
    # shows metadata only to reads that ask for it).
    assert await publisher.find(HERE, "paperboy-90", thread) == reply
    assert await publisher.find(HERE, "paperboy-91") == digest
    assert await publisher.find(HERE, "paperboy-92", thread) is None
    assert await publisher.find(HERE, "paperboy-92") is None
    assert await publisher.find(HERE, "paperboy-90") is None  # not at the channel's top level
    # A deleted card has no thread: nothing was posted there.
    assert await publisher.find(HERE, "paperboy-90", "1764100000.000001") is None

    # Slack reads a thread oldest first, a page at a time: the newest reply is pages away.
    monkeypatch.setattr(slack_publisher, "HISTORY", 2)
    for n in range(93, 98):
        newest = await publisher.reply(HERE, thread, f"Update {n}.", f"paperboy-{n}")
    fake.calls.clear()
    assert await publisher.find(HERE, "paperboy-97", thread) == newest
    assert len(fake.called("conversations.replies")) == 4  # 7 messages, 2 a page
    assert await publisher.find(HERE, "paperboy-98", thread) is None


@pytest.mark.parametrize("paperboy", ["http"], indirect=True)
async def test_http_mode_rejects_bad_signatures_and_stale_requests(paperboy: Paperboy) -> None:
    body = form(paperboy.fake.command("help"))
    kind = "application/x-www-form-urlencoded"
    assert await paperboy._http(body, kind, signed(body, secret="wrong")) == 401
    stale = int(datetime.now(UTC).timestamp()) - 301
    assert await paperboy._http(body, kind, signed(body, timestamp=stale)) == 401
    assert await paperboy._http(body, kind, {}) == 401
    assert paperboy.fake.responses == []
    assert await paperboy._http(body, kind) == 200


async def test_paperboy_run_serves_slack_when_its_tokens_are_set(tmp_path: Path) -> None:
    """`paperboy run` as deployed, in Socket Mode: its own process, settings from the
    environment; a subscription made with /papers gets cards; SIGTERM stops it cleanly."""
    from tests.fake_sources import FakeSources

    fake = FakeSlack()
    await fake.start()
    papers = daily(("2611.00001", "Sparse experts"), ("2611.00002", "Graph nets"))
    with FakeSources({"hf": json.dumps(papers).encode()}) as sources:
        env = run_env(
            tmp_path,
            **sources.env(),
            SLACK_BOT_TOKEN="xoxb-fake",
            SLACK_APP_TOKEN="xapp-fake",
            SLACK_API_BASE_URL=fake.api,
        )
        process = await start_paperboy(["run"], env, tmp_path)
        try:
            await asyncio.wait_for(fake.hello.wait(), 30)
            subscribe = fake.command("subscribe hf-daily catch-up=5", user=ADMIN, name="sub")
            envelope = await fake.envelope("slash_commands", subscribe)
            await until(lambda: envelope in fake.acks, 3)
            said = await until(
                lambda: next((r for r in fake.responses if r["_url"] == "sub"), None)
            )
            assert "Subscribed" in said["text"]
            cards = await until(lambda: len(fake.posts(CHANNEL)) >= 2 and fake.posts(CHANNEL), 20)
            ids = {c["metadata"]["event_payload"]["arxiv_id"] for c in cards}
            assert ids == {"2611.00001", "2611.00002"}
        finally:
            status, stderr = await stop_paperboy(process)
            await fake.stop()
    assert status == 0, stderr


async def test_a_model_written_answer_streams_into_the_thread(paperboy: Paperboy) -> None:
    from adapters.openai_chat import OpenAIChat
    from bot.qa.llm import LlmAnswerer
    from tests.qa.fake_openai import FakeOpenAI

    fake = paperboy.fake
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(CHANNEL)
    reply = (
        "They use ImageNet [1]. It is a large image dataset. "
        + "It has many classes. " * 40
        + "<!here> see http://evil.example"
    )
    with FakeOpenAI([reply]) as model:
        answerer = paperboy.bot.threads.answerer  # type: ignore[union-attr]
        answerer.llm = LlmAnswerer(
            OpenAIChat("m", api_key=None, base_url=model.base_url, max_retries=0)
        )
        await paperboy.event(fake.reply_in_thread(card["ts"], "which dataset?"))
        await until(lambda: fake.called("chat.stopStream"))
    (answer,) = fake.posts(CHANNEL, card["ts"])
    # As it is written, a few hundred characters a call (slack_sdk's chat_stream buffers them).
    assert len(fake.called("chat.appendStream")) >= 2
    assert answer["text"].startswith("They use ImageNet [1]. It is a large image dataset.")
    assert "!here" not in answer["text"] and "evil.example" not in answer["text"]
    assert "(From the paper's abstract: [1]" in answer["text"]
    (request,) = model.requests
    assert request["stream"] is True and "which dataset?" in request["messages"][1]["content"]


async def test_a_long_answer_is_posted_and_updated_where_streaming_is_refused(
    paperboy: Paperboy,
) -> None:
    from adapters.openai_chat import OpenAIChat
    from bot.qa.llm import LlmAnswerer
    from tests.qa.fake_openai import FakeOpenAI

    fake = paperboy.fake
    fake.streaming = False
    await subscribed(paperboy, CHANNEL, ("2611.00001", "Diffusion video models"))
    await paperboy.engine.run_once()
    (card,) = fake.posts(CHANNEL)
    reply = "They use ImageNet [1]. " + "It has many classes. " * 40 + "That is all."
    with FakeOpenAI([reply]) as model:
        answerer = paperboy.bot.threads.answerer  # type: ignore[union-attr]
        answerer.llm = LlmAnswerer(
            OpenAIChat("m", api_key=None, base_url=model.base_url, max_retries=0)
        )
        await paperboy.event(fake.reply_in_thread(card["ts"], "which dataset?"))
        # Refused once the first few hundred characters were ready: posted, then the whole.
        (answer,) = await until(
            lambda: [m for m in fake.posts(CHANNEL, card["ts"]) if "abstract" in m["text"]]
        )
    assert len(fake.called("chat.startStream")) == 1
    assert not fake.called("chat.appendStream") and not fake.called("chat.stopStream")
    assert len(fake.called("chat.postMessage")) == 2 and fake.called("chat.update")  # card, answer
    shown = " ".join(b["text"]["text"] for b in answer["blocks"])
    assert shown.startswith("They use ImageNet [1]. It has many classes.")
    assert shown.count("It has many classes.") == 40 and "That is all." in shown
    assert block_problems(answer["blocks"]) == []


async def test_a_wrong_token_is_a_clear_message_not_a_traceback(tmp_path: Path) -> None:
    fake = FakeSlack()
    await fake.start()
    env = run_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-wrong",
        SLACK_APP_TOKEN="xapp-fake",
        SLACK_API_BASE_URL=fake.api,
    )
    try:
        status, stderr = await paperboy_process(["run"], env, tmp_path)
    finally:
        await fake.stop()
    assert status == 1
    assert (
        stderr.strip().splitlines()[-1] == "paperboy: Slack refused SLACK_BOT_TOKEN: invalid_auth"
    )


def test_long_text_keeps_its_order_in_sections() -> None:
    from adapters.slack.render import text_blocks

    text = "intro\n" + "word " * 1000 + "\nend & <done>"
    parts = [b["text"]["text"] for b in text_blocks(text)]
    assert all(len(p) <= 3000 for p in parts)
    assert parts[0] == "intro" and parts[-1].endswith("end &amp; &lt;done&gt;")
    assert " ".join(" ".join(parts).split()) == " ".join(
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").split()
    )


async def test_a_card_whose_thumbnail_slack_cannot_fetch_is_posted_without_it(
    paperboy: Paperboy,
) -> None:
    from bot.cards import card_for

    paper = Paper(
        arxiv_id="2611.00009", title="T", thumbnail_url="https://example.org/unfetchable.png"
    )
    ts = await paperboy.bot.publisher.post(HERE, card_for(paper), "paperboy-9")
    (card,) = paperboy.fake.posts(CHANNEL)
    assert card["ts"] == ts and "unfetchable" not in json.dumps(card["blocks"])


async def test_a_mention_outside_a_cards_thread_says_how_to_ask(paperboy: Paperboy) -> None:
    fake = paperboy.fake
    await paperboy.event(
        {
            **fake.reply_in_thread("1764150000.000001", "<@UPAPERBOY> what is this?"),
            "type": "app_mention",
        }
    )
    (hint,) = await until(lambda: fake.posts(CHANNEL, "1764150000.000001"))
    assert "/papers ask" in hint["text"]


def test_half_a_slack_configuration_is_a_clear_message(tmp_path: Path) -> None:
    done = invoke_paperboy(["run", "--once"], run_env(tmp_path, SLACK_BOT_TOKEN="xoxb-x"), tmp_path)
    status, stderr = done.returncode, done.stderr
    assert status == 1
    assert (
        "Slack needs SLACK_BOT_TOKEN and one of SLACK_APP_TOKEN" in stderr.strip().splitlines()[-1]
    )


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    verb=st.sampled_from(
        [
            "search",
            "search x since=",
            "search x author=",
            "subscribe",
            "subscribe hf-daily tz=",
            "subscribe hf-daily keywords=",
            "show",
            "why",
            "ask",
            "top days=",
            "unsubscribe",
            "",
        ]
    ),
    text=ODD_INPUTS,
)
async def test_any_command_text_gets_a_reply_never_a_failure(
    paperboy_on: Paperboy, verb: str, text: str
) -> None:
    joiner = "" if verb.endswith("=") or not verb else " "
    answered = await paperboy_on.command(f"{verb}{joiner}{text}", user=ADMIN, name="generated")
    paperboy_on.fake.responses.clear()
    assert answered["text"] and "Something went wrong" not in answered["text"], (verb, text)
    assert not live_mentions(answered["text"])
    assert answered["_problems"] == []
