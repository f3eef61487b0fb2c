"""What is worth telling a channel about a paper it already has: a new arXiv version, code
released, an upvote milestone. These go as replies in the paper's thread, never as a new card."""

from __future__ import annotations

from dataclasses import dataclass

from bot.cards import ARXIV, compact_count
from bot.domain import Paper

MILESTONES = (10, 50, 100, 250, 500, 1000, 2500, 5000)


@dataclass(frozen=True, slots=True)
class Change:
    kind: str  # unique per paper and event, e.g. "version:3", "code", "upvotes:100"
    text: str


def changes(old: Paper, new: Paper, arxiv: str = ARXIV) -> list[Change]:
    """The news in `new` against what was stored before (`old`)."""
    found: list[Change] = []
    if old.version and new.version and new.version > old.version:
        found.append(
            Change(
                f"version:{new.version}",
                f"New version v{new.version} on arXiv: {arxiv}/abs/{new.arxiv_id}v{new.version}",
            )
        )
    if not old.github_url and new.github_url:
        stars = f" (★ {compact_count(new.github_stars)})" if new.github_stars else ""
        found.append(Change("code", f"Code released: {new.github_url}{stars}"))
    before, now = old.upvotes or 0, new.upvotes or 0
    crossed = [m for m in MILESTONES if before < m <= now]
    if crossed and old.upvotes is not None:
        found.append(Change(f"upvotes:{crossed[-1]}", f"Now at {now} upvotes on Hugging Face."))
    return found
