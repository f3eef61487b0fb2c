"""Yes or no, where the sentence quoted says it plainly: "Do they evaluate on ImageNet?" of "We
evaluate on ImageNet and LSUN" is a yes; "Do they use data augmentation?" of "We do not use
data augmentation" a no; "Did they test models larger than 70B?" of "we only tested models up
to 2B parameters" a no. Anything less plain gets no verdict: the quote is the answer.
"""

from __future__ import annotations

import re

from bot.qa.names import names_asked
from bot.qa.sentences import YES_NO, stems

# A turn that denies what follows: "do not use", "without labels", "never fine-tune".
_DENIES = re.compile(
    r"\b(?:not|never|without|no|cannot|(?:do|does|did|is|are|was|were|has|have)n't)\b\s*"
    r"((?:[\w-]+\s+){0,2})",
    re.IGNORECASE,
)
_ONLY = re.compile(r"^\s*only\b", re.IGNORECASE)  # "not only X but also Y" denies nothing
# Sizes written as papers write them: 70B, 2.7B, 350M, "13 billion".
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9}
_SCALE |= {"t": 1e12, "trillion": 1e12}
_SIZE = r"(\d+(?:\.\d+)?)\s*(k|m|b|t|thousand|million|billion|trillion)\b"
_ABOVE_ASKED = re.compile(
    rf"\b(?:larger|bigger|more|greater|above|over|beyond|exceeding)\s+(?:than\s+)?{_SIZE}",
    re.IGNORECASE,
)
_AT_MOST = re.compile(
    rf"\b(?:up to|at most|no more than|no larger than|not exceeding|maximum of)\s+{_SIZE}",
    re.IGNORECASE,
)
_PROMISED = re.compile(
    r"\bwill be\b|\bwill (?:release|publish|open-source|make)\b"
    r"|\bupon (?:acceptance|publication)\b",
    re.IGNORECASE,
)
# The paper speaking of its own work: "we", "our", "this paper"; "Code will be made available"
_OURS = re.compile(
    r"\b(?:we|our|us|this (?:paper|work|study))\b|^(?:the |all )?(?:source )?code\b", re.I
)
_NONE = re.compile(r"\b(?:none|nothing|neither|nor|no longer|fails?|failed|lacks?)\b", re.I)
# A turn that makes a sentence say two things: no plain yes or no in it
_TURNS = re.compile(
    r"\b(?:unlike|whereas|but|instead|rather than|tried|abandon\w*|compared?|comparison|"
    r"against|versus|vs|than|except|although|however)\b",
    re.IGNORECASE,
)
_CLAUSES = re.compile(r"[;,]|\band\b")
_CHOICE = re.compile(r",?\s+or\s+(?:is|are|was|were|do|does|did|not)\b", re.IGNORECASE)


def _size(number: str, scale: str) -> float:
    return float(number) * _SCALE[scale.lower()]


def verdict(question: str, sentence: str, own: frozenset[str] = frozenset()) -> str | None:
    """ "yes" or "no" where `sentence` plainly answers the yes-or-no `question`, else None.
    Plainly: it says it of the paper's own work (we, our, `own`: the paper's names for it) or
    of the name asked, and no turn of denial it has could be about something else."""
    if not YES_NO.match(question) or _CHOICE.search(question):
        return None  # "Is it X, or are there Y?" asks which, not whether
    if _TURNS.search(sentence):
        return None  # "Unlike InstructGPT, which uses RLHF, we use DPO": not plain
    limits = list(_AT_MOST.finditer(sentence))
    if (asked := _ABOVE_ASKED.search(question)) and len(limits) == 1 and (said := limits[0]):
        # of the same thing: "models larger than 70B?" of "models up to 2B parameters"
        thing = stems(question[: asked.start()])[-1:]
        if not thing or thing[0] not in stems(sentence[max(0, said.start() - 40) : said.start()]):
            return None
        limit, largest = _size(asked[1], asked[2]), _size(said[1], said[2])
        return f"no, {said[0]}" if largest <= limit else None
    content = set(stems(re.sub(r"^\s*\w+", "", question)))  # not its "Do" / "Is"
    said_words = set(stems(sentence))
    if not content or not content <= said_words:
        return None
    # "Is the model equivariant?" is not answered by "The equivariant Equiformer ..."
    named = {w.lower() for w in re.findall(r"[\w-]+", sentence)}
    if not (_OURS.search(sentence) or named & (own | names_asked(question))):
        return None
    denials = [d for d in _DENIES.finditer(sentence) if not _ONLY.match(d[1])]
    if any(set(stems(d[1])) & content for d in denials):
        return "no"
    if denials or _NONE.search(sentence):
        return None  # "We did not measure latency on mobile phones": not a yes, nor a no
    # "Is the code available?" of "Code will be made available": not yet; said of the clause
    # that holds what is asked ("... on ImageNet; COCO will be reported later" is a yes)
    clause = max(_CLAUSES.split(sentence), key=lambda c: len(content & set(stems(c))))
    return "not yet, the paper says it will be" if _PROMISED.search(clause) else "yes"
