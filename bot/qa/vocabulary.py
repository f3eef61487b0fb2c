"""The words one paper uses: to read a misspelled question ("supervszed" -> "supervised") and to
say plainly when a question asks about something the paper never mentions ("privacy").

A question word counts as the paper's when the paper has the word, a word of the same stem, or,
for a word of 7 letters or more, a word with the same first letter one edit away (a swap of two
letters is one edit; two edits from 10 letters), so typos and plurals are forgiven. Shorter words
are not corrected: one edit turns too many real words into others ("neural", "neutral").
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.qa.acronyms import defined, other_forms
from bot.qa.sentences import stems

_WORD = re.compile(r"[^\W\d_][\w'-]*")
SHORTEST = 4  # a content word has at least this many letters
SHARED_START = 8  # letters a word shares with the paper's word of another ending, at least
LOOKED_UP = 10_000  # question words whose closest word is remembered, per paper
# Words about what a paper does rather than what it is about: "Do they *report* results on
# English data?" asks about English, whatever verb the paper uses.
_META = frozenset(
    [
        "report",
        "reports",
        "reported",
        "mention",
        "mentions",
        "mentioned",
        "discuss",
        "discussed",
        "describe",
        "described",
        "present",
        "presented",
        "show",
        "shown",
        "provide",
        "provided",
        "include",
        "included",
        "consider",
        "considered",
        "main",
        "contribution",
        "contributions",
        "address",
        "addressed",
        "study",
        "studied",
        # and words that judge or compare: "Is it *better* than GPT-4?" asks about GPT-4, and
        # the paper says "outperforms", "higher" or "the best"
        "better",
        "worse",
        "best",
        "worst",
        "outperform",
        "outperforms",
        "beat",
        "beats",
        "compare",
        "compared",
        "faster",
        "slower",
        "superior",
        "improve",
        "improves",
        "evaluated",
        "data",
    ]
)


def _edits(word: str) -> int:
    """Edits forgiven in `word`: none under 7 letters, one under 10, else two."""
    return 0 if len(word) < 7 else 1 if len(word) < 10 else 2


class Vocabulary:
    def __init__(self, texts: Iterable[str]) -> None:
        texts = list(texts)
        words = {w.lower() for text in texts for w in _WORD.findall(text)}
        self.acronyms = defined(texts, words)
        self._starting: dict[str, list[str]] = {}
        for word in sorted(words):
            self._starting.setdefault(word[0], []).append(word)
        self._stems = set(stems(" ".join(words)))
        # "warmup" asked of a paper that writes "warm-up"
        joined = {w.replace("-", ""): w for w in words if "-" in w}
        self._hyphenated: dict[str, str] = {k: v for k, v in joined.items() if k not in words}
        self._looked_up: dict[str, str | None] = {}  # question word -> the paper's closest

    def content(self, question: str) -> list[str]:
        """The question's words that say what it is about."""
        return [
            w
            for w in _WORD.findall(question)
            if stems(w) and len(w) >= SHORTEST and w.lower() not in _META
        ]

    def _known(self, word: str) -> bool:
        return all(s in self._stems for s in stems(word))

    def _closest(self, word: str) -> str | None:
        word = word.lower()
        if not _edits(word):
            return None
        # A question is read for retrieval, for its sentences and for what the paper never
        # says: each word is looked up once.
        if word not in self._looked_up:
            if len(self._looked_up) >= LOOKED_UP:
                self._looked_up.clear()
            # Typos seldom touch a word's first letter, while a prefix changes its meaning:
            # "unrelated" is not a misspelled "related".
            same_start = self._starting.get(word[0], [])
            found = process.extractOne(
                word, same_start, scorer=OSA.distance, score_cutoff=_edits(word)
            )
            # or the same word with another ending: "heterophily" of "heterophilous"
            stem_of = word[: max(SHARED_START, len(word) - 3)]
            other = next((w for w in same_start if w.startswith(stem_of)), None)
            self._looked_up[word] = str(found[0]) if found else other
        return self._looked_up[word]

    def spelled(self, question: str) -> str:
        """The question with each word the paper lacks replaced by the paper's word closest to
        it, within an edit or two."""

        def mend(match: re.Match[str]) -> str:
            word = match[0]
            if word.lower() in self._hyphenated:
                return self._hyphenated[word.lower()]
            if len(word) < SHORTEST or not stems(word) or self._known(word):
                return word
            return self._closest(word) or word

        return _WORD.sub(mend, question)

    def other_forms(self, question: str) -> list[tuple[str, str]]:
        """What the question's acronyms stand for in the paper, and the acronyms of the long
        forms it uses, each with the question's form: ("RL", "reinforcement learning")."""
        return other_forms(question, self.acronyms)

    def unmentioned(self, question: str) -> list[str]:
        """The question's content words that the paper never uses, nor anything close."""
        return [w for w in self.content(question) if not self._known(w) and not self._closest(w)]
