"""A paper's full text, fetched once per version: arXiv's HTML (LaTeXML), else Hugging Face's
markdown rendering, else the abstract alone; the answer says which one it read."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

import pypdf

from bot.domain import Paper
from bot.errors import SourceError
from bot.qa.passages import Passage, from_latexml, from_sections
from bot.sources.http import Http, MiB

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


class FullTextStore(Protocol):
    async def get_fulltext(self, arxiv_id: str, version: int) -> FullText | None: ...

    async def put_fulltext(self, text: FullText, now: datetime) -> None: ...


_HEADING = re.compile(r"^#{1,6}\s+(.*)$")


def from_markdown(markdown: str) -> list[Passage]:
    """Passages of markdown: `#` headings name sections, blank lines split paragraphs."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            sections[-1][1].append(" ".join(paragraph))
            paragraph.clear()

    for line in markdown.splitlines():
        heading = _HEADING.match(line.strip())
        if heading:
            flush()
            sections.append((heading[1], []))
        elif line.strip():
            paragraph.append(line.strip())
        else:
            flush()
    flush()
    return from_sections(sections)


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


def abstract_only(paper: Paper) -> FullText:
    passages = from_sections([("Abstract", [paper.abstract or ""])])
    return FullText(paper.arxiv_id, paper.version or 0, TextSource.ABSTRACT, tuple(passages))


@dataclass
class FullTextFetcher:
    """Fetches and caches full text. `arxiv` must carry arXiv's shared pacer (its rate rules)."""

    store: FullTextStore
    arxiv: Http
    hf: Http
    arxiv_base: str
    hf_base: str

    async def get(self, paper: Paper, now: datetime) -> FullText:
        version = paper.version or 0
        cached = await self.store.get_fulltext(paper.arxiv_id, version)
        if cached is not None:
            return cached
        text, definitive = await self._fetch(paper)
        # Only what is known for good is cached: a network failure is tried again next time.
        if definitive:
            await self.store.put_fulltext(text, now)
        return text

    async def _fetch(self, paper: Paper) -> tuple[FullText, bool]:
        versioned = f"{paper.arxiv_id}v{paper.version}" if paper.version else paper.arxiv_id
        definitive = True
        attempts = (
            (self.arxiv, f"{self.arxiv_base}/html/{versioned}", TextSource.ARXIV_HTML),
            (self.hf, f"{self.hf_base}/papers/{paper.arxiv_id}.md", TextSource.HF_MARKDOWN),
            (self.arxiv, f"{self.arxiv_base}/pdf/{versioned}", TextSource.PDF),
        )
        for http, url, source in attempts:
            try:
                response = await http.get(str(source), url, max_bytes=MAX_FULLTEXT)
            except SourceError:
                definitive = False
                continue
            if response.status_code != 200:
                continue
            passages = _PARSERS[source](response.content)
            if len(passages) >= MIN_PASSAGES:
                return FullText(paper.arxiv_id, paper.version or 0, source, tuple(passages)), True
        return abstract_only(paper), definitive


_PARSERS: dict[TextSource, Callable[[bytes], list[Passage]]] = {
    TextSource.ARXIV_HTML: from_latexml,
    TextSource.HF_MARKDOWN: lambda body: from_markdown(body.decode("utf-8", "replace")),
    TextSource.PDF: from_pdf,
}
