"""A paper's full text, fetched once per version: arXiv's HTML (LaTeXML), else Hugging Face's
markdown rendering, else the abstract alone; the answer says which one it read."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import pypdf

from bot.domain import Paper
from bot.errors import SourceError
from bot.qa.passages import Passage, from_latexml, from_sections, labelled_row
from bot.sources.http import Http, MiB
from bot.text import readable_tex

_T = TypeVar("_T")
MAX_FULLTEXT = 64 * MiB  # a paper's PDF or HTML: large figures, still bounded

MIN_PASSAGES = 3  # fewer than this from a page means the conversion failed


class TextSource(StrEnum):
    ARXIV_HTML = "arXiv HTML"
    HF_MARKDOWN = "Hugging Face's rendering"
    PDF = "PDF text"
    ABSTRACT = "abstract"


@dataclass(frozen=True, slots=True)
class FullText:
    arxiv_id: str
    version: int  # 0 when the paper's version is unknown
    source: TextSource
    passages: tuple[Passage, ...]
    missing: bool = False  # the full text was looked for and could not be read


class FullTextStore(Protocol):
    async def get_fulltext(self, arxiv_id: str, version: int) -> FullText | None: ...

    async def put_fulltext(self, text: FullText, now: datetime) -> None: ...


def from_markdown(markdown: str) -> list[Passage]:
    """Passages of markdown, read by a real markdown parser (markdown-it-py): headings name
    sections; paragraphs, list items and table rows are passages of plain text (emphasis,
    links and images reduced to their words); code blocks are left out, so a `# comment` in
    one never becomes a section. TeX between dollars is kept as written (`$\\mathcal{L}_{a}$`
    is not emphasis), and a table row is read with its header ("model: MaskAlign | AP: 41.2")."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.dollarmath import dollarmath_plugin

    # "costs $5 and $6" is not a formula: no space inside the dollars, no digit outside them
    parser = MarkdownIt("commonmark").enable("table")
    parser.use(dollarmath_plugin, allow_space=False, allow_digits=False)
    sections: list[tuple[str, list[str]]] = [("", [])]
    heading = in_cell = in_head = False
    row: list[str] = []
    header: list[str] = []
    rows: list[str] = []
    for token in parser.parse(markdown):
        kind = token.type
        if kind in ("heading_open", "heading_close"):
            heading = kind == "heading_open"
        elif kind in ("td_open", "th_open", "td_close", "th_close"):
            in_cell = kind.endswith("_open")
        elif kind in ("thead_open", "thead_close"):
            in_head = kind == "thead_open"
        elif kind == "table_open":
            header, rows = [], []
        elif kind == "table_close" and rows:  # a table is one passage, as in arXiv's HTML
            sections[-1][1].append("; ".join(rows))
        elif kind == "tr_open":
            row = []
        elif kind == "tr_close" and in_head:
            header = row
        elif kind == "tr_close" and any(row):
            rows.append(labelled_row(header, row))
        elif kind == "math_block" and (formula := " ".join(token.content.split())):
            sections[-1][1].append(f"$${formula}$$")
        elif kind == "inline":
            words = readable_tex(_inline_text(token.children or []))
            if heading:
                sections.append((words, []))
            elif in_cell:
                row.append(words)
            elif words:
                sections[-1][1].append(words)
    return from_sections(sections)


def _inline_text(children: list[Any]) -> str:
    """Inline tokens as plain words: text and code spans kept, markup and images dropped."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "math_inline":
            parts.append(f"${child.content}$")
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
PDF_CHUNK = 700  # characters per passage: a PDF's text has no paragraphs to split on


def from_pdf(body: bytes) -> list[Passage]:
    """Passages of a PDF's extracted text, about a paragraph long, named by page."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages]
    except (pypdf.errors.PyPdfError, ValueError, KeyError, OSError):
        return []
    sections: list[tuple[str, list[str]]] = []
    for number, page in enumerate(pages, start=1):
        chunks: list[str] = []
        current = ""
        for sentence in _SENTENCE_END.split(" ".join(page.split())):
            if current and len(current) + len(sentence) > PDF_CHUNK:
                chunks.append(current)
                current = ""
            current = f"{current} {sentence}".strip()
        if current:
            chunks.append(current)
        sections.append((f"page {number}", chunks))
    return from_sections(sections)


def abstract_only(paper: Paper, *, missing: bool = False) -> FullText:
    passages = from_sections([("Abstract", [paper.abstract or ""])])
    return FullText(
        paper.arxiv_id, paper.version or 0, TextSource.ABSTRACT, tuple(passages), missing
    )


FIRST_BACKOFF = timedelta(minutes=1)  # a source that failed is not asked again for this long
LAST_BACKOFF = timedelta(minutes=30)  # doubling up to this, while it keeps failing


@dataclass
class FullTextFetcher:
    """Fetches and caches full text. `arxiv` must carry arXiv's shared pacer (its rate rules).

    A source that failed (network, timeout, 5xx) is remembered: it is not asked again until its
    backoff has passed, so the next question does not wait for it again."""

    store: FullTextStore
    arxiv: Http
    hf: Http
    arxiv_base: str
    hf_base: str
    _down: dict[TextSource, tuple[datetime, timedelta]] = field(default_factory=dict)
    _storing: set[asyncio.Task[Any]] = field(default_factory=set)

    async def get(self, paper: Paper, now: datetime, *, interactive: bool = False) -> FullText:
        """`interactive`: someone waits for it, so each source is tried once (not retried)."""
        version = paper.version or 0
        cached = await self._unbroken(self.store.get_fulltext(paper.arxiv_id, version))
        if cached is not None:
            return cached
        text, definitive = await self._fetch(paper, now, 1 if interactive else None)
        # Only what is known for good is cached: a network failure is tried again next time.
        if definitive:
            await self._unbroken(self.store.put_fulltext(text, now))
        return text

    async def _unbroken(self, work: Coroutine[Any, Any, _T]) -> _T:
        """A read or write of the store that a cancelled fetch (the bot stopping) does not cut
        in the middle: a database call cancelled half-way leaves its connection unreturned."""
        task = asyncio.ensure_future(work)
        self._storing.add(task)
        task.add_done_callback(self._storing.discard)
        return await asyncio.shield(task)

    async def settle(self) -> None:
        """Waits for the store's calls still going (before the store is closed)."""
        await asyncio.gather(*self._storing, return_exceptions=True)

    def down(self, now: datetime) -> list[TextSource]:
        """The sources skipped now because they failed lately."""
        return [source for source, (until, _) in self._down.items() if until > now]

    async def _fetch(
        self, paper: Paper, now: datetime, attempts: int | None
    ) -> tuple[FullText, bool]:
        versioned = f"{paper.arxiv_id}v{paper.version}" if paper.version else paper.arxiv_id
        definitive = True
        tries = (
            (self.arxiv, f"{self.arxiv_base}/html/{versioned}", TextSource.ARXIV_HTML),
            (self.hf, f"{self.hf_base}/papers/{paper.arxiv_id}.md", TextSource.HF_MARKDOWN),
            (self.arxiv, f"{self.arxiv_base}/pdf/{versioned}", TextSource.PDF),
        )
        skipped = self.down(now)
        for http, url, source in tries:
            if source in skipped:
                definitive = False
                continue
            try:
                response = await http.get(
                    str(source), url, max_bytes=MAX_FULLTEXT, attempts=attempts
                )
            except SourceError:
                definitive = False
                _, last = self._down.get(source, (now, FIRST_BACKOFF / 2))
                wait = min(last * 2, LAST_BACKOFF)
                self._down[source] = (now + wait, wait)
                continue
            self._down.pop(source, None)
            if response.status_code != 200:
                continue
            passages = _PARSERS[source](response.content)
            if len(passages) >= MIN_PASSAGES:
                return FullText(paper.arxiv_id, paper.version or 0, source, tuple(passages)), True
        return abstract_only(paper, missing=True), definitive


_PARSERS: dict[TextSource, Callable[[bytes], list[Passage]]] = {
    TextSource.ARXIV_HTML: from_latexml,
    TextSource.HF_MARKDOWN: lambda body: from_markdown(body.decode("utf-8", "replace")),
    TextSource.PDF: from_pdf,
}
