"""The public arXiv metadata snapshot: JSON Lines, one paper per line (Kaggle/OAI export).

{"id": "0704.0001", "authors": "C. Bal\\'azs, E. L. Berger, ...", "title": "...",
 "abstract": "...", "categories": "hep-ph", "comments": "...", "journal-ref": null,
 "doi": "...", "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
 "update_date": "2008-11-13", "authors_parsed": [["Balázs", "C.", ""], ...]}
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from bot.domain import Origin, Paper
from bot.ids import parse_arxiv_id
from bot.limits import bounded
from bot.sources.base import rfc822_datetime, text_field
from bot.sources.xml import arxiv_categories
from bot.text import readable, split_names, squash, whole_number


@dataclass(frozen=True, slots=True)
class BadLine:
    line: int
    reason: str


def _authors(obj: Mapping[str, object]) -> tuple[str, ...]:
    parsed = obj.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        names = []
        for parts in parsed:
            if isinstance(parts, list) and parts and all(isinstance(p, str) for p in parts):
                last, first, suffix = [*parts, "", ""][:3]
                name = squash(f"{first} {last} {suffix}")
                if name:
                    names.append(name)
        if names:
            return tuple(names)
    return split_names(readable(text_field(obj, "authors")))


def paper_from_snapshot(obj: Mapping[str, object]) -> Paper:
    """One snapshot record; raises ValueError when it has no usable id."""
    raw_id = obj.get("id")
    arxiv_id = parse_arxiv_id(raw_id) if isinstance(raw_id, str) else None
    if arxiv_id is None:
        raise ValueError(f"no arXiv id (id={raw_id!r})")
    versions = [v for v in obj.get("versions") or () if isinstance(v, Mapping)]  # type: ignore[attr-defined]
    last = str(versions[-1].get("version", "")) if versions else ""
    number = whole_number(last[1:], 10**6) if last[:1] == "v" else None
    version = number if number is not None else arxiv_id.version
    categories = text_field(obj, "categories") or ""
    return bounded(
        Paper(
            arxiv_id=arxiv_id.id,
            version=version,
            title=readable(text_field(obj, "title")),
            authors=_authors(obj),
            abstract=readable(text_field(obj, "abstract")),
            published=rfc822_datetime(text_field(versions[0], "created")) if versions else None,
            updated=rfc822_datetime(text_field(versions[-1], "created")) if versions else None,
            categories=arxiv_categories(categories.split()),
            comment=squash(text_field(obj, "comments")),
            journal_ref=squash(text_field(obj, "journal-ref")),
            doi=squash(text_field(obj, "doi")),
            sources=frozenset({Origin.ARXIV_SNAPSHOT}),
        )
    )


def parse_snapshot_lines(lines: Iterable[bytes | str]) -> Iterator[Paper | BadLine]:
    """Papers from JSON Lines, with a `BadLine` (line number, reason) for each unreadable one."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, Mapping):
                raise ValueError(f"not a JSON object: {type(obj).__name__}")
            yield paper_from_snapshot(obj)
        except ValueError as exc:  # JSON, Unicode and field errors alike
            yield BadLine(number, str(exc)[:200])


def looks_like_snapshot(head: bytes) -> bool:
    """The first line of a file is a snapshot record (an object with an id and a title)."""
    first = head.lstrip().split(b"\n", 1)[0]
    if not first.startswith(b"{"):
        return False
    try:
        obj = json.loads(first)
    except ValueError:
        return False
    return isinstance(obj, dict) and "id" in obj and ("abstract" in obj or "versions" in obj)
