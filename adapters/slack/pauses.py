"""An answer's pieces, split where the answer pauses. A streamed Slack message holds back up to
a buffer's worth of text (slack_sdk's `chat_stream`), so an answer that pauses (from the
abstract now, from the full text when it arrives) would hide its end until it resumes: the
message is ended at the pause instead, and what follows is a message of its own."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator


class Runs:
    """`pieces` as runs: a run ends where no piece came for `pause` seconds after its first."""

    def __init__(self, pieces: AsyncIterator[str], pause: float) -> None:
        self._pieces = pieces
        self._pause = pause
        self._next: asyncio.Future[tuple[bool, str]] | None = None
        self.ended = False

    async def _pull(self) -> tuple[bool, str]:
        try:
            return True, await anext(self._pieces)
        except StopAsyncIteration:
            return False, ""

    async def run(self) -> AsyncIterator[str]:
        """The next run: its first piece whenever it comes, the others until a pause."""
        first = True
        while not self.ended:
            if self._next is None:
                # A task, not a bare await: a pause must not cancel the piece being written.
                self._next = asyncio.ensure_future(self._pull())
            if not first:
                done, _ = await asyncio.wait({self._next}, timeout=self._pause)
                if not done:
                    return
            more, piece = await self._next
            self._next = None
            if not more:
                self.ended = True
                return
            if first:  # a message of its own, without the blank lines that set it apart
                piece = piece.lstrip("\n")
            first = False
            yield piece

    def close(self) -> None:
        """Stop waiting for a piece (the answer is abandoned: it failed to post)."""
        if self._next is not None:
            self._next.cancel()
