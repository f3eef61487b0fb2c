"""The names in a question and in a sentence, and which name a figure is said of: shared by the
readers of counts (bot.qa.short) and of values (bot.qa.values)."""

from __future__ import annotations

import re

from bot.qa.sentences import stopwords

CAPITAL = r"[A-Z][\w-]*"
_MIXED_CASE = re.compile(r"\b[a-z]+[A-Z][\w-]*")


_NAMED = re.compile(rf"\b{CAPITAL}|\b[a-z]+[A-Z][\w-]*")


def capitals(text: str) -> list[re.Match[str]]:
    """Words that may name something: capitalised (not "The", "We", "It") or in mixed case
    ("mBERT", "vLLM")."""
    stop = stopwords()
    return [m for m in _NAMED.finditer(text) if m[0].lower() not in stop]


def names_asked(question: str) -> set[str]:
    """The names in the question (lower-cased): capitalised past its first word, or in mixed
    case ("vLLM")."""
    names = {m[0].lower() for m in capitals(question) if m.start() > 0}
    return names | {m[0].lower() for m in _MIXED_CASE.finditer(question)}


def owner(capitalised: list[re.Match[str]], at: int) -> str:
    """The name last named before `at` (lower-cased), which what stands at `at` is said of."""
    return next((m[0].lower() for m in reversed(capitalised) if m.end() <= at), "")
