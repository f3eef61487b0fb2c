"""The taste model, the reasons a card gives and the vote reading, on the project's own small
papers; the parser of untrusted text under Hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.cards import render_list
from bot.domain import FeedKind, FeedSpec, Paper, PaperSignals, Rules, Subscription, Target
from bot.keywords import parse_keywords
from bot.reasons import why_line
from bot.taste import MAX_NAMES, UNREMARKED, Vocabulary, learn, rank, terms, weight
from bot.votes import is_vote

NOW = datetime(2026, 6, 12, tzinfo=UTC)


def paper(n: int, title: str, abstract: str = "", **fields: object) -> Paper:
    return Paper(arxiv_id=f"2606.{n:05d}", title=title, abstract=abstract, **fields)  # type: ignore[arg-type]


PAPERS = {
    p.arxiv_id: p
    for p in (
        paper(1, "Diffusion models for video generation", "We denoise video frames."),
        paper(2, "Graph neural networks for molecules", "Message passing on molecular graphs."),
        paper(3, "Video diffusion with temporal attention", "Frames denoised jointly."),
        paper(4, "Graph transformers for chemistry", "Attention over molecular graphs."),
        paper(5, "Sparse kernels", "Fast attention kernels.", upvotes=90),
    )
}


def test_a_like_and_a_dislike_order_new_papers() -> None:
    signals = [PaperSignals("2606.00001", up=2), PaperSignals("2606.00002", down=1)]
    taste = learn(signals, PAPERS, [], Vocabulary())
    vocabulary = Vocabulary()
    candidates = [PAPERS["2606.00004"], PAPERS["2606.00003"], PAPERS["2606.00005"]]
    vectors = {p.arxiv_id: vocabulary.vector(terms(p)) for p in candidates}
    ranked = rank(taste, candidates, vectors)
    assert [r.paper.arxiv_id for r in ranked] == ["2606.00003", "2606.00005", "2606.00004"]
    assert ranked[0].taste > 0 > ranked[-1].taste
    assert [liked.arxiv_id for liked in taste.liked] == ["2606.00001"]
    lean = taste.leaning()
    assert "video" in lean.words and "graph" in lean.avoided


def test_without_a_taste_upvotes_then_recency_decide() -> None:
    older = paper(6, "Older", upvotes=3, published=NOW.replace(day=1))
    newer = paper(7, "Newer", upvotes=3, published=NOW)
    loud = paper(8, "Loud", upvotes=40)
    taste = learn(
        [PaperSignals("2606.00006", posted=True)], {older.arxiv_id: older}, [], Vocabulary()
    )
    assert taste.empty and taste.papers == 0  # a card left alone is all it knows
    ranked = rank(learn([], {}, [], Vocabulary()), [older, newer, loud], {})
    assert [r.paper.title for r in ranked] == ["Loud", "Newer", "Older"]


def test_weights_are_bounded_per_paper() -> None:
    assert weight(PaperSignals("x", up=50)) == weight(PaperSignals("x", up=3))
    assert weight(PaperSignals("x", posted=True)) == UNREMARKED
    assert weight(PaperSignals("x", up=1, down=1)) == 0  # one each way: no lean
    assert weight(PaperSignals("x", asked=1)) > 0


def test_a_paper_never_resembles_itself() -> None:
    taste = learn([PaperSignals("2606.00001", up=1)], PAPERS, [], Vocabulary())
    vector = Vocabulary().vector(terms(PAPERS["2606.00001"]))
    assert taste.resembles("2606.00001", vector) == []
    assert taste.resembles("2606.99999", vector)[0].arxiv_id == "2606.00001"


def test_the_reason_names_what_was_met() -> None:
    sub = Subscription(
        id=3,
        target=Target("fake", "c"),
        feed=FeedSpec(FeedKind.ARXIV_RSS, "cs.LG+cs.CV"),
        rules=Rules(
            keywords=parse_keywords('diffusion OR "world model" NOT survey'),
            categories=frozenset({"cs.CV"}),
            authors=("Ada  Lovelace",),
            min_upvotes=10,
        ),
        created=NOW,
    )
    found = paper(
        9,
        "World models via diffusion",
        categories=("cs.CV", "cs.LG"),
        authors=("ada lovelace", "Alan Turing"),
        upvotes=12,
    )
    assert why_line(sub, found, "like a paper liked here: “X”") == (
        "new in arXiv cs.LG, cs.CV · keywords diffusion, world model · category cs.CV · "
        "follows Ada  Lovelace · ▲ 12 upvotes (at least 10) · like a paper liked here: “X”"
    )


def test_a_list_gives_each_paper_its_reason() -> None:
    listed = render_list(
        "More:", [PAPERS["2606.00001"], PAPERS["2606.00005"]], reasons={"2606.00005": "keyword x"}
    )
    assert listed.splitlines() == [
        "More:",
        "1. Diffusion models for video generation https://arxiv.org/abs/2606.00001",
        "2. Sparse kernels (▲ 90) https://arxiv.org/abs/2606.00005 — keyword x",
    ]


def test_thumbs_down_in_every_spelling_is_no_vote() -> None:
    for down in ("👎", "👎🏽", "-1", "-1::skin-tone-3", "thumbsdown", "x", "🚫"):
        assert not is_vote(down), down
    for up in ("👍", "👍🏿", "+1::skin-tone-2", "heart", "❤️", "🔖", "tada"):
        assert is_vote(up), up


@given(
    st.text(max_size=300),
    st.text(max_size=2000),
    st.lists(st.text(max_size=80), max_size=MAX_NAMES + 20),
    st.lists(st.text(max_size=20), max_size=10),
)
def test_any_upstream_text_reads_as_bounded_terms(
    title: str, abstract: str, authors: list[str], categories: list[str]
) -> None:
    counted = terms(
        Paper(
            arxiv_id="2606.00001",
            title=title,
            abstract=abstract,
            authors=tuple(authors),
            categories=tuple(categories),
        )
    )
    assert all(n > 0 for n in counted.values())
    assert sum(1 for t in counted if t.startswith("au:")) <= MAX_NAMES
    for term in counted:
        if not term.startswith(("au:", "cat:")):
            assert term and not any(c.isspace() for c in term) and len(term) > 1
    vector = Vocabulary().vector(counted)
    assert not vector or abs(sum(w * w for w in vector.values()) - 1.0) < 1e-6
