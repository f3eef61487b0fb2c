"""End to end in a real headless browser: Debian's chromium driven by Playwright, against
`paperboy run` fed by a fake of the sources. Saves a screenshot to test-output/."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.fake_sources import FakeSources

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = ROOT / "test-output"
HOSTILE = '<script>window.pwned = 1</script> @everyone <img src=x onerror="window.pwned=2">'


def _chromium_or_skip() -> None:
    if Path(CHROMIUM).exists():
        return
    reason = "no chromium here (Debian package chromium); .ci/run installs it"
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


LATE = {
    "paper": {
        "id": "2606.00003",
        "title": "A paper listed while the page is open",
        "upvotes": 5,
        "summary": "It arrives live.",
        "publishedAt": datetime.now(UTC).isoformat(),
    }
}


def _daily(*more: dict[str, object]) -> bytes:
    yesterday = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    items: list[dict[str, object]] = [
        *more,
        {
            "paper": {
                "id": "2606.00001",
                "title": "Sparse attention for long documents",
                "upvotes": 40,
                "summary": "We study sparse attention. Sparse attention halves the memory of long documents.",
                "publishedAt": yesterday,
                "authors": [{"name": "Ada Lovelace"}],
            },
            "thumbnail": "https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2606.00001.png",
        },
        {
            "paper": {
                "id": "2606.00002",
                "title": HOSTILE,
                "upvotes": 30,
                "summary": "Hostile.",
                "publishedAt": yesterday,
            }
        },
    ]
    return json.dumps(items).encode()


@pytest.fixture
def bot(tmp_path: Path) -> Iterator[tuple[str, FakeSources]]:
    _chromium_or_skip()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with FakeSources({"hf": _daily()}, failing={"rss"}) as fake:
        env = {
            **os.environ,
            **fake.env(),
            "PAPERBOY_DATABASE_URL": f"sqlite:///{tmp_path / 'papers.db'}",
            "PAPERBOY_PLAYGROUND_PORT": str(port),
            "PAPERBOY_HTTP_ATTEMPTS": "1",
            "PAPERBOY_HF_LIVE_SEARCH": "false",
            "PAPERBOY_LOG_LEVEL": "WARNING",
            "PAPERBOY_POLL_SECONDS": "1",
        }
        process = subprocess.Popen(
            [sys.executable, "-c", "from adapters.cli import main; main()", "run"],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("[fetched]"):
                break
        try:
            yield f"http://127.0.0.1:{port}", fake
        finally:
            process.send_signal(signal.SIGTERM)
            process.communicate(timeout=30)


def test_a_person_uses_the_playground(bot: tuple[str, FakeSources]) -> None:
    from playwright.sync_api import sync_playwright

    url, fake = bot
    OUTPUT.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        page.goto(f"{url}/c/general")
        cards = page.locator("article.card")
        assert cards.count() == 2  # caught up with the feed's top papers
        assert "Sparse attention for long documents" in cards.nth(0).inner_text()
        # The hostile title is shown as text, and nothing in it ran.
        assert HOSTILE in cards.nth(1).inner_text()
        assert page.evaluate("window.pwned") is None
        assert "Can't reach arxiv-rss" in page.inner_text("body")
        assert "HTTP 503" in page.inner_text("body") and "SourceUnavailable" not in page.content()

        # The feed lists a new paper while the page is open: its card appears, no reload.
        page.evaluate("window.notReloaded = true")
        fake.bodies["hf"] = _daily(LATE)
        page.wait_for_selector("text=A paper listed while the page is open", timeout=20_000)
        assert page.evaluate("window.notReloaded") is True

        page.fill("#text", "/papers search sparse attention")
        page.click("button[type=submit]")
        page.wait_for_selector("text=Page 1:")
        assert "1. Sparse attention for long documents (arXiv:2606.00001)" in page.inner_text(
            "body"
        )

        # A card's "Related papers" runs `/papers related` for it, as if typed.
        cards.nth(0).locator("button.related").click()
        page.wait_for_selector("text=telling words of “Sparse attention for long documents”")

        page.click("text=Open thread · ask about this paper >> nth=0")
        page.wait_for_selector("text=Thread in")
        page.fill("#text", "How much memory does sparse attention save?")
        page.click("button[type=submit]")
        # The question shows at once, pending, the input cleared; then the answer streams in.
        assert page.locator(".msg.pending").count() == 1
        assert "Paperboy is thinking" in page.inner_text(".msg.pending")
        assert page.input_value("#text") == ""
        page.wait_for_selector("text=From the paper's abstract")
        page.wait_for_selector(".msg.pending", state="detached")
        assert page.locator(".text blockquote").count() >= 1  # the quote, rendered as one
        assert "Sparse attention halves the memory of long documents." in page.inner_text("body")
        page.goto(f"{url}/c/general")
        page.screenshot(path=str(OUTPUT / "playground.png"), full_page=True)
        assert page.evaluate("window.pwned") is None
        browser.close()
