"""The playground as a live chat: messages stream in, text renders quotes and safe links, hints
fit the channel's state."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.playground.app import Playground
from adapters.playground.publisher import PlaygroundPublisher
from adapters.playground.render import rich_text
from bot.cards import card_for
from bot.domain import FeedKind, FeedSpec, Origin, Paper, Rules, Target
from storage import Storage, open_storage
from tests.playground.test_app import client_for, playground

GENERAL = Target("playground", "general")


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    opened = await open_storage(f"sqlite:///{tmp_path / 'live.db'}")
    yield opened
    await opened.close()


def test_answers_render_quotes_and_only_safe_links() -> None:
    html = str(
        rich_text(
            "> We propose <b>X</b>.\n> (Abstract)\nFrom the paper's abstract; more: "
            "https://arxiv.org/abs/2606.00001 and http://evil.example/x"
        )
    )
    assert html.startswith(
        "<blockquote>We propose &lt;b&gt;X&lt;/b&gt;.<br>(Abstract)</blockquote>"
    )
    assert '<a href="https://arxiv.org/abs/2606.00001" rel="noopener nofollow"' in html
    assert "http://evil.example/x" in html and 'href="http://evil.example' not in html


@given(st.text(max_size=300))
def test_no_markup_but_ours_ever_comes_out(text: str) -> None:
    html = str(rich_text(text))
    tags = set(re.findall(r"<(/?[a-z]+)", html))
    assert tags <= {"a", "/a", "br", "blockquote", "/blockquote"}
    for href in re.findall(r'href="([^"]*)"', html):
        assert re.match(
            r"https?://([a-z0-9.-]+\.)?(arxiv\.org|huggingface\.co|doi\.org|github\.com)", href
        )


async def _events(client: httpx.AsyncClient, path: str) -> list[dict[str, object]]:
    body = (await client.get(path)).text
    return [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]


async def test_new_messages_stream_to_the_page(storage: Storage) -> None:
    pg: Playground = playground(storage, live_seconds=0.2)
    paper = Paper(
        arxiv_id="2606.00007",
        title="Sparse <attention>",
        abstract="We prune heads.",
        published=datetime.now(UTC),
        sources=frozenset({Origin.ARXIV_API}),
    )
    await storage.papers.upsert([paper])
    async with client_for(pg) as client:
        first = await PlaygroundPublisher(pg.log).post(GENERAL, card_for(paper), "k1")
        events = await _events(client, "/api/channels/general/events?after=0")
        assert [e["id"] for e in events] == [int(first)]
        assert "Sparse &lt;attention&gt;" in str(events[0]["html"]) and events[0]["bot"] is True
        await client.post(f"/api/messages/{first}/replies", json={"text": "what do they prune?"})
        # A reconnecting browser names the last message it has; only what came after is sent.
        thread = await _events(client, f"/api/messages/{first}/events?after=0")
        assert [e["bot"] for e in thread] == [False, True]
        assert "<blockquote>We prune heads.<br>(Abstract)</blockquote>" in str(thread[1]["html"])
        again = await client.get(
            f"/api/messages/{first}/events", headers={"Last-Event-ID": str(thread[0]["id"])}
        )
        assert [
            json.loads(x[6:])["id"] for x in again.text.splitlines() if x.startswith("data: ")
        ] == [thread[1]["id"]]
        page = (await client.get("/c/general")).text
    assert re.search(r'<time class="meta" datetime="[^"]+">\d\d:\d\d UTC</time>', page)
    assert "💬" not in page  # no emoji a machine without an emoji font shows as a box


async def test_the_empty_channel_hint_fits_its_state(storage: Storage) -> None:
    pg = playground(storage)
    async with client_for(pg) as client:
        empty = (await client.get("/c/lab")).text
        assert "Nothing here yet" in empty
        await storage.subscriptions.add(
            Target("playground", "lab"), FeedSpec(FeedKind.HF_DAILY), Rules(), datetime.now(UTC)
        )
        following = (await client.get("/c/lab")).text
    assert "Nothing here yet" not in following
    assert "This channel follows hf-daily: new papers appear here" in following
