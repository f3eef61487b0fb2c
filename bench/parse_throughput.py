"""Parse throughput of Paperboy's source parsers against baselines, measured in the same run.

    .venv/bin/pip install -e '.[bench]' && .venv/bin/python bench/parse_throughput.py

Inputs: the recorded real responses in ../shared/fixtures/sources (or the project's own fixtures
when that folder is absent). Figures are papers parsed per second, best of several rounds.
Baselines:
  * feedparser: `feedparser.parse` plus the field extraction the `arxiv` package (<= 2.x) did
    on its result (`Result._from_feed_entry`): the baseline the performance goal names.
  * arxiv 4.x: the `arxiv` package's current lxml-based Atom parser (`arxiv._feed.parse`).
  * json.loads: for HF JSON no feed library applies; decoding alone is the floor.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sources import parse_atom, parse_hf_daily, parse_rss  # noqa: E402

SHARED = ROOT.parent / "shared" / "fixtures" / "sources"
OWN = ROOT / "tests" / "fixtures"


def _files(pattern: str, fallback: str) -> list[bytes]:
    found = sorted(SHARED.glob(pattern)) if SHARED.is_dir() else []
    return [p.read_bytes() for p in found] or [p.read_bytes() for p in sorted(OWN.glob(fallback))]


def _feedparser_arxiv(body: bytes) -> int:
    """What arxiv.py 2.x did per response: feedparser, then build each Result's fields."""
    import feedparser

    feed = feedparser.parse(body)
    count = 0
    for entry in feed.entries:
        if entry.get("id", "").find("/api/errors") >= 0:
            continue
        _ = {
            "entry_id": entry.id,
            "updated": time.mktime(entry.updated_parsed) if entry.get("updated_parsed") else None,
            "published": time.mktime(entry.published_parsed)
            if entry.get("published_parsed")
            else None,
            "title": " ".join(entry.title.split()),
            "authors": [a.get("name") for a in entry.get("authors", [])],
            "summary": entry.get("summary", ""),
            "comment": entry.get("arxiv_comment"),
            "journal_ref": entry.get("arxiv_journal_ref"),
            "doi": entry.get("arxiv_doi"),
            "primary_category": entry.get("arxiv_primary_category", {}).get("term"),
            "categories": [t.get("term") for t in entry.get("tags", [])],
            "links": [link.get("href") for link in entry.get("links", [])],
        }
        count += 1
    return count


def _feedparser_rss(body: bytes) -> int:
    import feedparser

    feed = feedparser.parse(body)
    count = 0
    for entry in feed.entries:
        _ = (
            entry.get("title"),
            entry.get("link"),
            entry.get("summary"),
            entry.get("author"),
            [t.get("term") for t in entry.get("tags", [])],
            entry.get("published_parsed"),
        )
        count += 1
    return count


def _arxiv4(body: bytes) -> int:
    from arxiv import _feed  # private: the package's own parser since 3.x

    return len(_feed.parse(body).results)


def _json_only(body: bytes) -> int:
    return len(json.loads(body))


def rate(
    parse: Callable[[bytes], Any], bodies: list[bytes], rounds: int = 5, min_seconds: float = 0.3
) -> float:
    """Papers per second: best round, each round parsing every body until min_seconds pass."""
    best = 0.0
    for _ in range(rounds):
        papers, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < min_seconds:
            for body in bodies:
                result = parse(body)
                papers += result if isinstance(result, int) else len(result.papers)
        best = max(best, papers / elapsed)
    return best


def main() -> None:
    atom = _files("arxiv_api_query_*.atom.xml", "arxiv_api_two_pages_*.xml")
    rss = _files("arxiv_rss_*.xml", "arxiv_rss_mixed.xml")
    hf = _files("hf_daily_papers_*.json", "hf_daily_2024_schema.json")
    source = SHARED if SHARED.is_dir() else OWN
    print(f"inputs: {source} ({len(atom)} Atom, {len(rss)} RSS, {len(hf)} HF daily files)")
    print(f"python {sys.version.split()[0]}")
    rows: list[tuple[str, str, float, str, float]] = []
    ours = rate(parse_atom, atom)
    rows.append(
        ("arXiv Atom", "feedparser + arxiv 2.x fields", ours, "", rate(_feedparser_arxiv, atom))
    )
    try:
        rows.append(("arXiv Atom", "arxiv 4.x lxml parser", ours, "", rate(_arxiv4, atom)))
    except ImportError as exc:
        print(f"(arxiv 4.x parser unavailable: {exc})")
    ours = rate(parse_rss, rss)
    rows.append(("arXiv RSS", "feedparser", ours, "", rate(_feedparser_rss, rss)))
    rows.append(
        ("HF daily JSON", "json.loads alone", rate(parse_hf_daily, hf), "", rate(_json_only, hf))
    )
    header = f"{'format':<14} {'paperboy papers/s':>18} {'baseline':<31} {'baseline papers/s':>18}"
    print(f"\n{header} {'ratio':>7}")
    for fmt, name, mine, _, base in rows:
        print(f"{fmt:<14} {mine:>18,.0f} {name:<31} {base:>18,.0f} {mine / base:>6.1f}x")


if __name__ == "__main__":
    main()
