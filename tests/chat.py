"""What the chat platforms' tests share: the core as `paperboy run` wires it (real store,
engine, command set, thread answers) over a Hugging Face feed the test writes, and helpers to
wait for asynchronous work and to run `paperboy` as a separate process."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from asyncio.subprocess import Process
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
from hypothesis import strategies as st

from adapters.compose import open_app
from adapters.settings import Settings
from bot.commands import Commands
from bot.domain import FeedKind, FeedSpec, Origin, Paper, Rules, Target
from bot.engine import Engine
from bot.keywords import parse_keywords
from bot.ports import Publisher
from bot.threads import ThreadAnswers
from storage import Storage


async def until(check: Callable[[], Any], seconds: float = 10.0) -> Any:
    """Wait for `check()` to be truthy (the bots work asynchronously of the fakes)."""
    for _ in range(int(seconds / 0.02)):
        if result := check():
            return result
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting")


def daily(*papers: tuple[str, str]) -> list[dict[str, Any]]:
    """Hugging Face's daily list with these (arXiv id, title) papers, published now."""
    now = datetime.now(UTC).isoformat()
    return [
        {
            "paper": {
                "id": arxiv_id,
                "title": title,
                "summary": f"We study {title.lower()[:40]}. Our method uses the ImageNet dataset "
                "and improves accuracy by 3 points over strong baselines.",
                "upvotes": 12,
                "publishedAt": now,
                "authors": [{"name": "Ada Lovelace"}],
            },
            "publishedAt": now,
        }
        for arxiv_id, title in papers
    ]


def studies(count: int = 7) -> list[Paper]:
    """`count` stored papers about diffusion, newest last (a corpus to page through)."""
    return [
        Paper(
            arxiv_id=f"2611.{n:05d}",
            title=f"Diffusion study number {n}",
            abstract="Diffusion.",
            published=datetime(2026, 11, n, tzinfo=UTC),
            sources=frozenset({Origin.ARXIV_API}),
        )
        for n in range(1, count + 1)
    ]


@dataclass
class Core:
    storage: Storage
    engine: Engine
    commands: Commands
    threads: ThreadAnswers
    publishers: dict[str, Publisher]
    feed: list[dict[str, Any]] = field(default_factory=list)  # what HF's daily list says now

    async def subscribe(
        self, target: Target, *papers: tuple[str, str], rules: Rules | None = None
    ) -> None:
        """`target` follows HF Daily (catching up on its current papers), which lists `papers`."""
        await self.storage.subscriptions.add(
            target, FeedSpec(FeedKind.HF_DAILY), rules or Rules(catch_up=5), datetime.now(UTC)
        )
        self.feed.extend(daily(*papers))


# A channel that promotes one paper a cycle, its taste started by its keywords: of
# PROMOTED_PAPERS one is a card (saying why), the other a line of the list under it.
PROMOTING = Rules(catch_up=5, promote=1, keywords=parse_keywords("diffusion OR graph"))
PROMOTED_PAPERS = (("2611.00001", "Diffusion video models"), ("2611.00002", "Graph nets"))


def promoted_why(why: str) -> bool:
    """The why line of a card PROMOTING posted."""
    return why.startswith("new on Hugging Face Daily Papers · keyword ") and why.endswith(
        " · promoted by this channel's taste"
    )


def promoted_list(text: str) -> bool:
    """The list PROMOTING posted under its card: the other paper, with the keyword it met."""
    return (
        text.startswith("Also new here, ranked by this channel's taste:")
        and ("Graph nets" in text or "Diffusion video models" in text)
        and " — keyword " in text
    )


FULL_TEXT_PATHS = ("/html/", "/pdf/", "/papers/")
# What Hugging Face's markdown says of every paper when a test has it arrive late.
LATE_FULL_TEXT = """# 1 Introduction

Video diffusion models are slow to train. We make them faster.

# 4 Experiments

We fine-tune on the Kinetics-700 dataset of 650,000 clips.

Training takes two days.
"""


@asynccontextmanager
async def core(
    tmp_path: Path,
    database_url: str | None = None,
    *,
    full_text_hangs: bool = False,
    full_text_after: float | None = None,
    **more: Any,
) -> AsyncIterator[Core]:
    """The core from the composition root, as `paperboy run` has it: extractive answers from
    the abstract (no full text, no model, until a test sets one), Hugging Face answering with
    `feed`. SQLite in `tmp_path` unless `database_url` names another database; with
    `full_text_hangs`, every full-text source (arXiv HTML and PDF, Hugging Face's markdown)
    accepts the request and never answers; with `full_text_after`, each answers after that
    many seconds (Hugging Face's markdown with LATE_FULL_TEXT, the others with 404); `more`:
    other settings (OPENAI_BASE_URL=...)."""
    feed: list[dict[str, Any]] = []
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url or f"sqlite:///{tmp_path / 'paperboy.db'}",
        hf_base_url="http://hf",
        arxiv_api_url="http://api",
        arxiv_rss_url="http://rss",
        arxiv_base_url="http://arxiv",
        hf_live_search=False,
        http_attempts=1,
        arxiv_request_interval_seconds=0,
        **{"OPENAI_API_KEY": None, "OPENAI_BASE_URL": None, **more},
    )

    async def hugging_face(request: httpx.Request) -> httpx.Response:
        """The daily list answers with `feed`; nothing else is there (no full text)."""
        if request.url.host == "hf" and request.url.path.startswith("/api/daily_papers"):
            return httpx.Response(200, json=feed)
        if full_text_hangs and request.url.path.startswith(FULL_TEXT_PATHS):
            await asyncio.sleep(3600)  # cancelled when the app closes
        if full_text_after is not None and request.url.path.startswith(FULL_TEXT_PATHS):
            await asyncio.sleep(full_text_after)
            if request.url.path.endswith(".md"):
                return httpx.Response(200, text=LATE_FULL_TEXT)
        return httpx.Response(404)

    transport = httpx.MockTransport(hugging_face)
    async with open_app(settings, transport=transport) as app:
        # A test connects its platform's bot to the core's commands, then its publisher joins
        # the engine's, as the root does for Discord and Slack.
        publishers = cast(dict[str, Publisher], app.engine.deliverer.publishers)
        yield Core(app.storage, app.engine, app.commands, app.threads, publishers, feed)


def run_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """`paperboy run`'s environment: a fresh database, no playground, sources that fail fast."""
    return {
        "PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'run.db'}",
        "PAPERBOY_PLAYGROUND_ENABLED": "false",
        "PAPERBOY_POLL_SECONDS": "0.5",
        "PAPERBOY_HF_LIVE_SEARCH": "false",
        "PAPERBOY_HF_BASE_URL": "http://127.0.0.1:9/hf",
        "PAPERBOY_ARXIV_RSS_URL": "http://127.0.0.1:9/rss",
        **extra,
    }


async def start_paperboy(args: list[str], env: dict[str, str], cwd: Path) -> Process:
    """`paperboy ARGS` as a separate process (the fakes keep serving in this one)."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "from adapters.cli import main; main()",
        *args,
        env={**os.environ, **env},
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def paperboy_process(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """`paperboy ARGS` run to its end: the exit status and stderr."""
    process = await start_paperboy(args, env, cwd)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def stop_paperboy(process: Process) -> tuple[int, str]:
    """SIGTERM, as a service manager stops it: the exit status and stderr."""
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
    _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


# Texts people might type into any command's text fields: Hypothesis's own, and the shapes that
# broke parsers before (Unicode digits, NUL, deep parentheses, markup, mentions, huge numbers).
ODD_INPUTS = st.one_of(
    st.text(max_size=120),
    st.sampled_from(
        [
            "²", "①", "-", "\x00", "a\x00b", "((((((((((((((((((((((((x", '"unclosed', "\\",
            "<@&1> @here <!channel>", "http://[", "HTTPS://EVIL.EXAMPLE", "0001-01-01",
            "9999-12-31", "99999999999999999999", "2026-02-30", "NOT NOT NOT", "*", "日本語 🧪",
        ]
    ),
)  # fmt: skip
