"""The playground's API under hostile and clumsy requests, on SQLite and PostgreSQL: a clear 4xx,
never a 500, nothing stored from a refused request, and no state changed from another site."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.playground.app import MAX_BODY, Playground, build_app
from adapters.playground.publisher import PlaygroundPublisher
from bot.cards import card_for
from bot.domain import Target
from bot.qa.budget import Budget
from storage import Storage, open_storage
from tests.playground.test_app import HOSTILE, playground

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    opened = await open_storage(db_url)
    await opened.papers.upsert([HOSTILE])
    yield opened
    await opened.close()


def client_for(pg: Playground, ip: str = "127.0.0.1") -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_app(pg), client=(ip, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://play:8000")


async def messages(client: httpx.AsyncClient, channel: str = "general") -> list[dict[str, object]]:
    return list((await client.get(f"/api/channels/{channel}/messages")).json()["messages"])


@pytest.mark.parametrize(
    ("content", "headers", "status", "error"),
    [
        # What a foreign page's form or no-preflight fetch can send: refused, whatever the body.
        ('{"text": "/papers subscribe hf-daily"}', {"content-type": "text/plain"}, 415, "JSON"),
        ("text=hi", {"content-type": "application/x-www-form-urlencoded"}, 415, "JSON"),
        (
            '{"text": "/papers subscribe hf-daily"}',
            {"content-type": "application/json", "origin": "https://evil.example"},
            403,
            "other sites",
        ),
        (
            '{"text": "/papers subscribe hf-daily"}',
            {"content-type": "application/json", "sec-fetch-site": "cross-site"},
            403,
            "other sites",
        ),
        ("[" * 100_000 + "]" * 100_000, {"content-type": "application/json"}, 413, "64 KiB"),
        ("[" * 30_000 + "]" * 30_000, {"content-type": "application/json"}, 400, "send JSON"),
        ('{"text": "' + "x" * MAX_BODY + '"}', {"content-type": "application/json"}, 413, "KiB"),
        ('{"text": "hello\\u0000world"}', {"content-type": "application/json"}, 400, "NUL"),
        ('{"text": "hi", "author": 5}', {"content-type": "application/json"}, 200, ""),
        ("{not json", {"content-type": "application/json"}, 400, "send JSON"),
    ],
)
async def test_refused_requests_are_clear_and_change_nothing(
    storage: Storage, content: str, headers: dict[str, str], status: int, error: str
) -> None:
    async with client_for(playground(storage)) as client:
        response = await client.post(
            "/api/channels/general/messages", content=content.encode(), headers=headers
        )
        assert response.status_code == status, response.text
        if status != 200:
            assert error in response.json()["error"]
            assert await messages(client) == []
        assert await storage.subscriptions.for_target(Target("playground", "general")) == []


async def test_the_playgrounds_own_page_may_post(storage: Storage) -> None:
    async with client_for(playground(storage)) as client:
        response = await client.post(
            "/api/channels/general/messages",
            json={"text": "hello", "author": "ada\x00\x07 lovelace"},
            headers={"origin": "http://play:8000", "sec-fetch-site": "same-origin"},
        )
        assert response.status_code == 200
        assert response.json()["posted"]["author"] == "ada lovelace"  # controls dropped from names


async def test_the_model_budget_counts_the_client_not_the_name_it_chose(
    storage: Storage,
) -> None:
    from adapters.openai_chat import OpenAIChat
    from bot.qa.llm import LlmAnswerer
    from bot.qa.service import Answerer
    from tests.qa.fake_openai import FakeOpenAI

    with FakeOpenAI(["Heads prune well [1]."] * 4) as fake:
        llm = LlmAnswerer(OpenAIChat("m", api_key=None, base_url=fake.base_url, max_retries=0))
        answerer = Answerer(llm=llm, budget=Budget(per_user=1, per_thread=10, per_day=10))
        pg = playground(storage, answerer=answerer)
        card = await PlaygroundPublisher(pg.log).post(
            Target("playground", "general"), card_for(HOSTILE), "k"
        )
        async with client_for(pg, "10.0.0.1") as one, client_for(pg, "10.0.0.2") as two:
            replies = [
                (await client.post(f"/api/messages/{card}/replies", json=body)).json()["reply"]
                for client, body in [
                    (one, {"text": "do heads prune?", "author": "ada"}),
                    (one, {"text": "which heads?", "author": "someone-else"}),
                    (two, {"text": "which heads?", "author": "ada"}),
                ]
            ]
    assert replies[0]["text"].startswith("Heads prune well")
    assert "budget for your questions today (1) is used up" in replies[1]["text"]
    assert replies[2]["text"].startswith("Heads prune well")
    assert len(fake.requests) == 2


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    text=st.text(max_size=300),
    author=st.one_of(st.none(), st.text(max_size=60), st.integers()),
    thread=st.booleans(),
)
async def test_any_message_gets_an_answer_or_a_clear_refusal(
    storage: Storage, text: str, author: object, thread: bool
) -> None:
    pg = playground(storage)
    async with client_for(pg) as client:
        path = "/api/channels/fuzz/messages"
        if thread:
            card = await PlaygroundPublisher(pg.log).post(
                Target("playground", "fuzz"), card_for(HOSTILE), "fuzz-card"
            )
            path = f"/api/messages/{card}/replies"
        for prefix in ("", "/papers "):
            response = await client.post(path, json={"text": prefix + text, "author": author})
            assert response.status_code in (200, 400), response.text
            if response.status_code == 400:
                assert response.json()["error"]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    reaction=st.one_of(st.text(max_size=60), st.integers(), st.none()),
    author=st.one_of(st.none(), st.text(max_size=200), st.integers()),
    remove=st.one_of(st.booleans(), st.text(max_size=3)),
)
async def test_any_reaction_is_counted_or_clearly_refused(
    storage: Storage, reaction: object, author: object, remove: object
) -> None:
    pg = playground(storage)
    async with client_for(pg) as client:
        here = Target("playground", "fuzz")
        card = await PlaygroundPublisher(pg.log).post(here, card_for(HOSTILE), "fuzz-card")
        await pg.threads.open(here, card, HOSTILE.arxiv_id)  # a card whose paper is known
        response = await client.post(
            f"/api/messages/{card}/reactions",
            json={"reaction": reaction, "author": author, "remove": remove},
        )
        assert response.status_code in (200, 400), response.text
        body = response.json()
        assert body["error"] if response.status_code == 400 else body == {"counted": True}


async def test_a_reaction_with_a_lone_surrogate_is_refused(storage: Storage) -> None:
    pg = playground(storage)
    async with client_for(pg) as client:
        here = Target("playground", "fuzz")
        card = await PlaygroundPublisher(pg.log).post(here, card_for(HOSTILE), "fuzz-card")
        await pg.threads.open(here, card, HOSTILE.arxiv_id)
        raw = '{"reaction": "\\ud83d", "author": "\\udc00"}'
        response = await client.post(
            f"/api/messages/{card}/reactions",
            content=raw,
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 400 and "NUL" in response.json()["error"]
        assert await storage.signals.of_channel(here, 10) == []


async def test_a_message_with_a_lone_surrogate_is_refused(storage: Storage) -> None:
    async with client_for(playground(storage)) as client:
        response = await client.post(
            "/api/channels/general/messages",
            content='{"text": "emoji half \\ud83d", "author": "\\udc00 ada"}',
            headers={"content-type": "application/json"},
        )
        assert response.status_code == 400 and "NUL" in response.json()["error"]
        assert await messages(client) == []
