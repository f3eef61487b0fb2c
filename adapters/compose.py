"""The composition root: settings in, a wired Paperboy out. `paperboy run`, every CLI command,
the tests and the benchmarks start here; nothing is changed after it is built.

    async with open_app(Settings()) as app:
        page = await app.finder.search(build_query("diffusion"))

The store, the sources and search are built at once; the rest (answers, the engine, the
commands, the chat platforms) when first used, so `paperboy search` loads no engine or model
client. Each part is built once.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING

import httpx

from adapters.parts import (
    ChatPlatform,
    build_answerer,
    build_tldrs,
    chat_platforms,
    open_sources,
)
from adapters.settings import Settings
from bot.feeds import Sources
from bot.finder import Finder
from bot.ports import Publisher
from storage import Storage, open_storage

if TYPE_CHECKING:
    from adapters.observe import Metrics
    from bot.commands import Commands
    from bot.engine import Engine
    from bot.qa.service import Answerer
    from bot.schedule import Scheduler
    from bot.tastes import Tastes
    from bot.threads import ThreadAnswers
    from storage.playground import SqlChannelLog


class App:
    """Paperboy wired from its settings, on one store and one HTTP client."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        sources: Sources,
        *,
        chat: bool,
        publishers: Mapping[str, Publisher],
        stopping: asyncio.Event,
    ) -> None:
        self.settings, self.storage, self.sources = settings, storage, sources
        self.finder = Finder(
            storage.papers, sources.hf, sources.arxiv_api, live_search=settings.hf_live_search
        )
        self._chat = chat
        self._stopping = stopping
        # The engine posts through the platforms, whose bots answer through the commands, which
        # reach the engine: the platforms' publishers join this mapping when they are built
        # (`open_app` builds them before anything runs).
        self._posting: dict[str, Publisher] = dict(publishers)

    @cached_property
    def answerer(self) -> Answerer:
        return build_answerer(
            self.settings, self.sources, self.storage.engine, self.metrics.tokens.inc
        )

    @cached_property
    def threads(self) -> ThreadAnswers:
        from bot.threads import ThreadAnswers

        return ThreadAnswers(
            self.storage.papers,
            self.storage.threads,
            self.answerer,
            on_answer=self.metrics.answered,
            tastes=self.tastes,
        )

    @cached_property
    def tastes(self) -> Tastes:
        from bot.tastes import Tastes

        storage = self.storage
        return Tastes(storage.signals, storage.papers, storage.subscriptions)

    @cached_property
    def metrics(self) -> Metrics:
        from adapters.observe import Metrics

        return Metrics(self.storage.ledger.queue_depth)

    @cached_property
    def scheduler(self) -> Scheduler:
        from bot.schedule import Scheduler

        seconds = self.settings.poll_seconds
        return Scheduler(timedelta(seconds=seconds) if seconds else None)

    @cached_property
    def channel_log(self) -> SqlChannelLog:
        """The playground's channels (channels that need no token)."""
        from storage.playground import SqlChannelLog

        return SqlChannelLog(self.storage.engine)

    @cached_property
    def engine(self) -> Engine:
        from adapters.playground.publisher import PLATFORM, PlaygroundPublisher
        from bot.engine import build_engine
        from bot.feeds import Poller

        self._posting.setdefault(PLATFORM, PlaygroundPublisher(self.channel_log))
        settings, storage = self.settings, self.storage
        return build_engine(
            storage.papers,
            storage.subscriptions,
            storage.ledger,
            self._posting,
            Poller(self.sources),
            stopping=self._stopping,
            leases=storage.leases,
            tldrs=build_tldrs(settings, storage.engine, self.metrics.tokens.inc),
            retention=timedelta(days=settings.retention_days),
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            lease_until=self.scheduler.next_for,
            on_card=self.answerer.prefetch,  # questions under a new card find its text ready
            tastes=self.tastes,
        )

    @cached_property
    def commands(self) -> Commands:
        from adapters.parts import embedder
        from bot.commands import Commands
        from bot.related import RelatedPapers
        from bot.tastes import TeachingVotes

        storage = self.storage
        return Commands(
            storage.subscriptions,
            storage.ledger,
            storage.papers,
            self.finder,
            engine=self.engine,
            threads=self.threads,
            votes=TeachingVotes(storage.votes, self.tastes),
            tastes=self.tastes,
            related_papers=RelatedPapers(storage.papers, embedder(self.settings)),
        )

    @cached_property
    def platforms(self) -> Mapping[str, ChatPlatform]:
        """Discord and Slack, where asked for (`chat`) and their tokens are set."""
        if not self._chat:
            return {}
        platforms = chat_platforms(self.settings, self.commands, self.threads)
        self._posting.update({name: p.publisher for name, p in platforms.items()})
        return platforms


@asynccontextmanager
async def open_app(
    settings: Settings,
    *,
    chat: bool = False,
    transport: httpx.AsyncBaseTransport | None = None,
    publishers: Mapping[str, Publisher] | None = None,
    stopping: asyncio.Event | None = None,
) -> AsyncIterator[App]:
    """Paperboy on `settings`. `chat`: with the chat platforms whose tokens are set (only
    `paperboy run` asks). `transport` answers the sources' requests (tests and benchmarks
    answer them without a network); `publishers` adds channels of other platforms (fakes)."""
    storage = await open_storage(settings.database_url, settings.search_index)
    try:
        async with open_sources(settings, transport) as sources:
            app = App(
                settings,
                storage,
                sources,
                chat=chat,
                publishers=publishers or {},
                stopping=stopping or asyncio.Event(),
            )
            if chat:
                _ = app.platforms  # their publishers join the engine's before anything runs
            try:
                yield app
            finally:
                if "answerer" in app.__dict__:  # built: its full-text fetches may be going on
                    await app.answerer.close()
    finally:
        await storage.close()
