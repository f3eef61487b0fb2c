"""The acronyms a paper defines ("reinforcement learning (RL)"), so that a question asking about
"RL" finds the sentences that spell it out, and one asking about "reinforcement learning" finds
those that say "RL".

A definition is a short form in brackets, of two capitals or more ("RL", "RevIN", "LLMs"), after
words whose initials spell its capitals in order; small words may be skipped ("Bidirectional
Encoder Representations from Transformers (BERT)") or not ("Department of Energy (DOE)"), and
a hyphenated word gives the initial of each part ("pre-trained language model (PTLM)").
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable

_DEFINED = re.compile(r"\(([A-Za-z][A-Za-z0-9-]{1,11})\)")
_SKIPPED = frozenset({"a", "an", "the", "of", "for", "and", "from", "to", "in", "on", "with", "by"})
_SPAN = 80  # characters before the brackets read for the long form
MOST = 200  # acronyms kept per paper: a table of abbreviations is not a paper's vocabulary
# Short forms papers use without defining them: "$lr = 10^{-3}$" is the learning rate
UNDEFINED = {"lr": "learning rate", "bs": "batch size", "wd": "weight decay"}


def _initials(word: str) -> str:
    return "".join(part[0] for part in word.split("-") if part).lower()


def _long_form(before: str, capitals: str) -> str | None:
    """The words ending `before` whose initials spell `capitals`, or None."""
    words = re.findall(r"[A-Za-z][\w-]*", before[-_SPAN:])
    wanted = capitals.lower()
    for start in range(len(words) - 1, -1, -1):
        chosen = words[start:]
        if chosen[0].lower() in _SKIPPED:
            continue
        initials = "".join(_initials(w) for w in chosen if w.lower() not in _SKIPPED)
        if initials == wanted:
            return " ".join(chosen)
        if len(initials) > len(wanted) + 2:
            break
        # or with the small words' initials too: "Department of Energy (DOE)"
        if "".join(_initials(w) for w in chosen) == wanted:
            return " ".join(chosen)
    return None


def defined(texts: Iterable[str], words: Collection[str] = ()) -> dict[str, str]:
    """The paper's acronyms and what they stand for: {"RL": "reinforcement learning"}, and
    those of UNDEFINED among its `words` (lower-cased)."""
    found = {short: long for short, long in UNDEFINED.items() if short in words}
    for text in texts:
        for match in _DEFINED.finditer(text):
            short = match[1]
            capitals = "".join(c for c in short.rstrip("s") if c.isupper())
            if len(capitals) < 2 or short in found:
                continue
            long = _long_form(text[: match.start()], capitals)
            if long is not None:
                found[short] = long
                if len(found) >= MOST:
                    return found
    return found


def other_forms(question: str, acronyms: dict[str, str]) -> list[tuple[str, str]]:
    """Each acronym the question uses, short or long (in any case: "llms"), with its other
    form: [("RL", "reinforcement learning")]."""
    forms: list[tuple[str, str]] = []
    lowered = " ".join(question.lower().split())
    for short, long in acronyms.items():
        if re.search(rf"(?<![\w-]){re.escape(short.lower())}(?![\w-])", lowered):
            forms.append((short, long))
        elif re.search(rf"(?<![\w-]){re.escape(long.lower())}(?![\w-])", lowered):
            forms.append((long, short))
    return forms


# "What does DATTA stand for?", "What is MFU short for?", "What does the acronym SUS mean?"
_STANDS_FOR = re.compile(
    r"\bwhat (?:does|do|did|is|are) (?:the )?(?:(?:acronym|abbreviation) )?[\"'“‘]?"
    r"([A-Za-z][A-Za-z0-9-]{1,11})[\"'”’]? (?:stands? for|short for|an? (?:acronym|abbreviation) "
    r"(?:for|of))\b"
    r"|\bwhat (?:does|do) (?:the )?(?:acronym|abbreviation) ([A-Za-z][A-Za-z0-9-]{1,11}) mean\b",
    re.IGNORECASE,
)


def stands_for_asked(question: str) -> str | None:
    """The short form a question asks to spell out, as asked ("DATTA")."""
    asked = _STANDS_FOR.search(question)
    return (asked[1] or asked[2]) if asked else None


def spelled_out(short: str, sentence: str) -> str | None:
    """What `sentence` says `short` stands for, in any case of it: "Depth-Aware Test-Time
    Adaptation" of "We propose Depth-Aware Test-Time Adaptation (DATTA)"."""
    found = defined([sentence])
    wanted = short.lower().removesuffix("s")  # "LLM" of "large language models (LLMs)"
    return next(
        (long for form, long in found.items() if form.lower().removesuffix("s") == wanted), None
    )
