"""Hugging Face Papers: daily lists, single papers and search.

Wire shapes (see ../shared/notes/SOURCES.md): daily and search answer a bare JSON array of items
wrapping a `paper` object; `/api/papers/{id}` answers the paper object itself. Only `paper.id` is
reliable: everything else has come and gone over the years, so every field is read leniently.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from datetime import date as Date

from bot.domain import Origin, Paper
from bot.errors import SourceRejected, UnreadableResponse
from bot.ids import parse_arxiv_id
from bot.limits import bounded
from bot.links import web_url
from bot.sources.base import (
    Batch,
    int_field,
    iso_datetime,
    mapping_field,
    read_records,
    text_field,
)
from bot.sources.http import Http
from bot.text import readable, squash

SOURCE = "huggingface"


def _authors(paper: Mapping[str, object]) -> tuple[str, ...]:
    raw = paper.get("authors")
    if not isinstance(raw, list):
        return ()
    names = []
    for author in raw:
        # Authors hidden on HF (by the author's own request) are left out.
        if isinstance(author, Mapping) and not author.get("hidden"):
            name = squash(text_field(author, "name"))
            if name:
                names.append(name)
    return tuple(names)


def _organization(*objs: Mapping[str, object]) -> str | None:
    for obj in objs:
        org = mapping_field(obj, "organization")
        name = squash(text_field(org, "fullname") or text_field(org, "name"))
        if name:
            return name
    return None


def paper_from_hf(item: Mapping[str, object], origin: Origin, day: datetime | None = None) -> Paper:
    """One HF item (a daily/search wrapper or a bare paper object) as a `Paper`.

    Raises ValueError when the item has no usable arXiv id.
    """
    inner = mapping_field(item, "paper") or item
    raw_id = inner.get("id")
    arxiv_id = parse_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if arxiv_id is None:
        raise ValueError(f"no arXiv id in item (id={raw_id!r})")
    keywords = inner.get("ai_keywords")
    return bounded(
        Paper(
            arxiv_id=arxiv_id.id,
            version=arxiv_id.version,
            title=readable(text_field(inner, "title") or text_field(item, "title")),
            authors=_authors(inner),
            abstract=readable(text_field(inner, "summary") or text_field(item, "summary")),
            published=iso_datetime(inner.get("publishedAt")),
            upvotes=int_field(inner, "upvotes"),
            num_comments=int_field(item, "numComments") if item is not inner else None,
            github_url=web_url(inner.get("githubRepo")),
            github_stars=int_field(inner, "githubStars"),
            project_url=web_url(inner.get("projectPage")),
            thumbnail_url=web_url(item.get("thumbnail") or inner.get("thumbnail")),
            ai_summary=readable(text_field(inner, "ai_summary")),
            ai_keywords=tuple(k for k in (squash(k) for k in keywords if isinstance(k, str)) if k)
            if isinstance(keywords, list)
            else (),
            organization=_organization(item, inner),
            # Neither publishedAt is the Daily Papers day: submittedOnDailyAt is, else the day
            # asked.
            hf_daily_date=iso_datetime(inner.get("submittedOnDailyAt")) or day,
            on_hf=True,
            withdrawn=bool(inner.get("withdrawnAt")),
            sources=frozenset({origin}),
        )
    )


def _load(body: bytes | str) -> object:
    try:
        return json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both derive from it
        raise UnreadableResponse(SOURCE, f"not JSON: {exc}") from exc


def _items(body: bytes | str, origin: Origin, day: datetime | None = None) -> Batch:
    data = _load(body)
    if not isinstance(data, list):
        raise UnreadableResponse(SOURCE, f"expected a JSON array, got {type(data).__name__}")

    def read(item: object) -> Paper:
        if not isinstance(item, Mapping):
            raise ValueError(f"not an object: {type(item).__name__}")
        return paper_from_hf(item, origin, day)

    papers, skipped = read_records(SOURCE, "item", data, read)
    return Batch(papers=papers, skipped=skipped)


def parse_hf_daily(body: bytes | str, day: datetime | None = None) -> Batch:
    """`/api/daily_papers` (bare array). `day`: the date asked for, if the items lack one."""
    return _items(body, Origin.HF_DAILY, day)


def parse_hf_search(body: bytes | str) -> Batch:
    """`/api/papers/search` (bare array of wrappers with highlight fragments)."""
    return _items(body, Origin.HF_SEARCH)


def parse_hf_paper(body: bytes | str) -> Batch:
    """`/api/papers/{id}`: one flat paper object."""
    data = _load(body)
    if not isinstance(data, Mapping):
        raise UnreadableResponse(SOURCE, f"expected a JSON object, got {type(data).__name__}")
    try:
        return Batch(papers=(paper_from_hf(data, Origin.HF_PAPER),))
    except ValueError as exc:
        raise UnreadableResponse(SOURCE, str(exc)) from exc


class HuggingFace:
    """Client for huggingface.co's paper API.

    >>> hf = HuggingFace(Http(httpx.AsyncClient()), "https://huggingface.co")
    >>> papers = await hf.daily(date=Date(2026, 6, 12))
    """

    page_size = 100
    max_pages = 20

    def __init__(self, http: Http, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def daily(
        self, *, date: Date | None = None, week: str | None = None, month: str | None = None
    ) -> list[Paper]:
        """Daily Papers for one day, ISO week (`2026-W24`) or month (`2026-06`); latest if none.

        The API gives no total, so pages are read until one comes back short or empty.
        """
        params: dict[str, str | int] = {"limit": self.page_size}
        day = None
        if date is not None:
            params["date"] = date.isoformat()
            day = datetime(date.year, date.month, date.day, tzinfo=UTC)
        if week is not None:
            params["week"] = week
        if month is not None:
            params["month"] = month
        papers: list[Paper] = []
        for page in range(self.max_pages):
            batch = parse_hf_daily(await self._get("/api/daily_papers", {**params, "p": page}), day)
            papers.extend(batch.papers)
            if len(batch.papers) + len(batch.skipped) < self.page_size:
                break
        return papers

    async def paper(self, arxiv_id: str) -> Paper | None:
        """One paper, or None when Hugging Face has no page for it (HTTP 404)."""
        response = await self._http.get(SOURCE, f"{self._base}/api/papers/{arxiv_id}")
        if response.status_code == 404:
            return None
        self._check(response.status_code)
        return parse_hf_paper(response.content).papers[0]

    async def search(self, query: str, limit: int = 20) -> list[Paper]:
        body = await self._get("/api/papers/search", {"q": query, "limit": limit})
        return list(parse_hf_search(body).papers)

    async def _get(self, path: str, params: Mapping[str, str | int]) -> bytes:
        response = await self._http.get(SOURCE, f"{self._base}{path}", params)
        self._check(response.status_code)
        return response.content

    @staticmethod
    def _check(status: int) -> None:
        if status >= 400:
            raise SourceRejected(SOURCE, f"HTTP {status}")
