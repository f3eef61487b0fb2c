"""Rows <-> `bot.domain.Paper`, the only place that knows both."""

from __future__ import annotations

from typing import Any

from bot.domain import Origin, Paper
from bot.search import title_key
from storage.tables import PaperRow

# Columns written from a Paper (everything but the surrogate key and bookkeeping).
PAPER_FIELDS = (
    "arxiv_id", "version", "title", "authors", "abstract", "published", "updated", "announced",
    "categories", "comment", "journal_ref", "doi", "announce_type", "upvotes", "num_comments",
    "github_url", "github_stars", "project_url", "thumbnail_url", "ai_summary", "ai_keywords",
    "organization", "hf_daily_date", "on_hf", "withdrawn", "sources",
)  # fmt: skip
_LISTS = frozenset({"authors", "categories", "ai_keywords"})


def row_values(paper: Paper) -> dict[str, Any]:
    """Column values for `paper`, including the searchable text copies."""
    values: dict[str, Any] = {}
    for name in PAPER_FIELDS:
        value = getattr(paper, name)
        if name in _LISTS:
            value = list(value)
        elif name == "sources":
            value = sorted(value)
        values[name] = value
    values["title_key"] = title_key(paper.title) or None
    values["authors_text"] = " ".join(paper.authors)
    values["categories_text"] = f" {' '.join(paper.categories)} " if paper.categories else ""
    values["primary_category"] = paper.categories[0] if paper.categories else None
    return values


def paper_from_row(row: PaperRow | Any) -> Paper:
    """A Paper from an ORM row or a result row with the same column names."""
    kwargs: dict[str, Any] = {}
    for name in PAPER_FIELDS:
        value = getattr(row, name)
        if name in _LISTS:
            value = tuple(value or ())
        elif name == "sources":
            value = frozenset(Origin(s) for s in value or () if s in Origin._value2member_map_)
        elif name in ("on_hf", "withdrawn"):
            value = bool(value)
        kwargs[name] = value
    return Paper(**kwargs)
