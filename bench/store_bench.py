"""Import throughput and search latency of the store at scale, on SQLite and PostgreSQL.

    .venv/bin/python bench/corpus.py --papers 1000000 --out /tmp/corpus-1m.jsonl
    .venv/bin/python bench/store_bench.py --corpus /tmp/corpus-1m.jsonl [--engines sqlite,postgresql]

Each engine gets a fresh database, filled through the real importer (`bot.importer`, the code
behind `paperboy import`), then every query class is timed through `SqlPaperStore.search`, the
method the bot calls. The baseline, measured in the same run on the same database, is a naive
`LIKE '%word%'` scan over title and abstract, newest first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from corpus import query_words  # noqa: E402

from bot.domain import Sort  # noqa: E402
from bot.importer import import_files  # noqa: E402
from bot.search import build_query  # noqa: E402
from storage import SqlPaperStore, open_store  # noqa: E402

CLASSES = {  # name -> target share of papers containing the term(s)
    "frequent term (~7.5%)": 0.075,
    "mid term (~0.45%)": 0.0045,
    "rare term (~0.012%)": 0.000117,
}
SINCE = date(2025, 11, 1)  # about the newest year of the corpus


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def query_sets() -> dict[str, list[str]]:
    sets = {name: query_words(share, count=10) for name, share in CLASSES.items()}
    frequent = query_words(0.075, count=20)
    sets["two frequent terms"] = [
        f"{a} {b}" for a, b in zip(frequent[::2], frequent[1::2], strict=True)
    ]
    sets["zero hits"] = [f"zzq{n}x" for n in range(10)]
    return sets


async def timed_search(store: SqlPaperStore, text: str, **options: object) -> float:
    began = time.perf_counter()
    await store.search(build_query(text, **options))  # type: ignore[arg-type]
    return (time.perf_counter() - began) * 1000


async def hits(store: SqlPaperStore, word: str) -> int:
    async with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            sql = "SELECT count(*) FROM papers_fts WHERE papers_fts MATCH :q"
            q = " ".join(f'"{w}"' for w in word.split())
        else:
            sql = "SELECT count(*) FROM papers WHERE tsv @@ to_tsquery('paperboy', :q)"
            q = " & ".join(word.split())
        return int((await conn.execute(sa.text(sql), {"q": q})).scalar_one())


async def naive_like(store: SqlPaperStore, word: str) -> float:
    first = word.split()[0]
    sql = sa.text(
        "SELECT id FROM papers WHERE title LIKE :w OR abstract LIKE :w "
        "ORDER BY published DESC LIMIT 10"
    )
    began = time.perf_counter()
    async with store.engine.connect() as conn:
        (await conn.execute(sql, {"w": f"%{first}%"})).all()
    return (time.perf_counter() - began) * 1000


async def sizes(store: SqlPaperStore, url: str) -> str:
    async with store.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            path = Path(sa.make_url(url).database or "")
            total = sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
            try:
                fts = (
                    await conn.execute(
                        sa.text("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'papers_fts%'")
                    )
                ).scalar_one()
            except sa.exc.OperationalError:
                fts = None
            fts_text = f", FTS5 index {fts / 1e6:,.0f} MB" if fts else ""
            return f"database file {total / 1e6:,.0f} MB{fts_text}"
        row = (
            await conn.execute(
                sa.text(
                    "SELECT pg_total_relation_size('papers'), pg_relation_size('ix_papers_tsv')"
                )
            )
        ).one()
        return f"papers table with indexes {row[0] / 1e6:,.0f} MB, GIN index {row[1] / 1e6:,.0f} MB"


async def bench_engine(
    name: str, url: str, corpus: Path, runs: int, baseline_runs: int, reuse: bool
) -> None:
    store = await open_store(url)
    try:
        if not reuse:
            began = time.perf_counter()
            report = await import_files([corpus], store)
            seconds = time.perf_counter() - began
        count = await store.count()
        print(f"\n### {name}: {count:,} papers\n")
        if not reuse:
            print(
                f"import: {report.stored.new:,} papers in {seconds:,.0f} s = {report.stored.new / seconds:,.0f} papers/s "
                f"(search index maintained)"
            )
        if name == "postgresql":
            async with store.engine.begin() as conn:
                await conn.execute(sa.text("ANALYZE papers"))
        print(f"size: {await sizes(store, url)}\n")
        print(
            "| query class | hits (first word) | relevance p50 / p95 / p99 ms | + since filter p50 / p95 / p99 | "
            "recent sort p50 / p95 / p99 | naive LIKE p50 / p95 ms |"
        )
        print("|---|---|---|---|---|---|")
        for label, words in query_sets().items():
            await timed_search(store, words[0])  # warm the cache like a running bot
            cells = []
            for options in ({}, {"since": SINCE}, {"sort": Sort.RECENT}):
                times = [
                    await timed_search(store, words[i % len(words)], **options) for i in range(runs)
                ]
                cells.append(" / ".join(f"{percentile(times, q):.1f}" for q in (50, 95, 99)))
            like = [await naive_like(store, words[i % len(words)]) for i in range(baseline_runs)]
            like_cell = f"{statistics.median(like):,.0f} / {percentile(like, 95):,.0f}"
            print(
                f"| {label} | {await hits(store, words[0]):,} | {' | '.join(cells)} | {like_cell} |"
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
    parser.add_argument(
        "--reuse", action="store_true", help="time queries on the databases of the last run"
    )
    args = parser.parse_args()
    print(
        f"corpus: {args.corpus} ({args.corpus.stat().st_size / 1e6:,.0f} MB); {args.runs} queries per cell, "
        f"baseline {args.baseline_runs}"
    )
    for engine in args.engines.split(","):
        if engine == "sqlite":
            for old in args.sqlite_path.parent.glob(args.sqlite_path.name + "*"):
                if not args.reuse:
                    old.unlink()
            await bench_engine(
                "sqlite",
                f"sqlite:///{args.sqlite_path}",
                args.corpus,
                args.runs,
                args.baseline_runs,
                args.reuse,
            )
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
            await bench_engine(
                "postgresql",
                url.render_as_string(hide_password=False),
                args.corpus,
                args.runs,
                args.baseline_runs,
                args.reuse,
            )


if __name__ == "__main__":
    asyncio.run(main())
