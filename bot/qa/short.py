"""The short answer inside the answering sentence, for questions that ask for a number ("how
many questions?" -> "2,714 question-answer pairs") or for names ("which baselines?" -> "QANet,
BERT-Base"). It is read off the quoted sentence, which follows it, so a reader can check it;
questions of other kinds get the sentence alone.

General signals only: what numbers and names look like, that the answer is what the question
does not already say, and that a clause of contrast ("while LVIS is not") does not answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from itertools import dropwhile, takewhile

from bot.qa.acronyms import spelled_out, stands_for_asked
from bot.qa.names import FOR_NAME, NAME, a_measure, capitals, names_asked, owner
from bot.qa.passages import labelled_rows
from bot.qa.qualifiers import qualified
from bot.qa.sentences import (
    BEST_ASKED,
    HARDWARE_USED,
    KINDS,
    LANGUAGES,
    METRICS,
    NUMBER_WORDS,
    OPTIMIZERS,
    YES_NO,
    function_words,
    kinds_of,
    stem,
    stems,
    stopwords,
)
from bot.qa.values import best_of, value_asked

MOST = 10  # spans in a short answer
LONGEST = 1_000  # characters of a sentence read for a short answer
_LISTS = {"baseline", "name", "language", "model"}
_TYPED_LISTS = {"language", "metric"}
# "Which datasets?" asks for names; "what data is it trained on?" for a description.
_DATASETS = re.compile(
    r"\b(data ?sets?|benchmarks?|corpora|(test|evaluation|validation) (sets?|splits?))\b",
    re.IGNORECASE,
)

# "Which models/tools ..." asks for names even without one of the kinds' words.
_ENTITIES = re.compile(
    r"^\s*(which|what)\s+([\w-]+\s+){0,2}(models?|methods?|systems?|approaches|architectures?|"
    r"tools?|algorithms?|encoders?|classifiers?|networks?)\b",
    re.IGNORECASE,
)
_NAME_ASKED = re.compile(r"^\s*(?:which|who)\b|" + _ENTITIES.pattern, re.IGNORECASE)
# Where the sentence turns to what is *not* the answer: "..., while LVIS is not".
_CONTRAST = re.compile(
    r"[,;]?\s+\b(?:while|whereas|but|unlike|except|although|however)\b", re.IGNORECASE
)
_UNIT = r"(?:\s*(?:%|×|[kKMB]\b)|x\b| ?s\b)?"  # "5.4x faster", "4.1 s" too
_SCALES = {"million", "millions", "billion", "billions", "thousand", "thousands", "hundred"}
# Words that join counts, not name what is counted: "six axioms plus the six of May".
_JOINS = {"plus", "minus", "per", "each", "versus", "vs", "compared", "relative", "respectively"}
# A number standing alone: not part of a formula ("(2n-1)m", "x^2", "\\max(3m,0)") or a word,
# maybe in a compound ("12-layer"); or written in words ("six axioms").
_NUMBER = re.compile(
    r"(?<![\w.,=+\-^_/\\{])(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:-[a-z]+)?"
    + _UNIT
    + r"(?:-[a-z]+)?(?![\w)}\]^_/\\-])|\b(?i:"
    + NUMBER_WORDS
    + r")\b"
)
_AGAINST = re.compile(
    r"(?:\s+[a-z]+){0,2}?\s+(?:above|over|than|against|vs\.?|versus|"
    r"(?:relative|compared)\s+(?:to|with))\s+(?:the\s+)?"
    r"([A-Z][\w-]*)"
)
_FROM = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_TO = re.compile(r"(?:\s+[A-Za-z]+){0,2}\s+to\s+\d", re.IGNORECASE)
# the words that may say what is counted ("2.3 million unlabelled 12-lead recordings")
_AFTER = re.compile(r"(?:\s+(?:[A-Za-z][\w'-]*|\d+-[A-Za-z][\w-]*)){0,4}")
# "a median of 38 per participant" is a rate, not a count of participants
_PER = re.compile(r"\s+(?:per|for each|each|a|every)\s+([A-Za-z][\w-]*)", re.IGNORECASE)
# "12-lead recordings" counts leads: a compound is a count of its own word only
_COMPOUND = re.compile(r"^\d+-([a-z]+)$")
_FORMULA = re.compile(r"\$[^$]*\$")
# A symbol set to a count of what the words after it name: "$h = 16$ attention heads".
_SET_COUNT = re.compile(r"\$\s*[A-Za-z][\w\\{}]*\s*=\s*(\d[\d,.]*)\s*\$(?=\s+([A-Za-z][\w-]*))")
# "Two of the authors annotated ...": how many of them did what is asked.
_OF_THEM = re.compile(
    r"\s+of\s+(?:the|our|their|these|those|all)\s+(?:\d[\d,]*\s+)?([A-Za-z][\w-]*)", re.I
)
_EQUALS = ("=", "<", ">", "≤", "≥", "≈")
# What "how many ...?" counts: the last word before its verb ("annotated *documents* are")
_COUNTED = re.compile(
    r"\bhow (?:many|much)\s+(?:[\w-]+\s+){0,3}?([\w-]+)\s+(?:are|is|was|were|do|does|did|"
    r"have|has|had|can|will|would|in|of|per|for|on|there)\b",
    re.IGNORECASE,
)
_HOW_MANY = re.compile(r"\bhow many\s+([\w\s-]+)", re.IGNORECASE)


def _counted(question: str) -> str | None:
    """The noun a "how many" question counts: before its verb ("how many annotated documents
    are there?"), else the last of the words after "how many" that is not a verb ("how many
    test images?", "how many authors annotated it?")."""
    if found := _COUNTED.search(question):
        return found[1]
    if not (after := _HOW_MANY.search(question)):
        return None
    stop = function_words()
    words = list(takewhile(lambda w: w.lower() not in stop, after[1].split()))
    nouns = [w for w in words if not w.endswith(("ed", "ing"))]
    return nouns[-1] if nouns else None


# "What percentage ...?" is answered by a share; "How long does training take?" by a time.
_SHARE = re.compile(r"\b(percent\w*|proportion|share|fraction|rate)\b|%", re.IGNORECASE)
_TIME_ASKED = re.compile(
    r"\bhow long (does|did|do|will|would)\b[^?]*\b(take|train|run)|\bhow much time\b|"
    r"\b(training|inference|running) time\b",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"\b(seconds?|minutes?|hours?|days?|weeks?|months?|years?|ms|secs?|mins?|hrs?|[0-9.]+h)\b"
    r"|(?<=\d) ?s\b",  # "4.1 s"
    re.IGNORECASE,
)
# Questions that ask for a measure of one kind, and what a number of that kind carries.
_MEASURED_AS = (
    (_SHARE, re.compile(r"%|\bpercent\b", re.IGNORECASE)),
    (_TIME_ASKED, _TIME),
    (
        re.compile(r"\b(faster|slower|speed-?ups?|how (fast|quick\w*))\b", re.IGNORECASE),
        re.compile(
            rf"\b(times|fold)\b|×|\d(\.\d+)?x\b|/s\b|\bper (second|image|token)\b|{_TIME.pattern}",
            re.IGNORECASE,
        ),
    ),
    (  # "How much were annotators paid?": "18 USD"
        re.compile(r"\b(paid|pay|costs?|price|spen[dt]|earn\w*|wages?|salar\w+)\b", re.I),
        re.compile(r"[$€£]|\b(USD|EUR|GBP|dollars?|euros?|cents?|pounds?)\b", re.IGNORECASE),
    ),
    (
        re.compile(r"\bhow much (better|worse|higher|lower)\b", re.IGNORECASE),
        re.compile(r"\b(points?|pp)\b|%|" + METRICS, re.IGNORECASE),
    ),
)


def _measure(question: str) -> re.Pattern[str] | None:
    """What a number answering `question` carries, when it asks for a kind of measure."""
    return next((carries for asks, carries in _MEASURED_AS if asks.search(question)), None)


# A number that labels something rather than counts it: "Table 2", "Section 3", "[12]".
_LABEL = re.compile(
    r"\b(table|tab|figure|fig|section|sec|eq|equation|chapter|appendix|step|layer|version|v)"
    r"\.?\s*$|[\[(]\s*$"
    r"|(?-i:\b[A-Z]+\s?)$",  # a model's number, not a count: "RTX 4090", "GPT 4"
    re.IGNORECASE,
)
_YEAR = re.compile(r"^(19[5-9]\d|20[0-4]\d)$")
# A list of capitalised words: "ScanNet and Replica", "QANet, BERT and Transformer".
_ITEM = r"[A-Za-z](?:[\w.+-]*[\w+-])?"
_NUMBER_WORD = re.compile(rf"{NUMBER_WORDS}|one|zero", re.IGNORECASE)
_SERIES = re.compile(rf"\b{_ITEM}(?:(?:,\s+|,?\s+(?:and|or)\s+){_ITEM})+")
_CALLS = re.compile(
    r"\b(?:call(?:ed|s)?|dub(?:bed|s)?|term(?:ed|s)?|refer(?:red)? to)\s+([\w'“”\"-]+"
    r"(?:\s+[\w'“”\"-]+){0,6})",
    re.IGNORECASE,
)
_POINTERS = {"this", "that", "it", "them", "these", "those", "the", "a", "an", "as", "such"}
_POINTERS |= {"our", "their", "its", "his", "her", "my", "your"}
# Citation and cross-reference placeholders some converters leave in the text (BIBREF12).
_PLACEHOLDER = re.compile(r"^[A-Z]+REF\d+$|^INLINEFORM\d+$|^DISPLAYFORM\d+$")
_METRICS = re.compile(METRICS, re.IGNORECASE)
_THAT_FOLLOWS = re.compile(r"\s+that\b", re.IGNORECASE)
_MEASURED = re.compile(
    r"\bhow (?:big|large|long|small) (?:is|are|was|were) ([\w' -]+)", re.IGNORECASE
)
# Words that say what kind of measure, not what is measured ("the vocabulary size").
_MEASURES = {"size", "sizes", "set", "sets", "length", "number", "amount", "scale"}
_NEAR = 5  # words before a number where what it measures is named
_AND = re.compile(r"\s*(,|,? and|,? or)\s*$")
_ASIDE = re.compile(r"\([^()]*\)")
# A clause ends at punctuation, not at the comma inside a number ("1,200"); an aside not yet
# closed is a clause of its own.
_CLAUSE = re.compile(r"[;:(]|,(?!\d{3})")
# "It contains 17,833 sentences": a sentence that gives the size of what the one before names.
_HAS = re.compile(
    r"(it|they|these|this)\s+((also|only|now|then|thus|therefore)\s+)?"
    r"(contains?|has|have|consists?|comprises?|includes?|covers?|holds?|spans?|totals?)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class _Span:
    text: str
    about: bool = False  # counts what the question asks about ("how many questions?")
    in_head: bool = True  # before a clause of contrast ("..., while LVIS is not")
    owner: str = ""  # the name it is said of: "ScanNet contains 1,513 scenes" -> "scannet"
    rival: str = ""  # the name it is measured against: "1.7 points above Math-Shepherd"
    # It counts something else, named, in a sentence that names what is asked: "claims from
    # 23 fact-checking organisations" for "how many claims?"
    other: bool = False


def _asked(question: str) -> set[str]:
    return {w.lower() for w in re.findall(r"[\w-]+", question)}


def measured(question: str) -> str | None:
    """The stem of what a "how big is X?" question measures: X's last word before a verb or a
    preposition ("How large is the raw corpus used for training?" -> "corpus")."""
    match = _MEASURED.search(question)
    if not match:
        return None
    stop = stopwords()

    # A participle ends the name ("collected", "annotated"); "seed" or "speed" do not.
    def naming(word: str) -> bool:
        return word.lower() not in stop and not (word.endswith("ed") and len(word) > 5)

    # "these pre-trained datasets", "GPT-3's training set": the name starts after its
    # determiners and participles, and a possessive is part of it.
    words = [re.sub(r"'s$", "", w) for w in match[1].split()]
    words = list(takewhile(naming, dropwhile(lambda w: not naming(w), words)))
    while len(words) > 1 and words[-1].lower() in _MEASURES:
        words.pop()  # "the vocabulary size" measures the vocabulary
    found = stems(words[-1]) if words else []
    return found[0] if found else None


def _about(span: str, before: str, subject: str | None, words: set[str], said: str) -> bool:
    """Whether the number `span` (with the sentence's text `before` it) counts what is asked:
    what it counts is named after it ("2,714 questions"), or the measured subject just before
    it in its clause ("the corpus of about 100 million sentences"), or, in a sentence that
    starts "It ...", in the sentence before (`said`). Without a measured subject: any of the
    question's (stemmed) `words` named after it."""
    if subject is None:
        return bool(words & set(stems(span)))
    if subject in stems(span):
        return True
    plain = _ASIDE.sub(" ", before)  # "The dataset (collected in 2019) contains 10,000 ..."
    clause = _CLAUSE.split(plain)[-1]
    if subject in stems(" ".join(clause.split()[-_NEAR:])):
        return True
    # "It contains 17,833 sentences, 826,987 characters and ...": all of its first statement
    referring = _HAS.match(plain) and not re.search(r"[;:]", plain)
    return bool(referring) and subject in stems(said)


def _clauses(sentence: str) -> Callable[[int, int], set[str]]:
    """The words (stemmed) of the clause around sentence[start:end]: between punctuation or a
    turn of contrast. Each clause is read once, however many numbers it holds."""
    marks = sorted(
        [m.start() for m in _CLAUSE.finditer(sentence)]
        + [m.start() for m in _CONTRAST.finditer(sentence)]
    )
    read: dict[tuple[int, int], set[str]] = {}

    def words(start: int, end: int) -> set[str]:
        begin = max((at for at in marks if at < start), default=0)
        stop = min((at for at in marks if at >= end), default=len(sentence))
        if (begin, stop) not in read:
            read[begin, stop] = set(stems(sentence[begin:stop]))
        return read[begin, stop]

    return words


def _numbers(question: str, sentence: str, said: str, head: int) -> list[_Span]:
    """The counts in `sentence`; without a clause that says more of what the question asks
    about than the others, those before `head` (where a clause of contrast begins)."""
    stop = stopwords() | _JOINS
    asked, words, subject = _asked(question), set(stems(question)), measured(question)
    # "How fast is CiteCheck compared to GPT-4?": the rival's name says which figure is not it
    words -= _rivals(question)
    formulas = [m.span() for m in _FORMULA.finditer(sentence)]
    clause_of = _clauses(sentence)
    capitalised = capitals(sentence)
    measure = _measure(question)
    # What is counted ("parameters") is beside every number; the other words of the question
    # ("the student") say which clause holds its count, then all of them
    counted = _counted(question)
    what = {stem(counted)} if counted else set()
    telling = words - what
    # the noun itself, not its verb ("annotators" is not named by "annotated")
    noun = counted.lower().rstrip("s") if counted else ""
    named_here = bool(noun) and noun in {
        w.rstrip("s") for w in re.findall(r"\w+", sentence.lower())
    }
    spans: list[_Span] = []
    starts: list[int] = []
    joined: list[bool] = []  # joined to the count before it: "of 30 words and 2 million sentences"
    fits: list[tuple[int, ...]] = []
    end = 0
    for match in _NUMBER.finditer(sentence):
        before = sentence[: match.start()]
        if any(a <= match.start() < b for a, b in formulas) or before.rstrip().endswith(_EQUALS):
            continue  # "$d_{model} = 512$" sets a symbol; it counts nothing
        if match.start() < end:
            continue  # read with the count before it: "Fifteen of the 24 participants"
        if (per := _PER.match(sentence, match.end())) and stem(per[1]) in what:
            continue
        # What is counted is named by the words after the number, up to a stop word ("2.1
        # points over the baseline").
        following = _AFTER.match(sentence, match.end())
        number, after = match[0], following[0].split() if following else []
        if after and after[0].lower() in _SCALES:
            number, after = f"{number} {after[0]}", after[1:]
        named = list(takewhile(lambda w: w.lower() not in stop, after))
        if (compound := _COMPOUND.match(number)) and stem(compound[1]) not in what:
            continue
        # What is counted ends with the word asked ("four NVIDIA A100 GPUs", "5,000 claims
        # collected"); else it is two words at most.
        at = next((i for i, w in enumerate(named) if stem(w) in what), None)
        named = named[:2] if at is None else named[: at + 1]
        them = _OF_THEM.match(sentence, match.end())
        clause_words = clause_of(match.start(), match.end())
        if not named and them and stem(them[1]) in what and telling & clause_words:
            named = [them[0].strip()]
        span = " ".join([number, *named])
        if sentence[match.start() - 1 : match.start()] in ("$", "€", "£"):
            span = sentence[match.start() - 1] + span  # "$18"
        near = sentence[_back(match.start()) : match.start()]  # what ends just before it
        # "(10 women, 13 men)" counts; "(12)" and "[3]" label
        labels = _LABEL.search(near) and not (named and near.rstrip().endswith("("))
        if labels or number.split()[0].lower() in asked:
            continue
        if _YEAR.match(span):  # a bare year dates something; it does not count it
            continue
        if _FROM.search(near) and _TO.match(sentence, match.end()):
            continue  # "extended from 4,096 to 16,384 tokens": what it was, not what it is
        if not named and _RANGE.match(sentence, match.end()):
            continue  # "by 11 to 29 points": a range's start counts nothing by itself
        # A lone digit with nothing counted after it is a list item, a footnote mark or an
        # equation's number: prose writes counts under ten in words ("three axioms"); and a
        # number word is a count only of something ("one of them" is not).
        if (span.isdigit() and len(span) == 1) or (span.isalpha() and " " not in span):
            continue
        # "of 100 million sentences and 1.4 million pairs": a list's counts are about the same
        joined.append(bool(spans) and bool(_AND.match(sentence, end, match.start())))
        listed = joined[-1] and spans[-1].about
        about = bool(listed) or _about(span, before, subject, words, said)
        if measure:  # a share, a time, a speed-up, a gain or a price ("$18"), whatever of
            about = bool(measure.search(span))
        said_of = owner(capitalised, match.start())
        if said_for := FOR_NAME.match(sentence, match.end()):  # "5.3 for vLLM"
            said_of = said_for[1].lower()
        # "1.7 points above Math-Shepherd": a gain is said against the name after it
        rival = _AGAINST.match(sentence, match.end())
        other = (
            named_here and bool(named) and not what & {stem(w) for w in re.split(r"[\s-]", span)}
        )
        rival_name = rival[1].lower() if rival else ""
        shown = span
        if _WITHIN.search(sentence, 0, match.start()) and _COMPARING.search(question):
            shown = f"within {span} (not better)"  # "within 0.6 points of EDAC": behind it
        spans.append(_Span(shown, about, match.start() < head, said_of, rival_name, other))
        starts.append(match.start())
        clause = clause_words
        # then, in one clause, the count whose own words say it ("697 *test* frames")
        fits.append(
            (
                not other,  # "10 women", not "24 participants (10 women, ...)"
                len(telling & clause),
                len(telling & set(stems(span))),
                len(words & clause),
            )
        )
        end = match.start() + len(span)  # the text is squashed: single spaces
    # "How many steps at inference?" of "1000 steps in training and 10 at inference": the
    # figure stated with the question's qualifier comes before any other fit; then, of two in
    # one clause ("improves throughput by 18.7% and reduces peak memory by 27%" for "How much
    # memory does it save?"), the one whose part says more of the question, bar its names
    names = names_asked(question)
    plain = frozenset(words - set(stems(" ".join(names))))
    qualifiers = _as_listed(qualified(question, sentence, starts), joined)
    parts = _as_listed(qualified(question, sentence, starts, plain), joined)
    fits = [
        (fit[0], q, fit[1], part, *fit[2:])
        for q, part, fit in zip(qualifiers, parts, fits, strict=True)
    ]
    # "PageShare serves 14.2 requests per second, compared to 5.3 for vLLM": the same measure,
    # said bare of the name asked, whatever clause says more of it
    if not any(s.about and names & {s.owner, s.rival} for s in spans) and any(
        s.about for s in spans
    ):
        theirs = [s.owner in names and s.text.split()[0] == s.text for s in spans]
        # a measure asked ("how much faster?") is not any figure said of the name ("0.8%")
        if measure:
            theirs = [mine and s.about for s, mine in zip(spans, theirs, strict=True)]
        if any(theirs):
            return [replace(s, about=mine) for s, mine in zip(spans, theirs, strict=True)]
    # "How many parameters does the full network have?" of "The block has 1.2M parameters,
    # while the full network has 14.8M parameters": the clause that names more of it
    if measure and any(s.about for s in spans):  # "How long?": of the times, not the counts
        fits = [fit for fit, s in zip(fits, spans, strict=True) if s.about]
        spans = [s for s in spans if s.about]
    best = max(fits, default=(0, 0, 0, 0, 0, 0))
    if best > (0, 0, 0, 0, 0, 0) and fits.count(best) < len(fits):
        spans = [s for s, fit in zip(spans, fits, strict=True) if fit == best]
        # "The teacher has 860 million parameters, while the student has only 300 million":
        # a bare count in the clause that says whose, of what the sentence names, counts it
        if named_here and best[2]:
            spans = [replace(s, about=True) if _bare(s.text) else s for s in spans]
    else:
        # and where all of them follow the turn, those that count what is asked ("..., but
        # dense retrieval over 21M Wikipedia passages dominates")
        spans = [s for s in spans if s.in_head] or [s for s in spans if s.about]
    # "How many scenes does ScanNet contain?" of "ScanNet contains 1,513 scenes and Replica 18
    # scenes": a number is said of the name last named before it
    if any(s.about and s.rival in names for s in spans):
        spans = [replace(s, about=s.about and s.rival in names) for s in spans]
    elif any(s.about and s.owner in names for s in spans):
        spans = [replace(s, about=s.about and s.owner in names) for s in spans]
    # "How much better than DimeNet++?" is not answered by "18% relative to PaiNN", nor "How
    # much better than ACT?" by ACT's own figure ("ACT is the best, with 85%")
    rivals = _rivals(question)
    if names:
        spans = [
            replace(s, about=False, other=True)
            if (s.rival and s.rival not in names) or (s.owner and set(stems(s.owner)) & rivals)
            else s
            for s in spans
        ]
    return spans


def _as_listed(fits: list[int], joined: list[bool]) -> list[int]:
    """A list of counts is stated together: "of 30 words and 2 million sentences"."""
    for i in range(1, len(fits)):
        if joined[i]:
            fits[i] = fits[i - 1]
    return fits


_RANGE = re.compile(r"\s*(?:to|–|-)\s*\d")
_WITHIN = re.compile(r"\bwithin\s+(?:about\s+|only\s+)?$", re.IGNORECASE)
_VERSUS = re.compile(
    r"\b(?:compared?|comparison|contrast|than|versus|vs\.?|against|relative)\b", re.IGNORECASE
)


def _rivals(question: str) -> set[str]:
    """The stems of the names a comparison asks against ("compared to GPT-4")."""
    if not _VERSUS.search(question):
        return set()
    return {w for m in _RIVAL_ASKED.finditer(question) for w in stems(m[1])}


def _bare(span: str) -> bool:
    """A number with no word for what it counts ("300 million", "12")."""
    return all(w.lower() in _SCALES for w in re.findall(r"[A-Za-z]+", span))


def _unique(spans: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for span in spans:
        seen.setdefault(span.lower(), span)
    return list(seen.values())


_HARDWARE = re.compile(r"([AHVPTL]\d{2,3}|RTX\b.*|[GTC]PUs?|TPUv\d+)$")
# Languages by their capitalised names (not the dataset's or the licence's names)
_LANGUAGES = re.compile(rf"\b(?:{LANGUAGES})\b")
_HARDWARE_USED = re.compile(HARDWARE_USED)
_COUNT_BEFORE = re.compile(rf"(?:(?<![\w-])\d(?:[\d,.]*\d)?|\b(?i:{NUMBER_WORDS}))\s+$")
# The word before a name says what it is: "against QANet" a model, "on SQuAD" a dataset.
_SETTING = re.compile(r"\b(?:on|in|from|of)\s+(?:the\s+)?$", re.IGNORECASE)
_RIVAL = re.compile(r"\b(?:against|than|over|outperforms?|beats?)\s+(?:the\s+)?$", re.IGNORECASE)
# The paper's own method: "FooNet outperforms ...", "we compare QuietASR with ..."
_WINS = re.compile(r"\s+(?:\w+ly\s+)?(?:outperform|beat|surpass|improves? (?:on|over))", re.I)
_COMPARED = re.compile(r"\bcompare[sd]?\s+$", re.IGNORECASE)


def _back(start: int) -> int:
    """Where the words just before `start` begin, for patterns that end at it ("on the $"):
    searched from the sentence's start, each name cost the whole sentence again."""
    return max(0, start - 40)


def _own(sentence: str, start: int, end: int) -> bool:
    """Whether the name at `start:end` is the paper's own method rather than a baseline."""
    return bool(_WINS.match(sentence, end) or _COMPARED.search(sentence, _back(start), start))


# "We propose CalibRM, ...": the paper's own method, named where it is introduced.
_PROPOSES = re.compile(
    r"\b(?:[Ww]e|[Tt]his (?:paper|work))\s+(?:\w+\s+){0,2}?"
    r"(?:propose|present|introduce|develop|release)s?"
    r"\s+(?:[\w-]+\s+){0,5}?\(?([A-Z][\w-]*[A-Z0-9][\w-]*)"
)


def own_names(text: str) -> frozenset[str]:
    """The names the paper gives its own work (lower-cased), from the text that introduces it
    (its abstract and introduction)."""
    return frozenset(m[1].lower() for m in _PROPOSES.finditer(text))


def _best_said(question: str, head: str, names: int) -> bool:
    """Whether the one name `head` gives answers "Which is best (on X)?": not a list ("Which
    language pair benefits the most?"), and said to be the best, of X where X is asked ("the
    highest locomotion score" is not the highest AntMaze score)."""
    said = {w.lower() for w in re.findall(r"[\w+-]+", head)}
    return names == 1 and bool(_SAYS_BEST.search(head)) and names_asked(question) <= said


def _wordlike(item: str) -> bool:
    """A name in lower case ("nocaps", "wikitext-103"), not a common word or a number."""
    plain = item.lower()
    return (
        len(plain) >= 4
        and plain not in stopwords()
        and not _NUMBER_WORD.fullmatch(plain)
        and not plain.endswith(("ing", "ed", "ly"))  # ", using the scores ...": a clause
    )


def _names(sentence: str, asked: set[str], kinds: set[str]) -> list[str]:
    found = [(m.start(), m.end(), m[0]) for m in NAME.finditer(sentence)]
    # "ScanNet and Replica": a capitalised word listed with a name is one too, and so is a
    # word in lower case listed among names ("ETTh1, Weather and nocaps")
    stop = stopwords() | {"and", "or"}
    for series in _SERIES.finditer(sentence):
        items = [(series.start() + i.start(), i[0]) for i in re.finditer(_ITEM, series[0])]
        items = [(at, item) for at, item in items if item not in ("and", "or")]
        named = [at for at, _ in items if any(s <= at < e for s, e, _ in found)]
        lower = [item for _, item in items if not item[0].isupper()]
        if len(lower) > 1 or len(items) - len(lower) < 2:  # "images, videos and COCO"
            items = [(at, item) for at, item in items if item[0].isupper()]
        # nor a word ("KN-5, AWD-LSTM and two", "BERT-Large, due")
        items = [(at, item) for at, item in items if item[0].isupper() or _wordlike(item)]
        if named:  # the sentence's first word is capitalised as a sentence: "However, BT ..."
            found += [
                (at, at + len(item), item)
                for at, item in items
                if at not in named and item.lower() not in stop and sentence[:at].strip()
            ]
    # "A-ViT" is one name, not also "ViT": a name inside one found before it goes
    nested, reach = [], -1
    for start, end, name in sorted(set(found), key=lambda f: (f[0], -f[1])):
        if end > reach:
            nested.append((start, end, name))
            reach = end
    found = nested
    # "Which baselines?" is not answered by the benchmark they are run on, nor "which datasets?"
    # by the model beaten on them.
    other = _SETTING if kinds & {"baseline", "model"} else _RIVAL if "dataset" in kinds else None
    kept = [
        " ".join(name.split())  # "Penn  Treebank" across a line break reads "Penn Treebank"
        for start, end, name in sorted(found)
        if not _PLACEHOLDER.match(name)
        and sentence[start - 1 : end + 1] != f"<{name}>"  # a token: "the special token <BT>"
        and name.lower() not in asked
        and not (other and other.search(sentence, _back(start), start))
        and not ("baseline" in kinds and _own(sentence, start, end))
        and not _COUNT_BEFORE.search(sentence, _back(start), start)  # "24 EU languages"
        and not a_measure(sentence, start, end)  # "with a CA of 81.2%"
    ]
    # "the Skip- and AWD-LSTM results": the first name ends as the next one does
    for i, name in enumerate(kept[:-1]):
        if name.endswith("-") and "-" in kept[i + 1]:
            kept[i] = name + kept[i + 1].split("-", 1)[1]
    return _unique(name for name in kept if not name.endswith("-"))


# What "how many" may count by listing names: the kind whose names they are
_LISTABLE = {
    "dataset": "dataset",
    "datasets": "dataset",
    "benchmark": "dataset",
    "benchmarks": "dataset",
    "corpora": "dataset",
    "baseline": "baseline",
    "baselines": "baseline",
    "language": "language",
    "languages": "language",
}


_MODELS_LISTED = re.compile(r"\b(?:models?|LLMs?|methods?|systems?|baselines?)\s*$", re.I)
_LIST_ON = re.compile(r"\b(?:on|over|across)\s+|:\s+", re.IGNORECASE)
_LIST_ENDS = re.compile(r"\s(?:with|using|for|by|to|from|against)\s", re.IGNORECASE)


def _listed(question: str, head: str, kinds: set[str], own: frozenset[str]) -> _Span | None:
    """ "How many datasets?" of "We evaluate on QM9, MD17 and OC20": the names counted, in a
    sentence that speaks of such things (evaluating on them, comparing against them)."""
    counted = (_counted(question) or "").lower()
    kind = next((k for k in KINDS if k.name == _LISTABLE.get(counted)), None)
    if kind is None or not kind.says.search(head):
        return None
    asked = _asked(question)
    if kind.name == "language":
        names = _unique(m[0] for m in _LANGUAGES.finditer(head))
    else:
        # the list the sentence evaluates on, not the model it evaluates with
        if (on := _LIST_ON.search(head)) and kind.name == "dataset":
            head = _LIST_ENDS.split(head[on.end() :], maxsplit=1)[0]
        names = [n for n in _names(head, asked, kinds) if n.lower() not in own]
        names = [n for n in names if not (_METRICS.fullmatch(n) or _HARDWARE.match(n))]
    if len(names) < 2:
        return None
    return _Span(f"{len(names)} ({', '.join(names)})", about=True)


def _called(sentence: str, asked: set[str]) -> str | None:
    """What the sentence calls something: "We call this failure view drift" -> "view drift"."""
    match = _CALLS.search(sentence)
    if not match:
        return None
    words = match[1].split()
    while words and (words[0].lower() in _POINTERS or words[0].lower() in asked):
        words = words[1:]
    stop = stopwords()
    named = list(takewhile(lambda w: w.lower() not in stop, words))[:4]
    # "their new axiom Coherent IIA": a name in the phrase is what it is called.
    capital = next((i for i, w in enumerate(named) if w[:1].isupper()), 0)
    return " ".join(named[capital:]).strip("\"'“”‘’.,;:") or None


def _set_count(match: re.Match[str]) -> str:
    """ "$h = 16$ attention heads" reads "16 attention heads"; "$h = 16$ for all" stays."""
    return match[1] if match[2].lower() not in stopwords() else match[0]


# "How much better/faster than X?", "How does it compare to X?": the rival is the name asked.
_COMPARING = re.compile(
    r"\bhow (?:much |many times )?(?:better|worse|higher|lower|faster|slower|more|less)\b"
    r"|\bhow (?:does|do|did) [\w-]+ compare\b",
    re.IGNORECASE,
)
# "What were the human evaluation scores?" asks for figures, not for the measures' names
_FIGURES_ASKED = re.compile(r"\b(scores?|results?|numbers?|figures?|values?)\b", re.IGNORECASE)
_BEST = re.compile(BEST_ASKED + r"|\bthe most\b", re.IGNORECASE)
_SAYS_BEST = re.compile(
    r"\b(best|most|highest|largest|lowest|top|fastest|strongest|outperform\w*|beats?|surpass\w*)\b",
    re.IGNORECASE,
)


def _column(rows: str, headers: str) -> list[str]:
    """The values of a table's column, by its header: "dataset: ML-1M | ...; dataset: Yelp"."""
    named = re.compile(headers, re.IGNORECASE)
    return _unique(c for row in labelled_rows(rows) for h, c in row if c and named.fullmatch(h))


# What a dataset is not: an optimizer, a machine, a model by its size ("Llama-3-8B-Instruct")
_NOT_DATA = re.compile(
    rf"^(?:{OPTIMIZERS.pattern})$|^(?:NVIDIA|AMD|Intel|Google|RTX|GTX|A\d{{3,4}}|H\d{{3}}|V\d{{3}})$"
    r"|-\d+(?:\.\d+)?[BM]\b"
)
_EXPLAINS = re.compile(
    r"^\s*(?:why\b|how\b(?!\s+(?:many|much|big|large|long|small|fast|old|often|far|well)\b))",
    re.IGNORECASE,
)
_HOW_COMPARED = re.compile(r"\bhow (?:does|do|did) [\w-]+ compare\b", re.IGNORECASE)
_RIVAL_ASKED = re.compile(
    r"\b(?:than|to|with|against|over|versus|vs\.?)\s+(?:the\s+)?([A-Za-z][\w.+-]*[\w+])", re.I
)
_FIGURE = re.compile(r"(?<![\w.-])(\d+(?:\.\d+)?)(%?)(?![\w.-]*\w)")
_TIMES = re.compile(r"\b(faster|slower|times)\b", re.IGNORECASE)


def _versus(question: str, sentence: str) -> str | None:
    """ "41.2 ROUGE-L against 37.8 for LED-16k (3.4 more)" for "How much better than
    LED-16k?" of a sentence that gives both figures but not the difference."""
    if not _COMPARING.search(question) or not (asked := _RIVAL_ASKED.search(question)):
        return None
    rival = asked[1]
    # "37.8 for LED-16k", "14.9 meV for DimeNet++"
    theirs = re.search(
        rf"(\d+(?:\.\d+)?)(%?)(\s+[A-Za-z]{{1,5}})?\s+for\s+(?:the\s+)?{re.escape(rival)}(?![\w+-])",
        sentence,
    )
    if theirs is None:
        return None
    # the first figure before theirs, not a name's version ("AlpacaEval 2.0", "Llama 2")
    figures = _FIGURE.finditer(sentence, 0, theirs.start())
    ours = next(
        (f for f in figures if not re.search(r"\b[A-Z]\w*\s+$", sentence[: f.start()])), None
    )
    if ours is None or ours[2] != theirs[2]:
        return None
    word = re.match(r"\s+([\w-]+)", sentence[ours.end() :])
    joins = stopwords() | {"versus", "vs", "against", "compared"}
    unit = f" {word[1]}" if word and not ours[2] and word[1].lower() not in joins else ""
    a, b = float(ours[1]), float(theirs[1])
    said = f"{ours[0]}{unit} against {theirs[1]}{theirs[2]}{theirs[3] or ''} for {rival}"
    if _TIMES.search(question) and b > 0:
        return f"{said} ({a / b:.1f} times)"
    digits = max(len(x.partition(".")[2]) for x in (ours[1], theirs[1]))
    gap = f"{abs(a - b):.{digits}f}{' points' if ours[2] else ''}"
    return f"{said} ({gap} {'more' if a >= b else 'less'})"


# "8 servers, each with 8 GPUs", "4 nodes with 8 NVIDIA A100 GPUs each"
_WORD = r"[A-Za-z][\w-]*"
_EACH = re.compile(
    rf"(?<![\w.,])(\d+)\s+({_WORD}),?\s+(?:each\s+(?:with|has|having|of|containing)\s+"
    rf"(\d+)\s+((?:{_WORD}\s+){{0,2}}{_WORD})|with\s+(\d+)\s+((?:{_WORD}\s+){{0,2}}?{_WORD})"
    rf"\s+each)\b",
    re.IGNORECASE,
)


_PER_GROUP = re.compile(r"\b(?:per|each|every)\b", re.IGNORECASE)


def _product(question: str, sentence: str) -> str | None:
    """ "How many GPUs?" of "8 servers, each with 8 GPUs": "64 GPUs (8 servers × 8)"."""
    if not (counted := _counted(question)) or _PER_GROUP.search(question):
        return None  # "How many GPUs per server?" asks the 8, not the 64
    for match in _EACH.finditer(sentence):
        groups, per, words = match[1], match[3] or match[5], (match[4] or match[6]).split()
        at = next((i for i, w in enumerate(words) if stem(w) == stem(counted)), None)
        if at is not None and stem(match[2]) != stem(counted):
            item = " ".join(words[: at + 1])
            return f"{int(groups) * int(per)} {item} ({groups} {match[2]} × {per})"
    return None


def _spans(question: str, sentence: str, said: str, own: frozenset[str]) -> list[_Span]:
    # A "sentence" longer than prose has (a table's cells run together, from a PDF) is read
    # for its beginning: each number or name is weighed against its clause, at a cost that
    # grows with the square of the clause's length.
    sentence, said = sentence[:LONGEST], said[:LONGEST]
    kinds = {kind.name for kind in kinds_of(question)}
    head = _CONTRAST.split(sentence, maxsplit=1)[0]
    asked = _asked(question)
    if YES_NO.match(question):  # yes or no: a number or a name does not answer it
        return []
    if short := stands_for_asked(question):  # "What does DATTA stand for?"
        long = spelled_out(short, sentence)
        return [_Span(long, about=True)] if long else []
    if versus := _versus(question, head):
        return [_Span(versus, about=True)]
    rival = _RIVAL_ASKED.search(question) if _COMPARING.search(question) else None
    if rival and rival[1][0].isupper() and rival[1].lower() not in sentence.lower():
        return []  # "How much better than ColBERTv2?" is not answered of DPR
    # "Which method has the best ClaimSum AUC?" asks for a name, not for the first AUC
    if _NAME_ASKED.match(question) and (best := best_of(question, sentence, said)):
        return [_Span(best, about=True)]
    # a figure asked of a name may be said after a turn ("..., while mBERT reaches 52.0 F1")
    if value := value_asked(question, sentence if names_asked(question) else head):
        return [_Span(value, about=True)]
    if best := best_of(question, sentence, said):
        return [_Span(best, about=True)]
    if _HOW_COMPARED.search(question) or _EXPLAINS.match(question):
        # "How does it compare to X?" is not answered by a list of names, nor "Why is Pashto
        # missing?" by a measure's name: the sentence is the answer
        return []
    if "optimizer" in kinds:  # "Which optimizer?" of "optimized with AdamW and a cosine ..."
        return [_Span(m[0], about=True) for m in OPTIMIZERS.finditer(head)]
    if "number" in kinds and (product := _product(question, head)):
        return [_Span(product, about=True)]
    # "Which GPU?", "How many GPUs?" of "a single NVIDIA A100"; not "How long on the GPU?"
    if "hardware" in kinds and not _measure(question):
        used = [_Span(" ".join(m[0].split()), about=True) for m in _HARDWARE_USED.finditer(head)]
        if used or "number" not in kinds:
            return used
    if "number" in kinds:
        sentence = _SET_COUNT.sub(_set_count, sentence)
        head = _CONTRAST.split(sentence, maxsplit=1)[0]
        numbers = _numbers(question, sentence, said, len(head))
        if not any(s.about for s in numbers) and (listed := _listed(question, head, kinds, own)):
            return [listed]
        return numbers
    if "name" in kinds and (called := _called(head, asked)):
        return [_Span(called)]
    # "Which datasets do they evaluate on?" asks for datasets, not for the measures
    things = _DATASETS.search(question) or _ENTITIES.search(question) or "baseline" in kinds
    if "metric" in kinds and not things and not _FIGURES_ASKED.search(question):
        # "Recall that IIA states ..." is the verb, not the measure
        measures = (m[0] for m in _METRICS.finditer(head) if not _THAT_FOLLOWS.match(head, m.end()))
        return [_Span(m) for m in _unique(measures)]
    if "language" in kinds and not things:
        languages = _unique(m[0] for m in _LANGUAGES.finditer(head))
        if _BEST.search(question) and not _best_said(question, head, len(languages)):
            return []
        return [_Span(language) for language in languages]
    table = " | " in head
    if (
        "model" in kinds
        and not table
        and not _DATASETS.search(question)
        and (on := _LIST_ON.search(head))
        and not _MODELS_LISTED.search(head, 0, on.start())  # "We evaluate 14 models: A, B"
    ):
        # "We evaluate on ShareGPT and LongBench with Llama-3-8B": not what it is evaluated on
        rest = _LIST_ENDS.search(head, on.end())
        head = head[: on.start()] + (head[rest.start() :] if rest else "")
    if things or kinds & _LISTS:
        # a dataset, a model or a baseline is never a measure ("CIDEr", "RMSE") nor hardware
        names = _names(head, asked, kinds)
        if things:  # the paper's own method is none of its baselines, datasets or rivals
            names = [n for n in names if n.lower() not in own]
        names = [n for n in names if not (_METRICS.fullmatch(n) or _HARDWARE.match(n))]
        if things and not kinds & {"model", "baseline"}:  # data, not the model or the machine
            names = [n for n in names if not _NOT_DATA.search(n)]
        if " | " in head:  # a table row's column headers ("AntMaze avg: 61.0") name no thing
            names = [n for n in names if not re.search(rf"{re.escape(n)}[^|:;]*:", head)]
            # of a table, the datasets are its dataset column's, the models its model column's
            if _DATASETS.search(question):
                names = _column(head, "data ?sets?|benchmarks?|corpus|corpora|data")
            elif kinds & {"model", "baseline"}:
                names = _column(head, "models?|methods?|systems?|approach|baselines?") or names
        if _BEST.search(question):  # "GPT-4o is the best model": the one said to be best
            one_best = _best_said(question, head, len(names))
            return [_Span(n, about=True) for n in names] if one_best else []
        return [_Span(n) for n in names]
    return []


# A share or a bare fraction ("18%", "0.78") counts nothing
_NOT_A_COUNT = re.compile(r"%|^\d*\.\d+$")
_SCALE_STEMS = frozenset(stems(" ".join(_SCALES)))


def _offered(question: str, spans: list[_Span], sentence: str) -> list[_Span]:
    """The spans that may answer: those about what is asked, else the others of the kind, bar
    what counts nothing for a count ("How many datasets?" is not answered by "18% relative to
    PaiNN", nor "How many annotators?" by "a kappa of 0.78"), and, for a count, what counts
    something else in a sentence that never speaks of what is asked ("12,400 questions" for
    "How many annotators?"; "annotated by five lawyers" may answer it)."""
    if about := [s for s in spans if s.about]:
        return about
    if _measure(question):
        return []  # "How fast is it?" is not answered by "18% relative to PaiNN"
    offered = [s for s in spans if not s.other]
    if _SHARE.search(question):
        return offered
    counted = set(stems(_counted(question) or ""))
    unsaid = bool(counted) and not counted & set(stems(sentence))
    counting = bool(_HOW_MANY.search(question))  # "how much memory" may be a share: "38%"
    return [
        s
        for s in offered
        if not ((counting or unsaid) and _NOT_A_COUNT.search(s.text))
        and not (unsaid and {w for w in stems(s.text) if w.isalpha()} - counted - _SCALE_STEMS)
        # "a batch size of 32" in a sentence that never names the parameters asked about
        and not (unsaid and s.text.isdigit())
    ]


def short_answer(
    question: str, sentence: str, said: str = "", own: frozenset[str] = frozenset()
) -> str | None:
    """The number(s) or name(s) that answer `question` in `sentence` (`said` is the sentence
    before it; `own`, the paper's names for its own work), or None. "How many questions?" is
    answered by the count of questions, not of the sentences beside it."""
    offered = _offered(question, _spans(question, sentence, said, own), sentence)
    if not any(s.about for s in offered) and (measured(question) or _measure(question)):
        return None  # "How big is the Japanese data?" is not answered by the lexicon's size
    chosen = _unique(s.text for s in offered)
    return ", ".join(chosen[:MOST]) if chosen else None


def gives(
    question: str, sentence: str, said: str = "", own: frozenset[str] = frozenset()
) -> tuple[int, int]:
    """How well `sentence` gives the kind of answer `question` asks for: 2 when it counts what
    the question asks about, 1 when it has a number or a name of the kind, 0 when it has none
    or the question asks for neither; and how many of them it gives (of a list asked for, the
    sentence that lists more: "Nepali, Sinhala, Khmer ..." over "English")."""
    offered = _offered(question, _spans(question, sentence, said, own), sentence)
    level = 2 if any(s.about for s in offered) else int(bool(offered))
    # counted where what is listed is known by its words (a language, a measure), not for names
    # read off capitals, where a longer list is as often a noisier one
    typed = {kind.name for kind in kinds_of(question)} & _TYPED_LISTS
    return level, min(len(_unique(s.text for s in offered)), MOST) if typed else 0
