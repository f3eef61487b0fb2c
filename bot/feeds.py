"""Feeds: what to fetch (`hf-daily:2026-06-12`, `arxiv-rss:cs.LG+cs.CL`, `arxiv-query:...`),
fetching it from the sources, and keeping score of which sources keep failing."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from bot.domain import FeedKind, FeedSpec, Paper
from bot.errors import SourceError
from bot.merge import merge_all
from bot.sources.arxiv_api import ArxivApi
from bot.sources.arxiv_rss import ArxivRss
from bot.sources.hf import HuggingFace
from bot.sources.http import Http

log = logging.getLogger(__name__)

_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK = re.compile(r"\d{4}-W\d{2}")
_MONTH = re.compile(r"\d{4}-\d{2}")
_CATEGORY = re.compile(r"[A-Za-z-]+(?:\.[A-Za-z-]+)?")


MAX_ARG = 300  # arXiv's own search box takes less; every column holding a spec takes more


def arxiv_categories(text: str) -> list[str]:
    """arXiv categories written `cs.LG+cs.CL`, `cs.LG,cs.CL` or `cs.LG cs.CL`; ValueError if
    any is not shaped like one (or there are none)."""
    if len(text) > MAX_ARG:
        raise ValueError(f"categories are at most {MAX_ARG} characters")
    categories = [c for c in re.split(r"[+,\s]+", text) if c]
    if not categories or not all(_CATEGORY.fullmatch(c) for c in categories):
        raise ValueError(f"name arXiv categories such as cs.LG+cs.CL, not {text[:60]!r}")
    return categories


def parse_feed_spec(text: str) -> FeedSpec:
    """`hf-daily[:YYYY-MM-DD|YYYY-Www|YYYY-MM]`, `arxiv-rss:CATS`, `arxiv-query:QUERY`.

    Raises ValueError with a message fit to show the person who typed it.
    """
    name, _, arg = text.strip().partition(":")
    arg = arg.strip()
    if len(arg) > MAX_ARG:
        raise ValueError(f"a source's query or categories are at most {MAX_ARG} characters")
    try:
        kind = FeedKind(name.strip().lower())
    except ValueError:
        choices = ", ".join(k.value for k in FeedKind)
        raise ValueError(f"unknown source {name!r}; use one of {choices}") from None
    if kind is FeedKind.HF_DAILY:
        if arg and not (_DAY.fullmatch(arg) or _WEEK.fullmatch(arg) or _MONTH.fullmatch(arg)):
            raise ValueError(
                f"hf-daily takes a day (2026-06-12), week (2026-W24) or month, not {arg!r}"
            )
        if _DAY.fullmatch(arg):
            date.fromisoformat(arg)  # rejects 2026-02-30 with a clear ValueError
        elif _WEEK.fullmatch(arg) and not 1 <= int(arg[6:]) <= 53:
            raise ValueError(f"hf-daily: a year's weeks are W01 to W53, not {arg!r}")
        elif _MONTH.fullmatch(arg) and not 1 <= int(arg[5:]) <= 12:
            raise ValueError(f"hf-daily: a month is 01 to 12, not {arg!r}")
    elif kind is FeedKind.ARXIV_RSS:
        try:
            arg = "+".join(arxiv_categories(arg))
        except ValueError:
            raise ValueError(
                f"arxiv-rss needs categories such as cs.LG+cs.CL, not {arg!r}"
            ) from None
    elif not arg:
        raise ValueError("arxiv-query needs a query, e.g. arxiv-query:cat:cs.LG AND all:diffusion")
    return FeedSpec(kind, arg)


@dataclass(frozen=True, slots=True)
class Sources:
    """The source clients, built once by the composition root and shared by every feed."""

    hf: HuggingFace
    arxiv_api: ArxivApi
    arxiv_rss: ArxivRss
    # The HTTP they use, for other reads from the same hosts (full text): arXiv's carries the
    # shared pacer, so its rate rules hold across everything.
    arxiv_http: Http | None = None
    hf_http: Http | None = None


async def fetch_feed(spec: FeedSpec, sources: Sources, *, limit: int = 100) -> list[Paper]:
    """The papers a feed offers now: new items only (RSS replacements are left out)."""
    return (await fetch_news(spec, sources, limit=limit)).papers


@dataclass(frozen=True, slots=True)
class News:
    papers: list[Paper]  # what the feed lists as new
    updates: list[Paper]  # new versions of papers announced before (arXiv RSS `replace`)


async def fetch_news(
    spec: FeedSpec,
    sources: Sources,
    *,
    limit: int = 100,
    days_before: int = 0,
    today: date | None = None,
) -> News:
    """What a feed offers now: its new papers, and the new versions it announces.
    `days_before`: for `hf-daily`, the earlier daily lists read with the latest (the days
    before `today` when the latest list is empty or undated)."""
    updates: list[Paper] = []
    if spec.kind is FeedKind.HF_DAILY:
        arg = spec.arg
        if _DAY.fullmatch(arg):
            papers = await sources.hf.daily(date=date.fromisoformat(arg))
        elif _WEEK.fullmatch(arg):
            papers = await sources.hf.daily(week=arg)
        elif _MONTH.fullmatch(arg):
            papers = await sources.hf.daily(month=arg)
        else:
            papers = await _latest_days(sources.hf, days_before, today)
    elif spec.kind is FeedKind.ARXIV_RSS:
        announced = await sources.arxiv_rss.fetch(spec.arg.split("+"))
        papers, updates = list(announced.new), merge_all(list(announced.updates))
    else:
        papers = await sources.arxiv_api.query_all(spec.arg, limit=limit)
    return News(merge_all(papers), updates)


# Hugging Face's daily lists the engine reads with the latest at each poll of "hf-daily": the
# latest list moves to a new day at midnight UTC, and a paper added to the day before after
# the last poll of it, or the upvotes a paper gains after its day (a min-upvotes subscription
# waits 3 days), would be seen nowhere else. (`paperboy fetch` shows the latest list alone.)
HF_DAYS_BEFORE = 3


async def _latest_days(hf: HuggingFace, days_before: int, today: date | None) -> list[Paper]:
    """The latest daily list, and the `days_before` lists before its day. One of those that
    cannot be read now is read at the next poll; the latest one's failure fails the feed."""
    papers = await hf.daily()
    days = [p.hf_daily_date.date() for p in papers if p.hf_daily_date is not None]
    # just after midnight UTC the new day's list may be empty: yesterday's still matters
    latest = max(days, default=today)
    if latest is None:
        return papers
    for back in range(1, days_before + 1):
        day = latest - timedelta(days=back)
        try:
            papers += await hf.daily(date=day)
        except SourceError as exc:
            log.info("hf-daily: the list of %s is left for the next poll: %s", day, exc)
            break
    return papers


SUMMARY_EVERY = timedelta(hours=1)


@dataclass(slots=True)
class SourceHealth:
    """A feed's recent record, for people asking how it is (`subscriptions`)."""

    failures_in_a_row: int = 0
    last_error: str | None = None
    last_success: datetime | None = None
    failing_since: datetime | None = None
    _summarised: datetime | None = None

    def succeeded(self, now: datetime) -> None:
        self.failures_in_a_row = 0
        self.last_error = None
        self.last_success = now
        self.failing_since = self._summarised = None

    def failed(self, error: SourceError, now: datetime | None = None) -> None:
        self.failures_in_a_row += 1
        self.last_error = str(error)
        if self.failing_since is None:
            self.failing_since = now or datetime.now(UTC)

    def summary_due(self, now: datetime) -> bool:
        """While a feed stays down, a summary line once an hour (not a line per retry)."""
        since = self._summarised or self.failing_since
        if since is None or now - since < SUMMARY_EVERY:
            return False
        self._summarised = now
        return True

    def said(self) -> str | None:
        """How the feed is, as a person would say it; None while it reads fine."""
        if self.last_error is None:
            return None
        count = self.failures_in_a_row
        tries = "once" if count == 1 else f"{count} times in a row"
        since = f", last read {self.last_success:%Y-%m-%d %H:%M} UTC" if self.last_success else ""
        return f"cannot be read now (failed {tries}{since}): {self.last_error}"


@dataclass(frozen=True, slots=True)
class FeedResult:
    spec: FeedSpec
    papers: tuple[Paper, ...] = ()
    error: SourceError | None = None
    updates: tuple[Paper, ...] = ()  # new versions announced, of papers that may be known


@dataclass(slots=True)
class Poller:
    """Fetches feeds one after another, catching source failures into results and health."""

    sources: Sources
    health: dict[FeedSpec, SourceHealth] = field(default_factory=dict)

    async def poll(self, spec: FeedSpec, now: datetime | None = None) -> FeedResult:
        """One fetch of the feed. The log says when the feed goes down (once), a summary each
        hour while it stays down, and when it is back: never a line per retry or per poll."""
        now = now or datetime.now(UTC)
        health = self.health.setdefault(spec, SourceHealth())
        try:
            news = await fetch_news(
                spec, self.sources, days_before=HF_DAYS_BEFORE, today=now.date()
            )
        except SourceError as exc:
            first = health.failing_since is None
            health.failed(exc, now)
            if first:
                log.warning("%s is unavailable: %s; trying again at its next poll", spec, exc)
            elif health.summary_due(now):
                log.warning(
                    "%s still unavailable since %s UTC (%d failed polls): %s",
                    spec,
                    f"{health.failing_since:%Y-%m-%d %H:%M}",
                    health.failures_in_a_row,
                    exc,
                )
            return FeedResult(spec, error=exc)
        if health.failing_since is not None:
            log.warning("%s is back after %d failed polls", spec, health.failures_in_a_row)
        health.succeeded(now)
        return FeedResult(spec, tuple(news.papers), updates=tuple(news.updates))

    async def look_up(self, ids: list[str]) -> list[Paper]:
        """Whole records from arXiv for papers a feed listed in part (arXiv has every paper's
        title); none when arXiv cannot be reached now (the next poll asks again)."""
        try:
            return await self.sources.arxiv_api.lookup(ids)
        except SourceError as exc:
            log.warning("looking up %d incomplete records failed: %s", len(ids), exc)
            return []
