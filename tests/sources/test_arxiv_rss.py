from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import SourceRejected, UnreadableResponse
from bot.sources.arxiv_rss import ArxivRss, parse_rss
from bot.sources.http import Http, RetryPolicy
from tests.fakes import FakeHttp, FakeTime, ok


def test_new_cross_and_replacements_are_told_apart(own: Path) -> None:
    batch = parse_rss((own / "arxiv_rss_mixed.xml").read_bytes())
    kinds = {p.arxiv_id: (p.announce_type, p.is_update, p.version) for p in batch.papers}
    assert kinds == {
        "2605.01234": ("new", False, 1),
        "2605.01300": ("cross", False, 1),
        "2511.04321": ("replace", True, 3),
        "hep-th/9901001": ("replace-cross", True, 2),
    }
    assert batch.skipped == ("item 4: no arXiv id in guid None or link None",)


def test_item_fields(own: Path) -> None:
    new, cross, replaced, _ = parse_rss((own / "arxiv_rss_mixed.xml").read_bytes()).papers
    assert new.title == "Sparse Mixture of α-Experts for Fast Training"
    assert new.authors == ("Ada Lovelace", "Alan Turing", "Deepti")
    assert new.abstract == "We train experts. It costs $5 per run."
    assert new.categories == ("cs.LG", "cs.AI")
    assert new.announced == new.published == datetime(2026, 5, 5, 4, tzinfo=UTC)
    assert cross.abstract == "A one-line description, as some clients see it."
    assert (cross.doi, cross.journal_ref) == ("10.1000/xyz123", "J. Tok. 1 (2026) 1-10")
    # A replacement is announced today but was first published long before: the date is its
    # version's, not the paper's announcement.
    assert replaced.published is None
    assert replaced.announced is None
    assert replaced.updated == datetime(2026, 5, 5, 4, tzinfo=UTC)


def test_weekend_feed_is_empty_not_an_error(own: Path) -> None:
    batch = parse_rss((own / "arxiv_rss_weekend_empty.xml").read_bytes())
    assert batch.papers == ()
    assert batch.skipped == ()
    assert batch.built == datetime(2026, 5, 9, 4, tzinfo=UTC)


def test_not_rss_is_refused() -> None:
    with pytest.raises(UnreadableResponse, match="not XML"):
        parse_rss(b"<rss><channel>")
    with pytest.raises(SourceRejected, match="not an RSS 2.0 feed"):
        parse_rss(b"<html><body>maintenance</body></html>")


def test_entities_are_not_expanded() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<rss version="2.0"><channel><item><title>&b;</title><guid>oai:arXiv.org:2605.01234v1</guid></item></channel></rss>"""
    (paper,) = parse_rss(bomb).papers
    assert paper.title is None or "aaaaaaaaaa" not in paper.title


async def test_client_asks_for_joined_categories_and_splits_the_announcement(own: Path) -> None:
    fake = FakeHttp([ok((own / "arxiv_rss_mixed.xml").read_bytes())])
    async with fake.client() as client:
        rss = ArxivRss(Http(client, RetryPolicy(), FakeTime().sleep), "http://127.0.0.1/rss/")
        announcement = await rss.fetch(["cs.LG", " cs.CL "])
    assert str(fake.requests[0].url) == "http://127.0.0.1/rss/cs.LG+cs.CL"
    assert [p.arxiv_id for p in announcement.new] == ["2605.01234", "2605.01300"]
    assert [p.arxiv_id for p in announcement.updates] == ["2511.04321", "hep-th/9901001"]


async def test_client_reports_http_errors() -> None:
    fake = FakeHttp([ok("not found", 404)])
    async with fake.client() as client:
        with pytest.raises(SourceRejected, match="HTTP 404 for cs.XX"):
            await ArxivRss(Http(client), "http://127.0.0.1/rss").fetch(["cs.XX"])
