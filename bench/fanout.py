"""Fan-out: 20 new papers to 100 channels through a fake platform that enforces Discord's limits.

    .venv/bin/python bench/fanout.py [--papers 20] [--channels 100]

The platform answers 429 (with retry_after) to any request beyond 50 a second in all or 5 per
5 seconds in a channel. The real engine (wired by `adapters.compose.open_app`, SQLite store and ledger) posts
everything in real time; the script prints the wall time against the lower bound the limits
allow, and counts lost, duplicated and 429-answered posts.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import sys
import tempfile
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from adapters.compose import open_app  # noqa: E402
from adapters.discord.publisher import LIMITS as DISCORD_ADAPTER_LIMITS  # noqa: E402
from adapters.settings import Settings  # noqa: E402
from bot.domain import Card, FeedKind, FeedSpec, Rules, Target  # noqa: E402
from bot.ports import RetryLater  # noqa: E402

# Discord's limits as the fake platform enforces them (PLATFORMS.md §1); the engine paces with
# the limits the Discord adapter declares, so this checks those too.
GLOBAL, PER_CHANNEL, CHANNEL_SECONDS = 50, 5, 5.0


@dataclass
class DiscordLikePlatform:
    limits = DISCORD_ADAPTER_LIMITS
    posts: dict[Target, list[str]] = field(default_factory=lambda: defaultdict(list))
    requests: int = 0
    rejected: int = 0
    _all: deque[float] = field(default_factory=deque)
    _channels: dict[Target, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def _admit(self, target: Target) -> None:
        now = time.monotonic()
        self.requests += 1
        for log, count, seconds in (
            (self._all, GLOBAL, 1.0),
            (self._channels[target], PER_CHANNEL, CHANNEL_SECONDS),
        ):
            while log and log[0] <= now - seconds:
                log.popleft()
            if len(log) >= count:
                self.rejected += 1
                raise RetryLater("429 Too Many Requests", retry_after=log[0] + seconds - now)
        self._all.append(now)
        self._channels[target].append(now)

    async def post(self, target: Target, card: Card, key: str) -> str:
        self._admit(target)
        self.posts[target].append(key)
        return f"{target.channel}-{len(self.posts[target])}"

    async def post_text(self, target: Target, text: str, key: str) -> str:
        self._admit(target)
        self.posts[target].append(key)
        return f"{target.channel}-{len(self.posts[target])}"

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        self._admit(target)
        self.posts[target].append(key)
        return f"{target.channel}-{len(self.posts[target])}"

    async def find(self, target: Target, key: str) -> str | None:
        self._admit(target)
        return key if key in self.posts[target] else None


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--papers", type=int, default=20)
    parser.add_argument("--channels", type=int, default=100)
    args = parser.parse_args()
    now = datetime.now(UTC)
    items = [
        {
            "paper": {
                "id": f"2606.{n:05d}",
                "title": f"Paper {n}",
                "upvotes": n,
                "publishedAt": now.isoformat(),
            }
        }
        for n in range(1, args.papers + 1)
    ]
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            database_url=f"sqlite:///{folder}/fanout.db",
            hf_base_url="http://hf",
            http_attempts=1,
            OPENAI_API_KEY=None,
            OPENAI_BASE_URL=None,
        )
        transport = httpx.MockTransport(lambda r: httpx.Response(200, json=items))
        platform = DiscordLikePlatform()
        posting = {"discord": platform}
        async with open_app(settings, transport=transport, publishers=posting) as app:  # type: ignore[arg-type]
            for target in [Target("discord", f"c{n}") for n in range(args.channels)]:
                await app.storage.subscriptions.add(
                    target, FeedSpec(FeedKind.HF_DAILY), Rules(), now - timedelta(hours=1)
                )
            began = time.perf_counter()
            report = await app.engine.run_once()
            elapsed = time.perf_counter() - began
    total = args.papers * args.channels
    # Sliding windows admit a full burst at once: N requests need ceil(N / limit) - 1 windows.
    per_channel_bound = (math.ceil(args.papers / PER_CHANNEL) - 1) * CHANNEL_SECONDS
    bound = max((math.ceil(total / GLOBAL) - 1) * 1.0, per_channel_bound)
    delivered = [key for keys in platform.posts.values() for key in keys]
    lost = total - len(set(delivered))
    duplicated = len(delivered) - len(set(delivered))
    print(
        f"{args.papers} papers x {args.channels} channels = {total} posts; Discord limits: {GLOBAL}/s in all, "
        f"{PER_CHANNEL} per {CHANNEL_SECONDS:.0f} s per channel"
    )
    print(
        f"lower bound the limits allow: {bound:.1f} s (MonitoRSS's 25 requests/s would need {total / 25:.0f} s)"
    )
    print(f"wall time: {elapsed:.1f} s = {elapsed / bound:.3f}x the bound")
    print(
        f"posted {report.posted}, lost {lost}, duplicated {duplicated}, "
        f"429 answers {platform.rejected} of {platform.requests} requests ({platform.rejected / platform.requests:.2%})"
    )


if __name__ == "__main__":
    asyncio.run(main())
