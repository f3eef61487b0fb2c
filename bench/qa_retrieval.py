"""Evidence retrieval on QASPER: does the thread answerer find the paragraph that answers?

    .venv/bin/python bench/qa_retrieval.py [--qasper ../shared/fixtures/qasper/qasper_sample_dev.jsonl]

For each question with text evidence (table/figure-only evidence, `FLOAT SELECTED`, left out,
and evidence that is none of the paper's paragraphs: a section heading, once), per annotator: recall@k = the share of that annotator's evidence paragraphs among the top k
retrieved, averaged over (question, annotator) pairs. Plain BM25 over bare paragraphs is the
baseline, measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.qa.passages import from_sections  # noqa: E402
from bot.qa.retrieve import Retriever  # noqa: E402
from bot.text import squash  # noqa: E402

_BARE = {"expand": 0.0, "peripheral": 1.0, "spell": False, "acronyms": False}
VARIANTS = {
    "plain BM25 (baseline)": {**_BARE, "with_sections": False, "stem": False, "stopwords": "en"},
    "+ question stop words": {**_BARE, "with_sections": False, "stem": False},
    "+ stemming": {**_BARE, "with_sections": False, "stem": True},
    "+ section titles": {**_BARE, "with_sections": True, "stem": True},
    "+ peripheral sections 0.5": {"expand": 0.0, "spell": False, "acronyms": False},
    "+ question-kind words": {"spell": False, "acronyms": False},
    "+ misspellings read": {"acronyms": False},
    "+ acronyms read (default)": {},
    "+ neighbours 0.3": {"neighbours": 0.3},
}


def cases(path: Path, papers: set[int] | None = None) -> list[tuple[list, str, set[str]]]:  # type: ignore[type-arg]
    out = []
    for number, line in enumerate(path.read_text().splitlines()):
        if papers is not None and number not in papers:
            continue
        paper = json.loads(line)
        passages = from_sections(
            zip(paper["full_text"]["section_name"], paper["full_text"]["paragraphs"], strict=True)
        )
        paragraphs = {p.text for p in passages}
        for question, answers in zip(
            paper["qas"]["question"], paper["qas"]["answers"], strict=True
        ):
            for answer in answers["answer"]:
                gold = {
                    squash(e)
                    for e in answer["evidence"]
                    if e and not e.startswith("FLOAT SELECTED")
                } & paragraphs
                if gold:
                    out.append((passages, question, {g for g in gold if g}))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--qasper",
        type=Path,
        default=ROOT.parent / "shared/fixtures/qasper/qasper_sample_dev.jsonl",
    )
    args = parser.parse_args()
    data = cases(args.qasper)
    print(f"{len(data)} (question, annotator) pairs with text evidence from {args.qasper.name}\n")
    print(f"{'retriever':<32} recall@1  recall@3  recall@5")
    for name, options in VARIANTS.items():
        print(f"{name:<32} " + _recalls(data, options))
    # The question-kind weight (0.5) was chosen on papers 0, 2, 4; papers 1 and 3 were held out.
    held_out = cases(args.qasper, {1, 3})
    print(f"\nheld-out papers 1 and 3 ({len(held_out)} pairs)")
    for name in ("plain BM25 (baseline)", "+ section titles", "+ acronyms read (default)"):
        print(f"{name:<32} " + _recalls(held_out, VARIANTS[name]))


def _recalls(data: list[tuple[list, str, set[str]]], options: dict) -> str:  # type: ignore[type-arg]
    totals = {1: 0.0, 3: 0.0, 5: 0.0}
    for passages, question, gold in data:
        ranked = [f.passage.text for f in Retriever(passages, **options).top(question, 5)]
        for k in totals:
            totals[k] += len(gold & set(ranked[:k])) / len(gold)
    return "  ".join(f"{totals[k] / len(data):8.2f}" for k in (1, 3, 5))


if __name__ == "__main__":
    main()
