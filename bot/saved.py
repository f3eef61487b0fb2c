"""Saved responses of any source, recognised by their content (`paperboy parse`, `import`)."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum
from typing import TYPE_CHECKING

from bot.errors import UnreadableResponse

if TYPE_CHECKING:
    from bot.sources.base import Batch


class Format(StrEnum):
    AUTO = "auto"
    HF_DAILY = "hf-daily"
    HF_PAPER = "hf-paper"
    HF_SEARCH = "hf-search"
    ARXIV_API = "arxiv-api"
    ARXIV_RSS = "arxiv-rss"


def parser(fmt: Format) -> Callable[[bytes], Batch]:
    """The parser of one format (loaded when asked for: `paperboy --help` needs none)."""
    from bot.sources.arxiv_api import parse_atom
    from bot.sources.arxiv_rss import parse_rss
    from bot.sources.hf import parse_hf_daily, parse_hf_paper, parse_hf_search

    return {
        Format.HF_DAILY: parse_hf_daily,
        Format.HF_PAPER: parse_hf_paper,
        Format.HF_SEARCH: parse_hf_search,
        Format.ARXIV_API: parse_atom,
        Format.ARXIV_RSS: parse_rss,
    }[fmt]


_XML_ROOT = re.compile(rb"<(?:[\w-]+:)?(feed|rss|rdf:RDF)\b")


def detect(body: bytes) -> Format:
    """Which source a saved body came from, judged by its content alone."""
    head = body.lstrip()[:1]
    if head == b"{" and b'"id"' in body and (b'"upvotes"' in body or b'"discussionId"' in body):
        return Format.HF_PAPER
    if head == b"[":
        # Search results carry highlight fragments; daily items do not.
        return Format.HF_SEARCH if b'"highlightedTitle"' in body else Format.HF_DAILY
    match = _XML_ROOT.search(body[:4096])
    if match and match[1] == b"feed":
        return Format.ARXIV_API
    if match and match[1] == b"rss":
        return Format.ARXIV_RSS
    raise UnreadableResponse("file", "not a Hugging Face JSON, arXiv Atom or arXiv RSS response")


def parse_saved(body: bytes, fmt: Format = Format.AUTO) -> Batch:
    """Parse a saved response; raises `SourceError` subclasses for error feeds and bad bodies."""
    return parser(detect(body) if fmt is Format.AUTO else fmt)(body)
