"""Pacing posts within a platform's limits, so a fan-out never trips a 429.

Chat platforms cap requests per bot and messages per channel (see ../shared/notes/PLATFORMS.md).
Each publisher declares its `Limits`; before every request the engine waits on a sliding window
per channel and one for the whole platform.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from bot.domain import Limits, Target

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


UNLIMITED = Limits()


@dataclass
class Window:
    """At most `count` events in any `seconds`-long window (a sliding log of recent events)."""

    count: int
    seconds: float
    clock: Clock
    sleep: Sleep
    _times: deque[float] = field(default_factory=deque)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def wait(self) -> None:
        async with self._lock:  # FIFO: waiters go in the order they came
            while len(self._times) >= self.count:
                wait = self._times[0] + self.seconds - self.clock()
                if wait <= 0:
                    self._times.popleft()
                else:
                    await self.sleep(wait)
            self._times.append(self.clock())


class Throttle:
    """The windows of one platform: one per channel and one for the platform."""

    # Stay a hair inside the limits: the platform's clock is not ours.
    MARGIN = 1.01

    def __init__(self, limits: Limits, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep):
        self.limits = limits
        self._clock = clock
        self._sleep = sleep
        self._channels: dict[Target, Window] = {}
        self._all = (
            Window(max(1, int(limits.per_second)), self.MARGIN, clock, sleep)
            if limits.per_second
            else None
        )

    async def wait(self, target: Target) -> None:
        limits = self.limits
        if limits.per_channel:
            window = self._channels.get(target)
            if window is None:
                window = Window(
                    limits.per_channel,
                    limits.channel_seconds * self.MARGIN,
                    self._clock,
                    self._sleep,
                )
                self._channels[target] = window
            await window.wait()
        if self._all is not None:
            await self._all.wait()
