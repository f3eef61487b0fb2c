"""One place that answers a question about a paper, for every adapter and the command line:
full text (cached), then the language model when there is one, else (or when it fails) the
quoted passages."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from bot.cycle import utc_now
from bot.domain import Paper, Turn
from bot.errors import ModelUnavailable
from bot.pauses import PAUSE
from bot.qa.answer import extractive_answer
from bot.qa.budget import Budget
from bot.qa.fulltext import FullText, FullTextFetcher, TextSource, abstract_only
from bot.qa.llm import LlmAnswerer
from bot.qa.record import about_the_record

log = logging.getLogger(__name__)

DID_NOT_ANSWER = "(The language model did not answer; quoting the paper instead.)"
STOPPED = "\n(The language model stopped; quoting the paper instead.)"


@dataclass(frozen=True, slots=True)
class Answered:
    text: str
    source: TextSource  # what it read
    by_model: bool  # written by the language model (else quoted passages)
    seconds: float


ANSWER_WITHIN = 6.0  # seconds a question waits for the full text; then the abstract answers
IMPROVE_WITHIN = 120.0  # seconds a thread's answer from the abstract waits for the full text
LATE = (
    "(The full text did not arrive in time, so this is from the abstract; it is being fetched: "
    "ask again in a minute for more.)\n"
)
# A thread's answer, streamed, is followed by the full text's instead (bot.pauses).
LATE_FOLLOWS = (
    "(The full text did not arrive in time, so this is from the abstract; the answer from the "
    "full text follows here when it arrives.)\n"
)
ARRIVED = "\n\nFrom the full text, which has now arrived:\n"
NEVER_ARRIVED = "\n\n(The full text could not be read; the answer above stays from the abstract.)"
STILL_LATE = (
    "\n\n(The full text has not arrived yet; it is still being fetched: ask again later for an "
    "answer from it.)"
)
PREFETCHES_AT_ONCE = 2  # full texts fetched at once ahead of questions


@dataclass(frozen=True, slots=True)
class _Prepared:
    """What a question is answered from."""

    text: FullText
    note: str  # said before the answer: that it is from the abstract for want of time
    quoted: str | None  # the answer quoting the paper; None: the model writes it
    pending: asyncio.Task[FullText] | None  # the full text's fetch still going, when late


@dataclass
class Answerer:
    fetcher: FullTextFetcher | None = None  # None: abstracts only
    llm: LlmAnswerer | None = None  # None: extractive answers
    budget: Budget = field(default_factory=Budget)
    deadline: float = ANSWER_WITHIN
    improve_within: float = IMPROVE_WITHIN
    # The full-text fetches going on, by paper version, with when each began: a question and
    # a prefetch of the same paper share one.
    _inflight: dict[tuple[str, int], tuple[asyncio.Task[FullText], float]] = field(
        default_factory=dict
    )
    _gate: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(PREFETCHES_AT_ONCE))

    def prefetch(self, paper: Paper) -> None:
        """Fetch and cache the paper's full text now, in the background (a card was just
        posted): the questions under it are then answered from a warm cache."""
        if self.fetcher is not None:
            self._fetching(paper, lambda: self._prefetch(paper))

    async def _prefetch(self, paper: Paper) -> FullText:
        assert self.fetcher is not None
        async with self._gate:
            return await self.fetcher.get(paper, utc_now())

    def _fetching(
        self, paper: Paper, fetch: Callable[[], Awaitable[FullText]]
    ) -> tuple[asyncio.Task[FullText], float]:
        """The fetch of the paper's text going on (the same card in many channels, a question
        while it is prefetched), else a new one."""
        key = (paper.arxiv_id, paper.version or 0)
        if key not in self._inflight:
            task = asyncio.ensure_future(fetch())
            self._inflight[key] = (task, time.monotonic())
            task.add_done_callback(lambda done: self._finished(key, done))
        return self._inflight[key]

    def _finished(self, key: tuple[str, int], task: asyncio.Task[FullText]) -> None:
        self._inflight.pop(key, None)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.warning("fetching a full text failed: %s", exc)

    async def close(self) -> None:
        """Stop the fetches still going (the process is stopping; the next one fetches again)."""
        tasks = [task for task, _ in self._inflight.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if self.fetcher is not None:
            await self.fetcher.settle()

    async def _text(self, paper: Paper) -> tuple[FullText, asyncio.Task[FullText] | None]:
        """The paper's text within the deadline (one try per source, failures remembered); when
        it is the abstract for want of time, the fetch still going too. The fetch goes on for
        the next question, which waits only for what is left of the deadline (nothing, once it
        passed)."""
        fetcher = self.fetcher
        if fetcher is None:
            return abstract_only(paper), None
        task, started = self._fetching(
            paper, lambda: fetcher.get(paper, utc_now(), interactive=True)
        )
        left = max(0.0, self.deadline - (time.monotonic() - started))
        try:
            return await asyncio.wait_for(asyncio.shield(task), left), None
        except TimeoutError:
            return abstract_only(paper), task

    async def _prepare(
        self, paper: Paper, question: str, user: str, thread: str, *, improve: bool = False
    ) -> _Prepared:
        """What to answer from (`improve`: an answer from the abstract for want of time will be
        improved when the full text arrives, and says so). What the record says (code,
        authors, dates, ...) is answered from it, exactly."""
        if about_the_record(question, paper) is not None:
            abstract = abstract_only(paper)
            return _Prepared(abstract, "", extractive_answer(question, abstract, paper), None)
        text, pending = await self._text(paper)
        late = "" if pending is None else LATE_FOLLOWS if improve else LATE
        quoted = await self._without_model(text, question, paper, user, thread)
        return _Prepared(text, late, quoted, pending)

    async def _without_model(
        self, text: FullText, question: str, paper: Paper, user: str, thread: str
    ) -> str | None:
        """The answer quoting `text` when there is no model or its budget is spent; None when
        the model is to answer."""
        if self.llm is None:
            return extractive_answer(question, text, paper)
        refused = await self.budget.spend(utc_now().date(), user, thread or paper.arxiv_id)
        if refused:
            return f"({refused}; quoting the paper instead.)\n" + extractive_answer(
                question, text, paper
            )
        return None

    async def answer(
        self,
        paper: Paper,
        question: str,
        history: Sequence[Turn] = (),
        *,
        user: str = "someone",
        thread: str = "",
    ) -> Answered:
        began = time.perf_counter()
        ready = await self._prepare(paper, question, user, thread)
        text, note = ready.text, ready.note
        if ready.quoted is not None or self.llm is None:
            return Answered(note + (ready.quoted or ""), text.source, False, self._since(began))
        try:
            written = await self.llm.answer(
                question,
                text,
                paper.title or paper.arxiv_id,
                history,
                project_url=paper.project_url,
            )
        except ModelUnavailable:
            fallback = f"{note}{DID_NOT_ANSWER}\n{extractive_answer(question, text, paper)}"
            return Answered(fallback, text.source, False, self._since(began))
        return Answered(note + written, text.source, True, self._since(began))

    @staticmethod
    def _since(began: float) -> float:
        return time.perf_counter() - began

    async def stream(
        self,
        paper: Paper,
        question: str,
        history: Sequence[Turn] = (),
        *,
        user: str = "someone",
        thread: str = "",
        improve: bool = False,
    ) -> AsyncIterator[str]:
        """The answer in pieces as the model writes it (one piece when quoting the paper). If
        the model fails midway, what was shown stays and the quoted passages follow. With
        `improve`, an answer from the abstract for want of time is followed by the answer from
        the full text when it arrives (within IMPROVE_WITHIN seconds), or by a word that it
        could not be read."""
        improve = improve and self.improve_within > 0
        ready = await self._prepare(paper, question, user, thread, improve=improve)
        if ready.note:
            yield ready.note
        async for piece in self._written(ready.text, ready.quoted, paper, question, history):
            yield piece
        pending = ready.pending
        if not improve or pending is None:
            return
        yield PAUSE  # the answer so far is complete: shown whole while the full text comes
        try:
            arrived = await asyncio.wait_for(asyncio.shield(pending), self.improve_within)
        except asyncio.CancelledError:
            if (me := asyncio.current_task()) is not None and me.cancelling():
                raise
            return  # the fetch was stopped (the process is stopping): nothing more to say
        except TimeoutError:
            yield STILL_LATE
            return
        except Exception:  # failed (logged where it ran: _finished)
            arrived = None
        if arrived is None or arrived.source is TextSource.ABSTRACT:
            yield NEVER_ARRIVED
            return
        yield ARRIVED
        # The same question, answered the same way: the model's budget was counted once.
        by_model = ready.quoted is None and self.llm is not None
        quoted = None if by_model else extractive_answer(question, arrived, paper)
        async for piece in self._written(arrived, quoted, paper, question, history):
            yield piece

    async def _written(
        self,
        text: FullText,
        quoted: str | None,
        paper: Paper,
        question: str,
        history: Sequence[Turn],
    ) -> AsyncIterator[str]:
        """The answer from `text`: `quoted` when it is given, else the model's as it writes."""
        if quoted is not None or self.llm is None:
            yield quoted or ""
            return
        shown = False
        try:
            async for piece in self.llm.stream(
                question,
                text,
                paper.title or paper.arxiv_id,
                history,
                project_url=paper.project_url,
            ):
                shown = True
                yield piece
        except ModelUnavailable:
            note = STOPPED if shown else DID_NOT_ANSWER
            yield f"{note}\n{extractive_answer(question, text, paper)}"
