"""A small Discord on loopback for the real discord.py: REST routes and a gateway websocket.

It speaks the wire protocol as Discord does (../shared/notes/PLATFORMS.md §4): HELLO, IDENTIFY,
heartbeats, READY, GUILD_CREATE; INTERACTION_CREATE, MESSAGE_CREATE, THREAD_CREATE and reactions
dispatched on demand. Messages are validated against Discord's limits (a 400 with code 50035 as
Discord answers), `nonce` + `enforce_nonce` return the first message while Discord remembers the
nonce (a few minutes: `forget_nonces` ends them), history shows no nonce (Discord keeps it only
briefly) and reads a thread as any channel, and any route can be told to answer 429 (with the
`Via` header and JSON body discord.py needs to treat it as a rate limit), 403 or 5xx. Every
request is kept in `wire` for assertions.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.fakes import LoopbackServer

APP_ID = "1100000000000000001"
BOT_ID = APP_ID  # a bot user's id is its application's
GUILD_ID = "1100000000000000002"
TEXT_CHANNEL = "1100000000000000003"
FORUM_CHANNEL = "1100000000000000004"
GONE_CHANNEL = "1100000000000000005"  # the bot lost access: every request there is a 403
USER_ID = "1100000000000000010"
MANAGE_CHANNELS = 1 << 4
EVERYONE = (1 << 10) | (1 << 11) | (1 << 31)  # view, send, use application commands


def user(user_id: str, name: str, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
        "flags": 0,
    }


BOT_USER = user(BOT_ID, "Paperboy", bot=True)


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    # Exactly `application/json` (no charset), or discord.py reads the body as text.
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        content_type="application/json",
        headers=headers,
    )


def _invalid(errors: list[str]) -> web.Response:
    shaped = {"_errors": [{"code": "BASE_TYPE_INVALID", "message": e} for e in errors]}
    return _json({"code": 50035, "message": "Invalid Form Body", "errors": shaped}, 400)


def embed_problems(embeds: list[dict[str, Any]]) -> list[str]:
    """Discord's embed limits (resources/message.mdx, "Embed Limits")."""
    problems = []
    if len(embeds) > 10:
        problems.append("more than 10 embeds")
    total = 0
    for embed in embeds:
        sizes = {
            "title": (len(embed.get("title") or ""), 256),
            "description": (len(embed.get("description") or ""), 4096),
            "footer": (len((embed.get("footer") or {}).get("text") or ""), 2048),
            "author": (len((embed.get("author") or {}).get("name") or ""), 256),
        }
        fields = embed.get("fields") or []
        if len(fields) > 25:
            problems.append("more than 25 fields")
        for f in fields:
            sizes[f"field {f.get('name')!r} name"] = (len(f.get("name") or ""), 256)
            sizes[f"field {f.get('name')!r} value"] = (len(f.get("value") or ""), 1024)
            if not f.get("name") or not f.get("value"):
                problems.append("a field without name or value")
        for name, (size, limit) in sizes.items():
            total += size
            if size > limit:
                problems.append(f"{name} is {size} > {limit}")
    if total > 6000:
        problems.append(f"embeds total {total} > 6000")
    return problems


def message_problems(body: dict[str, Any]) -> list[str]:
    problems = embed_problems(body.get("embeds") or [])
    content = body.get("content") or ""
    if len(content) > 2000:
        problems.append(f"content is {len(content)} > 2000")
    if not content and not body.get("embeds") and not body.get("components"):
        problems.append("empty message")
    rows = body.get("components") or []
    if len(rows) > 5:
        problems.append("more than 5 rows")
    for row in rows:
        buttons = row.get("components") or []
        if len(buttons) > 5:
            problems.append("more than 5 buttons in a row")
        for button in buttons:
            if len(button.get("label") or "") > 80:
                problems.append("button label > 80")
            if button.get("style") == 5 and not str(button.get("url", "")).startswith("http"):
                problems.append("link button without an http(s) url")
    return problems


DROPPED = 0  # a "status" for `FakeDiscord.fail`: the connection closes, nothing is answered


@dataclass
class Failure:
    method: str
    path: re.Pattern[str]
    status: int
    times: int
    retry_after: float = 0.2


@dataclass
class FakeDiscord(LoopbackServer):
    wire: list[tuple[str, str, Any]] = field(default_factory=list)  # (method, path, json)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # by channel id
    threads: dict[str, dict[str, Any]] = field(default_factory=dict)
    callbacks: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # interaction id
    followups: list[dict[str, Any]] = field(default_factory=list)
    commands: list[dict[str, Any]] = field(default_factory=list)
    identify: dict[str, Any] | None = None
    failures: list[Failure] = field(default_factory=list)
    nonces: set[tuple[str, str]] = field(default_factory=set)  # (channel, nonce) remembered now
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1200000000000000000))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # --- set-up ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(middlewares=[self._middleware])
        r = app.router
        r.add_get("/gateway", self._gateway)
        r.add_get("/api/v10/gateway/bot", self._gateway_bot)
        r.add_get("/api/v10/users/@me", self._me)
        r.add_get("/api/v10/oauth2/applications/@me", self._app_info)
        r.add_put("/api/v10/applications/{app}/commands", self._sync)
        r.add_get("/api/v10/channels/{channel}", self._get_channel)
        r.add_post("/api/v10/channels/{channel}/messages", self._create_message)
        r.add_get("/api/v10/channels/{channel}/messages", self._history)
        r.add_patch("/api/v10/channels/{channel}/messages/{message}", self._edit_message)
        r.add_get("/api/v10/channels/{channel}/messages/{message}", self._get_message)
        r.add_post("/api/v10/channels/{channel}/messages/{message}/threads", self._thread_from)
        r.add_post("/api/v10/channels/{channel}/threads", self._forum_post)
        r.add_post("/api/v10/channels/{channel}/typing", self._typing)
        r.add_post("/api/v10/interactions/{id}/{token}/callback", self._callback)
        r.add_post("/api/v10/webhooks/{app}/{token}", self._followup)
        r.add_patch("/api/v10/webhooks/{app}/{token}/messages/{message}", self._edit_original)
        r.add_delete("/api/v10/webhooks/{app}/{token}/messages/{message}", self._delete_original)
        await self._serve(app)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/v10"

    @property
    def gateway(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def fail(
        self, method: str, path: str, status: int, times: int = 1, retry_after: float = 0.2
    ) -> None:
        """The next `times` requests `method path` (a regex) answer `status` (`DROPPED`: the
        connection is closed instead of answered)."""
        self.failures.append(Failure(method, re.compile(path), status, times, retry_after))

    def forget_nonces(self) -> None:
        """The few minutes in which Discord checks a nonce for uniqueness have passed."""
        self.nonces.clear()

    # --- REST -----------------------------------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Any) -> web.StreamResponse:
        if request.path == "/gateway":
            return await handler(request)
        body = await request.json() if request.can_read_body else None
        self.wire.append((request.method, request.path, body))
        for failure in self.failures:
            if (
                failure.times
                and request.method == failure.method
                and failure.path.search(request.path)
            ):
                failure.times -= 1
                if failure.status == DROPPED and request.transport is not None:
                    request.transport.close()  # no answer at all: the connection drops
                    return web.Response()
                return self._failure(failure)
        if GONE_CHANNEL in request.path:
            return _json({"code": 50001, "message": "Missing Access"}, 403)
        return await handler(request)

    @staticmethod
    def _failure(failure: Failure) -> web.Response:
        if failure.status == 429:
            return _json(
                {
                    "message": "You are being rate limited.",
                    "retry_after": failure.retry_after,
                    "global": False,
                },
                429,
                {
                    "Retry-After": str(max(1, round(failure.retry_after))),
                    "Via": "1.1 google",
                    "X-RateLimit-Scope": "user",
                    "X-RateLimit-Bucket": "fake-bucket",
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset-After": str(failure.retry_after),
                },
            )
        if failure.status == 400:
            return _invalid(["rejected by the test"])
        if failure.status == 401:
            return _json({"code": 0, "message": "401: Unauthorized"}, 401)
        if failure.status == 403:
            return _json({"code": 50013, "message": "Missing Permissions"}, 403)
        return _json({"code": 0, "message": "Internal Server Error"}, failure.status)

    async def _me(self, request: web.Request) -> web.Response:
        return _json(BOT_USER)

    async def _typing(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _gateway_bot(self, request: web.Request) -> web.Response:
        return _json(
            {
                "url": self.gateway,
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 0,
                    "max_concurrency": 1,
                },
            }
        )

    async def _app_info(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": APP_ID,
                "name": "Paperboy",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user(USER_ID, "owner"),
                "verify_key": "0" * 64,
                "flags": 0,
                "team": None,
            }
        )

    async def _sync(self, request: web.Request) -> web.Response:
        commands = await request.json()
        for command in commands:
            size = len(command["name"]) + len(command.get("description", ""))
            if (
                not re.fullmatch(r"[a-z0-9_-]{1,32}", command["name"])
                or len(command.get("description", "")) > 100
            ):
                return _invalid([f"bad command {command['name']!r}"])
            for option in command.get("options", []):
                if len(option.get("options", [])) > 25 or len(option.get("description", "")) > 100:
                    return _invalid([f"bad option {option['name']!r}"])
                size += len(json.dumps(option))
            if size > 8000:
                return _invalid([f"command {command['name']!r} too large"])
        self.commands = [
            {**c, "id": str(next(self._ids)), "application_id": APP_ID, "version": "1"}
            for c in commands
        ]
        return _json(self.commands)

    def channel(self, channel_id: str) -> dict[str, Any]:
        if channel_id in self.threads:
            return self.threads[channel_id]
        base = {
            "id": channel_id,
            "guild_id": GUILD_ID,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "flags": 0,
        }
        if channel_id == FORUM_CHANNEL:
            return {
                **base,
                "type": 15,
                "name": "papers-forum",
                "available_tags": [
                    {
                        "id": "1300000000000000001",
                        "name": "cs.LG",
                        "moderated": False,
                        "emoji_id": None,
                        "emoji_name": None,
                    },
                    {
                        "id": "1300000000000000002",
                        "name": "cs.CV",
                        "moderated": False,
                        "emoji_id": None,
                        "emoji_name": None,
                    },
                ],
            }
        return {
            **base,
            "type": 0,
            "name": f"channel-{channel_id[-2:]}",
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }

    async def _get_channel(self, request: web.Request) -> web.Response:
        return _json(self.channel(request.match_info["channel"]))

    def new_message(
        self,
        channel_id: str,
        body: dict[str, Any],
        author: dict[str, Any] = BOT_USER,
        interaction: bool = False,
    ) -> dict[str, Any]:
        message = {
            "id": str(next(self._ids)),
            "channel_id": channel_id,
            "guild_id": GUILD_ID,
            "author": author,
            "content": body.get("content") or "",
            "timestamp": "2026-11-26T12:00:00.000000+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "type": 0,
            "flags": body.get("flags") or 0,
            "nonce": body.get("nonce"),
            "allowed_mentions": body.get("allowed_mentions"),
            "interaction_response": interaction,
        }
        if reference := body.get("message_reference"):
            message["message_reference"] = reference
        self.messages.setdefault(channel_id, []).append(message)
        return message

    def known(self, channel_id: str) -> bool:
        return (
            channel_id in (TEXT_CHANNEL, FORUM_CHANNEL, GONE_CHANNEL) or channel_id in self.threads
        )

    async def _create_message(self, request: web.Request) -> web.Response:
        channel_id, body = request.match_info["channel"], (await request.json())
        if not self.known(channel_id):
            return _json({"code": 10003, "message": "Unknown Channel"}, 404)
        if problems := message_problems(body):
            return _invalid(problems)
        nonce = body.get("nonce")
        if body.get("enforce_nonce") and nonce and (channel_id, nonce) in self.nonces:
            for earlier in self.messages.get(channel_id, []):
                if earlier["nonce"] == nonce and earlier["author"]["id"] == BOT_ID:
                    return _json(earlier)
        if nonce:
            self.nonces.add((channel_id, nonce))
        return _json(self.new_message(channel_id, body))

    async def _get_message(self, request: web.Request) -> web.Response:
        for message in self.messages.get(request.match_info["channel"], []):
            if message["id"] == request.match_info["message"]:
                return _json(message)
        return _json({"code": 10008, "message": "Unknown Message"}, 404)

    async def _edit_message(self, request: web.Request) -> web.Response:
        body = await request.json()
        for message in self.messages.get(request.match_info["channel"], []):
            if message["id"] == request.match_info["message"]:
                edited = {**message, **body}
                if problems := message_problems(edited):
                    return _invalid(problems)
                message.update(body, edited_timestamp="2026-11-26T12:00:01.000000+00:00")
                return _json(message)
        return _json({"code": 10008, "message": "Unknown Message"}, 404)

    async def _history(self, request: web.Request) -> web.Response:
        channel_id, limit = request.match_info["channel"], int(request.query.get("limit", 50))
        if not self.known(channel_id):
            return _json({"code": 10003, "message": "Unknown Channel"}, 404)
        found = self.messages.get(channel_id, [])
        newest_first = [{k: v for k, v in m.items() if k != "nonce"} for m in reversed(found)]
        return _json(newest_first[:limit])

    def _thread(self, thread_id: str, parent: str, body: dict[str, Any]) -> dict[str, Any]:
        name = body.get("name") or ""
        thread = {
            "id": thread_id,
            "guild_id": GUILD_ID,
            "parent_id": parent,
            "owner_id": BOT_ID,
            "type": 11,
            "name": name,
            "last_message_id": None,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "flags": 0,
            "applied_tags": body.get("applied_tags") or [],
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": body.get("auto_archive_duration", 1440),
                "archive_timestamp": "2026-11-26T12:00:00.000000+00:00",
                "locked": False,
            },
        }
        self.threads[thread_id] = thread
        return thread

    async def _thread_from(self, request: web.Request) -> web.Response:
        body, parent, message_id = (
            (await request.json()),
            request.match_info["channel"],
            request.match_info["message"],
        )
        if not 1 <= len(body.get("name") or "") <= 100:
            return _invalid(["thread name must be 1-100 characters"])
        if body.get("auto_archive_duration", 1440) not in (60, 1440, 4320, 10080):
            return _invalid(["bad auto_archive_duration"])
        if not any(m["id"] == message_id for m in self.messages.get(parent, [])):
            return _json({"code": 10008, "message": "Unknown Message"}, 404)
        if message_id in self.threads:
            return _json(
                {"code": 160004, "message": "A thread has already been created for this message"},
                400,
            )
        thread = self._thread(message_id, parent, body)
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json(thread)

    async def _forum_post(self, request: web.Request) -> web.Response:
        body, forum = (await request.json()), request.match_info["channel"]
        if not 1 <= len(body.get("name") or "") <= 100:
            return _invalid(["thread name must be 1-100 characters"])
        if problems := message_problems(body.get("message") or {}):
            return _invalid(problems)
        message_id = str(next(self._ids))
        thread = self._thread(message_id, forum, body)
        message = self.new_message(message_id, body["message"])
        message["id"] = message_id  # a forum post's first message has the thread's id
        await self.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        return _json({**thread, "message": message})

    async def _callback(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.callbacks.append((request.match_info["id"], body))
        data = body.get("data") or {}
        if data and (problems := message_problems(data)) and body["type"] in (4, 7):
            return _invalid(problems)
        resource: dict[str, Any] = {"type": body["type"]}
        if body["type"] in (4, 7):
            resource["message"] = self.new_message(TEXT_CHANNEL, data, interaction=True)
        return _json(
            {"interaction": {"id": request.match_info["id"], "type": 2}, "resource": resource}
        )

    async def _followup(self, request: web.Request) -> web.Response:
        body = await request.json()
        if problems := message_problems(body):
            return _invalid(problems)
        self.followups.append(body)
        return _json(self.new_message(TEXT_CHANNEL, body, interaction=True))

    async def _delete_original(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def _edit_original(self, request: web.Request) -> web.Response:
        self.followups.append(await request.json())
        return _json(self.new_message(TEXT_CHANNEL, (await request.json()), interaction=True))

    # --- gateway --------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}})
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            if payload["op"] == 1:
                await ws.send_json({"op": 11})
            elif payload["op"] == 2:
                self.identify = payload["d"]
                await self._send(
                    ws,
                    "READY",
                    {
                        "v": 10,
                        "user": BOT_USER,
                        "guilds": [{"id": GUILD_ID, "unavailable": True}],
                        "session_id": "fake-session",
                        "resume_gateway_url": self.gateway,
                        "application": {"id": APP_ID, "flags": 0},
                        "shard": payload["d"].get("shard", [0, 1]),
                    },
                )
                await self._send(ws, "GUILD_CREATE", self.guild())
                self.ready.set()
        return ws

    def guild(self) -> dict[str, Any]:
        return {
            "id": GUILD_ID,
            "name": "Reading group",
            "icon": None,
            "owner_id": USER_ID,
            "unavailable": False,
            "member_count": 2,
            "large": False,
            "features": [],
            "emojis": [],
            "stickers": [],
            "roles": [
                {
                    "id": GUILD_ID,
                    "name": "@everyone",
                    "permissions": str(EVERYONE),
                    "position": 0,
                    "color": 0,
                    "hoist": False,
                    "managed": False,
                    "mentionable": False,
                    "flags": 0,
                }
            ],
            "channels": [
                self.channel(TEXT_CHANNEL),
                self.channel(FORUM_CHANNEL),
                self.channel(GONE_CHANNEL),
            ],
            "threads": [],
            "members": [
                {
                    "user": BOT_USER,
                    "roles": [],
                    "joined_at": "2026-01-01T00:00:00+00:00",
                    "deaf": False,
                    "mute": False,
                    "flags": 0,
                }
            ],
            "voice_states": [],
            "presences": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "premium_tier": 0,
            "preferred_locale": "en-US",
        }

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        for ws in self._sockets:
            if not ws.closed:
                await self._send(ws, event, data)

    # --- what people do -------------------------------------------------------------------

    def member(self, user_id: str = USER_ID, permissions: int = EVERYONE) -> dict[str, Any]:
        return {
            "user": user(user_id, "ada"),
            "roles": [],
            "joined_at": "2026-01-01T00:00:00+00:00",
            "deaf": False,
            "mute": False,
            "flags": 0,
            "permissions": str(permissions),
        }

    async def slash(
        self,
        subcommand: str,
        options: dict[str, Any] | None = None,
        *,
        channel: str = TEXT_CHANNEL,
        permissions: int = EVERYONE,
        kind: int = 2,
        focused: str | None = None,
    ) -> str:
        """Someone runs `/papers SUBCOMMAND` (kind 4: is typing it, for autocomplete)."""
        interaction_id = str(next(self._ids))
        opts = [
            {
                "name": k,
                "type": 4
                if isinstance(v, int) and not isinstance(v, bool)
                else 5
                if isinstance(v, bool)
                else 3,
                "value": v,
                **({"focused": True} if k == focused else {}),
            }
            for k, v in (options or {}).items()
        ]
        await self.dispatch(
            "INTERACTION_CREATE",
            self._interaction(
                interaction_id,
                kind,
                channel,
                permissions,
                {
                    "id": self.commands[0]["id"] if self.commands else "1",
                    "name": "papers",
                    "type": 1,
                    "options": [{"name": subcommand, "type": 1, "options": opts}],
                },
            ),
        )
        return interaction_id

    async def click(
        self, custom_id: str, message: dict[str, Any], *, channel: str = TEXT_CHANNEL
    ) -> str:
        interaction_id = str(next(self._ids))
        payload = self._interaction(
            interaction_id, 3, channel, EVERYONE, {"custom_id": custom_id, "component_type": 2}
        )
        payload["message"] = message
        await self.dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    def _interaction(
        self, interaction_id: str, kind: int, channel: str, permissions: int, data: dict[str, Any]
    ) -> dict[str, Any]:
        return {
            "id": interaction_id,
            "application_id": APP_ID,
            "type": kind,
            "token": f"token-{interaction_id}",
            "version": 1,
            "guild_id": GUILD_ID,
            "channel_id": channel,
            "channel": self.channel(channel),
            "member": self.member(permissions=permissions),
            "data": data,
            "locale": "en-US",
            "guild_locale": "en-US",
            "app_permissions": str((1 << 40) - 1),
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
            "attachment_size_limit": 8 * 1024 * 1024,
        }

    async def say(self, channel: str, content: str, user_id: str = USER_ID) -> dict[str, Any]:
        """Someone writes `content` in `channel` (a thread, say)."""
        message = self.new_message(channel, {"content": content}, user(user_id, "ada"))
        message["member"] = {k: v for k, v in self.member(user_id).items() if k != "user"}
        await self.dispatch("MESSAGE_CREATE", message)
        return message

    async def react(
        self,
        channel: str,
        message_id: str,
        user_id: str = USER_ID,
        emoji: str = "👍",
        *,
        add: bool = True,
    ) -> None:
        """Someone adds (or removes) a reaction."""
        await self.dispatch(
            "MESSAGE_REACTION_ADD" if add else "MESSAGE_REACTION_REMOVE",
            {
                "user_id": user_id,
                "channel_id": channel,
                "message_id": message_id,
                "guild_id": GUILD_ID,
                "emoji": {"id": None, "name": emoji},
                "type": 0,
                "burst": False,
                "member": self.member(user_id),
            },
        )

    # --- reading the wire -----------------------------------------------------------------

    def posts(self, channel: str) -> list[dict[str, Any]]:
        """Messages the bot posted in `channel`."""
        found = self.messages.get(channel, [])
        return [m for m in found if m["author"]["id"] == BOT_ID and not m["interaction_response"]]

    def requests(self, method: str, pattern: str) -> list[Any]:
        return [body for m, path, body in self.wire if m == method and re.search(pattern, path)]
