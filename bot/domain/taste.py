"""What a channel's people did with its papers: the signals its taste is learned from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Signal(StrEnum):
    """Something done about a paper in a channel that says it was of interest. Votes (reactions)
    are kept by the vote store; these are kept without who did them."""

    ASKED = "asked"  # a question in the card's thread (or `ask` about it here)
    SHOWN = "shown"  # `/papers show` of it here
    CLICKED = "clicked"  # a link on its card opened, where the platform reports it


@dataclass(frozen=True, slots=True)
class PaperSignals:
    """What one channel did with one paper since its taste was last reset."""

    arxiv_id: str
    up: int = 0  # people who reacted with anything but a thumbs-down
    down: int = 0  # people who reacted with a thumbs-down (or ❌, 🚫 ...)
    asked: int = 0
    shown: int = 0
    clicked: int = 0
    posted: bool = False  # its card went out here (seen; no reaction is a faint no)
    last: datetime | None = None  # the latest of them
