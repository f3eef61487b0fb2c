"""Merge records of the same paper from different sources into one.

Each source is the authority for what it owns: arXiv for the bibliographic record (title,
abstract, authors, categories, versions, DOI, journal ref, comment), Hugging Face for its
community signals (upvotes, comments, code, project page, AI summary, thumbnail, organization).
Counts that only grow (upvotes, stars, comments) keep the larger value, so an older snapshot
read after a newer one never turns the clock back.
"""

from __future__ import annotations

from dataclasses import fields, replace
from datetime import datetime
from typing import Any

from bot.domain import Origin, Paper

_ARXIV = frozenset({Origin.ARXIV_API, Origin.ARXIV_RSS, Origin.ARXIV_SNAPSHOT})
_BIBLIOGRAPHIC = frozenset(
    {
        "title",
        "authors",
        "abstract",
        "categories",
        "comment",
        "journal_ref",
        "doi",
        "announce_type",
    }
)
_GROWING = frozenset({"upvotes", "num_comments", "github_stars"})
_SPECIAL = frozenset(
    {
        "arxiv_id",
        "version",
        "sources",
        "on_hf",
        "withdrawn",
        "hf_daily_date",
        "published",
        "updated",
        "announced",
    }
)


def _is_arxiv(paper: Paper) -> bool:
    return bool(paper.sources & _ARXIV)


def _empty(value: object) -> bool:
    return value is None or value == () or value == ""


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    return b if a is None else a if b is None else max(a, b)


def _published(base: Paper, other: Paper) -> datetime | None:
    # HF only knows the v1 day (midnight); arXiv knows the second. Between equals, the v1 date
    # never changes, so the earliest seen is right.
    if base.published is None or other.published is None:
        return base.published or other.published
    if _is_arxiv(base) != _is_arxiv(other):
        return base.published if _is_arxiv(base) else other.published
    return min(base.published, other.published)


def merge(base: Paper, other: Paper) -> Paper:
    """`base` completed and corrected by `other`, a record of the same paper.

    >>> merge(hf_paper, arxiv_paper).categories  # HF has none; arXiv's are kept
    ('cs.LG', 'cs.AI')
    """
    if base.arxiv_id != other.arxiv_id:
        raise ValueError(f"cannot merge {base.arxiv_id} with {other.arxiv_id}")
    newer_version = (other.version or 0) > (base.version or 0)
    changes: dict[str, Any] = {}
    for f in fields(Paper):
        name = f.name
        if name in _SPECIAL:
            continue
        mine, theirs = getattr(base, name), getattr(other, name)
        if _empty(theirs) or mine == theirs:
            continue
        if _empty(mine):
            changes[name] = theirs
        elif name in _GROWING:
            changes[name] = max(mine, theirs)
        elif name in _BIBLIOGRAPHIC:
            # arXiv beats HF's copy; between two arXiv records the newer version wins.
            if (_is_arxiv(other) and not _is_arxiv(base)) or (
                _is_arxiv(other) == _is_arxiv(base) and newer_version
            ):
                changes[name] = theirs
        elif not _is_arxiv(other):  # an HF-owned field: the other record is HF's, take it
            changes[name] = theirs
    return replace(
        base,
        **changes,
        version=max(base.version or 0, other.version or 0) or None,
        published=_published(base, other),
        updated=_later(base.updated, other.updated),
        announced=_later(base.announced, other.announced),
        hf_daily_date=base.hf_daily_date or other.hf_daily_date,
        on_hf=base.on_hf or other.on_hf,
        withdrawn=base.withdrawn or other.withdrawn,
        sources=base.sources | other.sources,
    )


def merge_all(papers: list[Paper]) -> list[Paper]:
    """Collapse papers that share a canonical id, keeping first-seen order."""
    merged: dict[str, Paper] = {}
    for paper in papers:
        known = merged.get(paper.arxiv_id)
        merged[paper.arxiv_id] = paper if known is None else merge(known, paper)
    return list(merged.values())
