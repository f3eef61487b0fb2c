"""What the playground's threads say until the full-text answerer arrives (issue #8): the
abstract's sentences that share the most words with the question, quoted, and the links."""

from __future__ import annotations

import re

from adapters.playground.log import Message
from bot.ports import PaperStore

_WORD = re.compile(r"[^\W_]{3,}")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def _words(text: str) -> set[str]:
    return {w.lower() for w in _WORD.findall(text)}


async def answer_in_thread(papers: PaperStore, parent: Message | None, question: str) -> str:
    cards = parent["cards"] if parent else []
    if not cards:
        return "Ask about a paper in the thread under its card."
    paper = await papers.get(cards[0]["arxiv_id"])
    if paper is None or not paper.abstract:
        return "I have no text for this paper yet."
    asked = _words(question)
    sentences = _SENTENCE.split(paper.abstract)
    ranked = sorted(sentences, key=lambda s: len(asked & _words(s)), reverse=True)
    best = [s for s in ranked[:2] if asked & _words(s)]
    link = f"https://arxiv.org/abs/{paper.arxiv_id}"
    if not best:
        return (
            f"The abstract does not speak to that, and answers from the full text are not "
            f"available here yet. The paper: {link}"
        )
    quoted = " … ".join(f"“{s}”" for s in best)
    return f"From the abstract (full-text answers are not available here yet): {quoted} ({link})"
