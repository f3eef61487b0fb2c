"""The names in a question and in a sentence, and which name a figure is said of: shared by the
readers of counts (bot.qa.short) and of values (bot.qa.values)."""

from __future__ import annotations

import re

from bot.qa.sentences import stopwords

CAPITAL = r"[A-Z][\w-]*"
_MIXED_CASE = re.compile(r"\b[a-z]+[A-Z][\w-]*")


# Names: capitals inside or all capitals (QANet, BERT-Base, LVIS, GPT-3.5, F1), a word and a
# number (Llama-2, Qwen2-7B-Instruct, wav2vec 2.0), Kneser–Ney, or
# two or more capitalised words in a row that do not start the sentence (Penn Treebank);
# each with its size or its version (XLM-R Base, NYU Depth v2).
NAME = re.compile(
    r"\b(?:[A-Za-z]*[A-Z][a-z0-9]*[A-Z0-9][\w-]*(?:\.\d+[\w-]*)*(?:\+\+|\+[A-Z][\w-]*)?"
    r"|[A-Z][a-z]+-?\d(?:[\w.-]*\w)?|[a-z]+[A-Z][a-z]\w*|[A-Z][a-z]+-[A-Z][A-Z0-9]+\w*"
    r"|[a-z]+\d[a-z]\w*(?:\s+\d+(?:\.\d+)+)?"
    r"|[A-Z][a-z]+[-–][A-Z][a-z]+(?:\s+[a-z]+ing)?"
    r"|(?<=[a-z,;:] )[A-Z][a-z]+(?:\s+[A-Z][a-z]+)+)"
    r"(?:\s+(?:Base|Large|Small|Tiny|Mini|Medium|XL|XXL|Instruct|Chat)"
    r"|(?:\s+[A-Z][\w-]*){0,3}\s+v\d+(?:\.\d+)*)?(?:\b|(?<=\+))"
)
# "5.3 for vLLM", "14.9 meV for DimeNet++": the name a figure before it is said of
FOR_NAME = re.compile(r"\s+for\s+(?:the\s+)?([A-Z][\w.+-]*[\w+]|[a-z]+[A-Z][\w.+-]*)")
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


_ARTICLE = re.compile(r"\ban?\s+$", re.IGNORECASE)
_OF = re.compile(r"\s+of\b")


def a_measure(sentence: str, start: int, end: int) -> bool:
    """Whether the name at sentence[start:end] is used as a measure: "with a CA of 81.2%"."""
    return bool(_ARTICLE.search(sentence, 0, start) and _OF.match(sentence, end))
