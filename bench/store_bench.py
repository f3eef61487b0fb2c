"""Import throughput, search latency and ranking exactness at scale, on SQLite and PostgreSQL.

    .venv/bin/pip install -e '.[dev]' numpy
    .venv/bin/python bench/corpus.py --papers 1000000 --out /tmp/corpus-1m.jsonl
    .venv/bin/python bench/store_bench.py --corpus /tmp/corpus-1m.jsonl [--engines sqlite,postgresql]

Each engine gets a fresh database, filled through the real importer (`bot.importer`, the code
behind `paperboy import`) and its search index caught up as `paperboy import` does; then every
query class is timed through `SqlPaperStore.search`, the method the bot calls, with no filter
and with a date, a category and an author filter, and sorted by recency and by upvotes.

Beside it, in the same run on the same data:
- the anchor: the bare tantivy index answering the same words (no database, no Paperboy),
- the naive baseline: `LIKE '%word%'` over title and abstract, newest first,
- exactness: overlap@10 of Paperboy's results with an exact BM25 top 10 computed here in
  Python from the corpus file (every matching paper scored by the formula the README
  documents, independently of tantivy), with and without filters, and for the recency sort,
- with `--import-baseline`, on SQLite: the store step as the previous importer ran it (records
  parsed in a thread of the importing process instead of a second process).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import math
import os
import shutil
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import tantivy

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpus import query_words  # noqa: E402

import bot.importer  # noqa: E402
from bot.domain import Sort  # noqa: E402
from bot.importer import import_files  # noqa: E402
from bot.search import build_query  # noqa: E402
from storage import SqlPaperStore, open_store  # noqa: E402
from storage.search_schema import SCHEMA_VERSION, WEIGHTS, analyzer  # noqa: E402

CLASSES = {  # name -> target share of papers containing the term(s)
    "frequent term (~7.5%)": 0.075,
    "mid term (~0.45%)": 0.0045,
    "rare term (~0.012%)": 0.000117,
}
TYPING = "being typed (3 letters)"  # no exact reference or bare-engine anchor for prefixes
SINCE = date(2025, 11, 1)  # about the newest year of the corpus
CATEGORY = "cs.CV"  # in ~20% of papers
SINCE_SECONDS = datetime.combine(SINCE, datetime.min.time(), UTC).timestamp()
K1, B = 1.2, 0.75
FIELDS = ("title", "authors", "abstract")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def query_sets(corpus: Path) -> dict[str, list[str]]:
    sets = {name: query_words(share, count=10) for name, share in CLASSES.items()}
    frequent = query_words(0.075, count=20)
    sets["two frequent terms"] = [
        f"{a} {b}" for a, b in zip(frequent[::2], frequent[1::2], strict=True)
    ]
    with corpus.open() as handle:  # phrases that occur: the first two words of some titles
        titles = [json.loads(next(handle))["title"] for _ in range(10)]
    sets["phrase"] = ['"' + " ".join(t.lower().split()[:2]) + '"' for t in titles]
    sets["zero hits"] = [f"zzq{n}x" for n in range(10)]
    # Autocomplete: the first letters of frequent and mid words, read as the start of words.
    starts = query_words(0.075, count=5) + query_words(0.0045, count=5)
    sets[TYPING] = [w[:3] for w in starts]
    return sets


_SPLIT = analyzer()


def query_tokens(text: str) -> list[str]:
    """A query's words as the index reads them (quotes dropped)."""
    return [t for w in text.strip('"').split() for t in _SPLIT.analyze(w)]


def author_names(corpus: Path, count: int = 10) -> list[str]:
    with corpus.open() as handle:
        return [json.loads(next(handle))["authors"].split(", ")[0] for _ in range(count)]


# -- the exact reference -------------------------------------------------------------------


@dataclass
class Reference:
    """What exact BM25 needs, read from the corpus file: per field, the length of every paper
    and the term frequencies of the query words; each paper's date and categories."""

    ids: list[str] = field(default_factory=list)
    published: list[float] = field(default_factory=list)
    has_category: list[bool] = field(default_factory=list)
    lengths: dict[str, list[int]] = field(default_factory=lambda: {f: [] for f in FIELDS})
    postings: dict[tuple[str, str], dict[int, int]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    rows: dict[str, int] = field(default_factory=dict)  # arXiv id -> its place in the corpus

    def score(self, tokens: list[str], since: float | None, category: bool) -> dict[int, float]:
        """Every paper holding all `tokens` (in any field), scored; filters applied."""
        n = len(self.ids)
        scores: dict[int, float] | None = None
        for token in tokens:
            per_token: dict[int, float] = defaultdict(float)
            for name in FIELDS:
                posting = self.postings.get((name, token), {})
                if not posting:
                    continue
                idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
                average = sum(self.lengths[name]) / n
                for doc, tf in posting.items():
                    norm = K1 * (1 - B + B * self.lengths[name][doc] / average)
                    per_token[doc] += WEIGHTS[name] * idf * tf * (K1 + 1) / (tf + norm)
            if scores is None:
                scores = dict(per_token)
            else:
                scores = {d: s + per_token[d] for d, s in scores.items() if d in per_token}
        found = scores or {}
        return {
            d: s
            for d, s in found.items()
            if (since is None or self.published[d] >= since)
            and (not category or self.has_category[d])
        }

    def top(self, tokens: list[str], *, since: float | None = None, category: bool = False,
            recent: bool = False, k: int = 10) -> list[str]:  # fmt: skip
        scored = self.score(tokens, since, category)
        key = (lambda d: self.published[d]) if recent else (lambda d: scored[d])
        return [self.ids[d] for d in sorted(scored, key=key, reverse=True)[:k]]

    def agreement(self, found: list[str], tokens: list[str], *, since: float | None = None,
                  category: bool = False, k: int = 10) -> float:  # fmt: skip
        """overlap@k with the exact ranking, counting ties as such: the share of the exact
        top k's places taken by papers whose exact score reaches the k-th best (papers with
        equal scores may stand in either order)."""
        scored = self.score(tokens, since, category)
        best = sorted(scored.values(), reverse=True)[:k]
        if not best:
            return float(not found)
        floor = best[-1] * (1 - 1e-5)  # as equal as the engine's float32 scores can tell
        good = sum(1 for aid in found[:k] if scored.get(self.rows.get(aid, -1), -1.0) >= floor)
        return good / len(best)


def build_reference(corpus: Path, words: set[str]) -> Reference:
    from bot.sources.arxiv_snapshot import paper_from_snapshot  # as the importer reads them

    wanted = {t for w in words for t in _SPLIT.analyze(w)}
    reference = Reference()
    with corpus.open() as handle:
        for number, line in enumerate(handle):
            paper = paper_from_snapshot(json.loads(line))
            reference.rows[paper.arxiv_id] = len(reference.ids)
            reference.ids.append(paper.arxiv_id)
            reference.published.append(paper.published.timestamp() if paper.published else 0)
            reference.has_category.append(CATEGORY in paper.categories)
            texts = {
                "title": paper.title or "",
                "authors": " ".join(paper.authors),
                "abstract": paper.abstract or "",
            }
            for name, text in texts.items():
                tokens = _SPLIT.analyze(text)
                reference.lengths[name].append(len(tokens))
                for token in tokens:
                    if token in wanted:
                        posting = reference.postings[(name, token)]
                        posting[number] = posting.get(number, 0) + 1
    return reference


# -- timing ----------------------------------------------------------------------------------


async def timed_search(store: SqlPaperStore, text: str, **options: Any) -> tuple[float, list[str]]:
    began = time.perf_counter()
    hits = await store.search(build_query(text, **options))
    elapsed = (time.perf_counter() - began) * 1000
    assert hits.note is None, hits.note  # the index is caught up: every match ranked
    return elapsed, [h.paper.arxiv_id for h in hits]


def anchor_search(index: tantivy.Index, text: str) -> float:
    """The bare engine: tantivy's own query parser over the same fields, top 10 ids."""
    began = time.perf_counter()
    query = index.parse_query(
        text, list(WEIGHTS), field_boosts=WEIGHTS, conjunction_by_default=True
    )
    searcher = index.searcher()
    hits = searcher.search(query, 10, count=False).hits
    searcher.fast_field_values("id", [address for _, address in hits])
    return (time.perf_counter() - began) * 1000


async def naive_like(store: SqlPaperStore, word: str) -> float:
    first = word.strip('"').split()[0]
    sql = sa.text(
        "SELECT id FROM papers WHERE title LIKE :w OR abstract LIKE :w "
        "ORDER BY published DESC LIMIT 10"
    )
    began = time.perf_counter()
    async with store.engine.connect() as conn:
        (await conn.execute(sql, {"w": f"%{first}%"})).all()
    return (time.perf_counter() - began) * 1000


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


async def database_size(store: SqlPaperStore, url: str) -> str:
    async with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            path = Path(sa.make_url(url).database or "")
            total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*") if p.is_file())
            return f"database file {total / 1e6:,.0f} MB"
        size = (await conn.execute(sa.text("SELECT pg_total_relation_size('papers')"))).scalar()
        return f"papers table with its indexes {int(size or 0) / 1e6:,.0f} MB"


def overlap(a: list[str], b: list[str]) -> float:
    return len(set(a) & set(b)) / max(1, len(b)) if b else float(not a)


async def import_baseline(args: argparse.Namespace) -> None:
    """The store step as the previous importer ran it (records parsed in a thread of the
    importing process), into a database of its own, for comparison in the same run."""
    path = args.sqlite_path.with_name("paperboy-bench-baseline.db")
    path.unlink(missing_ok=True)
    store = await open_store(f"sqlite:///{path}", "memory")
    saved, bot.importer.PARSER_PROCESS_FROM = bot.importer.PARSER_PROCESS_FROM, 2**62
    try:
        began = time.perf_counter()
        report = await import_files([args.corpus], store)
        took = time.perf_counter() - began
    finally:
        bot.importer.PARSER_PROCESS_FROM = saved
        await store.close()
        path.unlink(missing_ok=True)
    print(
        f"\nimport baseline (sqlite, records parsed in a thread): {report.stored.new:,} papers "
        f"stored in {took:,.0f} s ({report.stored.new / took:,.0f} papers/s), not indexed"
    )


async def bench_engine(
    name: str, url: str, index_dir: Path, args: argparse.Namespace, reference: Reference | None
) -> None:
    if name == "sqlite" and not args.reuse and args.import_baseline:
        await import_baseline(args)
    store = await open_store(url, str(index_dir))
    try:
        if not args.reuse:
            began = time.perf_counter()
            report = await import_files([args.corpus], store)
            stored = time.perf_counter() - began
            indexed = await store.catch_up_index()
            total = time.perf_counter() - began
            print(
                f"\nimport ({name}): {report.stored.new:,} papers stored in {stored:,.0f} s, "
                f"{indexed:,} indexed for search in {total - stored:,.0f} s more: "
                f"{report.stored.new / total:,.0f} papers/s end to end"
            )
        else:  # the databases of the last run: bring their index up to this code's layout
            began = time.perf_counter()
            indexed = await store.catch_up_index()
            print(
                f"\nindex ({name}): {indexed:,} papers indexed in {time.perf_counter() - began:,.0f} s"
            )
        count = await store.count()
        if name == "postgresql":
            async with store.engine.begin() as conn:
                await conn.execute(sa.text("ANALYZE papers"))
        index_bytes = directory_size(index_dir)
        print(f"\n### {name}: {count:,} papers\n")
        print(
            f"size: {await database_size(store, url)}; search index {index_bytes / 1e6:,.0f} MB "
            f"({index_dir})\n"
        )
        anchor = tantivy.Index.open(str(index_dir / f"v{SCHEMA_VERSION}"))
        anchor.register_tokenizer("paperboy", analyzer())
        authors = author_names(args.corpus)
        print(
            "| query class | hits | relevance p50 / p95 | + since p95 | + category p95 | "
            "+ author p95 | recent p95 | upvotes p95 | anchor p50 / p95 | naive LIKE p50 / p95 | "
            "overlap@10: plain / since / category / recent |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for label, words in query_sets(args.corpus).items():
            typing = {"as_typed": True} if label == TYPING else {}
            checked = reference is not None and label not in ("phrase", TYPING)
            await timed_search(store, words[0], **typing)  # warm the cache like a running bot
            cells: list[str] = []
            variants: list[dict[str, Any]] = [
                {},
                {"since": SINCE},
                {"category": CATEGORY},
                {"author": None},
                {"sort": Sort.RECENT},
                {"sort": Sort.UPVOTES},
            ]
            overlaps: dict[str, list[float]] = defaultdict(list)
            for options in variants:
                times: list[float] = []
                for i in range(args.runs):
                    word = words[i % len(words)]
                    chosen = {**options, **typing}
                    if "author" in chosen:
                        chosen["author"] = authors[i % len(authors)]
                    elapsed, ids = await timed_search(store, word, **chosen)
                    times.append(elapsed)
                    if checked and reference is not None and i < len(words):
                        tokens = query_tokens(word)
                        if not options:
                            overlaps["plain"].append(reference.agreement(ids, tokens))
                        elif "since" in options:
                            since = SINCE_SECONDS
                            overlaps["since"].append(reference.agreement(ids, tokens, since=since))
                        elif "category" in options:
                            agreed = reference.agreement(ids, tokens, category=True)
                            overlaps["category"].append(agreed)
                        elif options.get("sort") is Sort.RECENT:
                            exact = reference.top(tokens, recent=True)
                            overlaps["recent"].append(overlap(ids, exact))
                if not options:
                    cells.append(f"{percentile(times, 50):.1f} / {percentile(times, 95):.1f}")
                else:
                    cells.append(f"{percentile(times, 95):.1f}")
            bare = [
                anchor_search(anchor, words[i % len(words)])
                for i in ([] if typing else range(args.runs))
            ]
            like = [
                await naive_like(store, words[i % len(words)]) for i in range(args.baseline_runs)
            ]
            hits = "-"
            if checked and reference is not None:
                hits = f"{len(reference.score(query_tokens(words[0]), None, False)):,}"
            exactness = " / ".join(
                f"{statistics.mean(overlaps[k]):.2f}" if overlaps[k] else "-"
                for k in ("plain", "since", "category", "recent")
            )
            print(
                f"| {label} | {hits} | "
                f"{' | '.join(cells)} | "
                f"{f'{percentile(bare, 50):.1f} / {percentile(bare, 95):.1f}' if bare else '-'} | "
                f"{statistics.median(like):,.0f} / {percentile(like, 95):,.0f} | {exactness} |"
            )
    finally:
        await store.close()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--engines", default="sqlite,postgresql")
    parser.add_argument("--sqlite-path", type=Path, default=Path("/tmp/paperboy-bench.db"))
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "PAPERBOY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
    )
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--baseline-runs", type=int, default=5)
    parser.add_argument("--no-reference", action="store_true", help="skip the exactness check")
    parser.add_argument(
        "--import-baseline",
        action="store_true",
        help="on SQLite, also store the corpus as the previous importer did (parsing in a thread)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="time queries on the databases of the last run"
    )
    args = parser.parse_args()
    print(
        f"corpus: {args.corpus} ({args.corpus.stat().st_size / 1e6:,.0f} MB); {args.runs} queries "
        f"per cell, baseline {args.baseline_runs}"
    )
    reference = None
    if not args.no_reference:
        began = time.perf_counter()
        words = {w.strip('"') for ws in query_sets(args.corpus).values() for w in ws}
        reference = build_reference(args.corpus, {t for w in words for t in w.split()})
        print(f"exact reference read from the corpus in {time.perf_counter() - began:,.0f} s")
        # Millions of objects the import need not walk at each garbage collection.
        gc.freeze()
    for engine in args.engines.split(","):
        if engine == "sqlite":
            if not args.reuse:
                for old in args.sqlite_path.parent.glob(args.sqlite_path.name + "*"):
                    if old.is_dir():
                        shutil.rmtree(old)
                    else:
                        old.unlink()
            url = f"sqlite:///{args.sqlite_path}"
            index_dir = args.sqlite_path.with_name(args.sqlite_path.name + ".search")
            await bench_engine("sqlite", url, index_dir, args, reference)
        else:
            admin = sa.create_engine(
                args.postgres_url.replace("postgresql://", "postgresql+psycopg://")
            )
            with admin.begin() as conn:
                conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public"))
                if not args.reuse:
                    conn.execute(sa.text("DROP SCHEMA IF EXISTS paperboy_bench CASCADE"))
                    conn.execute(sa.text("CREATE SCHEMA paperboy_bench"))
            admin.dispose()
            url = sa.make_url(args.postgres_url).update_query_dict(
                {"options": "-csearch_path=paperboy_bench"}
            )
            index_dir = Path("/tmp/paperboy-bench-pg.search")
            if not args.reuse and index_dir.exists():
                shutil.rmtree(index_dir)
            await bench_engine(
                "postgresql", url.render_as_string(hide_password=False), index_dir, args, reference
            )


if __name__ == "__main__":
    asyncio.run(main())
