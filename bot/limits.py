"""The most of each field Paperboy keeps from a source (the README lists them).

Real records stay far inside these (the longest arXiv abstract is under 2,000 characters, the
largest author lists a few thousand names); a hostile or broken source cannot make a card, a
page or the store grow without bound. Text is cut at a word, with an ellipsis.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot.cards import cut_at_word
from bot.domain import Paper

TITLE = 1_000
ABSTRACT = 10_000
AUTHOR = 300  # one name
AUTHORS = 5_000  # names on one paper (collaborations in physics list thousands)
SHORT = 2_000  # comment, journal reference, AI summary
NAME = 300  # organization, DOI
KEYWORDS = 50  # and each at most NAME
CATEGORIES = 50
COUNT = (
    2**31 - 1
)  # upvotes, comments, stars, version: beyond it a count is nonsense (and overflows)


def _cut(text: str | None, most: int) -> str | None:
    return text if text is None or len(text) <= most else cut_at_word(text, most)


def _cut_all(items: tuple[str, ...], count: int, each: int) -> tuple[str, ...]:
    if len(items) <= count and all(len(item) <= each for item in items):
        return items
    return tuple(cut_at_word(item, each) for item in items[:count])


def bounded(paper: Paper) -> Paper:
    """`paper` with every field within its limit (the same object when it already is)."""
    cut: dict[str, Any] = {
        "title": _cut(paper.title, TITLE),
        "abstract": _cut(paper.abstract, ABSTRACT),
        "comment": _cut(paper.comment, SHORT),
        "journal_ref": _cut(paper.journal_ref, SHORT),
        "ai_summary": _cut(paper.ai_summary, SHORT),
        "doi": _cut(paper.doi, NAME),
        "organization": _cut(paper.organization, NAME),
        "authors": _cut_all(paper.authors, AUTHORS, AUTHOR),
        "ai_keywords": _cut_all(paper.ai_keywords, KEYWORDS, NAME),
        "categories": _cut_all(paper.categories, CATEGORIES, NAME),
    }
    for name in ("upvotes", "num_comments", "github_stars", "version"):
        value = getattr(paper, name)
        if value is not None and not 0 <= value <= COUNT:
            cut[name] = None
    changed = {name: value for name, value in cut.items() if value is not getattr(paper, name)}
    return replace(paper, **changed) if changed else paper
