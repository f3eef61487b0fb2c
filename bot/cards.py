"""The platform-neutral card for a paper, and its plain-text rendering.

Adapters render a `Card` natively (rich embeds, blocks, HTML); `render_text` is the
fallback every platform can show. Cards hold clean text only: escaping for a platform's markup
is the adapter's job, done where the markup is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from bot.domain import Card, Link, Paper

ARXIV = "https://arxiv.org"
HUGGING_FACE = "https://huggingface.co"

MAX_AUTHORS_SHOWN = 4  # "A, B, C, D"; longer lists become "A, B, C et al. (N authors)"
TLDR_CHARS = 300

# A sentence ends at . ! ? followed by a space and a capital, unless the word is an abbreviation.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'“])")
_ABBREVIATIONS = ("e.g.", "i.e.", "et al.", "etc.", "vs.", "cf.", "Fig.", "Eq.", "resp.", "approx.")


def short_authors(names: tuple[str, ...], shown: int = MAX_AUTHORS_SHOWN) -> str:
    """`A, B and C`; long lists as `A, B, C et al. (12 authors)`."""
    if not names:
        return "Unknown authors"
    if len(names) <= shown:
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    return f"{', '.join(names[: shown - 1])} et al. ({len(names)} authors)"


def first_sentences(text: str, limit: int = TLDR_CHARS) -> str:
    """Whole sentences from the start of `text` within `limit` characters (at least one, cut at
    a word if that one is too long)."""
    pieces = _SENTENCE_END.split(text)
    sentences: list[str] = []
    for piece in pieces:
        if sentences and sentences[-1].endswith(_ABBREVIATIONS):
            sentences[-1] = f"{sentences[-1]} {piece}"
        else:
            sentences.append(piece)
    out = ""
    for sentence in sentences:
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out or cut_at_word(text, limit)


def cut_at_word(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut at a word boundary with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:.-") + "…"


def cut_escaped(text: str, limit: int, escape: Callable[[str], str]) -> str:
    """`escape(text)` within `limit` characters, cut at a word before escaping, so that no
    escape sequence is split (adapters escape for their platform's markup)."""
    escaped = escape(text)
    while len(escaped) > limit:
        text = cut_at_word(text, max(1, len(text) - (len(escaped) - limit) - 1))
        escaped = escape(text)
    return escaped


def compact_count(n: int) -> str:
    """11184 -> '11.2k'."""
    if n < 1000:
        return str(n)
    if n < 1_000_000:
        return f"{n / 1000:.1f}k".replace(".0k", "k")
    return f"{n / 1_000_000:.1f}M".replace(".0M", "M")


def paper_links(
    paper: Paper, arxiv: str = ARXIV, hugging_face: str = HUGGING_FACE
) -> tuple[Link, ...]:
    """Links built from stored fields only (never from text a model or user wrote)."""
    links = [
        Link("arXiv", f"{arxiv}/abs/{paper.arxiv_id}"),
        Link("PDF", f"{arxiv}/pdf/{paper.arxiv_id}"),
    ]
    if paper.on_hf:
        links.append(Link("Hugging Face", f"{hugging_face}/papers/{paper.arxiv_id}"))
    if paper.github_url:
        stars = f" ★ {compact_count(paper.github_stars)}" if paper.github_stars else ""
        links.append(Link(f"Code{stars}", paper.github_url))
    if paper.project_url:
        links.append(Link("Project page", paper.project_url))
    if paper.doi:
        links.append(Link("DOI", f"https://doi.org/{paper.doi}"))
    return tuple(links)


def card_for(
    paper: Paper,
    arxiv: str = ARXIV,
    hugging_face: str = HUGGING_FACE,
    *,
    tldr: str | None = None,
) -> Card:
    """The card people see for `paper`; `tldr`: one our model wrote, if any (it comes first)."""
    written = tldr
    tldr = written or paper.ai_summary
    tldr = tldr or (first_sentences(paper.abstract) if paper.abstract else None)
    published = paper.published.date() if paper.published else None
    updated = paper.updated.date() if paper.updated and (paper.version or 1) > 1 else None
    return Card(
        arxiv_id=paper.arxiv_id,
        version=paper.version,
        title=paper.title or f"arXiv:{paper.arxiv_id}",
        authors=short_authors(paper.authors),
        organization=paper.organization,
        published=published or (paper.announced.date() if paper.announced else None),
        updated=updated,
        categories=paper.categories,
        tldr=tldr,
        tldr_is_ai=bool(written or paper.ai_summary),
        keywords=paper.ai_keywords[:6],
        upvotes=paper.upvotes,
        num_comments=paper.num_comments,
        venue=paper.journal_ref,
        links=paper_links(paper, arxiv, hugging_face),
        image_url=paper.thumbnail_url,
    )


def render_text(card: Card) -> str:
    """A plain-text card, one fact per line, for terminals and text-only channels."""
    version = f"v{card.version}" if card.version else ""
    lines = [card.title, f"arXiv:{card.arxiv_id}{version}"]
    byline = card.authors + (f" · {card.organization}" if card.organization else "")
    lines.append(byline)
    facts = []
    if card.published:
        facts.append(f"published {card.published.isoformat()}")
    if card.updated:
        facts.append(f"updated {card.updated.isoformat()}")
    if card.categories:
        facts.append(", ".join(card.categories))
    if card.venue:
        facts.append(card.venue)
    if facts:
        lines.append(" · ".join(facts))
    signals = []
    if card.upvotes is not None:
        signals.append(f"▲ {card.upvotes} upvote{'s' if card.upvotes != 1 else ''}")
    if card.num_comments:
        signals.append(f"{card.num_comments} comment{'s' if card.num_comments != 1 else ''}")
    if signals:
        lines.append(" · ".join(signals))
    if card.tldr:
        lines.append(f"TL;DR{' (AI)' if card.tldr_is_ai else ''}: {card.tldr}")
    if card.why:
        lines.append(f"Why here: {card.why}")
    lines.extend(f"{link.label}: {link.url}" for link in card.links)
    return "\n".join(lines)


def render_list(
    heading: str,
    papers: list[Paper],
    arxiv: str = ARXIV,
    *,
    reasons: Mapping[str, str | None] | None = None,
) -> str:
    """A compact digest: one line per paper, numbered, with upvotes, the abstract's link and,
    where given, its reason (`— like “A” liked here`)."""
    lines = [heading]
    for n, paper in enumerate(papers, start=1):
        votes = f" (▲ {paper.upvotes})" if paper.upvotes else ""
        title = cut_at_word(" ".join((paper.title or f"arXiv:{paper.arxiv_id}").split()), 200)
        reason = (reasons or {}).get(paper.arxiv_id)
        why = f" — {cut_at_word(reason, 120)}" if reason else ""
        lines.append(f"{n}. {title}{votes} {arxiv}/abs/{paper.arxiv_id}{why}")
    return "\n".join(lines)
