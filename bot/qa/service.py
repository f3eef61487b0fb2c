"""One place that answers a question about a paper, for every adapter and the command line:
full text (cached), then the language model when there is one, else (or when it fails) the
quoted passages."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from bot.domain import Paper, Turn
from bot.engine import utc_now
from bot.errors import ModelUnavailable
from bot.qa.answer import extractive_answer
from bot.qa.budget import Budget
from bot.qa.fulltext import FullText, FullTextFetcher, TextSource, abstract_only
from bot.qa.llm import LlmAnswerer

DID_NOT_ANSWER = "(The language model did not answer; quoting the paper instead.)"
STOPPED = "\n(The language model stopped; quoting the paper instead.)"


@dataclass(frozen=True, slots=True)
class Answered:
    text: str
    source: TextSource  # what it read
    by_model: bool  # written by the language model (else quoted passages)
    seconds: float


@dataclass
class Answerer:
    fetcher: FullTextFetcher | None = None  # None: abstracts only
    llm: LlmAnswerer | None = None  # None: extractive answers
    budget: Budget = field(default_factory=Budget)

    async def _prepare(
        self, paper: Paper, question: str, user: str, thread: str
    ) -> tuple[FullText, str | None]:
        """The paper's text, and the answer to give without the model (None: ask the model)."""
        text = await self.fetcher.get(paper, utc_now()) if self.fetcher else abstract_only(paper)
        if self.llm is None:
            return text, extractive_answer(question, text)
        refused = await self.budget.spend(utc_now().date(), user, thread or paper.arxiv_id)
        if refused:
            return text, f"({refused}; quoting the paper instead.)\n" + extractive_answer(
                question, text
            )
        return text, None

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
        text, without_model = await self._prepare(paper, question, user, thread)
        if without_model is not None or self.llm is None:
            return Answered(without_model or "", text.source, False, time.perf_counter() - began)
        try:
            written = await self.llm.answer(
                question,
                text,
                paper.title or paper.arxiv_id,
                history,
                project_url=paper.project_url,
            )
        except ModelUnavailable:
            fallback = f"{DID_NOT_ANSWER}\n{extractive_answer(question, text)}"
            return Answered(fallback, text.source, False, time.perf_counter() - began)
        return Answered(written, text.source, True, time.perf_counter() - began)

    async def stream(
        self,
        paper: Paper,
        question: str,
        history: Sequence[Turn] = (),
        *,
        user: str = "someone",
        thread: str = "",
    ) -> AsyncIterator[str]:
        """The answer in pieces as the model writes it (one piece when quoting the paper). If
        the model fails midway, what was shown stays and the quoted passages follow."""
        text, without_model = await self._prepare(paper, question, user, thread)
        if without_model is not None or self.llm is None:
            yield without_model or ""
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
            yield f"{note}\n{extractive_answer(question, text)}"
