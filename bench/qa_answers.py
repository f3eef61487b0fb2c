"""Thread answers: extractive answer latency on a cached long paper, and prompt size per question.

    .venv/bin/python bench/qa_answers.py

Latency: `extractive_answer` (retrieval + quoting) on the LaTeXML sample paper from
../shared/fixtures/sources (199 passages, ~30 pages), text already cached, over the QASPER
questions, 50 rounds. Prompt size: the messages the LLM answerer would send for each QASPER
question on its own paper, in characters and estimated tokens (characters / 4, the usual rule
of thumb for English; no tokenizer is installed), against paper-qa's ~15k tokens per question.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.qa.answer import extractive_answer  # noqa: E402
from bot.qa.fulltext import FullText, TextSource  # noqa: E402
from bot.qa.llm import PASSAGES, build_messages  # noqa: E402
from bot.qa.passages import from_latexml, from_sections  # noqa: E402
from bot.qa.retrieve import Retriever  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures"


def main() -> None:
    html = (SHARED / "sources" / "arxiv_html_latexml_0.8.6_split-cycle_2022.html").read_bytes()
    long_paper = FullText("2211.00001", 1, TextSource.ARXIV_HTML, tuple(from_latexml(html)))
    papers = [
        json.loads(line)
        for line in (SHARED / "qasper" / "qasper_sample_dev.jsonl").read_text().splitlines()
    ]
    questions = [q for p in papers for q in p["qas"]["question"]]
    times = []
    for _ in range(50):
        for question in questions:
            began = time.perf_counter()
            extractive_answer(question, long_paper)
            times.append((time.perf_counter() - began) * 1000)
    times.sort()
    words = sum(len(p.text.split()) for p in long_paper.passages)
    print(
        f"extractive answer on a cached paper of {len(long_paper.passages)} passages ({words:,} words), "
        f"{len(times)} answers: p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95)]:.1f} ms, "
        f"max {times[-1]:.1f} ms"
    )

    sizes = []
    for paper in papers:
        passages = from_sections(
            zip(paper["full_text"]["section_name"], paper["full_text"]["paragraphs"], strict=True)
        )
        retriever = Retriever(passages)
        for question in paper["qas"]["question"]:
            found = retriever.top(question, PASSAGES)
            messages = build_messages(paper["title"], paper["id"], found, [], question)
            sizes.append(sum(len(m["content"]) for m in messages))
    sizes.sort()
    print(
        f"LLM prompt per question ({len(sizes)} QASPER questions): median {statistics.median(sizes):,.0f} chars "
        f"(~{statistics.median(sizes) / 4:,.0f} tokens), max {sizes[-1]:,} chars (~{sizes[-1] / 4:,.0f} tokens); "
        f"paper-qa's default pipeline: ~15,000 tokens"
    )


if __name__ == "__main__":
    main()
