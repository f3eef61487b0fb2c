from __future__ import annotations

import asyncio

from bot.domain import Limits, Target
from bot.throttle import Throttle, Window
from tests.fakes import FakeTime

DISCORD = Limits(per_second=50, per_channel=5, channel_seconds=5.0)


def _max_in_window(times: list[float], seconds: float) -> int:
    return max(sum(1 for t in times if start <= t < start + seconds) for start in times)


async def test_window_never_lets_more_than_count_through() -> None:
    time = FakeTime()
    window = Window(5, 5.0, time.clock, time.sleep)
    sent = []
    for _ in range(23):
        await window.wait()
        sent.append(time.now)
    assert _max_in_window(sent, 5.0) == 5
    assert sent[-1] - sent[0] == 20.0  # 23 events: the 21st waits for the window of the 1st...


async def test_discord_limits_per_channel_and_in_all() -> None:
    time = FakeTime()
    throttle = Throttle(DISCORD, time.clock, time.sleep)
    channels = [Target("discord", str(n)) for n in range(40)]
    sent: dict[Target, list[float]] = {c: [] for c in channels}
    every: list[float] = []

    async def channel(target: Target) -> None:
        for _ in range(5):
            await throttle.wait(target)
            sent[target].append(time.now)
            every.append(time.now)
            await asyncio.sleep(0)

    await asyncio.gather(*(channel(c) for c in channels))
    assert len(every) == 200
    assert _max_in_window(every, 1.0) <= 50  # 50 requests a second in all
    assert all(_max_in_window(times, 5.0) <= 5 for times in sent.values())
    # and no slower than the global limit needs: 200 requests at 50/s take ~3 s
    assert max(every) - min(every) <= 200 / 50 * Throttle.MARGIN


async def test_unlimited_never_waits() -> None:
    time = FakeTime()
    throttle = Throttle(Limits(), time.clock, time.sleep)
    for _ in range(100):
        await throttle.wait(Target("x", "y"))
    assert time.sleeps == []
