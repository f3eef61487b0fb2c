"""A paper as a flat JSON-ready record (the `paperboy parse` and `show --format json` shape)."""

from __future__ import annotations

from datetime import datetime

from bot.cards import ARXIV, HUGGING_FACE
from bot.domain import Paper


def iso_utc(moment: datetime | None) -> str | None:
    """`2026-06-12T00:00:00Z`, or None."""
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def paper_record(
    paper: Paper, arxiv: str = ARXIV, hugging_face: str = HUGGING_FACE
) -> dict[str, object]:
    """Every field of `paper`, with links; missing values are None (JSON null)."""
    return {
        "arxiv_id": paper.arxiv_id,
        "version": paper.version,
        "title": paper.title,
        "authors": list(paper.authors),
        "abstract": paper.abstract,
        "published": iso_utc(paper.published),
        "updated": iso_utc(paper.updated),
        "announced": iso_utc(paper.announced),
        "categories": list(paper.categories),
        "upvotes": paper.upvotes,
        "num_comments": paper.num_comments,
        "github_url": paper.github_url,
        "github_stars": paper.github_stars,
        "project_url": paper.project_url,
        "abs_url": f"{arxiv}/abs/{paper.arxiv_id}",
        "pdf_url": f"{arxiv}/pdf/{paper.arxiv_id}",
        "hf_url": f"{hugging_face}/papers/{paper.arxiv_id}" if paper.on_hf else None,
        "thumbnail_url": paper.thumbnail_url,
        "ai_summary": paper.ai_summary,
        "ai_keywords": list(paper.ai_keywords),
        "organization": paper.organization,
        "hf_daily_date": iso_utc(paper.hf_daily_date),
        "doi": paper.doi,
        "journal_ref": paper.journal_ref,
        "comment": paper.comment,
        "announce_type": paper.announce_type,
        "withdrawn": paper.withdrawn,
        "sources": sorted(paper.sources),
    }
