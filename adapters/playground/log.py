"""The port the playground keeps its messages through (`storage.playground` implements it)."""

from __future__ import annotations

from typing import Any, Protocol

Message = dict[str, Any]  # id, channel, thread_of, author, text, cards, created (JSON-ready)


class ChannelLog(Protocol):
    async def add(
        self,
        channel: str,
        author: str,
        text: str,
        cards: list[dict[str, Any]] | None = None,
        key: str | None = None,
        thread_of: int | None = None,
    ) -> Message: ...

    async def get(self, message_id: int) -> Message | None: ...

    async def channel(self, channel: str, limit: int = 200) -> list[Message]: ...

    async def replies(self, message_id: int) -> list[Message]: ...

    async def after(
        self, channel: str, thread_of: int | None, message_id: int, limit: int = 100
    ) -> list[Message]:
        """Messages of the channel (`thread_of` None) or of a thread posted after one."""
        ...

    async def find_key(self, channel: str, key: str) -> int | None: ...

    async def channels(self) -> list[str]: ...
