from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from bot.domain import Paper
from bot.qa.answer import extractive_answer
from bot.qa.fulltext import FullText, FullTextFetcher, TextSource, from_markdown
from bot.sources.http import Http, RetryPolicy
from storage import open_storage
from storage.fulltexts import SqlFullTextStore
from tests.fakes import FakeTime

NOW = datetime(2026, 6, 12, tzinfo=UTC)
PAPER = Paper(arxiv_id="2606.00001", version=2, title="T", abstract="We prune attention heads.")
LATEXML = b"""<html><body><article class="ltx_document">
<div class="ltx_abstract"><p class="ltx_p">We prune attention heads.</p></div>
<section class="ltx_section" id="S1"><h2 class="ltx_title ltx_title_section">1 Introduction</h2>
<div class="ltx_para"><p class="ltx_p">Transformers have many heads.</p></div></section>
<section class="ltx_section" id="S2"><h2 class="ltx_title ltx_title_section">2 Data</h2>
<div class="ltx_para"><p class="ltx_p">We train on the PubMed corpus with <math alttext="10^{6}">m</math> abstracts.</p></div>
</section></article></body></html>"""
MARKDOWN = "# Title\n\nIntro paragraph one.\n\n## Method\n\nWe prune heads by\nimportance.\n\nSecond paragraph.\n"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqlFullTextStore]:
    storage = await open_storage(f"sqlite:///{tmp_path / 'papers.db'}")
    yield SqlFullTextStore(storage.engine)
    await storage.close()


def _fetcher(store: SqlFullTextStore, handler, seen: list[str]) -> FullTextFetcher:  # type: ignore[no-untyped-def]
    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        return handler(request)

    http = Http(
        httpx.AsyncClient(transport=httpx.MockTransport(record)),
        RetryPolicy(attempts=1),
        FakeTime().sleep,
    )
    return FullTextFetcher(store, http, http, "http://arxiv", "http://hf")


async def test_arxiv_html_is_read_once_per_version(store: SqlFullTextStore) -> None:
    seen: list[str] = []
    fetcher = _fetcher(store, lambda r: httpx.Response(200, content=LATEXML), seen)
    text = await fetcher.get(PAPER, NOW)
    assert text.source is TextSource.ARXIV_HTML
    assert [(p.section, p.text) for p in text.passages][1:] == [
        ("1 Introduction", "Transformers have many heads."),
        ("2 Data", "We train on the PubMed corpus with 10^{6} abstracts."),
    ]
    assert await fetcher.get(PAPER, NOW) == text  # from the cache
    assert seen == ["/html/2606.00001v2"]


async def test_markdown_then_abstract_and_failures_are_not_cached(store: SqlFullTextStore) -> None:
    seen: list[str] = []
    fetcher = _fetcher(
        store,
        lambda r: (
            httpx.Response(404) if "html" in r.url.path else httpx.Response(200, text=MARKDOWN)
        ),
        seen,
    )
    text = await fetcher.get(PAPER, NOW)
    assert text.source is TextSource.HF_MARKDOWN
    assert [(p.section, p.text) for p in text.passages] == [
        ("Title", "Intro paragraph one."),
        ("Method", "We prune heads by importance."),
        ("Method", "Second paragraph."),
    ]
    other = Paper(arxiv_id="2606.00002", abstract="Only this.")
    down = _fetcher(store, lambda r: httpx.Response(503), [])
    assert (await down.get(other, NOW)).source is TextSource.ABSTRACT
    assert await store.get_fulltext("2606.00002", 0) is None  # a failure is tried again later
    gone = _fetcher(store, lambda r: httpx.Response(404), [])
    assert (await gone.get(other, NOW)).source is TextSource.ABSTRACT
    assert await store.get_fulltext("2606.00002", 0) is not None  # known for good: cached


def test_markdown_parser_handles_headings_and_wraps() -> None:
    assert [p.text for p in from_markdown("no headings\nwrapped\n\nsecond")] == [
        "no headings wrapped",
        "second",
    ]


async def test_extractive_answer_quotes_sections_or_says_it_does_not_know(
    store: SqlFullTextStore,
) -> None:
    text = await _fetcher(store, lambda r: httpx.Response(200, content=LATEXML), []).get(PAPER, NOW)
    answer = extractive_answer("Which corpus do they train on?", text)
    # The answering sentence leads, with its section; the link to read more comes last.
    assert answer.splitlines()[:2] == [
        "> We train on the PubMed corpus with 10^{6} abstracts.",
        "> (2 Data)",
    ]
    assert answer.endswith("From the paper's arXiv HTML; more: https://arxiv.org/abs/2606.00001")
    nothing = extractive_answer("zebra giraffe?", text)
    count = len(text.passages)
    assert nothing == (
        f"The paper does not seem to say: I searched its arXiv HTML ({count} passages). "
        "https://arxiv.org/abs/2606.00001"
    )


def tiny_pdf(pages: list[list[str]]) -> bytes:
    """A minimal, valid PDF with one text line per entry (built here: no PDF writer is installed)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    kids = " ".join(f"{3 + i * 2} 0 R" for i in range(len(pages)))
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    font = 3 + len(pages) * 2
    for i, lines in enumerate(pages):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + i * 2} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode()
        )
        stream = (
            "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
        ).encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    return (
        out
        + f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )


async def test_pdf_text_when_there_is_no_html_or_markdown(store: SqlFullTextStore) -> None:
    pdf = tiny_pdf(
        [
            ["1 Introduction", "We prune attention heads."],
            ["2 Data", "We train on PubMed."],
            ["3 Results", "Half the heads go."],
        ]
    )
    seen: list[str] = []
    fetcher = _fetcher(
        store,
        lambda r: (
            httpx.Response(200, content=pdf) if "/pdf/" in r.url.path else httpx.Response(404)
        ),
        seen,
    )
    text = await fetcher.get(PAPER, NOW)
    assert text.source is TextSource.PDF
    assert [(p.section, p.text) for p in text.passages] == [
        ("page 1", "1 Introduction We prune attention heads."),
        ("page 2", "2 Data We train on PubMed."),
        ("page 3", "3 Results Half the heads go."),
    ]
    assert seen == ["/html/2606.00001v2", "/papers/2606.00001.md", "/pdf/2606.00001v2"]
    assert "(page 2)" in extractive_answer("what corpus do they train on?", text)


def test_unreadable_pdf_gives_no_passages() -> None:
    from bot.qa.fulltext import from_pdf

    assert from_pdf(b"%PDF-1.4 garbage") == []
    assert from_pdf(b"not a pdf at all") == []


class _SlowStore:
    """A store whose write takes a while: the bot may stop in the middle of it."""

    def __init__(self) -> None:
        self.writing, self.written = asyncio.Event(), asyncio.Event()

    async def get_fulltext(self, arxiv_id: str, version: int) -> FullText | None:
        return None

    async def put_fulltext(self, text: FullText, now: datetime) -> None:
        self.writing.set()
        await asyncio.sleep(0.05)
        self.written.set()


async def test_a_fetch_cancelled_while_storing_lets_the_store_call_finish() -> None:
    # A database call cut half-way leaves its connection unreturned (a traceback at shutdown):
    # the fetch is cancelled, the store's call is not, and `settle` waits for it.
    store = _SlowStore()
    http = Http(
        httpx.AsyncClient(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, content=LATEXML))
        ),
        RetryPolicy(attempts=1),
        FakeTime().sleep,
    )
    fetcher = FullTextFetcher(store, http, http, "http://arxiv", "http://hf")
    fetch = asyncio.ensure_future(fetcher.get(PAPER, NOW))
    await store.writing.wait()
    fetch.cancel()
    with pytest.raises(asyncio.CancelledError):
        await fetch
    assert not store.written.is_set()
    await fetcher.settle()
    assert store.written.is_set()
