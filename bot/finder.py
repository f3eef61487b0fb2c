"""Finding papers for people: exact ids first, then the store's full-text search, then (when the
store knows little) Hugging Face's live paper search."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from bot.domain import Hit, Hits, Paper, SearchPage, SearchQuery
from bot.errors import SourceError
from bot.ids import find_arxiv_ids
from bot.merge import merge_all
from bot.ports import PaperStore
from bot.sources.arxiv_api import ArxivApi
from bot.sources.hf import HuggingFace

log = logging.getLogger(__name__)


@dataclass
class Finder:
    """Search and lookup over the store, completed from the sources when they are given."""

    store: PaperStore
    hf: HuggingFace | None = None
    arxiv: ArxivApi | None = None
    live_search: bool = True  # ask HF when the store has fewer than `few` matches
    few: int = 3
    live_timeout: float = 2.0  # seconds; a live search must not hold up a chat command

    async def _fetch(self, ids: list[str]) -> tuple[list[Paper], str | None]:
        tasks: list[Coroutine[Any, Any, list[Paper] | Paper | None]] = []
        if self.arxiv is not None:
            tasks.append(self.arxiv.lookup(ids))
        if self.hf is not None:
            tasks += [self.hf.paper(i) for i in ids]
        if not tasks:
            return [], None
        results = await asyncio.gather(*tasks, return_exceptions=True)
        found: list[Paper] = []
        failures: list[str] = []
        for result in results:
            if isinstance(result, SourceError):
                failures.append(result.source)
            elif isinstance(result, BaseException):
                raise result
            elif isinstance(result, list):
                found += result
            elif result is not None:
                found.append(result)
        papers = [p for p in merge_all(found) if p.arxiv_id in ids]
        # A record without a title is no card, here as in the feed: held until a complete one
        untitled = [p.arxiv_id for p in papers if not p.title]
        papers = [p for p in papers if p.title]
        if papers:
            await self.store.upsert(papers)
            papers = [p for p in [await self.store.get(p.arxiv_id) for p in papers] if p]
        notes = [f"could not reach {', '.join(sorted(set(failures)))}"] if failures else []
        if untitled:
            notes.append(f"the sources give no title for {', '.join(untitled)} yet")
        return papers, "; ".join(notes) or None

    async def search(self, query: SearchQuery) -> SearchPage:
        """Ids or URLs in the text first, then the store, then HF live when the store has few
        matches (never for filtered queries or later pages)."""
        text, limit = query.text, query.limit
        ids = [aid.id for aid in find_arxiv_ids(text)]
        if ids:
            return await self._by_ids(ids, query)
        hits = await self.store.search(query)
        said = hits.note if isinstance(hits, Hits) else None
        enough = len(hits) >= min(self.few, limit)
        if not self.live_search or self.hf is None or enough or query.offset or query.filtered:
            return SearchPage(tuple(hits), query, note=said)
        try:
            async with asyncio.timeout(self.live_timeout):
                live = await self.hf.search(text, limit=limit)
        except (SourceError, TimeoutError) as exc:
            # A timeout says nothing of itself ("live search failed: " was all the log had)
            reason = str(exc) or f"no answer within {self.live_timeout:g} s"
            log.info("live search failed: %s", reason)
            unreachable = f"Hugging Face search is unreachable ({reason}); stored results only."
            return SearchPage(tuple(hits), query, note=" ".join(filter(None, [said, unreachable])))
        known = {h.paper.arxiv_id for h in hits}
        # a record without a title is no card (held), here as in the feed
        extra = [p for p in live if p.arxiv_id not in known and p.title][: limit - len(hits)]
        if extra:
            await self.store.upsert(extra)
        found = tuple(hits) + tuple(Hit(p, None, live=True) for p in extra)
        return SearchPage(found, query, note=said)

    async def _by_ids(self, ids: list[str], query: SearchQuery) -> SearchPage:
        stored = {i: await self.store.get(i) for i in ids}
        missing = [i for i, p in stored.items() if p is None]
        note = None
        if missing:
            fetched, note = await self._fetch(missing)
            stored.update({p.arxiv_id: p for p in fetched})
            if not fetched and not note:
                note = f"arXiv has no paper {', '.join(missing)}" if self.arxiv else None
        hits = tuple(Hit(p) for p in stored.values() if p is not None)
        return SearchPage(hits[query.offset : query.offset + query.limit], query, note=note)

    async def stored(self, query: SearchQuery) -> int:
        """How many stored papers `query` finds within its limit (ids it names, or the
        store's search): nothing is fetched, no live search is made."""
        ids = [aid.id for aid in find_arxiv_ids(query.text)]
        if ids:
            return len([i for i in dict.fromkeys(ids) if await self.store.get(i)][: query.limit])
        return len(await self.store.search(query))
