"""A synthetic arXiv metadata snapshot (JSON Lines) for import and search benchmarks.

    .venv/bin/python bench/corpus.py --papers 1000000 --out /tmp/corpus-1m.jsonl

Realistic shape, made-up words: a 200,000-word vocabulary drawn with Zipf frequencies
(exponent 1.07, as in English text), titles of ~10 words and abstracts of ~160 words (the mean
of real cs abstracts), 1-12 authors from a pool of 300,000 names, arXiv categories with real
skew, ids and dates in submission order from 2015 on. `query_words` picks words whose expected
document frequency hits a target, so benchmarks can ask for "a term in 7.5% of papers".
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

VOCABULARY = 200_000
ZIPF = 1.07
TITLE_WORDS = 10
ABSTRACT_WORDS = 160
SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ne",
    "su",
    "ta",
    "vo",
    "ri",
    "pe",
    "da",
    "zu",
    "fi",
    "go",
    "ha",
    "ju",
    "be",
    "ce",
    "xo",
    "wy",
    "qu",
    "an",
    "el",
    "is",
    "or",
    "um",
]
CATEGORIES = [
    "cs.LG",
    "cs.CV",
    "cs.CL",
    "cs.AI",
    "stat.ML",
    "cs.RO",
    "math.OC",
    "quant-ph",
    "hep-th",
    "astro-ph.CO",
    "cond-mat.mes-hall",
    "eess.SP",
    "q-bio.NC",
    "physics.optics",
    "math.PR",
]
CATEGORY_WEIGHTS = np.array([30, 20, 15, 10, 6, 4, 3, 3, 2, 2, 1.5, 1.5, 1, 1, 1], dtype=float)


def word(rank: int) -> str:
    """A pronounceable, unique made-up word for a vocabulary rank (never an English stopword)."""
    out, n = [], rank + 26  # skip the shortest forms
    while n:
        n, digit = divmod(n, len(SYLLABLES))
        out.append(SYLLABLES[digit])
    return "".join(out) + "x"


def probabilities() -> np.ndarray:
    weights = 1.0 / np.arange(1, VOCABULARY + 1) ** ZIPF
    return weights / weights.sum()


def query_words(
    doc_fraction: float, count: int = 10, tokens: int = TITLE_WORDS + ABSTRACT_WORDS
) -> list[str]:
    """Words expected in about `doc_fraction` of papers: P(in doc) = 1 - (1 - p)^tokens."""
    target = 1 - (1 - doc_fraction) ** (1 / tokens)
    p = probabilities()
    centre = int(np.argmin(np.abs(p - target)))
    ranks = range(max(0, centre - count // 2), max(0, centre - count // 2) + count)
    return [word(r) for r in ranks]


def generate(papers: int, out: Path, seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    p = probabilities()
    vocab = [word(r) for r in range(VOCABULARY)]
    names = [
        f"{word(rng.integers(VOCABULARY)).title()} {word(rng.integers(VOCABULARY)).title()}"
        for _ in range(300_000)
    ]
    start = datetime(2015, 1, 1, tzinfo=UTC)
    span = (datetime(2026, 11, 1, tzinfo=UTC) - start).total_seconds()
    cat_p = CATEGORY_WEIGHTS / CATEGORY_WEIGHTS.sum()
    chunk = 10_000
    with out.open("w") as handle:
        for base in range(0, papers, chunk):
            n = min(chunk, papers - base)
            titles = rng.choice(VOCABULARY, size=(n, TITLE_WORDS), p=p)
            abstracts = rng.choice(VOCABULARY, size=(n, ABSTRACT_WORDS), p=p)
            author_counts = rng.integers(1, 13, size=n)
            for i in range(n):
                index = base + i
                moment = start + timedelta(seconds=span * index / papers)
                yymm = moment.strftime("%y%m")
                cats = rng.choice(
                    len(CATEGORIES), size=int(rng.integers(1, 4)), replace=False, p=cat_p
                )
                record = {
                    "id": f"{yymm}.{index % 100000:05d}",
                    "authors": ", ".join(
                        names[j] for j in rng.integers(0, len(names), author_counts[i])
                    ),
                    "title": " ".join(vocab[w] for w in titles[i]).capitalize(),
                    "abstract": " ".join(vocab[w] for w in abstracts[i]).capitalize() + ".",
                    "categories": " ".join(CATEGORIES[c] for c in cats),
                    "versions": [
                        {"version": "v1", "created": moment.strftime("%a, %d %b %Y %H:%M:%S GMT")}
                    ],
                }
                handle.write(json.dumps(record) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    began = time.perf_counter()
    generate(args.papers, args.out)
    print(
        f"{args.papers:,} papers -> {args.out} ({args.out.stat().st_size / 1e6:,.0f} MB) "
        f"in {time.perf_counter() - began:.0f}s"
    )


if __name__ == "__main__":
    main()
