"""Search over the stored papers, behind one function, on SQLite and PostgreSQL alike.

Words are ranked by the search index (`storage.search_index`), every match scored exactly.
While the index catches up on many papers (a new or lost index, a large import by another
process), the database answers instead, plainly: the newest papers among the latest
`FALLBACK_WINDOW` that hold every word, a paper whose exact title was typed first, and the
store says so beside the hits. Filters alone (no words) are the database's: newest first.

User words arrive as `bot.search.Terms`, letters and digits only, and are bound as parameters:
no input can be read as query syntax.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain import Hit, SearchQuery, Sort, Terms
from bot.search import parse_terms, title_key
from storage.mapping import paper_from_row
from storage.search_index import Mark, SearchIndex
from storage.tables import PaperChangesRow, PaperRow

_papers = cast(sa.Table, PaperRow.__table__)
_changes = cast(sa.Table, PaperChangesRow.__table__)
FALLBACK_WINDOW = 20_000  # the newest papers the database reads through when the index is behind
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
    """The page of hits: ranked by `index` when given, else the database's plain answer."""
    if not ranked(query):
        return await _filtered(conn, query, columns)
    if index is not None:
        return await _by_ids(conn, index.search(query), columns)
    key = title_key(query.text) if query.sort is Sort.RELEVANCE and not query.author else ""
    exact = await _exact_titles(conn, query, columns, key) if key else []
    if not exact:
        return await _newest_matches(conn, query, columns)
    # The page of `exact` + the others without them: read the others up to the page's end.
    upto = replace(query, offset=0, limit=query.offset + query.limit + len(exact))
    first = {h.paper.arxiv_id for h in exact}
    others = [
        h for h in await _newest_matches(conn, upto, columns) if h.paper.arxiv_id not in first
    ]
    return (exact + others)[query.offset : query.offset + query.limit]


async def indexed(
    conn: AsyncConnection, query: SearchQuery, columns: Sequence[Any], index: SearchIndex
) -> list[Hit] | None:
    """The page as the index ranks it, when the index holds every committed paper: its rows
    and the change counter are read in one statement (a round trip less than checking first).
    None when the counter shows papers the index may not hold yet: the caller catches up."""
    ids = index.search(query)
    rows = (
        await conn.execute(_select_with_clock(tuple(columns)), {"ids": [i for i, _ in ids]})
    ).all()
    if not rows or not index.current(Mark(rows[0].epoch, int(rows[0].seq))):
        return None
    by_id = {row.id: row for row in rows if row.id is not None}
    return [Hit(paper_from_row(by_id[i]), score) for i, score in ids if i in by_id]


async def corrected(
    conn: AsyncConnection, query: SearchQuery, index: SearchIndex
) -> SearchQuery | None:
    """The query with each word no paper holds replaced by the closest word of the titles
    that hold one close to it (`SearchIndex.near`: "difusion" -> "diffusion"); None when a
    word has none."""
    terms = query.terms
    if terms.any or terms.prefix or not terms.words:
        return None
    changes: dict[str, str] = {}
    for word in terms.words:
        if index.known(word):
            continue
        ids = index.near(word)
        if not ids:
            return None
        titles = await conn.execute(sa.select(_papers.c.title).where(_papers.c.id.in_(ids)))
        nearby = {w for (title,) in titles.all() for w in title_key(title).split()}
        best = difflib.get_close_matches(word, sorted(nearby), n=1, cutoff=0.75)
        if not best:
            return None
        changes[word] = best[0]
    if not changes:
        return None
    text = query.text
    for old, new in changes.items():
        text = re.sub(rf"(?i)(?<!\w){re.escape(old)}(?!\w)", new, text)
    words = tuple(dict.fromkeys(changes.get(w, w) for w in terms.words))
    return replace(query, text=text, terms=replace(terms, words=words))


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
        clauses.append(f"papers.categories_text {_like(dialect)} :category")
        params["category"] = f"% {query.category} %"
    return clauses, params


def _like(dialect: str) -> str:
    return "ILIKE" if dialect == "postgresql" else "LIKE"  # SQLite's LIKE ignores ASCII case


def _order(query: SearchQuery) -> str:
    recent = "papers.published DESC NULLS LAST, papers.id DESC"
    if query.sort is Sort.UPVOTES:
        return "papers.upvotes DESC NULLS LAST, " + recent
    return recent


def _select(columns: Sequence[Any], where: list[str]) -> str:
    names = ", ".join(f"papers.{c.name}" for c in columns)
    condition = f"WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {names}, CAST(NULL AS REAL) AS score FROM papers {condition}"


async def _rows(
    conn: AsyncConnection, sql: str, params: dict[str, Any], columns: Sequence[Any]
) -> list[Hit]:
    # Typed result columns, so JSON lists and datetimes are decoded as in ORM queries.
    typed = sa.text(sql).columns(*columns, sa.column("score", sa.Float))
    return [Hit(paper_from_row(row)) for row in (await conn.execute(typed, params)).all()]


async def _filtered(conn: AsyncConnection, query: SearchQuery, columns: Sequence[Any]) -> list[Hit]:
    clauses, params = _filters(query, conn.dialect.name)
    sql = f"{_select(columns, clauses)} ORDER BY {_order(query)} LIMIT :limit OFFSET :offset"
    return await _rows(conn, sql, {**params, "limit": query.limit, "offset": query.offset}, columns)


def _holding(terms: Terms, author: str | None, dialect: str) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions for papers holding the words (as substrings: no index to stem them)."""
    like = _like(dialect)
    params: dict[str, Any] = {}

    def within(text: str, fields: tuple[str, ...]) -> str:
        name = f"p{len(params)}"
        params[name] = f"%{text}%"
        return "(" + " OR ".join(f"coalesce({f}, '') {like} :{name}" for f in fields) + ")"

    everywhere = ("papers.title", "papers.abstract", "papers.authors_text")
    held = [within(w, everywhere) for w in terms.words]
    held += [within(" ".join(p), everywhere) for p in terms.phrases]
    if terms.any and held:
        held = ["(" + " OR ".join(held) + ")"]
    held += [within(w, ("papers.authors_text",)) for w in parse_terms(author or "").words]
    held += [f"NOT {within(w, everywhere)}" for w in terms.excluded]
    return held, params


async def _newest_matches(
    conn: AsyncConnection, query: SearchQuery, columns: Sequence[Any]
) -> list[Hit]:
    """Papers among the newest `FALLBACK_WINDOW` holding the words, newest first (or by
    upvotes): a bounded read that does not need the index."""
    dialect = conn.dialect.name
    clauses, params = _filters(query, dialect)
    held, words = _holding(query.terms, query.author, dialect)
    newest = (await conn.execute(sa.text("SELECT coalesce(max(id), 0) FROM papers"))).scalar_one()
    where = ["papers.id > :floor", *clauses, *held]
    sql = f"{_select(columns, where)} ORDER BY {_order(query)} LIMIT :limit OFFSET :offset"
    values = {**params, **words, "floor": newest - FALLBACK_WINDOW}
    return await _rows(conn, sql, {**values, "limit": query.limit, "offset": query.offset}, columns)


async def _exact_titles(
    conn: AsyncConnection, query: SearchQuery, columns: Sequence[Any], key: str
) -> list[Hit]:
    clauses, params = _filters(query, conn.dialect.name)
    where = ["papers.title_key = :key", *clauses]
    sql = f"{_select(columns, where)} ORDER BY {_order(query)} LIMIT :most"
    return await _rows(conn, sql, {**params, "key": key, "most": EXACT_TITLES}, columns)


async def _by_ids(
    conn: AsyncConnection, ids: Sequence[tuple[int, float | None]], columns: Sequence[Any]
) -> list[Hit]:
    """The papers of `ids` (row id, score), in that order."""
    if not ids:
        return []
    rows = await conn.execute(_select_by_ids(tuple(columns)), {"ids": [i for i, _ in ids]})
    by_id = {row.id: row for row in rows.all()}
    return [Hit(paper_from_row(by_id[i]), score) for i, score in ids if i in by_id]


@functools.cache
def _select_by_ids(columns: tuple[Any, ...]) -> sa.Select[Any]:
    """Built once: building a statement costs more than the 10-row read it makes."""
    return sa.select(*columns).where(_papers.c.id.in_(sa.bindparam("ids", expanding=True)))


@functools.cache
def _select_with_clock(columns: tuple[Any, ...]) -> sa.Select[Any]:
    """The rows of some ids and, on every row (on one of NULLs when none), the change counter."""
    joined = _changes.outerjoin(_papers, _papers.c.id.in_(sa.bindparam("ids", expanding=True)))
    counter = (_changes.c.epoch, _changes.c.seq)
    return sa.select(*columns, *counter).select_from(joined).where(_changes.c.id == 1)
