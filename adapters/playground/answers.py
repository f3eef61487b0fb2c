"""Answers in the playground's threads: from the paper's full text (fetched once per version and
cached), or its abstract when no full text can be had. With a language model configured it
writes the answer from the best passages; without one, or when it fails, the passages closest
to the question are quoted with their sections."""

from __future__ import annotations

from adapters.playground.log import Message
from bot.engine import utc_now
from bot.errors import ModelUnavailable
from bot.ports import PaperStore
from bot.qa.answer import extractive_answer
from bot.qa.fulltext import FullTextFetcher, abstract_only
from bot.qa.llm import LlmAnswerer, Turn


async def answer_in_thread(
    papers: PaperStore,
    fetcher: FullTextFetcher | None,
    llm: LlmAnswerer | None,
    parent: Message | None,
    earlier: list[Message],
    question: str,
) -> str:
    cards = parent["cards"] if parent else []
    if not cards:
        return "Ask about a paper in the thread under its card."
    paper = await papers.get(cards[0]["arxiv_id"])
    if paper is None:
        return "I have no record of this paper."
    text = await fetcher.get(paper, utc_now()) if fetcher else abstract_only(paper)
    if llm is not None:
        history = [Turn(m["author"], m["text"]) for m in earlier if m["text"]]
        try:
            return await llm.answer(question, text, paper.title or paper.arxiv_id, history)
        except ModelUnavailable:
            fallback = extractive_answer(question, text)
            return f"(The language model did not answer; quoting the paper instead.)\n{fallback}"
    return extractive_answer(question, text)
