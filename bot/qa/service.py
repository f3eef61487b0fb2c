"""One place that answers a question about a paper, for every adapter and the command line:
full text (cached), then the language model when there is one, else (or when it fails) the
quoted passages."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field

from bot.engine import utc_now
from bot.errors import ModelUnavailable
from bot.models import Paper
from bot.qa.answer import extractive_answer
from bot.qa.budget import Budget
from bot.qa.fulltext import FullTextFetcher, TextSource, abstract_only
from bot.qa.llm import LlmAnswerer, Turn


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
        text = await self.fetcher.get(paper, utc_now()) if self.fetcher else abstract_only(paper)
        if self.llm is not None:
            refused = await self.budget.spend(utc_now().date(), user, thread or paper.arxiv_id)
            if refused:
                quoted = extractive_answer(question, text)
                note = f"({refused}; quoting the paper instead.)\n{quoted}"
                return Answered(note, text.source, False, time.perf_counter() - began)
            try:
                written = await self.llm.answer(
                    question,
                    text,
                    paper.title or paper.arxiv_id,
                    history,
                    project_url=paper.project_url,
                )
                return Answered(written, text.source, True, time.perf_counter() - began)
            except ModelUnavailable:
                quoted = extractive_answer(question, text)
                fallback = (
                    f"(The language model did not answer; quoting the paper instead.)\n{quoted}"
                )
                return Answered(fallback, text.source, False, time.perf_counter() - began)
        return Answered(
            extractive_answer(question, text), text.source, False, time.perf_counter() - began
        )

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
        text = await self.fetcher.get(paper, utc_now()) if self.fetcher else abstract_only(paper)
        refused = None
        if self.llm is not None:
            refused = await self.budget.spend(utc_now().date(), user, thread or paper.arxiv_id)
        if self.llm is None or refused:
            quoted = extractive_answer(question, text)
            yield f"({refused}; quoting the paper instead.)\n{quoted}" if refused else quoted
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
            why = "\n(The language model stopped" if shown else "(The language model did not answer"
            yield f"{why}; quoting the paper instead.)\n" + extractive_answer(question, text)
