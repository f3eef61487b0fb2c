"""Which reactions on a card are votes for it: any but the negative ones, which count against
it in the channel's taste (and not at all in `/papers top`)."""

from __future__ import annotations

import re

# Platforms give either the emoji itself or its name.
NEGATIVE = frozenset({"👎", "-1", "thumbsdown", "x", "❌", "no_entry", "⛔", "no_entry_sign", "🚫"})
# A skin tone: a name's suffix ("-1::skin-tone-2"), or an emoji's modifier (👎🏽), and the
# variation selector some clients add.
_TONE = re.compile(r"::skin-tone-\d+$|[\U0001F3FB-\U0001F3FF\uFE0F]")


def is_vote(reaction: str) -> bool:
    return _TONE.sub("", reaction) not in NEGATIVE
