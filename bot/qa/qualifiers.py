"""What a question's figure is of, where a sentence gives one for each: "How many steps at
inference?" of "We train with 1000 steps and sample with 10 steps at inference", "What learning
rate for fine-tuning?" of "3e-4 for pre-training and 1e-5 for fine-tuning", "How long on the
GPU?" of "On the CPU, it takes 4.1 s, and on the GPU 0.12 s".
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from bot.qa.sentences import stems

# "at inference", "during pre-training", "for the student", "on the GPU": the phrase's first
# word (a name or a noun) says what the figure asked for is of; "compared with IQL" names a
# rival instead.
_PHRASE = re.compile(
    r"(?<!compared\s)(?<!compare\s)(?<!relative\s)(?<!comparison\s)(?<!contrast\s)"
    r"\b(?:at|during|for|in|on|under|when|while|with)\s+"
    r"(?:the\s+|a\s+|an\s+|its\s+|their\s+|our\s+|each\s+)?([A-Za-z][\w-]*)",
    re.IGNORECASE,
)
# Phrases that qualify nothing a paper gives two figures for: "in total", "in the paper".
_VAGUE = frozenset(stems("total average general practice paper work study experiments example"))
# Where a sentence's statement of one figure ends and the next begins: punctuation (not the
# comma in "1,200"), or a joining word.
_BOUNDARY = re.compile(
    r"[;:(]|,(?!\d{3})|\s(?:and|but|while|whereas|versus|vs\.?|compared to)\s", re.IGNORECASE
)


def qualifier(question: str) -> frozenset[str]:
    """The (stemmed) words of the question's qualifying phrases ("during fine-tuning" ->
    "fine", "tune")."""
    words = {w for m in _PHRASE.finditer(question) for w in stems(m[1])}
    return frozenset(words - _VAGUE)


def qualified(
    question: str, sentence: str, positions: Sequence[int], asked: frozenset[str] | None = None
) -> list[int]:
    """For each figure at `positions` in `sentence`, how many of the question's qualifying
    words (or of the stemmed words `asked`) the part of the sentence that states it has; all 0
    where the question has none or no part says more of them than the others. A part is the
    figure's stretch between boundaries, with the stretches before it that state no figure
    ("On the CPU, sampling takes 4.1 s")."""
    asked = qualifier(question) if asked is None else asked
    if not asked or len(positions) < 2:
        return [0] * len(positions)
    cuts = [0, *(m.start() for m in _BOUNDARY.finditer(sentence)), len(sentence)]
    parts = [bisect_right(cuts, at) - 1 for at in positions]
    stating = set(parts)
    fits = []
    for part in parts:
        first = part
        while first > 0 and first - 1 not in stating:
            first -= 1
        fits.append(len(asked & set(stems(sentence[cuts[first] : cuts[part + 1]]))))
    return fits if len(set(fits)) > 1 else [0] * len(positions)
