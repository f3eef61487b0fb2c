"""The suite can never reach the internet, while loopback fake servers still work."""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest
from pytest_socket import SocketConnectBlockedError

# pytest-socket also warns when it blocks; here blocking is the expected outcome.
pytestmark = pytest.mark.filterwarnings("ignore:A test tried to use socket")


def test_connecting_to_a_public_address_fails_the_test() -> None:
    with pytest.raises(SocketConnectBlockedError):
        socket.create_connection(("93.184.215.14", 80), timeout=1)


def _causes(exc: BaseException) -> list[BaseException]:
    found = [exc]
    if isinstance(exc, BaseExceptionGroup):
        for inner in exc.exceptions:
            found += _causes(inner)
    for linked in (exc.__cause__, exc.__context__):
        if linked is not None:
            found += _causes(linked)
    return found


async def test_httpx_to_a_public_address_is_blocked() -> None:
    async with httpx.AsyncClient() as client:
        with pytest.raises(BaseException) as caught:  # noqa: PT011 (anyio may wrap it in a group)
            await client.get("http://93.184.215.14/")
    assert any(isinstance(e, SocketConnectBlockedError) for e in _causes(caught.value))


async def test_loopback_servers_stay_reachable() -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readline())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"ping\n")
        assert await reader.readline() == b"ping\n"
        writer.close()
