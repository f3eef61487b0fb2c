"""Fakes injected where the real thing would be: HTTP transports, clocks, sleeps."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from aiohttp import web

Responder = Callable[[httpx.Request], httpx.Response]


@dataclass
class FakeHttp:
    """An httpx transport answering from a script: each request takes the next response.

    `requests` records every request for assertions on paths and query parameters.
    """

    responses: list[httpx.Response | Exception | Responder]
    requests: list[httpx.Request] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.responses:
            raise AssertionError(f"unexpected request {request.url}")
        nxt = self.responses.pop(0)
        if isinstance(nxt, Exception):
            raise nxt
        if isinstance(nxt, httpx.Response):
            return nxt
        return nxt(request)

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(self.handler))


def ok(
    body: bytes | str, status: int = 200, headers: Iterable[tuple[str, str]] = ()
) -> httpx.Response:
    content = body.encode() if isinstance(body, str) else body
    return httpx.Response(status, content=content, headers=list(headers))


@dataclass
class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def run_paperboy(
    args: Iterable[str], env: dict[str, str], cwd: Path
) -> subprocess.CompletedProcess[str]:
    """`paperboy ARGS` in a fresh process, as a person runs it, with `env` over ours."""
    return subprocess.run(
        [sys.executable, "-c", "from adapters.cli import main; main()", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env={**os.environ, "PAPERBOY_LOG_LEVEL": "WARNING", **env},
    )


def invoke_paperboy(
    args: Iterable[str], env: dict[str, str], cwd: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`paperboy ARGS` as `run_paperboy` runs it, but in this process (the console script's
    `main`), without a new interpreter's start of a second or two: `env` over ours, `cwd` the
    working directory (`.env` is read from there), logging set up afresh as in a new process,
    and an exit status, stdout and stderr as the process would have (an uncaught exception is a
    traceback on stderr and status 1). For what a command prints and exits with; process
    start, signals and restarts need `run_paperboy`."""
    from click.testing import CliRunner

    from adapters.cli import main

    args = list(args)

    def too_long(signum: int, frame: object) -> None:
        raise subprocess.TimeoutExpired(["paperboy", *args], timeout)

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    runner = CliRunner()
    with runner.isolation(env={"PAPERBOY_LOG_LEVEL": "WARNING", **env}) as (out, err, _):
        argv, here = sys.argv, Path.cwd()
        sys.argv = ["paperboy", *args]
        os.chdir(cwd)
        for handler in handlers:  # the command's logging.basicConfig writes to this stderr
            root.removeHandler(handler)
        alarm = signal.signal(signal.SIGALRM, too_long)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        status: int
        try:
            main()
            status = 0
        except subprocess.TimeoutExpired:
            raise
        except SystemExit as exc:  # as the interpreter ends a process
            if exc.code is None or isinstance(exc.code, int):
                status = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
                status = 1
        except Exception:
            traceback.print_exc()
            status = 1
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, alarm)
            sys.argv = argv
            os.chdir(here)
            for handler in root.handlers[:]:
                root.removeHandler(handler)
                handler.close()
            for handler in handlers:
                root.addHandler(handler)
            root.setLevel(level)
            for name, logger in logging.root.manager.loggerDict.items():
                if isinstance(logger, logging.Logger):
                    logger.setLevel(levels.get(name, logging.NOTSET))
            sys.stdout.flush()
            sys.stderr.flush()
        return subprocess.CompletedProcess(
            ["paperboy", *args], status, out.getvalue().decode(), err.getvalue().decode()
        )


@dataclass
class CountedVotes:
    """A bot's `Votes` store that counts the reactions recorded through it, so that a test waits
    for the bot's reaction handlers to finish rather than sleeping."""

    inner: Any
    recorded: int = 0

    async def vote(self, *args: Any, **kwargs: Any) -> bool:
        try:
            return bool(await self.inner.vote(*args, **kwargs))
        finally:
            self.recorded += 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class LoopbackServer:
    """An aiohttp fake of a platform on a free loopback port; its websockets close on `stop`."""

    runner: web.AppRunner
    port: int
    _sockets: list[web.WebSocketResponse]

    async def _serve(self, app: web.Application) -> None:
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in self._sockets:
            await ws.close()
        await self.runner.cleanup()
