from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import Origin, Paper
from bot.merge import merge, merge_all


def _t(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 6, day, hour, tzinfo=UTC)


HF = Paper(
    arxiv_id="2606.00467",
    title="HF's copy of the title",
    authors=("A. Author", "B. Author"),
    abstract="HF's copy.",
    published=_t(1),  # HF knows only the day
    upvotes=40,
    num_comments=3,
    github_url="https://github.com/o/r",
    github_stars=120,
    project_url="https://o.github.io/r",
    thumbnail_url="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2606.00467.png",
    ai_summary="A one-liner.",
    ai_keywords=("kw",),
    organization="Org",
    hf_daily_date=_t(3),
    on_hf=True,
    sources=frozenset({Origin.HF_DAILY}),
)
ARXIV = Paper(
    arxiv_id="2606.00467",
    version=2,
    title="arXiv's title",
    authors=("A. Author", "B. Author", "C. Author"),
    abstract="arXiv's abstract.",
    published=_t(1, 17),
    updated=_t(4, 9),
    categories=("cs.LG", "cs.AI"),
    comment="10 pages",
    journal_ref="J. 1 (2026)",
    doi="10.1/x",
    sources=frozenset({Origin.ARXIV_API}),
)


@pytest.mark.parametrize("order", ["hf-first", "arxiv-first"])
def test_hf_and_arxiv_merge_into_one_record_whatever_the_order(order: str) -> None:
    merged = merge(HF, ARXIV) if order == "hf-first" else merge(ARXIV, HF)
    # arXiv owns the bibliographic record ...
    assert merged.title == "arXiv's title"
    assert merged.abstract == "arXiv's abstract."
    assert merged.authors == ("A. Author", "B. Author", "C. Author")
    assert merged.categories == ("cs.LG", "cs.AI")
    assert (merged.version, merged.comment, merged.journal_ref, merged.doi) == (
        2,
        "10 pages",
        "J. 1 (2026)",
        "10.1/x",
    )
    assert merged.published == _t(1, 17)  # arXiv's exact time, not HF's midnight
    assert merged.updated == _t(4, 9)
    # ... and Hugging Face its signals.
    assert (merged.upvotes, merged.num_comments, merged.github_stars) == (40, 3, 120)
    assert merged.github_url == "https://github.com/o/r"
    assert merged.ai_summary == "A one-liner."
    assert merged.organization == "Org"
    assert merged.hf_daily_date == _t(3)
    assert merged.on_hf
    assert merged.sources == {Origin.HF_DAILY, Origin.ARXIV_API}


def test_counts_never_go_back_and_new_hf_data_wins() -> None:
    older = Paper(arxiv_id="1", upvotes=50, github_stars=10, sources=frozenset({Origin.HF_DAILY}))
    newer = Paper(
        arxiv_id="1",
        upvotes=45,
        github_stars=12,
        project_url="https://p.org",
        sources=frozenset({Origin.HF_PAPER}),
    )
    merged = merge(older, newer)
    assert (merged.upvotes, merged.github_stars, merged.project_url) == (50, 12, "https://p.org")


def test_newer_arxiv_version_replaces_older_text() -> None:
    v1 = Paper(
        arxiv_id="1",
        version=1,
        title="Draft",
        published=_t(1),
        updated=_t(1),
        sources=frozenset({Origin.ARXIV_RSS}),
    )
    v3 = Paper(
        arxiv_id="1",
        version=3,
        title="Final",
        updated=_t(9),
        announce_type="replace",
        sources=frozenset({Origin.ARXIV_RSS}),
    )
    merged = merge(v1, v3)
    assert (merged.version, merged.title, merged.published, merged.updated) == (
        3,
        "Final",
        _t(1),
        _t(9),
    )
    # and an older version read later does not undo it
    assert merge(merged, v1).title == "Final"


def test_papers_with_different_ids_never_merge() -> None:
    with pytest.raises(ValueError, match="cannot merge"):
        merge(Paper(arxiv_id="1"), Paper(arxiv_id="2"))


def test_merge_all_collapses_by_canonical_id_in_first_seen_order() -> None:
    merged = merge_all([HF, Paper(arxiv_id="2601.00001"), ARXIV])
    assert [p.arxiv_id for p in merged] == ["2606.00467", "2601.00001"]
    assert merged[0].categories == ("cs.LG", "cs.AI")
