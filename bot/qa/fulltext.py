"""A paper's full text, fetched once per version: arXiv's HTML (LaTeXML), else Hugging Face's
markdown rendering, else the abstract alone; the answer says which one it read."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from bot.errors import SourceError
from bot.models import Paper
from bot.qa.passages import Passage, from_latexml, from_sections
from bot.sources.http import Http

MIN_PASSAGES = 3  # fewer than this from a page means the conversion failed


class TextSource(StrEnum):
    ARXIV_HTML = "arXiv HTML"
    HF_MARKDOWN = "Hugging Face's rendering"
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
        )
        for http, url, source in attempts:
            try:
                response = await http.get(str(source), url)
            except SourceError:
                definitive = False
                continue
            if response.status_code != 200:
                continue
            passages = (
                from_latexml(response.content)
                if source is TextSource.ARXIV_HTML
                else from_markdown(response.text)
            )
            if len(passages) >= MIN_PASSAGES:
                return FullText(paper.arxiv_id, paper.version or 0, source, tuple(passages)), True
        return abstract_only(paper), definitive
