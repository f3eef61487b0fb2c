"""A pause in an answer's pieces: what came before it is complete for now, and more follows
later (the full text's answer, after the abstract's, when the text arrives). A surface that
cannot show the end of a message before the message is complete (a chat stream that holds back
a buffer's worth; a reply that is one response) ends the message at the pause, and what follows
is a message of its own; one that edits a message as it grows shows it at once."""

from __future__ import annotations

from collections.abc import AsyncIterator


class Pause(str):
    """The empty piece that marks a pause (read as "" by whoever joins the pieces)."""

    __slots__ = ()


PAUSE = Pause()


class Runs:
    """`pieces` as runs, one per message: each run ends at a pause or at the end."""

    def __init__(self, pieces: AsyncIterator[str]) -> None:
        self._pieces = pieces
        self._resumed = False
        self.ended = False

    async def run(self) -> AsyncIterator[str]:
        """The pieces up to the next pause, or to the end."""
        async for piece in self._pieces:
            if isinstance(piece, Pause):
                self._resumed = True
                return
            if self._resumed:  # a message of its own, without the blank lines that set it apart
                piece, self._resumed = piece.lstrip("\n"), False
            yield piece
        self.ended = True
