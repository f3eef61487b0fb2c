"""Answers in the playground's threads, through the shared `bot.qa.service.Answerer`."""

from __future__ import annotations

from adapters.playground.log import Message
from bot.domain import Turn
from bot.ports import PaperStore
from bot.qa.service import Answerer


async def answer_in_thread(
    papers: PaperStore,
    answerer: Answerer,
    parent: Message | None,
    earlier: list[Message],
    question: str,
    reader: str,
) -> str:
    """`reader` is whom the language-model budget counts (not a name the client chose)."""
    cards = parent["cards"] if parent else []
    if parent is None or not cards:
        return "Ask about a paper in the thread under its card."
    paper = await papers.get(cards[0]["arxiv_id"])
    if paper is None:
        return "I have no record of this paper."
    history = [Turn(m["author"], m["text"]) for m in earlier if m["text"]]
    answered = await answerer.answer(
        paper, question, history, user=reader, thread=str(parent["id"])
    )
    return answered.text
