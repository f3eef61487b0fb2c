from __future__ import annotations

from bot.domain import Paper
from bot.updates import changes


def test_new_version_code_and_upvote_milestones() -> None:
    old = Paper(arxiv_id="2606.00001", version=1, upvotes=40)
    new = Paper(
        arxiv_id="2606.00001",
        version=2,
        upvotes=120,
        github_url="https://github.com/o/r",
        github_stars=1500,
    )
    assert [(c.kind, c.text) for c in changes(old, new)] == [
        ("version:2", "New version v2 on arXiv: https://arxiv.org/abs/2606.00001v2"),
        ("code", "Code released: https://github.com/o/r (★ 1.5k)"),
        ("upvotes:100", "Now at 120 upvotes on Hugging Face."),  # the highest milestone crossed
    ]


def test_nothing_new_is_no_news() -> None:
    paper = Paper(
        arxiv_id="2606.00001", version=2, upvotes=120, github_url="https://github.com/o/r"
    )
    assert changes(paper, paper) == []
    # Upvotes first seen (no earlier count) are not a milestone reached.
    assert changes(Paper(arxiv_id="1"), Paper(arxiv_id="1", upvotes=500)) == []
