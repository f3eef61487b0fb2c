"""arXiv's daily RSS feeds (`rss.arxiv.org/rss/cs.LG+cs.CL`), the 2024+ RSS 2.0 format.

Items are announced papers: `new` and `cross` (cross-lists) are new to the feed, `replace*` are new
versions of papers announced before. The feed is empty on weekends and holidays, which is normal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from urllib.parse import quote

from lxml import etree

from bot.domain import Origin, Paper
from bot.errors import SourceRejected
from bot.ids import parse_arxiv_id
from bot.limits import bounded
from bot.sources.base import Batch, read_records, rfc822_datetime
from bot.sources.http import Http
from bot.sources.xml import ARXIV, DC, arxiv_categories, parse_xml
from bot.text import readable, split_names, squash

SOURCE = "arxiv-rss"
_CREATOR, _ANNOUNCE = f"{DC}creator", f"{ARXIV}announce_type"
_DOI, _JOURNAL = f"{ARXIV}DOI", f"{ARXIV}journal_reference"


def _abstract(description: str | None) -> str | None:
    # "arXiv:2604.21935v1 Announce Type: new \nAbstract: ..." (also seen on one line).
    if description is None:
        return None
    _, marker, rest = description.partition("Abstract:")
    return readable(rest if marker else description)


def _item(item: etree._Element) -> Paper:
    fields: dict[str, str] = {}
    categories: list[str] = []
    for child in item:
        if child.tag == "category":
            categories.append(child.text or "")
        elif isinstance(child.tag, str) and child.text:
            fields[child.tag] = child.text
    # The guid carries the version (oai:arXiv.org:2604.21935v1); the link does not.
    arxiv_id = parse_arxiv_id(fields.get("guid", "")) or parse_arxiv_id(fields.get("link", ""))
    if arxiv_id is None:
        raise ValueError(
            f"no arXiv id in guid {fields.get('guid')!r} or link {fields.get('link')!r}"
        )
    announced = rfc822_datetime(fields.get("pubDate"))
    announce_type = squash(fields.get(_ANNOUNCE))
    paper = bounded(
        Paper(
            arxiv_id=arxiv_id.id,
            version=arxiv_id.version,
            title=readable(fields.get("title")),
            authors=split_names(fields.get(_CREATOR)),
            abstract=_abstract(fields.get("description")),
            # A first version is published when it is announced
            published=announced if arxiv_id.version == 1 else None,
            announced=announced,
            categories=arxiv_categories(categories),
            doi=squash(fields.get(_DOI)),
            journal_ref=squash(fields.get(_JOURNAL)),
            announce_type=announce_type.lower() if announce_type else None,
            sources=frozenset({Origin.ARXIV_RSS}),
        )
    )
    # A replacement announces a version, not the paper (whose v1 date is unknown): its date is
    # the version's, and taken for the paper's announcement it would make an old paper look new.
    if paper.is_update:
        return replace(paper, published=None, updated=announced, announced=None)
    return paper


def parse_rss(body: bytes | str) -> Batch:
    """One RSS feed; an empty channel (weekends, holidays) is an empty batch, not an error."""
    root = parse_xml(body, SOURCE)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise SourceRejected(SOURCE, f"not an RSS 2.0 feed (root element {root.tag!r})")
    papers, skipped = read_records(SOURCE, "item", channel.iterchildren("item"), _item)
    built = rfc822_datetime(channel.findtext("lastBuildDate") or channel.findtext("pubDate"))
    return Batch(papers=papers, skipped=skipped, built=built)


@dataclass(frozen=True, slots=True)
class Announcement:
    """One day's feed split the way the bot uses it."""

    new: tuple[Paper, ...]  # `new` and `cross` items: papers new to these categories
    updates: tuple[Paper, ...]  # `replace`, `replace-cross`: new versions of known papers
    batch: Batch


def split_announcement(batch: Batch) -> Announcement:
    new = tuple(p for p in batch.papers if not p.is_update)
    updates = tuple(p for p in batch.papers if p.is_update)
    return Announcement(new=new, updates=updates, batch=batch)


class ArxivRss:
    """Client for arXiv RSS; shares arXiv's `Pacer` with the API client."""

    def __init__(self, http: Http, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def fetch(self, categories: Sequence[str]) -> Announcement:
        """Today's announcement for categories such as `["cs.LG", "cs.CL"]` (one request)."""
        joined = "+".join(quote(c.strip(), safe=".-") for c in categories if c.strip())
        if not joined:
            raise ValueError("no arXiv category given")
        response = await self._http.get(SOURCE, f"{self._base}/{joined}")
        if response.status_code >= 400:
            raise SourceRejected(SOURCE, f"HTTP {response.status_code} for {joined}")
        return split_announcement(parse_rss(response.content))
