"""`paperboy run`: the engine, and the channels it posts to. With no chat platform configured
that is the local playground (a web page); the Discord and Slack adapters join it when their
tokens are set (their issues)."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import sys
from collections.abc import Iterator
from typing import TextIO

import uvicorn

from adapters.compose import open_app
from adapters.observe import operator_app, operator_routes
from adapters.playground.app import Playground, build_app
from adapters.playground.publisher import PLATFORM
from adapters.settings import Settings
from bot.domain import FeedKind, FeedSpec, Rules, Target
from bot.engine import CycleReport, utc_now
from bot.feeds import parse_feed_spec
from bot.runner import run
from storage import Storage

GENERAL = Target(PLATFORM, "general")
CATCH_UP = 5  # a first run shows the current top papers of each feed, not nothing


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: `paperboy run` stops everything in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


async def ensure_first_subscriptions(storage: Storage, settings: Settings) -> None:
    """A fresh install (nothing stored yet) follows HF Daily Papers and arXiv RSS in the
    playground's #general; someone who later unsubscribes everything is not re-subscribed."""
    if await storage.papers.count() or await storage.subscriptions.active():
        return
    for feed in (
        FeedSpec(FeedKind.HF_DAILY),
        parse_feed_spec(f"arxiv-rss:{settings.run_categories}"),
    ):
        await storage.subscriptions.add(GENERAL, feed, Rules(catch_up=CATCH_UP), utc_now())


async def run_bot(settings: Settings, *, once: bool = False, out: TextIO = sys.stdout) -> None:
    token = settings.playground_token.get_secret_value() if settings.playground_token else None
    serve = settings.playground_enabled and not once
    listens = serve or (settings.metrics_port is not None and not once)
    if listens and not _loopback(settings.playground_host) and not token:
        raise SystemExit(
            f"paperboy: the playground would listen on {settings.playground_host}, beyond "
            "this machine: set PAPERBOY_PLAYGROUND_TOKEN too"
        )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with open_app(settings, chat=True, stopping=stop) as wired:
        if settings.playground_enabled:  # a bot for Discord or Slack alone starts unsubscribed
            await ensure_first_subscriptions(wired.storage, settings)
        playground = Playground(
            wired.channel_log,
            wired.commands,
            wired.threads,
            token,
            health=lambda: wired.engine.health,
        )
        chats = wired.platforms

        operator = operator_routes(wired.storage.ping, lambda: wired.engine.health, wired.metrics)

        def report(cycle: CycleReport) -> None:
            wired.metrics.cycle(cycle)
            for feed in cycle.fetched:
                if playground.sources.get(feed):
                    print(f"[{feed}] back: read again", file=out, flush=True)
                playground.sources[feed] = None
            for feed, error in cycle.failed_feeds.items():
                # Said once per fault, not at every poll while it lasts.
                if playground.sources.get(feed) != error:
                    print(
                        f"[{feed}] unavailable: {error}; trying again in a few minutes",
                        file=out,
                        flush=True,
                    )
                playground.sources[feed] = error
            if cycle.fetched:
                fetched = ", ".join(
                    f"{feed}: {n}"
                    + (f" ({cycle.held[feed]} held: no title yet)" if feed in cycle.held else "")
                    for feed, n in cycle.fetched.items()
                )
                print(f"[fetched] {fetched}; {cycle.posted} posts", file=out, flush=True)

        server = None
        if serve or (settings.metrics_port and not once):
            app, port = build_app(playground, operator), settings.playground_port
            if not serve:  # the operator's routes alone, on their own port
                app, port = operator_app(operator, token), settings.metrics_port or port
            config = uvicorn.Config(
                app,
                host=settings.playground_host,
                port=port,
                log_level="warning",
                lifespan="off",
                timeout_graceful_shutdown=2,  # live streams end then; browsers reconnect
            )
            server = _Server(config)
        if serve:
            print(
                f"Paperboy is running. Playground: http://{settings.playground_host}:{settings.playground_port}/"
                "  (Ctrl+C stops it; the cycle in progress finishes first)",
                file=out,
                flush=True,
            )
        for name in chats:
            print(f"Connecting to {name.title()} ...", file=out, flush=True)

        async def engine_loop() -> None:
            try:
                await run(wired.engine, wired.scheduler, stop=stop, once=once, on_report=report)
            finally:
                if server is not None:
                    server.should_exit = True
                for chat in chats.values():
                    await chat.close()
                await playground.close()

        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(engine_loop())
            if server is not None:
                tasks.create_task(server.serve())
            for chat in chats.values():
                tasks.create_task(chat.start())
