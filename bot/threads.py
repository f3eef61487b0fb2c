"""Questions asked in a card's thread, answered from that paper: one path for every surface
(each chat platform, the playground, `/papers ask` typed in a thread, the CLI's `ask`).

A thread is keyed one way: the channel (`Target`) and the id of the message whose thread it is.
It knows its paper: a card the feed posted (the ledger has it) or one a command's reply posted
(`open`). It remembers its earlier turns (in our store) so a follow-up like "and on ImageNet?"
is read in context."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime

from bot.cycle import utc_now
from bot.domain import Paper, Signal, Target, Turn
from bot.pauses import Pause
from bot.ports import PaperStore, Threads
from bot.qa.llm import BOT_NAME as BOT
from bot.qa.service import ARRIVED, LATE_FOLLOWS, Answered, Answerer
from bot.tastes import Tastes

log = logging.getLogger(__name__)

HISTORY_TURNS = 6  # three questions and answers: enough context, a small prompt
NOT_UNDER_A_CARD = "Ask about a paper in the thread under its card."


@dataclass
class ThreadAnswers:
    papers: PaperStore
    threads: Threads
    answerer: Answerer
    clock: Callable[[], datetime] = utc_now
    # Told how long each answer in a thread took (seconds), for the operator's metrics.
    on_answer: Callable[[float], None] | None = None
    tastes: Tastes | None = None  # a question about a paper tells its channel's taste

    async def paper_of(self, target: Target, thread: str) -> str | None:
        return await self.threads.paper_of(target, thread)

    async def open(self, target: Target, thread: str, arxiv_id: str) -> None:
        """The thread under message `thread` is about `arxiv_id` (a card a command posted)."""
        await self.threads.open(target, thread, arxiv_id, self.clock())

    async def about(self, paper: Paper, question: str, user: str, place: str) -> Answered:
        """A question about `paper` asked outside its thread (`/papers ask ARXIV_ID ...`, the
        CLI's `ask`): no earlier turns; `place` names where, for the model's budget."""
        return await self.answerer.answer(paper, question, user=user, thread=place)

    async def answer(self, target: Target, thread: str, user: str, question: str) -> str | None:
        """The whole answer (see `stream`); None when the thread is not under a card."""
        pieces = self.stream(target, thread, user, question, improve=False)
        return "".join([piece async for piece in pieces]) or None

    async def stream(
        self,
        target: Target,
        thread: str,
        user: str,
        question: str,
        arxiv_id: str | None = None,
        *,
        improve: bool = True,
    ) -> AsyncIterator[str]:
        """The answer in pieces as it is written (see `Answerer.stream`); nothing when the
        thread is not under a card (`arxiv_id`: its paper, when the caller has looked it up
        already). `user` is whom the model's budget counts. An answer from the abstract for
        want of time is followed by the full text's when it arrives (`improve`: the caller
        shows pieces as they come, so it can). The turns are kept once complete."""
        arxiv_id = arxiv_id or await self.threads.paper_of(target, thread)
        paper = await self.papers.get(arxiv_id) if arxiv_id else None
        if paper is None:
            return
        began = time.monotonic()
        history = await self.threads.turns(target, thread, HISTORY_TURNS)
        pieces: list[str] = []
        turns = [Turn(user, question)]
        async for piece in self.answerer.stream(
            paper, question, history, user=user, thread=f"{target}:{thread}", improve=improve
        ):
            if isinstance(piece, Pause) and turns:
                # The answer so far is complete (the full text's may follow much later): it is
                # the thread's turn now, for a follow-up asked meanwhile, and its time is told.
                said = "".join(pieces).removeprefix(LATE_FOLLOWS).strip()
                await self._answered(target, thread, paper, [*turns, Turn(BOT, said)], began)
                turns, pieces = [], []
            pieces.append(piece)
            yield piece
        if turns:
            answer = "".join(pieces).strip()
            await self._answered(target, thread, paper, [*turns, Turn(BOT, answer)], began)
        elif (rest := "".join(pieces)).startswith(ARRIVED) and rest.removeprefix(ARRIVED).strip():
            # The full text's answer is a turn of its own, which says what it answers (other
            # questions may have been asked meanwhile); a word that it did not come is not.
            improved = f"From the full text, on “{question}”: {rest.removeprefix(ARRIVED).strip()}"
            await self.threads.add_turns(target, thread, [Turn(BOT, improved)], self.clock())

    async def _answered(
        self, target: Target, thread: str, paper: Paper, turns: list[Turn], began: float
    ) -> None:
        """The question and its answer kept as the thread's turns, its time told, and the
        question told to the channel's taste."""
        await self.threads.add_turns(target, thread, turns, self.clock())
        if self.on_answer is not None:
            self.on_answer(time.monotonic() - began)
        await self.noted(target, paper.arxiv_id, Signal.ASKED)

    async def noted(self, target: Target, arxiv_id: str, signal: Signal) -> None:
        """Tell the channel's taste; a failure to is logged, never the person's problem."""
        if self.tastes is None:
            return
        try:
            await self.tastes.note(target, arxiv_id, signal)
        except Exception:
            log.exception("taste signal not recorded for %s", target)
