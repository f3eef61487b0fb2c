"""Canonical arXiv identifiers.

arXiv has two id schemes: new-style `YYMM.NNNN` (2007-2014) / `YYMM.NNNNN` (2015 on) and old-style
`archive[.SC]/YYMMNNN` (`hep-th/9901001`, `math.GT/0309136`). The canonical key is the id without
its version; the version is kept apart. Old-style ids keep their archive prefix (splitting on `/`
or stripping everything before the digits loses it) and drop the optional subject class, which
arXiv does not treat as part of the identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NEW = r"(?P<new>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))"
_OLD = r"(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)*)(?:\.[A-Za-z]{2})?/(?P<oldnum>\d{7}))"
_VERSION = r"(?:v(?P<version>\d+))?"
_ID = rf"(?:{_NEW}|{_OLD}){_VERSION}"

# Everything that may stand before an id: a URL on arxiv.org (abs, pdf, html, format...) or
# huggingface.co/papers, an `arXiv:` prefix, or an OAI guid.
_PREFIX = (
    r"(?:(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html|format|ps)/"
    r"|(?:https?://)?(?:www\.)?huggingface\.co/papers/"
    r"|oai:arxiv\.org:"
    r"|arxiv:\s*)?"
)
_FULL = re.compile(rf"\s*{_PREFIX}{_ID}(?:\.pdf)?/?(?:[?#]\S*)?\s*", re.IGNORECASE)
_SCAN = re.compile(rf"(?<![\w./-]){_PREFIX}{_ID}(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ArxivId:
    """A canonical arXiv id (`2401.12345`, `hep-th/9901001`) and the version, when one was given."""

    id: str
    version: int | None = None

    def __str__(self) -> str:
        return self.id if self.version is None else f"{self.id}v{self.version}"


def _from_match(m: re.Match[str]) -> ArxivId | None:
    version = int(m["version"]) if m["version"] else None
    if version == 0:
        return None
    if m["new"]:
        yymm, num = m["yymm"], m["num"]
        if not 1 <= int(yymm[2:]) <= 12:
            return None
        # Five-digit numbers began with 1501; before that every number had four digits.
        if (len(num) == 5) != (int(yymm) >= 1501):
            return None
        return ArxivId(m["new"], version)
    return ArxivId(f"{m['archive'].lower()}/{m['oldnum']}", version)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Read an arXiv id from text that is nothing but an id, URL or guid; None otherwise.

    >>> parse_arxiv_id("https://arxiv.org/pdf/2401.12345v2.pdf")
    ArxivId(id='2401.12345', version=2)
    """
    m = _FULL.fullmatch(text)
    return _from_match(m) if m else None


def find_arxiv_ids(text: str) -> list[ArxivId]:
    """Every arXiv id mentioned in free text (URLs, `arXiv:` references, bare ids), in order."""
    found: list[ArxivId] = []
    for m in _SCAN.finditer(text):
        aid = _from_match(m)
        if aid is not None and all(seen.id != aid.id for seen in found):
            found.append(aid)
    return found
