"""Send generated hostile and clumsy inputs to a running bot's playground and count what broke.

    .venv/bin/python scripts/fuzz.py [--inputs 10000] [--seed 1] [--database-url URL]

Starts `paperboy run` on a fresh database (a temporary SQLite file unless --database-url names
another, e.g. an empty PostgreSQL schema) with its sources pointed at a closed local port, so
nothing leaves the machine and every source fails as it would offline. Then it sends `--inputs`
requests to the playground's JSON API: `/papers` commands with odd numbers, dates, quotes,
parentheses and control characters, plain messages and thread questions, malformed and deeply
nested JSON, wrong content types, foreign origins and huge ids. It prints how many answers were
5xx, how many tracebacks the bot logged, and how many answers took longer than 3 s (the chat
platforms' deadline). Goal: 0 / 0 / 0. The exit status is 1 when any is not 0.

This reaches the core's command parser, search and thread answers through the playground;
the Discord and Slack adapters are driven with the same generated texts by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

VERBS = [
    "search",
    "subscribe",
    "unsubscribe",
    "resume",
    "subscriptions",
    "why",
    "show",
    "top",
    "ask",
    "digest",
    "help",
    "similar",
    "",
    "SEARCH",
    "subscribe hf-daily",
    "subscribe arxiv-rss:",
    "subscribe arxiv-query:",
]
OPTIONS = [
    "page",
    "since",
    "until",
    "author",
    "days",
    "cap",
    "min-upvotes",
    "catch-up",
    "keywords",
    "categories",
    "authors",
    "every",
    "top",
    "tz",
    "at",
    "sort",
]
ODD = [
    "²",
    "①",
    "٣",
    "0",
    "-1",
    "99999999999999999999",
    "1e9",
    "0x10",
    "",
    " ",
    "\x00",
    "\x07",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-W60",
    "((((",
    "))",
    '"',
    "'",
    "\\",
    "-",
    "@everyone",
    "<@123>",
    "<!channel>",
    "<script>alert(1)</script>",
    "http://[",
    "\u202e",
    "NOT",
    "AND OR",
    "*",
    "%",
    "_",
    "日本語",
    "🧪",
    "a" * 700,
    "(" * 3000,
    "ÿ" * 50,
    "\ufeff",
]


def _odd(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return "".join(chr(rng.randrange(0, 0x3000)) for _ in range(rng.randrange(0, 40)))
    return rng.choice(ODD)


def _command(rng: random.Random) -> str:
    parts = [rng.choice(VERBS)]
    for _ in range(rng.randrange(0, 4)):
        if rng.random() < 0.6:
            parts.append(f"{rng.choice(OPTIONS)}={_odd(rng)}")
        else:
            parts.append(_odd(rng))
    return "/papers " + " ".join(parts)


def _request(rng: random.Random, card: int | None) -> tuple[str, str, bytes, dict[str, str]]:
    """(method, path, body, headers) of one generated request."""
    json_headers = {"content-type": "application/json"}
    roll = rng.random()
    text = _command(rng) if roll < 0.55 else _odd(rng) + " " + _odd(rng)
    author: object = rng.choice(["ada", _odd(rng), 5, None, ["x"]])
    body = json.dumps({"text": text, "author": author}).encode()
    channel = rng.choice(["general", "lab", "Bad_Name!", "x" * 60, "%00", "..", "a-b"])
    path = f"/api/channels/{channel}/messages"
    if card is not None and rng.random() < 0.2:
        path = f"/api/messages/{card}/replies"
    if roll > 0.9:
        kind = rng.randrange(7)
        if kind == 0:
            body = b"[" * rng.choice([10, 1000, 100_000]) + b"]" * 10
        elif kind == 1:
            body = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 200)))
        elif kind == 2:
            json_headers = {
                "content-type": rng.choice(["text/plain", "application/x-www-form-urlencoded", ""])
            }
        elif kind == 3:
            json_headers = {**json_headers, "origin": "https://evil.example"}
        elif kind == 4:
            odd_id = rng.choice(["99999999999999999999", "-1", "0", "1e3", "²"])
            path = f"/api/messages/{odd_id}/replies"
        elif kind == 5:
            return (
                "GET",
                rng.choice(["/c/" + channel, f"/c/general/t/{10**30}", "/api/status"]),
                b"",
                {},
            )
        else:
            body = json.dumps({"text": {"nested": [text]}}).encode()
    return "POST", path, body, json_headers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    port = _free_port()
    closed = f"http://127.0.0.1:{_free_port()}"  # nothing listens there: sources fail fast
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PAPERBOY_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp) / 'fuzz.db'}",
            "PAPERBOY_PLAYGROUND_PORT": str(port),
            "PAPERBOY_HF_BASE_URL": closed,
            "PAPERBOY_ARXIV_API_URL": f"{closed}/api/query",
            "PAPERBOY_ARXIV_RSS_URL": f"{closed}/rss",
            "PAPERBOY_ARXIV_BASE_URL": closed,
            "PAPERBOY_HTTP_ATTEMPTS": "1",
            "PAPERBOY_ARXIV_REQUEST_INTERVAL_SECONDS": "0",
        }
        env.pop("OPENAI_API_KEY", None)
        env.pop("OPENAI_BASE_URL", None)
        log_path = Path(tmp) / "bot.log"
        with log_path.open("w") as log:
            bot = subprocess.Popen(
                [sys.executable, "-c", "from adapters.cli import main; main()", "run"],
                env=env,
                cwd=tmp,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                counts, slowest = _fuzz(rng, f"http://127.0.0.1:{port}", args.inputs)
            finally:
                bot.send_signal(signal.SIGTERM)
                bot.wait(timeout=60)
        logged = log_path.read_text()
    tracebacks = logged.count("Traceback")
    print(f"inputs sent:              {counts['sent']:,} (seed {args.seed})")
    print(f"answered 2xx / 3xx / 4xx: {counts['2xx']:,} / {counts['3xx']:,} / {counts['4xx']:,}")
    print(f"5xx answers:              {counts['5xx']}")
    print(f"tracebacks in the log:    {tracebacks}")
    print(f"answers slower than 3 s:  {counts['slow']}")
    print(f"slowest answer:           {slowest:.3f} s")
    if tracebacks:
        first = logged.index("Traceback")
        print("\nfirst traceback:\n" + logged[first : first + 3000])
    return 1 if counts["5xx"] or tracebacks or counts["slow"] else 0


def _fuzz(rng: random.Random, base: str, inputs: int) -> tuple[dict[str, int], float]:
    counts = dict.fromkeys(["sent", "2xx", "3xx", "4xx", "5xx", "slow"], 0)
    slowest = 0.0
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(300):  # the bot starts (migrations, first poll) within a minute
            try:
                if client.get("/api/status").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise SystemExit("the bot did not start: see its log")
        posted = client.post("/api/channels/general/messages", json={"text": "hello"}).json()
        card: int | None = posted["posted"]["id"]
        for _ in range(inputs):
            method, path, body, headers = _request(rng, card)
            began = time.perf_counter()
            response = client.request(method, path, content=body or None, headers=headers)
            took = time.perf_counter() - began
            counts["sent"] += 1
            slowest = max(slowest, took)
            counts["slow"] += took > 3
            bucket = f"{response.status_code // 100}xx"
            counts[bucket] = counts.get(bucket, 0) + 1
            if response.status_code >= 500:
                print(f"5xx: {method} {path} {body[:200]!r} -> {response.text[:200]}")
    return counts, slowest


if __name__ == "__main__":
    sys.exit(main())
