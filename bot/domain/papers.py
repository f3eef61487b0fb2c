"""Papers and what is said about them: the canonical record, its card, a turn in its thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Origin(StrEnum):
    """Where a record came from; a merged paper lists every origin it was built from."""

    HF_DAILY = "hf-daily"
    HF_PAPER = "hf-paper"
    HF_SEARCH = "hf-search"
    ARXIV_API = "arxiv-api"
    ARXIV_RSS = "arxiv-rss"
    ARXIV_SNAPSHOT = "arxiv-snapshot"


@dataclass(frozen=True, slots=True, kw_only=True)
class Paper:
    """One paper, keyed by its canonical arXiv id (no version).

    Every field but `arxiv_id` is optional: real feeds drift, and a record from one source is
    completed by another (see `bot.merge`). Datetimes are timezone-aware UTC.
    """

    arxiv_id: str
    version: int | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    published: datetime | None = None  # first version (v1) on arXiv
    updated: datetime | None = None  # this version on arXiv
    announced: datetime | None = None  # arXiv RSS announcement (mailing) time
    categories: tuple[str, ...] = ()  # primary first
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None
    announce_type: str | None = None  # arXiv RSS: new, cross, replace, replace-cross
    # Hugging Face signals
    upvotes: int | None = None
    num_comments: int | None = None
    github_url: str | None = None
    github_stars: int | None = None
    project_url: str | None = None
    thumbnail_url: str | None = None
    ai_summary: str | None = None
    ai_keywords: tuple[str, ...] = ()
    organization: str | None = None
    hf_daily_date: datetime | None = None  # the Daily Papers day it was featured on
    on_hf: bool = False  # Hugging Face has a page for it
    withdrawn: bool = False
    sources: frozenset[Origin] = field(default_factory=frozenset)

    @property
    def is_update(self) -> bool:
        """An arXiv replacement (a new version of a known paper), not a new paper."""
        return bool(self.announce_type and self.announce_type.startswith("replace"))


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Card:
    arxiv_id: str
    version: int | None
    title: str
    authors: str  # display line, already shortened
    organization: str | None
    published: date | None
    updated: date | None  # set when a later version than v1 exists
    categories: tuple[str, ...]
    tldr: str | None
    tldr_is_ai: bool  # the TL;DR is an AI summary (Hugging Face's or our model's), not the authors'
    keywords: tuple[str, ...]
    upvotes: int | None
    num_comments: int | None
    venue: str | None  # journal reference, when published
    links: tuple[Link, ...]
    image_url: str | None
    why: str | None = None  # why it is in this channel (`bot.reasons.why_line`), for feed cards


@dataclass(frozen=True, slots=True)
class Turn:
    author: str
    text: str
