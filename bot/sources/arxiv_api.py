"""The arXiv API (`export.arxiv.org/api/query`): search queries and id lookups as Atom.

Two Atom dialects are live (see ../shared/notes/SOURCES.md): the legacy one (hard-wrapped text,
`-04:00` feed times, `xmlns:arxiv` on every element) and the current one (one-line text, `Z`
times, `https` links). Namespaced lookups make both read the same. arXiv's terms allow one
request every 3 seconds on one connection; the injected `Http` carries the shared `Pacer`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lxml import etree

from bot.domain import Origin, Paper
from bot.errors import ArxivQueryError, SourceRejected
from bot.ids import parse_arxiv_id
from bot.limits import bounded
from bot.sources.base import Batch, iso_datetime, read_records
from bot.sources.http import Http
from bot.sources.xml import ARXIV, ATOM, OPENSEARCH, arxiv_categories, parse_xml
from bot.text import readable, squash, whole_number

SOURCE = "arxiv-api"
MAX_PER_CALL = 2000  # arXiv answers 400 above this
MAX_TOTAL = 30000  # and will not page past this

_ENTRY, _ID, _TITLE = f"{ATOM}entry", f"{ATOM}id", f"{ATOM}title"
_SUMMARY, _AUTHOR, _NAME = f"{ATOM}summary", f"{ATOM}author", f"{ATOM}name"
_PUBLISHED, _UPDATED, _CATEGORY = f"{ATOM}published", f"{ATOM}updated", f"{ATOM}category"
_PRIMARY, _COMMENT = f"{ARXIV}primary_category", f"{ARXIV}comment"
_JOURNAL, _DOI, _LINK = f"{ARXIV}journal_ref", f"{ARXIV}doi", f"{ATOM}link"


def _int(root: etree._Element, tag: str) -> int | None:
    text = root.findtext(tag)
    return whole_number(text, 10**12) if text else None


def _raise_if_error(entry: etree._Element) -> None:
    entry_id = entry.findtext(_ID) or ""
    titled_error = (entry.findtext(_TITLE) or "").strip() == "Error"
    if "/api/errors" in entry_id or (titled_error and parse_arxiv_id(entry_id) is None):
        detail = squash(entry.findtext(_SUMMARY)) or entry_id
        raise ArxivQueryError(SOURCE, detail)


def _entry(entry: etree._Element) -> Paper:
    arxiv_id = parse_arxiv_id(entry.findtext(_ID) or "")
    if arxiv_id is None:
        raise ValueError(f"no arXiv id in entry id {entry.findtext(_ID)!r}")
    authors: list[str] = []
    terms: list[str] = []
    primary: str | None = None
    alternate: str | None = None
    fields: dict[str, str] = {}
    for child in entry:  # one pass over the children: several times faster than repeated find()
        tag = child.tag
        if tag == _AUTHOR:
            name = squash(child.findtext(_NAME))
            if name:
                authors.append(name)
        elif tag == _CATEGORY:
            terms.append(child.get("term") or "")
        elif tag == _PRIMARY:
            primary = child.get("term")
        elif tag == _LINK and child.get("rel") == "alternate":
            alternate = child.get("href")
        elif isinstance(tag, str) and child.text:
            fields[tag] = child.text
    if primary:
        terms.insert(0, primary)
    if arxiv_id.version is None and alternate:
        # The 2007-era feed's entry id had no version; its abs link did.
        linked = parse_arxiv_id(alternate)
        if linked is not None and linked.id == arxiv_id.id:
            arxiv_id = linked
    return bounded(
        Paper(
            arxiv_id=arxiv_id.id,
            version=arxiv_id.version,
            title=readable(fields.get(_TITLE)),
            authors=tuple(authors),
            abstract=readable(fields.get(_SUMMARY)),
            published=iso_datetime(fields.get(_PUBLISHED)),
            updated=iso_datetime(fields.get(_UPDATED)),
            categories=arxiv_categories(terms),
            comment=squash(fields.get(_COMMENT)),
            journal_ref=squash(fields.get(_JOURNAL)),
            doi=squash(fields.get(_DOI)),
            sources=frozenset({Origin.ARXIV_API}),
        )
    )


def _checked_entry(entry: etree._Element) -> Paper:
    _raise_if_error(entry)
    return _entry(entry)


def parse_atom(body: bytes | str) -> Batch:
    """An arXiv API Atom page. Raises `ArxivQueryError` for arXiv's error feed."""
    root = parse_xml(body, SOURCE)
    if root.tag != f"{ATOM}feed":
        raise SourceRejected(SOURCE, f"not an Atom feed (root element {root.tag!r})")
    papers, skipped = read_records(SOURCE, "entry", root.iterchildren(_ENTRY), _checked_entry)
    return Batch(
        papers=papers,
        skipped=skipped,
        total=_int(root, f"{OPENSEARCH}totalResults"),
        start=_int(root, f"{OPENSEARCH}startIndex"),
    )


class ArxivApi:
    """Client for the arXiv API.

    >>> api = ArxivApi(Http(client, pacer=Pacer(3.0)), "https://export.arxiv.org/api/query")
    >>> page = await api.query("cat:cs.LG AND all:diffusion", max_results=50)
    """

    page_size = 100

    def __init__(self, http: Http, url: str) -> None:
        self._http = http
        self._url = url

    async def query(
        self,
        search_query: str,
        *,
        start: int = 0,
        max_results: int = 100,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
    ) -> Batch:
        """One page of a search (`all:`, `ti:`, `au:`, `cat:` ... with AND/OR/ANDNOT)."""
        return await self._page(
            {
                "search_query": search_query,
                "start": start,
                "max_results": min(max_results, MAX_PER_CALL),
                "sortBy": sort_by,
                "sortOrder": sort_order,
            }
        )

    async def query_all(self, search_query: str, *, limit: int = 200, **sort: str) -> list[Paper]:
        """Up to `limit` results of a search, paged (each page is a separately paced request)."""
        papers: list[Paper] = []
        limit = min(limit, MAX_TOTAL)
        while len(papers) < limit:
            size = min(self.page_size, limit - len(papers))
            batch = await self.query(search_query, start=len(papers), max_results=size, **sort)
            papers.extend(batch.papers)
            consumed = len(batch.papers) + len(batch.skipped)
            if consumed < size or (batch.total is not None and len(papers) >= batch.total):
                break
        return papers

    async def lookup(self, ids: Sequence[str]) -> list[Paper]:
        """The papers with these ids (latest version unless an id names one), in pages of 100."""
        papers: list[Paper] = []
        for offset in range(0, len(ids), self.page_size):
            chunk = ids[offset : offset + self.page_size]
            batch = await self._page(
                {
                    "id_list": ",".join(chunk),
                    "start": 0,
                    "max_results": len(chunk),
                }
            )
            papers.extend(batch.papers)
        return papers

    async def _page(self, params: Mapping[str, str | int]) -> Batch:
        response = await self._http.get(SOURCE, self._url, params)
        if response.status_code >= 400:
            # The current API sends its error feed with HTTP 400; parse_atom raises it as such.
            if b"<feed" in response.content[:2000]:
                parse_atom(response.content)
            raise SourceRejected(SOURCE, f"HTTP {response.status_code}")
        return parse_atom(response.content)
