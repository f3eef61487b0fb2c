from __future__ import annotations

from datetime import UTC, datetime

from bot.cards import (
    card_for,
    compact_count,
    cut_at_word,
    first_sentences,
    render_text,
    short_authors,
)
from bot.domain import Origin, Paper

FULL = Paper(
    arxiv_id="2608.09888",
    version=2,
    title="BDH-CQ: In-Context Learning",
    authors=tuple(f"Author {i}" for i in range(1, 10)),
    abstract="First sentence here. Second one, e.g. with an abbreviation. Third.",
    published=datetime(2026, 8, 10, tzinfo=UTC),
    updated=datetime(2026, 8, 20, 9, tzinfo=UTC),
    categories=("cs.LG", "cs.AI"),
    upvotes=782,
    num_comments=4,
    github_url="https://github.com/pathwaycom/arc-task-gen",
    github_stars=11184,
    project_url="https://pathway.com/blog",
    thumbnail_url="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2608.09888.png",
    ai_summary="A 150M-parameter model sets a new cost-accuracy frontier.",
    organization="Pathway",
    doi="10.1/abc",
    journal_ref="Proc. X 2026",
    on_hf=True,
    sources=frozenset({Origin.HF_PAPER, Origin.ARXIV_API}),
)


def test_card_carries_everything_people_look_for() -> None:
    card = card_for(FULL)
    assert card.title == "BDH-CQ: In-Context Learning"
    assert card.authors == "Author 1, Author 2, Author 3 et al. (9 authors)"
    assert (card.published, card.updated) == (FULL.published.date(), FULL.updated.date())  # type: ignore[union-attr]
    assert card.tldr == FULL.ai_summary
    assert card.tldr_is_ai
    assert (card.upvotes, card.num_comments, card.venue) == (782, 4, "Proc. X 2026")
    assert card.image_url == FULL.thumbnail_url
    assert [(link.label, link.url) for link in card.links] == [
        ("arXiv", "https://arxiv.org/abs/2608.09888"),
        ("PDF", "https://arxiv.org/pdf/2608.09888"),
        ("Hugging Face", "https://huggingface.co/papers/2608.09888"),
        ("Code ★ 11.2k", "https://github.com/pathwaycom/arc-task-gen"),
        ("Project page", "https://pathway.com/blog"),
        ("DOI", "https://doi.org/10.1/abc"),
    ]


def test_tldr_falls_back_to_the_abstracts_first_sentences() -> None:
    card = card_for(Paper(arxiv_id="2401.00001", abstract=FULL.abstract))
    assert card.tldr == FULL.abstract  # all three fit
    assert not card.tldr_is_ai
    assert first_sentences(FULL.abstract or "", limit=62) == (
        "First sentence here. Second one, e.g. with an abbreviation."
    )


def test_bare_paper_still_makes_a_readable_card() -> None:
    card = card_for(Paper(arxiv_id="hep-th/9901001"))
    text = render_text(card)
    assert card.title == "arXiv:hep-th/9901001"
    assert "Unknown authors" in text
    assert "https://arxiv.org/abs/hep-th/9901001" in text
    assert card.tldr is None
    assert card.upvotes is None
    assert card.updated is None


def test_render_text_shows_each_fact_once() -> None:
    text = render_text(card_for(FULL))
    assert text.splitlines()[:2] == ["BDH-CQ: In-Context Learning", "arXiv:2608.09888v2"]
    for fact in (
        "· Pathway",
        "published 2026-08-10",
        "updated 2026-08-20",
        "cs.LG, cs.AI",
        "▲ 782 upvotes",
        "4 comments",
        "TL;DR (AI): A 150M",
        "Code ★ 11.2k: https://github.com",
    ):
        assert text.count(fact) == 1, fact


def test_helpers() -> None:
    assert short_authors(("A",)) == "A"
    assert short_authors(("A", "B", "C", "D")) == "A, B, C and D"
    assert cut_at_word("one two three four", 12) == "one two…"
    assert cut_at_word("short", 12) == "short"
    assert [compact_count(n) for n in (999, 1000, 11184, 2_500_000)] == [
        "999",
        "1k",
        "11.2k",
        "2.5M",
    ]
