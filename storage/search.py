"""Full-text search on SQLite FTS5 and PostgreSQL, behind one function.

Both engines score every match of a query, so a term in 75,000 of a million abstracts costs
hundreds of milliseconds to rank (../shared/notes/RELIABILITY.md). Paperboy ranks only the
`CANDIDATES` newest matches (newest stored; the newest papers are what a paper bot is asked
about), found without touching the others: FTS5 walks its index in descending rowid order and
stops; PostgreSQL reads GIN bitmap matches within a window of the newest rows sized from the
planner's estimate of the match count. Filters and sorting then apply to those candidates. Rare
and mid-frequency terms have fewer matches than that, so their ranking is exact.

User words arrive as `bot.search.Terms`, letters and digits only, and are bound as parameters:
no input can be read as query syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Hit, SearchQuery, Sort, Terms
from bot.search import parse_terms, title_key
from storage.mapping import paper_from_row
from storage.search_index import SearchIndex

CANDIDATES = 1000


def _quoted(words: Sequence[str]) -> str:
    return '"' + " ".join(words) + '"'


def fts5_match(terms: Terms, author: str | None) -> str:
    """An FTS5 expression: every word and phrase (AND), minus the excluded words."""
    parts = [_quoted([w]) for w in terms.words] + [_quoted(p) for p in terms.phrases]
    if terms.prefix:
        parts[len(terms.words) - 1] += "*"
    if terms.any:
        parts = [f"({' OR '.join(parts)})"]
    author_words = parse_terms(author).words if author else ()
    if author_words:
        parts.append(f"authors_text : ({' AND '.join(_quoted([w]) for w in author_words)})")
    expression = " AND ".join(parts)
    for word in terms.excluded:
        expression = f"({expression}) NOT {_quoted([word])}"
    return expression


def pg_tsquery(terms: Terms, author: str | None, *, excluding: bool = True) -> str:
    """A `to_tsquery('paperboy', ...)` string; words hold only letters and digits.

    `excluding=False` leaves out the `!word` operands: ts_rank scores those near zero, so the
    rank is computed on the positive part only."""
    words = list(terms.words)
    if terms.prefix:
        words[-1] += ":*"
    parts = words + [f"({' <-> '.join(p)})" for p in terms.phrases]
    if terms.any:
        parts = [f"({' | '.join(parts)})"]
    if author:
        parts += [f"{w}:B" for w in parse_terms(author).words]
    if excluding:
        parts += [f"!{w}" for w in terms.excluded]
    return " & ".join(parts)


def _filters(query: SearchQuery, dialect: str) -> tuple[list[str], dict[str, Any]]:
    clauses: list[str] = []
    params: dict[str, Any] = {}
    if query.since:
        clauses.append("papers.published >= :since")
        params["since"] = datetime.combine(query.since, time(), UTC)
    if query.until:
        clauses.append("papers.published < :until")
        params["until"] = datetime.combine(query.until + timedelta(days=1), time(), UTC)
    if query.category:
        like = "ILIKE" if dialect == "postgresql" else "LIKE"
        clauses.append(f"papers.categories_text {like} :category")
        params["category"] = f"% {query.category} %"
    return clauses, params


def _order(query: SearchQuery, ranked: bool) -> str:
    recent = "papers.published DESC NULLS LAST, papers.id DESC"
    if query.sort is Sort.UPVOTES:
        return "papers.upvotes DESC NULLS LAST, " + ("score DESC" if ranked else recent)
    if query.sort is Sort.RECENT or not ranked:
        return recent
    return "score DESC, papers.id DESC"


EXACT_TITLES = 5  # papers with the very title typed, put first


def ranked(query: SearchQuery) -> bool:
    """Whether `query` is ranked by relevance to words (else: filters only, newest first)."""
    return not query.terms.empty or bool(query.author)


async def search_papers(
    conn: AsyncConnection,
    query: SearchQuery,
    columns: Sequence[Any],
    index: SearchIndex | None = None,
) -> list[Hit]:
    """The page of hits, ranked by `index` when given (every match), else by the database
    (the newest `CANDIDATES` matches). A query typed as a paper's exact title (its words in
    order) finds that paper first, whatever its score."""
    # (Not with an author filter: the title lookup does not read authors.)
    key = title_key(query.text) if query.sort is Sort.RELEVANCE and not query.author else ""
    exact = await _exact_titles(conn, query, columns, key) if key else []
    if not exact:
        return await _ranked(conn, query, columns, index)
    # The page of `exact` + the ranked hits without them: read the ranked ones up to the
    # page's end, as many more as may be dropped.
    upto = query.offset + query.limit + len(exact)
    first_page = replace(query, offset=0, limit=upto if index else min(upto, CANDIDATES))
    ranked = await _ranked(conn, first_page, columns, index)
    first = {h.paper.arxiv_id for h in exact}
    whole = exact + [h for h in ranked if h.paper.arxiv_id not in first]
    return whole[query.offset : query.offset + query.limit]


async def _exact_titles(
    conn: AsyncConnection, query: SearchQuery, columns: Sequence[Any], key: str
) -> list[Hit]:
    clauses, params = _filters(query, conn.dialect.name)
    names = ", ".join(f"papers.{c.name}" for c in columns)
    sql = f"""
        SELECT {names}, CAST(NULL AS REAL) AS score FROM papers
        WHERE {" AND ".join(["papers.title_key = :key", *clauses])}
        ORDER BY papers.published DESC NULLS LAST, papers.id DESC LIMIT :most"""
    typed = sa.text(sql).columns(*columns, sa.column("score", sa.Float))
    rows = await conn.execute(typed, {**params, "key": key, "most": EXACT_TITLES})
    return [Hit(paper_from_row(row), None) for row in rows.all()]


async def _ranked(
    conn: AsyncConnection, query: SearchQuery, columns: Sequence[Any], index: SearchIndex | None
) -> list[Hit]:
    if index is not None and ranked(query):
        return await _by_ids(conn, index.search(query).ids, columns)
    dialect = conn.dialect.name
    names = ", ".join(f"papers.{c.name}" for c in columns)
    clauses, params = _filters(query, dialect)
    params.update(limit=query.limit, offset=query.offset, cap=CANDIDATES)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    if not ranked(query):
        sql = f"""
            SELECT {names}, CAST(NULL AS REAL) AS score FROM papers
            {where} ORDER BY {_order(query, False)} LIMIT :limit OFFSET :offset"""
    elif dialect == "sqlite":
        params["match"] = fts5_match(query.terms, query.author)
        sql = f"""
            WITH hits AS MATERIALIZED (
                SELECT rowid AS id, -bm25(papers_fts, 10.0, 3.0, 1.0) AS score FROM papers_fts
                WHERE papers_fts MATCH :match ORDER BY rowid DESC LIMIT :cap)
            SELECT {names}, hits.score AS score FROM hits JOIN papers ON papers.id = hits.id
            {where} ORDER BY {_order(query, True)} LIMIT :limit OFFSET :offset"""
    else:
        return await _by_ids(conn, await _pg_ranked_ids(conn, query, clauses, params), columns)
    # Typed result columns, so JSON lists and datetimes are decoded as in ORM queries.
    typed = sa.text(sql).columns(*columns, sa.column("score", sa.Float))
    rows = (await conn.execute(typed, params)).all()
    return [
        Hit(paper_from_row(row), float(row.score) if row.score is not None else None)
        for row in rows
    ]


async def _by_ids(
    conn: AsyncConnection, ids: Sequence[tuple[int, float | None]], columns: Sequence[Any]
) -> list[Hit]:
    """The papers of `ids` (row id, score), in that order."""
    if not ids:
        return []
    table = columns[0].table
    rows = await conn.execute(sa.select(*columns).where(table.c.id.in_([i for i, _ in ids])))
    by_id = {row.id: row for row in rows.all()}
    return [Hit(paper_from_row(by_id[i]), score) for i, score in ids if i in by_id]


async def _pg_ranked_ids(
    conn: AsyncConnection, query: SearchQuery, clauses: list[str], params: dict[str, Any]
) -> list[tuple[int, float]]:
    """The page of (id, score) for a PostgreSQL text query, ranked among the newest
    `CANDIDATES` matches that pass the filters.

    The planner's estimate of the match count (GIN statistics, planning only) sizes a window of
    the newest rows expected to hold enough matches; one query reads the GIN bitmap matches
    ANDed with the window's id range and ranks them; the window widens until it holds enough or
    is everything. Plain index scans are off for this transaction: with them the planner likes
    to walk the primary key backwards testing each row's tsvector, 10-100x slower for frequent
    terms and seconds for zero-hit ones. Bitmap scans stay on.
    """
    tsq = pg_tsquery(query.terms, query.author)
    newest = (await conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM papers"))).scalar_one()
    await conn.execute(sa.text("SET LOCAL enable_indexscan = off"))
    match = "papers.tsv @@ to_tsquery('paperboy', :tsq)"
    explain = sa.text(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM papers WHERE {match}")
    plan = (await conn.execute(explain, {"tsq": tsq})).scalar_one()
    estimate = max(1.0, float(plan[0]["Plan"]["Plan Rows"]))
    window = int(newest * min(1.0, 1.3 * CANDIDATES / estimate)) + 1
    select = (
        "SELECT papers.id, papers.published, papers.upvotes, "
        "ts_rank(papers.tsv, to_tsquery('paperboy', :rank_tsq)) AS score FROM papers "
        f"WHERE {' AND '.join([match, *clauses])}"
    )
    values = {
        **params,
        "tsq": tsq,
        "rank_tsq": pg_tsquery(query.terms, query.author, excluding=False),
    }
    while True:
        floor = max(0, newest - window)
        sql = f"{select} AND papers.id > :floor" if floor else select
        rows = (await conn.execute(sa.text(sql), {**values, "floor": floor})).all()
        if len(rows) >= CANDIDATES or not floor:
            break
        window *= 4
    candidates = sorted(rows, key=lambda r: r.id, reverse=True)[:CANDIDATES]
    candidates.sort(key=_sort_key(query.sort))
    page = candidates[query.offset : query.offset + query.limit]
    return [(row.id, float(row.score)) for row in page]


def _sort_key(sort: Sort) -> Any:
    """The Python twin of `_order` for candidate rows (id, published, upvotes, score)."""
    oldest = datetime.min.replace(tzinfo=UTC)
    if sort is Sort.RECENT:
        return lambda r: (-(r.published or oldest).timestamp(), -r.id)
    if sort is Sort.UPVOTES:
        return lambda r: (-(r.upvotes if r.upvotes is not None else -1), -r.score, -r.id)
    return lambda r: (-r.score, -r.id)
