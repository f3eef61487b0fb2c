"""The token-free default of `paperboy run`: follow HF Daily Papers and arXiv RSS, print cards.

A stand-in channel until the local playground (issue #5) gives `paperboy run` a web page.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from typing import TextIO

from adapters.compose import open_sources, open_storage
from bot.cards import card_for, render_text
from bot.config import Settings
from bot.feeds import FeedKind, FeedSpec, Poller, Sources, parse_feed_spec
from bot.models import Paper
from bot.ports import PaperStore
from bot.sources.http import Clock, Sleep

log = logging.getLogger(__name__)

# HF's list grows through the day; arXiv RSS changes once per announcement night.
DEFAULT_INTERVALS = {
    FeedKind.HF_DAILY: 30 * 60.0,
    FeedKind.ARXIV_RSS: 60 * 60.0,
    FeedKind.ARXIV_QUERY: 60 * 60.0,
}
FIRST_ROUND_CARDS = 10  # the first poll shows today's top papers, not a flood
RETRY_FAILED_AFTER = 300.0  # a source that just failed is tried again sooner than its interval


def _ranked(papers: Sequence[Paper]) -> list[Paper]:
    return sorted(papers, key=lambda p: p.upvotes or 0, reverse=True)


async def console_loop(
    sources: Sources,
    feeds: Sequence[FeedSpec],
    *,
    out: TextIO,
    poll_seconds: float | None = None,
    rounds: int | None = None,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.monotonic,
    store: PaperStore | None = None,
) -> None:
    """Poll each feed on its own interval, store what it brings, print each paper's card once."""
    poller = Poller(sources)
    seen: set[str] = set()
    due = dict.fromkeys(feeds, 0.0)
    done = 0
    while rounds is None or done < rounds:
        now = clock()
        for spec in [s for s, at in due.items() if at <= now]:
            interval = poll_seconds or DEFAULT_INTERVALS[spec.kind]
            due[spec] = now + interval
            result = await poller.poll(spec)
            if result.error is not None:
                interval = min(interval, RETRY_FAILED_AFTER)
                due[spec] = now + interval
                failures = poller.health[spec].failures_in_a_row
                if failures == 1 or result.report:
                    print(
                        f"[{spec}] unavailable ({failures} in a row): {result.error.message}; "
                        f"next try in {interval:.0f}s",
                        file=out,
                        flush=True,
                    )
                continue
            if store is not None:
                await store.upsert(result.papers)  # so `paperboy search` finds them
            fresh = [p for p in result.papers if p.arxiv_id not in seen]
            seen.update(p.arxiv_id for p in result.papers)
            shown = _ranked(fresh)[:FIRST_ROUND_CARDS] if done == 0 else fresh
            print(
                f"[{spec}] {len(fresh)} new papers"
                + (f", showing the top {len(shown)}" if len(shown) < len(fresh) else ""),
                file=out,
                flush=True,
            )
            for paper in shown:
                print(f"\n{render_text(card_for(paper))}\n", file=out, flush=True)
        done += 1
        if rounds is None or done < rounds:
            await sleep(max(0.0, min(due.values()) - clock()))


async def run_console(settings: Settings, out: TextIO = sys.stdout) -> None:
    feeds = [FeedSpec(FeedKind.HF_DAILY), parse_feed_spec(f"arxiv-rss:{settings.run_categories}")]
    print(
        "Paperboy is running with no chat platform configured: new papers print here.\n"
        f"Following {', '.join(map(str, feeds))}. Press Ctrl+C to stop.",
        file=out,
        flush=True,
    )
    async with open_sources(settings) as sources, open_storage(settings) as store:
        await console_loop(sources, feeds, out=out, poll_seconds=settings.poll_seconds, store=store)
