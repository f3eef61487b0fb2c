"""Thread answers without a model: QASPER answer F1, latency, the time to answer when every
full-text source is down, and the prompt size with a model.

    .venv/bin/python bench/qa_answers.py

- Answer F1 (QASPER's official measure): the answer's tokens against each annotator's reference
  (extractive spans joined, the free-form answer, "Yes"/"No", or "Unanswerable"), lower-cased,
  punctuation and articles dropped; the best over annotators, averaged over questions. Our
  answer, scored two ways: its first line as the reader sees it (the "In short:" number(s) or
  name(s), "Unanswerable" when it says the paper does not say, else the first quoted sentence),
  and the quoted sentences together. Baseline in the same run: the previous answerer's first
  quoted passage (BM25's best paragraph, cut at 600 characters). Anchors from the QASPER paper
  (test set): LED-base with full text 33.6, humans 60.9.
- Latency: on the LaTeXML sample paper of ../shared/fixtures/sources (text cached).
- Sources down: `Answerer` with a fetcher whose every source times out (a transport that never
  answers), timed from question to answer.
- Prompt size: the messages the LLM answerer would send, in characters and ~tokens (chars / 4).
"""

from __future__ import annotations

import asyncio
import json
import re
import statistics
import string
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bot.domain import Paper  # noqa: E402
from bot.qa.answer import answering_sentences, extractive_answer, lead, retriever  # noqa: E402
from bot.qa.fulltext import FullText, FullTextFetcher, TextSource  # noqa: E402
from bot.qa.llm import build_messages, evidence  # noqa: E402
from bot.qa.passages import from_latexml, from_sections  # noqa: E402
from bot.qa.service import Answerer  # noqa: E402
from bot.sources.http import Http, RetryPolicy  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures"
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def _normal(text: str) -> list[str]:
    text = "".join(c for c in text.lower() if c not in set(string.punctuation))
    return _ARTICLES.sub(" ", text).split()


def token_f1(prediction: str, reference: str) -> float:
    guess, gold = _normal(prediction), _normal(reference)
    if not guess or not gold:
        return float(guess == gold)
    common = sum((Counter(guess) & Counter(gold)).values())
    if not common:
        return 0.0
    precision, recall = common / len(guess), common / len(gold)
    return 2 * precision * recall / (precision + recall)


def references(answers: list[dict]) -> list[str]:  # type: ignore[type-arg]
    out = []
    for a in answers:
        a = a.get("answer", a)
        if a["unanswerable"]:
            out.append("Unanswerable")
        elif a["yes_no"] is not None:
            out.append("Yes" if a["yes_no"] else "No")
        elif a["extractive_spans"]:
            out.append(", ".join(a["extractive_spans"]))
        else:
            out.append(a["free_form_answer"])
    return out


def sentence_answer(question: str, text: FullText) -> str:
    chosen = answering_sentences(question, text)
    return " ".join(s.sentence for s in chosen) if chosen else "Unanswerable"


def lead_answer(question: str, text: FullText) -> str:
    """What the answer leads with: that the paper does not say, the short answer, or the first
    quoted sentence."""
    chosen = answering_sentences(question, text)
    first = lead(question, text, chosen)
    if first.not_said or not chosen:
        return "Unanswerable"
    return first.short or chosen[0].sentence


def paragraph_answer(question: str, text: FullText) -> str:
    """The previous answerer's lead: its best passage, cut at 600 characters."""
    found = retriever(text).top(question, 1)
    return found[0].passage.text[:600] if found else "Unanswerable"


LEAD = "lead: not said, short answer or first sentence (now)"
ANSWERS = {
    LEAD: lead_answer,
    "quoted sentences (now)": sentence_answer,
    "best paragraph (before)": paragraph_answer,
}


def answer_f1(papers: list[dict]) -> None:  # type: ignore[type-arg]
    scores: dict[str, list[float]] = {name: [] for name in ANSWERS}
    for paper in papers:
        passages = from_sections(
            zip(paper["full_text"]["section_name"], paper["full_text"]["paragraphs"], strict=True)
        )
        text = FullText(paper["id"], 1, TextSource.ARXIV_HTML, tuple(passages))
        for question, answers in zip(
            paper["qas"]["question"], paper["qas"]["answers"], strict=True
        ):
            refs = references(answers["answer"])
            for name, answerer in ANSWERS.items():
                answer = answerer(question, text)
                scores[name].append(max(token_f1(answer, ref) for ref in refs))
    count = len(scores[LEAD])
    print(f"QASPER answer F1 over {count} questions of {len(papers)} papers (sample dev):")
    for name, values in scores.items():
        print(f"  {name:<52} {100 * statistics.mean(values):5.1f}")
    print("  anchors (QASPER paper, test set): LED-base full text 33.6, humans 60.9")


def latency(papers: list[dict]) -> None:  # type: ignore[type-arg]
    html = (SHARED / "sources" / "arxiv_html_latexml_0.8.6_split-cycle_2022.html").read_bytes()
    long_paper = FullText("2211.00001", 1, TextSource.ARXIV_HTML, tuple(from_latexml(html)))
    questions = [q for p in papers for q in p["qas"]["question"]]
    began = time.perf_counter()
    retriever(long_paper)  # the index, built once per paper version
    built = (time.perf_counter() - began) * 1000
    times = []
    for _ in range(20):
        for question in questions:
            began = time.perf_counter()
            extractive_answer(question, long_paper)
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    words = sum(len(p.text.split()) for p in long_paper.passages)
    print(
        f"extractive answer on a cached paper of {len(long_paper.passages)} passages "
        f"({words:,} words), index built once in {built:.0f} ms, {len(times)} answers: "
        f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms, "
        f"max {times[-1]:.1f} ms"
    )


class _FullTexts:
    async def get_fulltext(self, arxiv_id: str, version: int) -> FullText | None:
        return None

    async def put_fulltext(self, text: FullText, now: datetime) -> None:
        return None


async def sources_down() -> None:
    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    client = httpx.AsyncClient(transport=httpx.MockTransport(never), timeout=30)
    http = Http(client, RetryPolicy(attempts=4))
    fetcher = FullTextFetcher(_FullTexts(), http, http, "http://arxiv", "http://hf")
    answerer = Answerer(fetcher)
    paper = Paper(
        arxiv_id="2606.00001",
        version=1,
        title="A paper",
        abstract="We train on the PubMed corpus. It has two million abstracts.",
        published=datetime(2026, 6, 1, tzinfo=UTC),
    )
    for attempt in ("first question", "second question"):
        began = time.perf_counter()
        answered = await answerer.answer(paper, "which corpus do they train on?")
        took = time.perf_counter() - began
        print(
            f"every full-text source down ({attempt}): answered in {took:.1f} s "
            f"from the {answered.source}"
        )
    await client.aclose()


def prompt_sizes(papers: list[dict]) -> None:  # type: ignore[type-arg]
    sizes = []
    for paper in papers:
        passages = from_sections(
            zip(paper["full_text"]["section_name"], paper["full_text"]["paragraphs"], strict=True)
        )
        text = FullText(paper["id"], 1, TextSource.ARXIV_HTML, tuple(passages))
        for question in paper["qas"]["question"]:
            found = evidence(question, text)
            messages = build_messages(paper["title"], paper["id"], found, [], question)
            sizes.append(sum(len(m["content"]) for m in messages))
    sizes.sort()
    print(
        f"LLM prompt per question ({len(sizes)} QASPER questions): median "
        f"{statistics.median(sizes):,.0f} chars (~{statistics.median(sizes) / 4:,.0f} tokens), "
        f"max {sizes[-1]:,} chars (~{sizes[-1] / 4:,.0f} tokens); paper-qa's default pipeline: "
        "~15,000 tokens"
    )


def main() -> None:
    papers = [
        json.loads(line)
        for line in (SHARED / "qasper" / "qasper_sample_dev.jsonl").read_text().splitlines()
    ]
    answer_f1(papers)
    latency(papers)
    asyncio.run(sources_down())
    prompt_sizes(papers)


if __name__ == "__main__":
    main()
