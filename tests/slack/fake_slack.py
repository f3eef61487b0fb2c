"""A small Slack on loopback for the real slack-bolt and slack_sdk: the Web API methods Paperboy
calls, `response_url`s, and a Socket Mode websocket (PLATFORMS.md §2 and §4).

It checks what Slack checks (Block Kit limits, `ok: false` errors such as `not_in_channel`),
answers 429 with `Retry-After` when told to, keeps message metadata for
`conversations.history` and `conversations.replies` (a thread oldest first, in pages with a
cursor, as Slack reads it), and records every call in `calls` for assertions. HTTP mode is driven
by signing requests the way Slack does (`signed`).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from aiohttp import WSMsgType, web

from tests.fakes import LoopbackServer

BOT_USER = "UPAPERBOY"
BOT_ID = "BPAPERBOY"
TEAM = "T0001"
CHANNEL = "C0001"
GONE = "C0GONE"  # the bot was removed from it
ADMIN = "UADMIN"
CREATOR = "UCREATOR"
MEMBER = "UMEMBER"
SECRET = "fake-signing-secret"


def block_problems(blocks: list[dict[str, Any]]) -> list[str]:
    """Block Kit's limits (docs.slack.dev/reference/block-kit; slack_sdk models/blocks)."""
    problems = []
    if len(blocks) > 50:
        problems.append(f"{len(blocks)} blocks > 50")
    for block in blocks:
        kind = block.get("type")
        text = (block.get("text") or {}).get("text", "")
        if kind == "header" and (len(text) > 150 or block["text"].get("type") != "plain_text"):
            problems.append("header text > 150 or not plain_text")
        if kind == "section":
            if not text and not block.get("fields"):
                problems.append("empty section")
            if len(text) > 3000:
                problems.append(f"section text {len(text)} > 3000")
        if kind == "context" and not 1 <= len(block.get("elements", [])) <= 10:
            problems.append("context needs 1-10 elements")
        if kind == "actions":
            elements = block.get("elements", [])
            if not 1 <= len(elements) <= 25:
                problems.append("actions needs 1-25 elements")
            for element in elements:
                if len(element["text"]["text"]) > 75 or len(element.get("url", "")) > 3000:
                    problems.append("button text > 75 or url > 3000")
                if len(element.get("value", "")) > 2000:
                    problems.append("button value > 2000")
    return problems


@dataclass
class FakeSlack(LoopbackServer):
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (method, arguments)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by channel
    responses: list[dict[str, Any]] = field(default_factory=list)  # posted to response_urls
    acks: dict[str, dict[str, Any]] = field(default_factory=dict)  # Socket Mode, by envelope
    rate_limited: dict[str, int] = field(default_factory=dict)  # method -> 429s still to give
    hello: asyncio.Event = field(default_factory=asyncio.Event)
    streaming: bool = True  # False: the workspace does not offer chat.startStream
    scopes: str | None = None  # the token's scopes, as Slack's X-OAuth-Scopes header says them
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_get("/link", self._socket)
        await self._serve(app)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/respond/{name}"

    # --- Web API ---------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                args.update(await request.json())
            else:
                args.update(dict(await request.post()))
        for name in ("blocks", "metadata"):
            if isinstance(args.get(name), str):
                args[name] = json.loads(args[name])
        self.calls.append((method, args))
        if "wrong" in request.headers.get("Authorization", ""):
            return web.json_response({"ok": False, "error": "invalid_auth"})
        if self.rate_limited.get(method):
            self.rate_limited[method] -= 1
            return web.json_response(
                {"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}
            )
        handler = getattr(self, "_" + method.replace(".", "_"), None)
        if handler is None:
            return web.json_response({"ok": False, "error": "unknown_method"})
        headers = {"X-OAuth-Scopes": self.scopes} if self.scopes is not None else None
        return web.json_response(await handler(args), headers=headers)

    async def _auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://fake.slack.com/",
            "team": "Lab",
            "user": "paperboy",
            "team_id": TEAM,
            "user_id": BOT_USER,
            "bot_id": BOT_ID,
        }

    async def _apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/link"}

    @staticmethod
    def _channel_problem(args: dict[str, Any]) -> str | None:
        if args.get("channel") == GONE:
            return "not_in_channel"
        if not args.get("channel"):
            return "channel_not_found"
        return None

    def _post_problems(self, args: dict[str, Any]) -> str | None:
        if error := self._channel_problem(args):
            return error
        blocks = args.get("blocks") or []
        if len(blocks) > 50:
            return "msg_blocks_too_long"
        if block_problems(blocks):
            return "invalid_blocks"
        if "unfetchable" in json.dumps(blocks):  # Slack could not download an image
            return "invalid_blocks"
        if not args.get("text") and not blocks:
            return "no_text"
        return None

    async def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        if error := self._post_problems(args):
            return {"ok": False, "error": error, "detail": block_problems(args.get("blocks") or [])}
        return self._post(args, args.get("text", ""))

    def _post(self, args: dict[str, Any], text: str, **more: Any) -> dict[str, Any]:
        n = next(self._ts)
        message = {
            "type": "message",
            "user": BOT_USER,
            "bot_id": BOT_ID,
            "ts": f"{1764158400 + n}.{n:06d}",
            "text": text,
            "blocks": args.get("blocks") or [],
            "thread_ts": args.get("thread_ts"),
            "metadata": args.get("metadata"),
            "unfurl_links": args.get("unfurl_links"),
            "unfurl_media": args.get("unfurl_media"),
            **more,
        }
        self.messages.setdefault(args["channel"], []).append(message)
        return {"ok": True, "channel": args["channel"], "ts": message["ts"], "message": message}

    async def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        if error := self._post_problems(args):
            return {"ok": False, "error": error}
        for message in self.messages.get(args["channel"], []):
            if message["ts"] == args["ts"]:
                message.update(
                    text=args.get("text", ""), blocks=args.get("blocks") or [], edited=True
                )
                return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        return {"ok": False, "error": "message_not_found"}

    async def _chat_startStream(self, args: dict[str, Any]) -> dict[str, Any]:
        if not self.streaming:
            return {"ok": False, "error": "unknown_method"}
        if not args.get("thread_ts"):
            return {"ok": False, "error": "invalid_arguments"}  # streams answer in threads only
        if not args.get("recipient_user_id") or not args.get("recipient_team_id"):
            return {"ok": False, "error": "missing_recipient"}  # required in channels
        if error := self._channel_problem(args):
            return {"ok": False, "error": error}
        text = _markdown(args)  # none yet is fine: the text may all come later
        if len(text) > 12000:
            return {"ok": False, "error": "msg_too_long"}
        return self._post(args, text, streaming=True)

    async def _chat_appendStream(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._stream_to(args, _markdown(args), stop=False)

    async def _chat_stopStream(self, args: dict[str, Any]) -> dict[str, Any]:
        return self._stream_to(args, _markdown(args), stop=True)

    def _stream_to(self, args: dict[str, Any], text: str, *, stop: bool) -> dict[str, Any]:
        if len(text) > 12000:
            return {"ok": False, "error": "msg_too_long"}
        for message in self.messages.get(args["channel"], []):
            if message["ts"] == args["ts"]:
                if not message.get("streaming"):
                    return {"ok": False, "error": "message_not_in_streaming_state"}
                message["text"] += text
                message["streaming"] = not stop
                return {"ok": True, "channel": args["channel"], "ts": args["ts"]}
        return {"ok": False, "error": "message_not_found"}

    async def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        limit = int(args.get("limit", 100))
        top = [m for m in self.messages.get(args["channel"], []) if not m["thread_ts"]]
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        shown = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in reversed(top)
        ]
        return {"ok": True, "messages": shown[:limit], "has_more": len(top) > limit}

    async def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        posted = self.messages.get(args["channel"], [])
        parent = [m for m in posted if m["ts"] == args["ts"] and not m["thread_ts"]]
        if not parent:
            return {"ok": False, "error": "thread_not_found"}
        thread = parent + [m for m in posted if m["thread_ts"] == args["ts"]]
        with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
        start, limit = int(args.get("cursor") or 0), int(args.get("limit", 1000))
        page = [
            m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
            for m in thread[start : start + limit]
        ]
        more = start + limit < len(thread)
        return {
            "ok": True,
            "messages": page,
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    async def _conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "channel": {"id": args["channel"], "creator": CREATOR, "is_channel": True},
        }

    async def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "user": {"id": args["user"], "is_admin": args["user"] == ADMIN, "is_owner": False},
        }

    async def _respond(self, request: web.Request) -> web.Response:
        body = await request.json()
        problems = block_problems(body.get("blocks") or [])
        self.responses.append({**body, "_url": request.match_info["id"], "_problems": problems})
        return web.Response(text="ok")

    # --- Socket Mode -----------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": 1,
                "connection_info": {"app_id": "A0001"},
                "debug_info": {"host": "fake"},
            }
        )
        self.hello.set()
        async for frame in ws:
            if frame.type == WSMsgType.TEXT:
                ack = json.loads(frame.data)
                self.acks[ack["envelope_id"]] = ack
        return ws

    async def envelope(self, kind: str, payload: dict[str, Any]) -> str:
        """Slack sends an envelope (slash_commands, events_api, interactive) over Socket Mode."""
        envelope_id = f"env-{next(self._ts)}"
        message = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": kind != "events_api",
            "retry_attempt": 0,
            "retry_reason": "",
        }
        for ws in self._sockets:
            if not ws.closed:
                await ws.send_json(message)
        return envelope_id

    # --- what people do --------------------------------------------------------------------

    def command(
        self, text: str, user: str = MEMBER, channel: str = CHANNEL, name: str = "cmd"
    ) -> dict[str, str]:
        return {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "lab",
            "channel_id": channel,
            "channel_name": "papers",
            "user_id": user,
            "user_name": "ada",
            "command": "/papers",
            "text": text,
            "api_app_id": "A0001",
            "response_url": self.response_url(name),
            "trigger_id": "1.2.3",
        }

    def event(self, event: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ts)
        return {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0001",
            "event": event,
            "type": "event_callback",
            "event_id": f"Ev{n:08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }

    def reply_in_thread(
        self, thread_ts: str, text: str, user: str = MEMBER, channel: str = CHANNEL
    ) -> dict[str, Any]:
        n = next(self._ts)
        return {
            "type": "message",
            "channel": channel,
            "user": user,
            "text": text,
            "ts": f"{1764159400 + n}.{n:06d}",
            "thread_ts": thread_ts,
            "channel_type": "channel",
            "event_ts": f"{1764159400 + n}.{n:06d}",
        }

    # --- reading ---------------------------------------------------------------------------

    def posts(self, channel: str = CHANNEL, thread: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.messages.get(channel, []) if m["thread_ts"] == thread]

    def called(self, method: str) -> list[dict[str, Any]]:
        return [args for m, args in self.calls if m == method]


def _markdown(args: dict[str, Any]) -> str:
    """The text a stream call adds: `markdown_text`, or its chunks of type `markdown_text`
    (what slack_sdk's `chat_stream` sends); task and plan chunks are not message text."""
    chunks = args.get("chunks") or []
    text = "".join(c.get("text", "") for c in chunks if c.get("type") == "markdown_text")
    return (args.get("markdown_text") or "") + text


def signed(body: str, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """The headers Slack sends with a request: `v0=` HMAC-SHA256 of `v0:timestamp:body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def form(data: dict[str, str]) -> str:
    return urlencode(data)
