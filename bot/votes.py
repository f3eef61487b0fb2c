"""Which reactions on a card count as votes for `/papers top`: any but the negative ones."""

from __future__ import annotations

# Platforms give either the emoji itself or its name.
NEGATIVE = frozenset({"👎", "-1", "thumbsdown", "x", "❌", "no_entry", "⛔", "no_entry_sign", "🚫"})


def is_vote(reaction: str) -> bool:
    return reaction.split("::")[0] not in NEGATIVE  # a skin-tone suffix: "-1::skin-tone-2"
