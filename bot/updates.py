"""What is worth telling a channel about a paper it already has: a new arXiv version, code
released, an upvote milestone. These go as replies in the paper's thread, never as a new card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.cards import ARXIV, compact_count
from bot.domain import DeliveryKind, Outgoing, Paper
from bot.ports import Outbox

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


async def queue_updates(
    outbox: Outbox, before: dict[str, Paper], after: dict[str, Paper], now: datetime
) -> int:
    """Replies in the threads of the cards already posted, for what changed in this fetch."""
    news: dict[str, list[Change]] = {}
    for arxiv_id, old in before.items():
        new = after.get(arxiv_id)
        if new is not None and (found := changes(old, new)):
            news[arxiv_id] = found
    if not news:
        return 0
    queued = [
        Outgoing(card.subscription_id, DeliveryKind.UPDATE, card.arxiv_id, change.kind, change.text)
        for card in await outbox.posted_cards(list(news))
        for change in news[card.arxiv_id]
    ]
    await outbox.queue(queued, now)
    return len(queued)
