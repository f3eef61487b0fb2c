"""The answer without a model: what the record says when the question asks for one of its facts
(code, authors, dates, ...); else the sentence(s) that answer, found inside the best passages
and quoted with their section in at most ~600 characters, the link to read more after; or
plainly that the paper does not seem to say, and what was searched.

    > We propose MaskAlign, which aligns masks across views.
    > (Abstract)
    From the paper's arXiv HTML; more: https://arxiv.org/abs/2606.00001
"""

from __future__ import annotations

from collections import OrderedDict

from bot.cards import ARXIV, cut_at_word
from bot.domain import Paper
from bot.qa.fulltext import FullText, TextSource
from bot.qa.record import about_the_record, preface
from bot.qa.retrieve import Retriever
from bot.qa.sentences import Scored, best_sentences, kinds_of

PASSAGES = 5  # where the answering sentences are looked for
QUOTES = 2  # sentences quoted
SKIMMED = 12  # the paper's first passages (abstract, introduction), read for a kind's words
QUOTE_CHARS = 600  # the quotes in all
INDEXES = 32  # papers whose index is kept (a thread's follow-ups reuse it)

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


def answering_sentences(question: str, text: FullText) -> list[Scored]:
    """The sentences that answer best, best first (at most QUOTES)."""
    found = [(f.passage, f.score) for f in retriever(text).top(question, PASSAGES)]
    if kinds_of(question):
        # "What is the main contribution?" shares no word with its answer ("We propose ..."):
        # the paper's first passages are read too, for the words such answers are written in.
        seen = {passage.index for passage, _ in found}
        found += [(p, 0.0) for p in text.passages[:SKIMMED] if p.index not in seen]
    if not found:
        return []
    return best_sentences(question, found, text.passages, QUOTES)


def _quoted(chosen: list[Scored]) -> list[str]:
    lines: list[str] = []
    room = QUOTE_CHARS
    for item in chosen:
        if room < 80:
            break
        sentence = cut_at_word(item.sentence, room)
        room -= len(sentence)
        section = item.passage.section or "untitled section"
        lines += [f"> {sentence}", f"> ({section})"]
    return lines


def extractive_answer(
    question: str, text: FullText, paper: Paper | None = None, arxiv: str = ARXIV
) -> str:
    link = f"{arxiv}/abs/{text.arxiv_id}"
    if paper is not None and (said := about_the_record(question, paper)):
        return f"{said} {link}"
    lines = [note] if paper is not None and (note := preface(question, paper)) else []
    chosen = answering_sentences(question, text)
    only = " (its full text could not be read)" if text.missing else ""
    if not chosen:
        searched = f"{len(text.passages)} passage{'s' if len(text.passages) != 1 else ''}"
        lines.append(
            f"The paper does not seem to say: I searched its {text.source} ({searched}){only}. "
            f"{link}"
        )
        return "\n".join(lines)
    lines += _quoted(chosen)
    lines.append(f"From the paper's {text.source}{only}; more: {link}")
    return "\n".join(lines)
