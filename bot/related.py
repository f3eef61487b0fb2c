"""Papers related to a paper: by the words they share, or by meaning where an embedding model
is configured, and always saying which.

Words first: the search index's more-like-this query (`bot.search.related_query`) finds the
stored papers sharing the most telling words with the paper, every match ranked. With an
embedding model, the first `CANDIDATES` of those are ordered again by how close their
embeddings are to the paper's (cosine): embedding a million papers to search them all by
meaning would cost far more than a chat bot should spend, while the papers sharing no telling
word are rarely the closest in meaning. When the model fails, the words' order stands and the
label says so.
"""

from __future__ import annotations

import logging
import math
from array import array
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.domain import Hit, Paper
from bot.errors import ModelUnavailable
from bot.ports import PaperStore
from bot.search import related_query

log = logging.getLogger(__name__)

CANDIDATES = 40  # papers sharing the most telling words, ordered again by meaning
EMBEDDED_CHARS = 2_000  # title and the start of the abstract: what a paper is about
REMEMBERED = 5_000  # embeddings kept (about 6 KB each at 1,536 dimensions)


class Embedder(Protocol):
    """An embedding model (an adapter implements it); raises `ModelUnavailable` when it fails."""

    model: str

    async def embed(self, texts: Sequence[str]) -> list[Sequence[float]]: ...


@dataclass(frozen=True, slots=True)
class Related:
    hits: list[Hit]  # closest first, the paper itself left out
    how: str  # how they were found and ordered, said to the reader


BY_WORDS = (
    "by the words their titles and abstracts share with it (rarer words count more; not by meaning)"
)


class RelatedPapers:
    def __init__(self, papers: PaperStore, embedder: Embedder | None = None) -> None:
        self.papers = papers
        self.embedder = embedder
        self._vectors: OrderedDict[tuple[str, int | None], array[float]] = OrderedDict()

    async def of(self, paper: Paper, limit: int) -> Related:
        """The `limit` stored papers closest to `paper`."""
        wanted = max(limit, CANDIDATES) if self.embedder else limit
        found = await self.papers.search(related_query(paper, limit=wanted + 1))
        hits = [h for h in found if h.paper.arxiv_id != paper.arxiv_id]
        if self.embedder is None or not hits:
            return Related(hits[:limit], BY_WORDS)
        try:
            closest = await self._by_meaning(self.embedder, paper, hits)
        except ModelUnavailable as exc:
            log.warning("related papers by words: the embedding model failed (%s)", exc)
            return Related(hits[:limit], f"{BY_WORDS}; the embedding model did not answer")
        how = (
            f"by meaning (embeddings from {self.embedder.model}), among the {len(hits)} stored "
            "papers sharing the most telling words with it"
        )
        return Related(closest[:limit], how)

    async def _by_meaning(self, embedder: Embedder, paper: Paper, hits: list[Hit]) -> list[Hit]:
        papers = [paper, *(h.paper for h in hits)]
        missing = []
        for p in papers:
            if _key(p) in self._vectors:
                self._vectors.move_to_end(_key(p))  # used now: forgotten last
            else:
                missing.append(p)
        if missing:
            vectors = await embedder.embed([_text(p) for p in missing])
            if len(vectors) != len(missing):
                raise ModelUnavailable(f"{len(vectors)} embeddings for {len(missing)} texts")
            for p, vector in zip(missing, vectors, strict=True):
                self._remember(_key(p), array("f", vector))
        mine = self._vectors[_key(paper)]
        closeness = {h.paper.arxiv_id: _cosine(mine, self._vectors[_key(h.paper)]) for h in hits}
        return sorted(hits, key=lambda h: -closeness[h.paper.arxiv_id])  # stable: ties by words

    def _remember(self, key: tuple[str, int | None], vector: array[float]) -> None:
        self._vectors[key] = vector
        while len(self._vectors) > REMEMBERED:
            self._vectors.popitem(last=False)


def _key(paper: Paper) -> tuple[str, int | None]:
    return paper.arxiv_id, paper.version  # a new version may say something else


def _text(paper: Paper) -> str:
    return f"{paper.title or ''}\n\n{paper.abstract or ''}"[:EMBEDDED_CHARS]


def _cosine(a: Sequence[float], b: Sequence[float]) -> float:
    if len(a) != len(b):
        return -1.0  # the model changed size mid-run: not comparable, last
    dot = math.fsum(x * y for x, y in zip(a, b, strict=True))
    norms = math.sqrt(math.fsum(x * x for x in a)) * math.sqrt(math.fsum(y * y for y in b))
    return dot / norms if norms else -1.0
