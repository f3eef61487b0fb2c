"""Answers in the playground's threads: from the paper's full text (fetched once per version and
cached), or its abstract when no full text can be had; the passages closest to the question are
quoted with their sections (an LLM answerer arrives with issue #8)."""

from __future__ import annotations

from adapters.playground.log import Message
from bot.engine import utc_now
from bot.ports import PaperStore
from bot.qa.answer import extractive_answer
from bot.qa.fulltext import FullTextFetcher, abstract_only


async def answer_in_thread(
    papers: PaperStore, fetcher: FullTextFetcher | None, parent: Message | None, question: str
) -> str:
    cards = parent["cards"] if parent else []
    if not cards:
        return "Ask about a paper in the thread under its card."
    paper = await papers.get(cards[0]["arxiv_id"])
    if paper is None:
        return "I have no record of this paper."
    text = await fetcher.get(paper, utc_now()) if fetcher else abstract_only(paper)
    return extractive_answer(question, text)
