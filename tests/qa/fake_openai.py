"""A local OpenAI-compatible server: `POST /v1/chat/completions` answers from a script and
keeps every request, so the real `openai` client is tested over real HTTP on loopback.

Each scripted answer is text (as JSON, or as a server-sent event stream when the request asks
`stream: true`), an HTTP status to fail with (429 with `retry-after-ms`), or `Broken(text)`: a
stream that sends `text` and then an error event midway. `delay` makes every answer slow.
`POST /v1/embeddings` answers each input with `embed(text)`."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any


@dataclass(frozen=True)
class Broken:
    """A stream that sends `text`, then fails."""

    text: str


def _chunk(model: str, content: str | None, finish: str | None = None) -> bytes:
    delta = {"content": content} if content is not None else {}
    data = {
        "id": "chatcmpl-1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(data)}\n\n".encode()


def _words_vector(text: str) -> list[float]:
    """A stand-in embedding: the text's words hashed into 64 dimensions."""
    vector = [0.0] * 64
    for word in text.lower().split():
        vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % 64] += 1.0
    return vector


@dataclass
class FakeOpenAI:
    answers: list[str | int | Broken]  # text to answer, an HTTP status to fail with, or Broken
    requests: list[dict[str, Any]] = field(default_factory=list)
    delay: float = 0.0  # seconds before each answer
    # `POST /v1/embeddings`: each input's vector; an int: the HTTP status to fail with.
    embed: Callable[[str], list[float]] | int = _words_vector

    def __enter__(self) -> FakeOpenAI:
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(
                    {"path": self.path, "auth": self.headers.get("Authorization"), **body}
                )
                if self.path.endswith("/embeddings"):
                    self._embeddings(body)
                    return
                answer = outer.answers.pop(0) if outer.answers else 500
                time.sleep(outer.delay)
                if body.get("stream") and not isinstance(answer, int):
                    usage = bool((body.get("stream_options") or {}).get("include_usage"))
                    self._stream(body["model"], answer, usage)
                    return
                if isinstance(answer, int):
                    payload = json.dumps(
                        {"error": {"message": "down", "type": "server_error"}}
                    ).encode()
                    self.send_response(answer)
                    if answer == 429:
                        self.send_header("retry-after-ms", "50")
                else:
                    payload = json.dumps(
                        {
                            "id": "chatcmpl-1",
                            "object": "chat.completion",
                            "created": 0,
                            "model": body["model"],
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": answer},
                                }
                            ],
                            "usage": {
                                "prompt_tokens": 10,
                                "completion_tokens": 5,
                                "total_tokens": 15,
                            },
                        }
                    ).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _embeddings(self, body: dict[str, Any]) -> None:
                texts = [body["input"]] if isinstance(body["input"], str) else body["input"]
                if isinstance(outer.embed, int):
                    status, payload = outer.embed, {"error": {"message": "no such model"}}
                else:
                    if body.get("encoding_format") != "float":
                        raise ValueError("base64 embeddings: Paperboy asks for floats")
                    data = [
                        {"object": "embedding", "index": n, "embedding": outer.embed(text)}
                        for n, text in enumerate(texts)
                    ]
                    usage = {"prompt_tokens": len(texts), "total_tokens": len(texts)}
                    status = 200
                    payload = {"object": "list", "data": data, "model": body["model"]}
                    payload["usage"] = usage
                encoded = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(encoded)))
                self.end_headers()
                self.wfile.write(encoded)

            def _stream(self, model: str, answer: str | Broken, usage: bool = False) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                text = answer.text if isinstance(answer, Broken) else answer
                for word in text.split(" "):
                    self.wfile.write(_chunk(model, word + " "))
                    self.wfile.flush()
                if isinstance(answer, Broken):
                    error = {"error": {"message": "overloaded", "type": "server_error"}}
                    self.wfile.write(f"data: {json.dumps(error)}\n\n".encode())
                else:
                    self.wfile.write(_chunk(model, None, "stop"))
                    if usage:  # as OpenAI sends it when asked: a last chunk with no choices
                        spent = {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}
                        last = {"id": "c", "object": "chat.completion.chunk", "created": 0}
                        last |= {"model": model, "choices": [], "usage": spent}
                        self.wfile.write(f"data: {json.dumps(last)}\n\n".encode())
                    self.wfile.write(b"data: [DONE]\n\n")
                self.wfile.flush()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"
