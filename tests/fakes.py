"""Fakes injected where the real thing would be: HTTP transports, clocks, sleeps."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
