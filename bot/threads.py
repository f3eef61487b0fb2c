"""Questions asked in a card's thread, answered from that paper, on every platform.

The thread remembers its earlier turns (in our store) so a follow-up like "and on ImageNet?" is
read in context."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.domain import Target, Turn
from bot.engine import utc_now
from bot.ports import PaperStore, Threads
from bot.qa.llm import BOT_NAME as BOT
from bot.qa.service import Answerer

HISTORY_TURNS = 6  # three questions and answers: enough context, a small prompt


@dataclass
class ThreadAnswers:
    papers: PaperStore
    threads: Threads
    answerer: Answerer
    clock: Callable[[], datetime] = utc_now

    async def paper_of(self, target: Target, thread: str) -> str | None:
        return await self.threads.paper_of(target, thread)

    async def answer(self, target: Target, thread: str, user: str, question: str) -> str | None:
        """The whole answer (see `stream`); None when the thread is not under a feed card."""
        return (
            "".join([piece async for piece in self.stream(target, thread, user, question)]) or None
        )

    async def stream(
        self, target: Target, thread: str, user: str, question: str, arxiv_id: str | None = None
    ) -> AsyncIterator[str]:
        """The answer in pieces as it is written (see `Answerer.stream`); nothing when the
        thread is not under one of the feed's cards (`arxiv_id`: its paper, when the caller has
        looked it up already). The turns are kept once it is complete."""
        arxiv_id = arxiv_id or await self.threads.paper_of(target, thread)
        paper = await self.papers.get(arxiv_id) if arxiv_id else None
        if paper is None:
            return
        history = await self.threads.turns(target, thread, HISTORY_TURNS)
        pieces = []
        async for piece in self.answerer.stream(
            paper, question, history, user=user, thread=f"{target}:{thread}"
        ):
            pieces.append(piece)
            yield piece
        answer = "".join(pieces).strip()
        await self.threads.add_turns(
            target, thread, [Turn(user, question), Turn(BOT, answer)], self.clock()
        )
