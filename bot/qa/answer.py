"""The answer without a model: what the record says when the question asks for one of its facts
(code, authors, dates, ...); else the sentence(s) that answer, found inside the best passages
and quoted with their section in at most ~600 characters, the link to read more after (led by
the number or names they give when the question asks for those); or plainly that the paper does
not seem to say, and what was searched.

    > We propose MaskAlign, which aligns masks across views.
    > (Abstract)
    From the paper's arXiv HTML; more: https://arxiv.org/abs/2606.00001
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.cards import ARXIV, cut_at_word
from bot.domain import Paper
from bot.links import ALLOWED_HOSTS, defuse_links
from bot.qa.acronyms import spelled_out, stands_for_asked
from bot.qa.fulltext import FullText, TextSource
from bot.qa.names import NAME, names_asked
from bot.qa.passages import Passage
from bot.qa.qualifiers import qualifier
from bot.qa.record import about_the_record, preface
from bot.qa.retrieve import Retriever
from bot.qa.sentences import (
    BEST,
    REFERS_BACK,
    YES_NO,
    Scored,
    best_sentences,
    kinds_of,
    split_sentences,
    stems,
    stopwords,
)
from bot.qa.short import gives, own_names, short_answer
from bot.qa.values import asks_value, setting_asked
from bot.qa.yesno import verdict
from bot.text import unmarked

# A sentence that announces what follows: "... are threefold.", "... as follows:", "... are:"
_OPENS_LIST = re.compile(
    r"(:|\b(as follows|the following|(two|three|four|five)fold)[.:]?)\s*$", re.IGNORECASE
)
PASSAGES = 5  # where the answering sentences are looked for
QUOTES = 2  # sentences quoted
CANDIDATES = 6  # best-scored sentences, among which those giving what is asked come first
READ = 20  # best-scored sentences, among which one counting what is asked is a candidate too
SKIMMED = 12  # the paper's first passages (abstract, introduction), read for a kind's words
TABLES = 8  # a paper's tables read for "which is best?" or a value asked of a name
QUOTE_CHARS = 600  # the quotes in all
_VARIED = re.compile(r"ablation|sensitivity|analysis|effect of", re.IGNORECASE)
_DOES = re.compile(
    r"\s+(?:also\s+|only\s+)?(?:uses?|used|needs?|requires?|reach(?:es)?|achieves?|gets?|has|"
    r"trains?|employs?|takes?)\b|,?\s+whose\b",  # "Following DETR, whose learning rate is"
    re.IGNORECASE,
)
# Sections about the work a paper cites (an appendix holds the paper's own settings)
_CITED = re.compile(r"related work|background|prior work|previous work|literature", re.I)
_CAPTION = re.compile(r"^(?:Table|Tab\.)\s*\d+\s*[:.]", re.IGNORECASE)
_WE = re.compile(r"\b(?:we|our)\b", re.IGNORECASE)
_SAID_IN_ITS_WORDS = {"code"}  # kinds only a sentence in their own words answers
INDEXES = 32  # papers whose index is kept (a thread's follow-ups reuse it)
EVERYDAY = 0.1  # a word in this share of a paper's passages or more is one of its everyday words

_indexes: OrderedDict[tuple[str, int, TextSource, int], Retriever] = OrderedDict()


def retriever(text: FullText) -> Retriever:
    """The BM25 index of one version of a paper's text, built once and kept for the next
    question (a few dozen papers: the ones being discussed)."""
    # The text itself is in the key: the abstract read before a new version's text, say.
    key = (text.arxiv_id, text.version, text.source, hash(text.passages))
    found = _indexes.get(key)
    if found is None:
        found = _indexes[key] = Retriever(list(text.passages))
        while len(_indexes) > INDEXES:
            _indexes.popitem(last=False)
    _indexes.move_to_end(key)
    return found


def _own(text: FullText) -> frozenset[str]:
    """What the paper calls its own work, from the passages that introduce it."""
    return _introduced(text.passages[:SKIMMED])


@lru_cache(maxsize=INDEXES)  # read once per paper, not twice per question
def _introduced(passages: tuple[Passage, ...]) -> frozenset[str]:
    return own_names(" ".join(p.text for p in passages))


def answering_sentences(question: str, text: FullText) -> list[Scored]:
    """The sentences that answer best, best first (at most QUOTES)."""
    index = retriever(text)
    question = index.vocabulary.spelled(unmarked(question))
    also = index.vocabulary.other_forms(question)  # "RL": "reinforcement learning"
    found = [(f.passage, f.score) for f in index.top(question, PASSAGES)]
    if kinds_of(question):
        # "What is the main contribution?" shares no word with its answer ("We propose ..."):
        # the paper's first passages are read too, for the words such answers are written in;
        # all of them when none has the question's words ("What datasets do they use?" of a
        # paper that says "We evaluate on ScanNet and Replica" in its experiments).
        seen = {passage.index for passage, _ in found}
        skimmed = text.passages[:SKIMMED] if found else text.passages
        found += [(p, 0.0) for p in skimmed if p.index not in seen]
    for kind in kinds_of(question):
        if kind.name in _SAID_IN_ITS_WORDS:  # "Is the code available?" of "released at github"
            seen = {passage.index for passage, _ in found}
            found += [
                (p, 0.0) for p in text.passages if p.index not in seen and kind.says.search(p.text)
            ]
    valued = asks_value(question)
    if found and (BEST.search(question) or valued):
        # "Which method is best on AntMaze?", "What is CQL's Adroit score?": a table answers
        # what its words hardly say ("Domain: AntMaze avg (6) | BC: 20.6 | ... | CoVE: 71.3")
        seen = {passage.index for passage, _ in found}
        tables = [p for p in text.passages if " | " in p.text and p.index not in seen]
        found += [(p, 0.0) for p in tables[:TABLES]]
    # "What does DATTA stand for?" is answered where the paper spells it out, wherever that is
    short = stands_for_asked(question)
    spelling = _spelling_out(short, text) if short else None
    if not found:
        return [spelling] if spelling else []
    scored = [
        _captioned(s, text.passages)
        for s in best_sentences(question, found, index.words, READ, also)
    ]
    # A sentence that gives what is asked for (the count of what the question asks about, the
    # names of the baselines) comes before better-scored ones that only talk about it; one that
    # counts exactly what is asked is worth it even from further down.
    own = _own(text)
    given = {id(s): gives(question, s.sentence, s.before, own) for s in scored}
    for s in scored:
        # the value used, not one an ablation tries ("$k=6$ recovers ..."); the paper's own
        # datasets and figures, not those of the work it cites ("... such as QAGS")
        level, count = given[id(s)]
        if _CITED.search(s.passage.section):
            given[id(s)] = (min(level, 1), 0)
        elif valued and _VARIED.search(s.passage.section):
            given[id(s)] = (min(level, 1), count)
    chosen = scored[:CANDIDATES] + [s for s in scored[CANDIDATES:] if given[id(s)][0] == 2]
    # "What learning rate during pre-training?": of two sentences that give a value, the one
    # that says "during pre-training"
    asked = qualifier(question)

    def rank(s: Scored) -> tuple[int, int, bool, bool, int]:
        level, count = given[id(s)]
        qualified = len(asked & set(stems(s.sentence))) if level else 0
        # then what the paper says of its own work ("We use $N = 10$ critics"), not of another
        # method it names ("(EDAC uses up to 50 critics)"); a setting it says it uses ("We
        # train with a learning rate of ..."), not a baseline's ("Full fine-tuning uses ...")
        ours = level == 2 and not _others(s.sentence, own, question)
        return level, qualified, ours, ours and valued and bool(_WE.search(s.sentence)), count

    chosen.sort(key=rank, reverse=True)
    # "Is the code released?" is answered by what the paper says of its code, or not at all:
    # never by "annotations released before 2020"
    for kind in kinds_of(question):
        if kind.name in _SAID_IN_ITS_WORDS:
            chosen = [s for s in chosen if kind.says.search(s.sentence)]
    # and "What is the learning rate?" by a sentence that names it, not by "an update rate"
    if setting := setting_asked(question):
        chosen = [s for s in chosen if setting.search(s.sentence)]
    if spelling:
        chosen = [spelling, *(s for s in chosen if s.sentence != spelling.sentence)]
    return chosen[:QUOTES]


def _captioned(item: Scored, passages: tuple[Passage, ...]) -> Scored:
    """A table's rows read after its caption, where the caption is a passage of its own (as
    markdown gives it): "Table 1: WER (%) on FLEURS" says what its bare columns measure."""
    at = item.passage.index
    if item.before or " | " not in item.sentence or not 0 < at <= len(passages):
        return item
    caption = passages[at - 1]
    if caption.section != item.passage.section or not _CAPTION.match(caption.text):
        return item
    return replace(item, before=caption.text)


def _others(sentence: str, own: frozenset[str], question: str) -> bool:
    """Whether `sentence` says what a method or model does that is neither the paper's nor
    asked about ("EDAC uses up to 50 critics"; not "We train with AdamW")."""
    named = {m[0].lower() for m in NAME.finditer(sentence) if _DOES.match(sentence, m.end())}
    return bool(named - own - names_asked(question))


def _spelling_out(short: str, text: FullText) -> Scored | None:
    """The paper's first sentence that says what `short` stands for."""
    marked = f"({short.lower()}"
    for passage in text.passages:
        if marked not in passage.text.lower():
            continue
        sentences = split_sentences(passage.text)
        for at, sentence in enumerate(sentences):
            if spelled_out(short, sentence):
                before = sentences[at - 1] if at else ""
                after = sentences[at + 1] if at + 1 < len(sentences) else ""
                return Scored(sentence, passage, 1.0, before, after)
    return None


def _following(item: Scored, passages: tuple[Passage, ...]) -> str:
    """What follows the sentence in the paper: the next sentence of its passage, or the next
    passage of its section (a list's first item, "- We train a verifier without labels")."""
    if item.after:
        return item.after
    at = item.passage.index + 1
    if at < len(passages) and passages[at].section == item.passage.section:
        return passages[at].text
    return ""


def _quoted(chosen: list[Scored], passages: tuple[Passage, ...]) -> list[str]:
    lines: list[str] = []
    room = QUOTE_CHARS
    shown: set[str] = set()
    for item in chosen:
        if room < 80:
            break
        if item.sentence in shown:  # quoted already, before the sentence that refers to it
            continue
        said = item.sentence
        # "It contains 17,833 sentences" is read after the sentence that says what "it" is.
        before = item.before
        fits = len(before) + len(said) < room  # the answering sentence itself is never cut
        if REFERS_BACK.match(said) and before and before not in shown and fits:
            said = f"{before} {said}"
            shown.add(before)
        # "Our contributions are threefold." says nothing until what comes after it
        after = _following(item, passages) if _OPENS_LIST.search(item.sentence) else ""
        if after and after not in shown:
            said = f"{said} {after}"  # cut below to the room left, at a word
            shown.add(after)
        shown.add(item.sentence)
        # The paper's text is untrusted: "[Verify here](http://evil.example)" is read as its words
        sentence = cut_at_word(defuse_links(said, ALLOWED_HOSTS), room)
        room -= len(sentence)
        section = item.passage.section or "untitled section"
        lines += [f"> {sentence}", f"> ({section})"]
    return lines


def english(question: str) -> bool:
    """Whether the question may be English: it has a common English word ("what", "is", "the")
    or no letter beyond English's ("zebra giraffe?"). "¿Cuál es la contribución?" and
    "主要贡献是什么" are not."""
    words = set(re.findall(r"\w+", question.lower()))
    return bool(words & stopwords()) or all(w.isascii() for w in words)


@dataclass(frozen=True, slots=True)
class Lead:
    """What an answer from the text leads with, before its quotes."""

    short: str | None  # the number(s) or name(s) the first sentence gives
    unmentioned: tuple[str, ...]  # question words the paper never uses
    not_said: bool  # see `lead`


def lead(question: str, text: FullText, chosen: list[Scored]) -> Lead:
    """A yes-or-no question is not answered by the paper when it is mostly about what the
    paper never mentions: half its words or more are not the paper's (one word in three may
    just be the question's verb where the paper uses another), and the words that are the
    paper's are its everyday words ("Are there privacy concerns with clinical data?" of a
    clinical paper), not something it discusses in a few places ("Is it resistant to
    spoilers?" of a paper that has a passage on spoilers)."""
    index = retriever(text)
    content = index.vocabulary.content(question)
    unmentioned = index.vocabulary.unmentioned(question)
    everyday = all(index.words.share(w) >= EVERYDAY for w in content if w not in unmentioned)
    # "Is the code available?" of "We will open-source it": said in the words of its kind
    in_kind = bool(chosen) and any(k.says.search(chosen[0].sentence) for k in kinds_of(question))
    # "Do they evaluate on HotpotQA?" of a paper that never names HotpotQA: no
    named = {w.lower() for w in unmentioned} & names_asked(question)
    short = (
        short_answer(question, chosen[0].sentence, chosen[0].before, _own(text)) if chosen else None
    )
    if short is None:  # "Do they evaluate on ImageNet?" of "We evaluate on ImageNet and LSUN"
        own = _own(text)
        short = next(filter(None, (verdict(question, s.sentence, own) for s in chosen)), None)
    return Lead(
        short,
        tuple(unmentioned),
        bool(YES_NO.match(question))
        and bool(unmentioned)
        and (bool(named) or (2 * len(unmentioned) >= len(content) and everyday and not in_kind)),
    )


def _words(words: tuple[str, ...]) -> str:
    quoted = [f"“{w}”" for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} or {quoted[-1]}"


def extractive_answer(
    question: str, text: FullText, paper: Paper | None = None, arxiv: str = ARXIV
) -> str:
    link = f"{arxiv}/abs/{text.arxiv_id}"
    question = unmarked(question)  # "What is `k`?" asks of k
    if paper is not None and (said := about_the_record(question, paper)):
        return f"{said} {link}"
    lines = [note] if paper is not None and (note := preface(question, paper)) else []
    chosen = answering_sentences(question, text)
    first = lead(question, text, chosen)
    only = " (its full text could not be read)" if text.missing else ""
    searched = f"{len(text.passages)} passage{'s' if len(text.passages) != 1 else ''}"
    if first.not_said:
        closest = "; the closest it comes:" if chosen else f". {link}"
        lines.append(
            f"The paper does not say: it never uses the word {_words(first.unmentioned)} "
            f"(I searched its {text.source}, {searched}{only}){closest}"
        )
        if not chosen:
            return "\n".join(lines)
    elif not chosen and not english(question):
        # The paper may well say it: the question's words were not the paper's language
        lines.append(
            "I found none of this question's words in the paper: without a language model I "
            f"match words, in English (I searched its {text.source}, {searched}{only}). Asked "
            f"in English, it may find the answer. {link}"
        )
        return "\n".join(lines)
    elif not chosen:
        lines.append(
            f"The paper does not seem to say: I searched its {text.source} ({searched}){only}. "
            f"{link}"
        )
        return "\n".join(lines)
    elif first.short:
        lines.append(f"In short: {first.short} (as the paper says below)")
    lines += _quoted(chosen, text.passages)
    lines.append(f"From the paper's {text.source}{only}; more: {link}")
    return "\n".join(lines)
