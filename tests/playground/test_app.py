"""The playground's JSON API and pages through an in-process ASGI client, on a real SQLite store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.playground.app import Playground, build_app
from adapters.playground.publisher import PlaygroundPublisher
from bot.cards import card_for
from bot.commands import Commands
from bot.domain import Origin, Paper, Target
from bot.finder import Finder
from bot.qa.service import ARRIVED, LATE_FOLLOWS, STILL_LATE, Answerer
from bot.threads import ThreadAnswers
from storage import Storage, open_storage
from storage.playground import SqlChannelLog
from tests.chat import PROMOTED_PAPERS, PROMOTING, core, promoted_list, promoted_why

HOSTILE = Paper(
    arxiv_id="2606.00666",
    title='<script>alert("x")</script> @everyone <!channel> Attention',
    abstract="Attention is what we study. We find that attention heads prune well. <img src=x onerror=alert(1)>",
    authors=("Mallory <b>Bold</b>",),
    published=datetime.now(UTC) - timedelta(hours=2),
    sources=frozenset({Origin.ARXIV_API}),
)


def playground(storage: Storage, answerer: Answerer | None = None, **options: object) -> Playground:
    finder = Finder(storage.papers, live_search=False)
    threads = ThreadAnswers(storage.papers, storage.threads, answerer or Answerer())
    commands = Commands(
        storage.subscriptions,
        storage.ledger,
        storage.papers,
        finder,
        threads=threads,
        votes=storage.votes,
    )
    return Playground(SqlChannelLog(storage.engine), commands, threads, **options)  # type: ignore[arg-type]


async def until_json(
    client: httpx.AsyncClient, url: str, check: Callable[[Any], bool], seconds: float = 10.0
) -> Any:
    """What `url` answers once `check` holds of it."""
    deadline = time.monotonic() + seconds
    while not check(got := (await client.get(url)).json()):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting: {got}")
        await asyncio.sleep(0.05)
    return got


def client_for(pg: Playground) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app(pg)), base_url="http://play"
    )


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await open_storage(f"sqlite:///{tmp_path / 'papers.db'}")
    await opened.papers.upsert([HOSTILE])
    yield opened
    await opened.close()


@pytest.fixture
async def env(storage: Storage) -> AsyncIterator[tuple[httpx.AsyncClient, Storage, object]]:
    pg = playground(storage, sources={"hf-daily": "ConnectError: offline"})
    async with client_for(pg) as client:
        yield client, storage, pg.log


async def test_cards_posted_by_the_engine_render_escaped(env) -> None:  # type: ignore[no-untyped-def]
    client, _, log = env
    await PlaygroundPublisher(log).post(
        Target("playground", "general"), card_for(HOSTILE), "paperboy-1"
    )
    page = await client.get("/c/general")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "Mallory &lt;b&gt;Bold&lt;/b&gt;" in html
    assert "@everyone" in html  # shown as text: the playground pings no one
    # Sources down, said as a person would: no exception's text.
    assert "Can&#39;t reach hf-daily: no connection to it. Paperboy tries again soon." in html
    assert "ConnectError" not in html
    messages = (await client.get("/api/channels/general/messages")).json()["messages"]
    assert messages[0]["cards"][0]["title"] == HOSTILE.title  # the API returns plain text
    assert await PlaygroundPublisher(log).find(
        Target("playground", "general"), "paperboy-1"
    ) == str(messages[0]["id"])


async def test_papers_commands_from_the_composer(env) -> None:  # type: ignore[no-untyped-def]
    client, storage, _ = env
    answer = (
        await client.post("/api/channels/lab/messages", json={"text": "/papers search attention"})
    ).json()
    assert answer["posted"]["text"] == "/papers search attention"
    assert answer["reply"]["author"] == "Paperboy"
    assert answer["reply"]["cards"][0]["arxiv_id"] == "2606.00666"
    subscribed = (
        await client.post(
            "/api/channels/lab/messages", json={"text": "/papers subscribe hf-daily min-upvotes=5"}
        )
    ).json()
    assert subscribed["reply"]["text"].startswith("Subscribed: #")
    assert len(await storage.subscriptions.for_target(Target("playground", "lab"))) == 1
    plain = (await client.post("/api/channels/lab/messages", json={"text": "hello all"})).json()
    assert plain["reply"] is None
    assert (await client.get("/api/channels")).json()["channels"] == ["general", "lab"]


async def test_threads_answer_from_what_the_bot_has(env) -> None:  # type: ignore[no-untyped-def]
    client, _, log = env
    card_id = await PlaygroundPublisher(log).post(
        Target("playground", "general"), card_for(HOSTILE), "k1"
    )
    asked = (
        await client.post(
            f"/api/messages/{card_id}/replies", json={"text": "do attention heads prune?"}
        )
    ).json()
    answer = asked["reply"]["text"]
    assert answer.startswith(
        "In short: yes (as the paper says below)\n> We find that attention heads prune well."
    )
    assert answer.endswith("From the paper's abstract; more: https://arxiv.org/abs/2606.00666")
    replies = (await client.get(f"/api/messages/{card_id}/replies")).json()["replies"]
    assert [r["author"] for r in replies] == ["you", "Paperboy"]
    thread = await client.get(f"/c/general/t/{card_id}")
    assert thread.status_code == 200 and "do attention heads prune?" in thread.text


async def test_each_card_of_a_search_reply_has_a_thread_about_its_own_paper(env) -> None:  # type: ignore[no-untyped-def]
    client, storage, _ = env
    topics = ["graph neural networks", "protein folding", "speech recognition", "robot grasping"]
    await storage.papers.upsert(
        [
            Paper(
                arxiv_id=f"2606.0010{n}",
                title=f"Survey number {n} on {topic}",
                abstract=f"This survey covers {topic}. The main dataset is {topic.title()}Bench.",
                published=datetime.now(UTC) - timedelta(hours=1),
                sources=frozenset({Origin.ARXIV_API}),
            )
            for n, topic in enumerate(topics)
        ]
    )
    reply = (
        await client.post("/api/channels/general/messages", json={"text": "/papers search survey"})
    ).json()["reply"]
    cards = reply["cards"]
    assert len(cards) == 4
    # Each card is its own message, so each has its own thread ...
    assert len({c["message_id"] for c in cards}) == 4
    for card in cards:
        topic = topics[int(card["arxiv_id"][-1])]
        asked = await client.post(
            f"/api/messages/{card['message_id']}/replies", json={"text": "which dataset?"}
        )
        # ... answered about that card's paper, not the first one's.
        answer = asked.json()["reply"]["text"]
        assert f"{topic.title()}Bench" in answer, (topic, answer)
        assert answer.endswith(f"/abs/{card['arxiv_id']}")
    # `/papers ask` in a card's thread knows the paper too.
    last = cards[-1]
    asked = await client.post(
        f"/api/messages/{last['message_id']}/replies",
        json={"text": "/papers ask which dataset do they use?"},
    )
    answer = asked.json()["reply"]["text"]
    assert f"{topics[int(last['arxiv_id'][-1])].title()}Bench" in answer, answer
    # The channel shows the list, then the four cards, each with its thread link.
    page = (await client.get("/c/general")).text
    for card in cards:
        assert f"/c/general/t/{card['message_id']}" in page


@pytest.mark.parametrize(
    ("path", "body", "status", "error"),
    [
        ("/api/channels/Bad_Name!/messages", {"text": "x"}, 400, "a channel name is"),
        ("/api/channels/general/messages", {"text": "   "}, 400, "no text"),
        ("/api/channels/general/messages", {"text": "x" * 5000}, 400, "at most 4000"),
        ("/api/channels/general/messages", ["not", "an", "object"], 400, "no text"),
        ("/api/messages/999/replies", {"text": "x"}, 404, "no such message"),
        ("/api/messages/99999999999999999999/replies", {"text": "x"}, 404, "no such message"),
    ],
)
async def test_bad_requests_get_clear_errors(
    env, path: str, body: object, status: int, error: str
) -> None:  # type: ignore[no-untyped-def]
    client, _, _ = env
    response = await client.post(path, json=body)
    assert response.status_code == status
    assert error in response.json()["error"]


async def test_a_token_guards_a_playground_bound_beyond_loopback(storage: Storage) -> None:
    async with client_for(playground(storage, token="s3cret")) as client:
        assert (await client.get("/api/channels")).status_code == 401
        assert (await client.get("/api/channels?token=wrong")).status_code == 401
        first = await client.get("/api/channels?token=s3cret")
        assert first.status_code == 200
        assert (await client.get("/api/channels")).status_code == 200  # the cookie carries it
        client.cookies.clear()
        assert (await client.get("/api/channels")).status_code == 401
        assert (
            await client.get("/api/channels", headers={"Authorization": "Bearer s3cret"})
        ).status_code == 200


async def test_threads_use_the_language_model_and_fall_back_when_it_fails(storage: Storage) -> None:
    from adapters.openai_chat import OpenAIChat
    from bot.qa.llm import LlmAnswerer
    from bot.qa.service import Answerer
    from tests.qa.fake_openai import FakeOpenAI

    with FakeOpenAI(["Heads prune well [1].", 503]) as fake:
        llm = LlmAnswerer(OpenAIChat("m", api_key=None, base_url=fake.base_url, max_retries=0))
        pg = playground(storage, answerer=Answerer(llm=llm))
        card_id = await PlaygroundPublisher(pg.log).post(
            Target("playground", "general"), card_for(HOSTILE), "k"
        )
        async with client_for(pg) as client:
            first = (
                await client.post(
                    f"/api/messages/{card_id}/replies", json={"text": "do attention heads prune?"}
                )
            ).json()
            second = (
                await client.post(
                    f"/api/messages/{card_id}/replies", json={"text": "which heads do they study?"}
                )
            ).json()
    assert first["reply"]["text"].startswith(
        "Heads prune well [1].\n(From the paper's abstract: [1] Abstract)"
    )
    assert second["reply"]["text"].startswith(
        "(The language model did not answer; quoting the paper instead.)"
    )
    # The second question carried the thread so far.
    assert "Reader: do attention heads prune?" in fake.requests[1]["messages"][1]["content"]


async def test_a_question_is_answered_in_time_while_every_full_text_source_hangs(
    tmp_path: Path,
) -> None:
    async with core(
        tmp_path, full_text_hangs=True, answer_wait_seconds=0.5, answer_improve_seconds=0.5
    ) as wired:
        await wired.subscribe(Target("playground", "general"), ("2611.00001", "Video models"))
        await wired.engine.run_once()  # the card's full text is being fetched: it hangs
        pg = Playground(SqlChannelLog(wired.storage.engine), wired.commands, wired.threads)
        async with client_for(pg) as client:
            (card,) = (await client.get("/api/channels/general/messages")).json()["messages"]
            asked = time.monotonic()
            reply = await client.post(
                f"/api/messages/{card['id']}/replies", json={"text": "which dataset?"}
            )
            assert time.monotonic() - asked < 3  # the wait (0.5 s here, 6 s by default), not 30
            answer = reply.json()["reply"]["text"]
            assert answer.startswith(LATE_FOLLOWS.strip()) and "ImageNet dataset" in answer
            # The full text does not come within the improvement's wait: a message says so.
            replies = f"/api/messages/{card['id']}/replies"
            said = await until_json(client, replies, lambda r: len(r["replies"]) == 3)
            assert said["replies"][-1]["text"] == STILL_LATE.strip()
        await pg.close()
        # The thread's memory: the question and the abstract's answer, without the notes.
        here = Target("playground", "general")
        question, answered = await wired.storage.threads.turns(here, str(card["id"]), 10)
        assert question.text == "which dataset?"
        assert answered.text.startswith("In short: ImageNet (as the paper says below)\n")
        assert "> Our method uses the ImageNet dataset" in answered.text


async def test_the_full_texts_answer_follows_in_the_thread_when_it_arrives(tmp_path: Path) -> None:
    async with core(tmp_path, full_text_after=1.0, answer_wait_seconds=0.3) as wired:
        await wired.subscribe(Target("playground", "general"), ("2611.00001", "Video models"))
        await wired.engine.run_once()  # the card's full text is fetched: it takes 2 s
        pg = Playground(SqlChannelLog(wired.storage.engine), wired.commands, wired.threads)
        async with client_for(pg) as client:
            (card,) = (await client.get("/api/channels/general/messages")).json()["messages"]
            asked = time.monotonic()
            replies = f"/api/messages/{card['id']}/replies"
            reply = (await client.post(replies, json={"text": "which dataset?"})).json()
            assert time.monotonic() - asked < 1.5  # the abstract's answer, at once
            assert reply["reply"]["text"].startswith(LATE_FOLLOWS.strip())
            assert "Kinetics" not in reply["reply"]["text"]
            said = await until_json(client, replies, lambda r: len(r["replies"]) == 3)
            improved = said["replies"][-1]["text"]
            assert improved.startswith(ARRIVED.strip()) and "Kinetics-700 dataset" in improved
        await pg.close()


async def test_taste_on_the_playground_reasons_reactions_and_the_command(tmp_path: Path) -> None:
    """Wired as `paperboy run` wires it: a promoted card says why, the rest is one list, a
    reaction from the page is a vote (a 👎 counts against), and `/papers taste` answers."""
    async with core(tmp_path) as wired:
        here = Target("playground", "general")
        await wired.subscribe(here, *PROMOTED_PAPERS, rules=PROMOTING)
        await wired.engine.run_once()
        pg = Playground(SqlChannelLog(wired.storage.engine), wired.commands, wired.threads)
        async with client_for(pg) as client:
            card, listed = (await client.get("/api/channels/general/messages")).json()["messages"]
            assert promoted_why(card["cards"][0]["why"])
            assert promoted_list(listed["text"])
            page = (await client.get("/c/general")).text
            assert "Why here: new on Hugging Face Daily Papers · keyword" in page
            assert 'data-reaction="👎"' in page
            for reaction, remove in (("👍", False), ("👍", True), ("👎", False)):
                reacted = await client.post(
                    f"/api/messages/{card['id']}/reactions",
                    json={"reaction": reaction, "author": "ada", "remove": remove},
                )
                assert reacted.json() == {"counted": True}
            bad = await client.post(f"/api/messages/{card['id']}/reactions", json={"x": 1})
            assert bad.status_code == 400 and "reaction" in bad.json()["error"]
            (signals,) = await wired.storage.signals.of_channel(here, 10)
            assert (signals.arxiv_id, signals.up, signals.down) == (
                card["cards"][0]["arxiv_id"],
                0,
                1,
            )
            said = await client.post(
                "/api/channels/general/messages", json={"text": "/papers taste"}
            )
            text = said.json()["reply"]["text"]
            assert text.startswith("Learned from 1 paper this channel reacted to")
            assert "Leans away from: " in text
