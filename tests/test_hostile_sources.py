"""Hostile and broken sources, served over real HTTP to the real source clients and engine, on
SQLite and PostgreSQL: malformed, truncated, oversized, wrongly typed and renamed-field responses
leave the store unchanged and the feed marked faulty with a reason people can read; a record
without a title is held (or completed from arXiv), never a bare card."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.parts import open_sources
from adapters.settings import Settings
from bot import limits
from bot.commands import Commands, Context
from bot.domain import FeedSpec, Rules, Target
from bot.engine import build_engine
from bot.feeds import Poller, parse_feed_spec
from bot.finder import Finder
from bot.sources.http import MAX_RESPONSE
from storage import Storage, open_storage
from tests.conftest import OWN_FIXTURES
from tests.fake_sources import FakeSources
from tests.feed.fake_platform import FakePlatform

NOW = datetime(2026, 5, 2, 12, tzinfo=UTC)  # a day after the arXiv fixture's first paper
CHANNEL = Target("fake", "lab")
RSS = (OWN_FIXTURES / "arxiv_rss_mixed.xml").read_bytes()
ATOM = (OWN_FIXTURES / "arxiv_api_two_pages_p0.atom.xml").read_bytes()
HF = json.dumps(
    [{"paper": {"id": "2605.00009", "title": "Fine", "publishedAt": "2026-05-02T08:00:00Z"}}]
).encode()
OVERSIZED = b" " * (MAX_RESPONSE + 1)

FEEDS = {"hf": "hf-daily", "rss": "arxiv-rss:cs.LG", "arxiv-api": "arxiv-query:all:widgets"}
HOSTILE: dict[str, dict[str, bytes]] = {
    "hf": {
        "malformed": b'[{"paper": {"id": "2605.00009"',
        "truncated": HF[: len(HF) // 2],
        "oversized": b"[" + OVERSIZED + b"]",
        "wrongly typed": json.dumps([{"paper": {"id": 2605.00009, "title": ["x"]}}]).encode(),
        "renamed fields": json.dumps([{"paperInfo": {"paperId": "2605.00009"}}]).encode(),
        "not a list": b'{"error": "Invalid username or password."}',
    },
    "rss": {
        "malformed": b"<rss><channel><item><title>x</title></channel>",
        "truncated": RSS[: len(RSS) // 2],
        "oversized": b"<rss>" + OVERSIZED + b"</rss>",
        "wrongly typed": RSS.replace(b"https://arxiv.org/abs/", b"urn:paper:").replace(
            b"oai:arXiv.org:", b"guid:"
        ),
        "renamed fields": RSS.replace(b"<link>", b"<url>")
        .replace(b"</link>", b"</url>")
        .replace(b"<guid", b"<key")
        .replace(b"</guid>", b"</key>"),
        "not a list": b"<html><body>Service moved</body></html>",
    },
    "arxiv-api": {
        "malformed": b"<feed xmlns='http://www.w3.org/2005/Atom'><entry><id>",
        "truncated": ATOM[: len(ATOM) // 2],
        "oversized": b"<feed>" + OVERSIZED + b"</feed>",
        "wrongly typed": ATOM.replace(b"http://arxiv.org/abs/", b"tag:paper:"),
        "renamed fields": ATOM.replace(b"<id>", b"<ident>").replace(b"</id>", b"</ident>"),
        "not a list": b'{"results": []}',
    },
}
CASES = [(route, kind) for route, bodies in HOSTILE.items() for kind in bodies]


@pytest.fixture
async def storage(db_url: str) -> AsyncIterator[Storage]:
    opened = await open_storage(db_url)
    yield opened
    await opened.close()


async def papers_stored(storage: Storage) -> int:
    async with storage.engine.connect() as conn:
        return int((await conn.execute(sa.text("SELECT count(*) FROM papers"))).scalar_one())


async def run_feed(
    storage: Storage, fake: FakeSources, spec: FeedSpec, platform: FakePlatform
) -> tuple[Any, Commands]:
    settings = Settings(
        hf_base_url=f"{fake.base}/hf",
        arxiv_api_url=f"{fake.base}/arxiv/api/query",
        arxiv_rss_url=f"{fake.base}/rss",
        arxiv_request_interval_seconds=0,
        http_attempts=1,
    )
    async with open_sources(settings) as sources:
        engine = build_engine(
            storage.papers,
            storage.subscriptions,
            storage.ledger,
            {"fake": platform},
            Poller(sources),
            lambda: NOW,
        )
        commands = Commands(
            storage.subscriptions,
            storage.ledger,
            storage.papers,
            Finder(storage.papers, live_search=False),
            engine=engine,
        )
        report = await engine.run_once()
    return report, commands


@pytest.mark.parametrize(("route", "kind"), CASES, ids=[f"{r}-{k}" for r, k in CASES])
async def test_a_hostile_response_changes_nothing_and_marks_the_feed_faulty(
    storage: Storage, route: str, kind: str
) -> None:
    spec = parse_feed_spec(FEEDS[route])
    await storage.subscriptions.add(CHANNEL, spec, Rules(catch_up=50), NOW)
    platform = FakePlatform()
    with FakeSources({route: HOSTILE[route][kind]}) as fake:
        report, commands = await run_feed(storage, fake, spec, platform)
    assert str(spec) not in report.fetched
    reason = report.failed_feeds[str(spec)]
    assert reason and "Traceback" not in reason
    assert await papers_stored(storage) == 0
    assert platform.cards == {}
    listing = await commands.handle("subscriptions", Context(CHANNEL, "ada", True))
    assert f"{spec} cannot be read now (failed" in listing.text


@pytest.mark.parametrize(
    ("arxiv_knows_it", "posted"),
    [(True, ["Widgets I"]), (False, [])],
)
async def test_a_record_without_a_title_is_held_or_completed_from_arxiv(
    storage: Storage, arxiv_knows_it: bool, posted: list[str]
) -> None:
    spec = parse_feed_spec("hf-daily")
    await storage.subscriptions.add(CHANNEL, spec, Rules(catch_up=50), NOW)
    only_an_id = json.dumps(
        [
            {"paper": {"id": "2605.00001", "upvotes": "many"}},  # wrong types, no title
            {"paper": {"id": "2605.00009", "title": "Fine", "publishedAt": "2026-05-02T08:00Z"}},
        ]
    ).encode()
    bodies = {"hf": only_an_id} | ({"arxiv-api": ATOM} if arxiv_knows_it else {})
    platform = FakePlatform()
    with FakeSources(bodies) as fake:
        report, _ = await run_feed(storage, fake, spec, platform)
    titles = sorted(card.title for card in platform.cards.get(CHANNEL, []))

    assert titles == sorted(["Fine", *posted])
    assert report.held == ({} if arxiv_knows_it else {"hf-daily": 1})
    stored = await storage.papers.get("2605.00001")
    if arxiv_knows_it:
        assert stored is not None and stored.title == "Widgets I" and stored.authors == ("A. One",)
    else:
        assert stored is None  # nothing partial kept
    assert all(card.title for cards in platform.cards.values() for card in cards)


async def test_oversized_fields_are_cut_to_their_limits(storage: Storage) -> None:
    spec = parse_feed_spec("hf-daily")
    await storage.subscriptions.add(CHANNEL, spec, Rules(catch_up=50), NOW)
    huge = {
        "id": "2605.00009",
        "title": "Big " * 250_000,  # a megabyte of title
        "summary": "word " * 100_000,
        "authors": [{"name": "N" * 1000}] * 10_000,
        "ai_keywords": ["k" * 500] * 1000,
        "upvotes": 10**30,  # beyond any integer column
        "githubStars": -5,
        "publishedAt": "2026-05-02T08:00:00Z",
    }
    platform = FakePlatform()
    with FakeSources({"hf": json.dumps([{"paper": huge}]).encode()}) as fake:
        report, _ = await run_feed(storage, fake, spec, platform)
    assert report.posted == 1
    paper = await storage.papers.get("2605.00009")
    assert paper is not None and paper.title is not None and paper.abstract is not None
    assert len(paper.title) <= limits.TITLE and paper.title.startswith("Big Big")
    assert len(paper.abstract) <= limits.ABSTRACT
    assert len(paper.authors) == limits.AUTHORS
    assert max(len(a) for a in paper.authors) <= limits.AUTHOR
    assert len(paper.ai_keywords) == limits.KEYWORDS
    assert paper.upvotes is None and paper.github_stars is None
    (card,) = platform.cards[CHANNEL]
    assert len(card.title) <= limits.TITLE


async def test_nul_and_controls_in_every_field_are_dropped_not_refused(storage: Storage) -> None:
    # PostgreSQL refuses a NUL in text: one such field used to fail the whole feed's poll.
    spec = parse_feed_spec("hf-daily")
    await storage.subscriptions.add(CHANNEL, spec, Rules(catch_up=50), NOW)
    nul = {
        "id": "2605.00009",
        "title": "Hello\x00world",
        "summary": "An\x00abstract\x1b[31m.",
        "authors": [{"name": "Ada\x00 Lovelace"}],
        "ai_summary": "Sum\x00mary",
        "ai_keywords": ["key\x00word", "\x00"],
        "organization": {"fullname": "Org\x00"},
        "githubRepo": "https://github.com/o/r\x00",
        "projectPage": "https://lab.example/\x00x",
        "publishedAt": "2026-05-02T08:00:00Z",
    }
    platform = FakePlatform()
    with FakeSources({"hf": json.dumps([{"paper": nul}]).encode()}) as fake:
        report, _ = await run_feed(storage, fake, spec, platform)
    assert report.posted == 1 and not report.failed_feeds
    paper = await storage.papers.get("2605.00009")
    assert paper is not None
    assert paper.title == "Helloworld" and paper.authors == ("Ada Lovelace",)
    assert paper.ai_keywords == ("keyword",) and paper.organization == "Org"
    assert paper.github_url is None and paper.project_url is None  # no URL with a NUL in it
    stored = repr(paper)
    assert "\\x00" not in stored and "\\x1b" not in stored
