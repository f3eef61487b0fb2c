"""A local stand-in for huggingface.co, the arXiv API and arXiv RSS, on a loopback port.

Serves files from a folder by route, counts requests, and can be told to fail, so the real
HTTP stack (settings -> httpx -> parsers) is exercised without the internet:

    with FakeSources({"hf": daily_json, "rss": rss_xml}) as fake:
        env = fake.env()  # PAPERBOY_HF_BASE_URL=http://127.0.0.1:PORT/hf ...
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType


@dataclass
class FakeSources:
    bodies: dict[str, bytes]  # route ("hf", "hf-paper", "arxiv-api", "rss") -> body
    failing: set[str] = field(default_factory=set)  # routes answering 503
    hits: list[str] = field(default_factory=list)

    def __enter__(self) -> FakeSources:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.hits.append(self.path)
                route = outer.route(self.path)
                if route == "hf-day" and "hf" in outer.failing:
                    route = "hf"  # Hugging Face down: every day's list fails
                body = outer.bodies.get(route, b"[]" if route == "hf-day" else None)
                if route in outer.failing or body is None:
                    self.send_response(503 if route in outer.failing else 404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def route(path: str) -> str:
        if path.startswith("/hf/api/daily_papers") and "date=" in path:
            return "hf-day"  # an earlier day's list (the bot reads three): none unless set
        if path.startswith("/hf/api/daily_papers"):
            return "hf"
        if path.startswith("/hf/api/papers/search"):
            return "hf-search"
        if path.startswith("/hf/api/papers/"):
            return "hf-paper"
        if path.startswith("/arxiv/api/query"):
            return "arxiv-api"
        if path.startswith("/rss/"):
            return "rss"
        return "unknown"

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def env(self) -> dict[str, str]:
        return {
            "PAPERBOY_HF_BASE_URL": f"{self.base}/hf",
            "PAPERBOY_ARXIV_API_URL": f"{self.base}/arxiv/api/query",
            "PAPERBOY_ARXIV_RSS_URL": f"{self.base}/rss",
            "PAPERBOY_ARXIV_BASE_URL": f"{self.base}/arxiv",
            "PAPERBOY_ARXIV_REQUEST_INTERVAL_SECONDS": "0",
        }


def hf_daily(count: int, published: datetime) -> bytes:
    """A Hugging Face daily list of `count` papers ("Paper 1" ... upvoted 1 ...), published and
    listed (stamped at midnight, as Hugging Face does) on `published`'s day."""
    return json.dumps(
        [
            {
                "paper": {
                    "id": f"2606.{n:05d}",
                    "title": f"Paper {n}",
                    "upvotes": n,
                    "publishedAt": published.isoformat(),
                    "submittedOnDailyAt": f"{published:%Y-%m-%d}T00:00:00.000Z",
                },
            }
            for n in range(1, count + 1)
        ]
    ).encode()
