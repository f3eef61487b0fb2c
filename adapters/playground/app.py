"""The playground's web app (Starlette): server-rendered pages, a JSON API, a little JavaScript.

    GET  /c/{channel}                     the channel: cards, messages, composer
    GET  /c/{channel}/t/{id}              a card's thread
    GET  /api/channels                    {"channels": [...]}
    GET  /api/channels/{channel}/messages {"messages": [...]}
    POST /api/channels/{channel}/messages {"text": "...", "author": "..."} -> {"posted", "reply"}
    GET  /api/messages/{id}/replies       {"replies": [...]}
    POST /api/messages/{id}/replies       {"text": "...", "author": "..."} -> {"posted", "reply"}
    GET  /api/status                      {"sources": {feed: error or null}}

Text starting with `/papers` is a command, answered by the bot. Everything shown is escaped.

A POST must be `application/json` from the playground's own origin (no form a foreign page can
send, no cross-site request), its body at most MAX_BODY bytes.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.playground.log import ChannelLog, Message
from adapters.playground.publisher import BOT, PLATFORM, card_json
from bot.commands import Commands, Context, Reply
from bot.domain import Target
from bot.text import whole_number
from bot.threads import NOT_UNDER_A_CARD, ThreadAnswers

CHANNEL = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
MAX_TEXT = 4000
MAX_BODY = 64 * 1024
# C0 controls but tab and newlines: some databases refuse a NUL, and no chat message means one.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)


@dataclass
class Playground:
    log: ChannelLog
    commands: Commands
    threads: ThreadAnswers  # questions in threads, answered as on every other platform
    token: str | None = None  # required on every request when set (bound beyond loopback)
    sources: dict[str, str | None] = field(default_factory=dict)  # feed -> last error, None if ok


class BadInput(ValueError):
    status = 400


class Refused(BadInput):
    status = 403


class TooLarge(BadInput):
    status = 413


class NotJson(BadInput):
    status = 415


def _channel(request: Request) -> str:
    name = str(request.path_params["channel"])
    if not CHANNEL.fullmatch(name):
        raise BadInput("a channel name is 1-40 lowercase letters, digits and dashes")
    return name


def _same_origin(request: Request) -> None:
    """A browser names the page's origin on every cross-site POST; it must be this host's."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise Refused("requests from other sites are refused")
    origin = request.headers.get("origin")
    if origin is None:
        return  # not a browser (curl, scripts): nothing to forge
    host = request.headers.get("x-forwarded-host") or request.headers.get("host", "")
    try:
        netloc = urlsplit(origin).netloc
    except ValueError:
        netloc = ""
    if netloc.lower() != host.lower():
        raise Refused("requests from other sites are refused")


async def _body(request: Request) -> object:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise NotJson('send JSON (Content-Type: application/json): {"text": "..."}')
    declared = whole_number(request.headers.get("content-length", "0"), most=2**62)
    if declared is not None and declared > MAX_BODY:
        raise TooLarge(f"a request body holds at most {MAX_BODY // 1024} KiB")
    raw = b""
    async for chunk in request.stream():
        raw += chunk
        if len(raw) > MAX_BODY:
            raise TooLarge(f"a request body holds at most {MAX_BODY // 1024} KiB")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):  # RecursionError: arrays nested thousands deep
        raise BadInput('send JSON: {"text": "..."}') from None


async def _text(request: Request) -> tuple[str, str]:
    _same_origin(request)
    body = await _body(request)
    if not isinstance(body, dict):
        raise BadInput("the message has no text")
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise BadInput("the message has no text")
    if len(text) > MAX_TEXT:
        raise BadInput(f"a message holds at most {MAX_TEXT} characters")
    if CONTROL.search(text):
        raise BadInput("the message has a control character in it (such as NUL)")
    author = body.get("author")
    author = author if isinstance(author, str) else "you"
    return text.strip(), " ".join(CONTROL.sub("", author).split())[:40] or "you"


def _reader(request: Request) -> str:
    """Whom the language-model budget counts: the client's address, not the author it chose."""
    return f"playground:{request.client.host if request.client else 'local'}"


def build_app(pg: Playground, extra: Sequence[BaseRoute] = ()) -> Starlette:
    """The playground's routes, and `extra` ones behind the same token (the operator's)."""

    async def post_reply(channel: str, reply: Reply, thread_of: int | None) -> Message:
        """The bot's reply. In the channel, a reply with several cards posts each as a message
        of its own, so that each card has a thread about its paper; the reply returned lists
        them all (each card with its `message_id`), as one reply."""
        target = Target(PLATFORM, channel)
        cards = [card_json(c) for c in reply.cards]
        if len(cards) <= 1 or thread_of is not None:
            message = await pg.log.add(channel, BOT, reply.text, cards, thread_of=thread_of)
            if cards and thread_of is None:
                await pg.threads.open(target, str(message["id"]), reply.cards[0].arxiv_id)
            return {**message, "cards": [{**c, "message_id": message["id"]} for c in cards]}
        message = await pg.log.add(channel, BOT, reply.text)
        shown = []
        for card, data in zip(reply.cards, cards, strict=True):
            posted = await pg.log.add(channel, BOT, "", [data])
            await pg.threads.open(target, str(posted["id"]), card.arxiv_id)
            shown.append({**data, "message_id": posted["id"]})
        return {**message, "cards": shown}

    async def known_paper(target: Target, thread_of: int, thread: str) -> None:
        """A card posted before threads were opened for command replies: its thread is about
        its one card (a message with several has no one paper)."""
        if await pg.threads.paper_of(target, thread) is not None:
            return
        parent = await pg.log.get(thread_of)
        if parent is not None and len(parent["cards"]) == 1:
            await pg.threads.open(target, thread, parent["cards"][0]["arxiv_id"])

    async def bot_reply(
        channel: str, text: str, author: str, thread_of: int | None, reader: str
    ) -> Message | None:
        target = Target(PLATFORM, channel)
        thread = str(thread_of) if thread_of is not None else None
        if thread_of is not None and thread is not None:
            await known_paper(target, thread_of, thread)
        if text.startswith("/papers"):
            ctx = Context(target, author, True, thread=thread)
            reply = await pg.commands.handle(text[len("/papers") :], ctx)
            return await post_reply(channel, reply, thread_of)
        if thread is not None:
            answer = await pg.threads.answer(target, thread, reader, text)
            return await pg.log.add(channel, BOT, answer or NOT_UNDER_A_CARD, thread_of=thread_of)
        return None

    async def channel_page(request: Request) -> Response:
        channel = _channel(request)
        html = TEMPLATES.get_template("channel.html").render(
            channel=channel,
            channels=sorted({channel, "general", *await pg.log.channels()}),
            messages=await pg.log.channel(channel),
            sources=pg.sources,
            thread=None,
        )
        return HTMLResponse(html)

    async def thread_page(request: Request) -> Response:
        channel = _channel(request)
        parent = await pg.log.get(int(request.path_params["message_id"]))
        if parent is None or parent["channel"] != channel:
            return HTMLResponse("No such message.", status_code=404)
        html = TEMPLATES.get_template("channel.html").render(
            channel=channel,
            channels=sorted({channel, "general", *await pg.log.channels()}),
            messages=[parent, *await pg.log.replies(parent["id"])],
            sources=pg.sources,
            thread=parent,
        )
        return HTMLResponse(html)

    async def list_channels(request: Request) -> Response:
        return JSONResponse({"channels": sorted({"general", *await pg.log.channels()})})

    async def channel_messages(request: Request) -> Response:
        channel = _channel(request)
        if request.method == "GET":
            return JSONResponse({"messages": await pg.log.channel(channel)})
        text, author = await _text(request)
        posted = await pg.log.add(channel, author, text)
        return JSONResponse(
            {
                "posted": posted,
                "reply": await bot_reply(channel, text, author, None, _reader(request)),
            }
        )

    async def thread_replies(request: Request) -> Response:
        parent = await pg.log.get(int(request.path_params["message_id"]))
        if parent is None:
            return JSONResponse({"error": "no such message"}, status_code=404)
        if request.method == "GET":
            return JSONResponse({"replies": await pg.log.replies(parent["id"])})
        text, author = await _text(request)
        thread = parent["thread_of"] or parent["id"]
        posted = await pg.log.add(parent["channel"], author, text, thread_of=thread)
        return JSONResponse(
            {
                "posted": posted,
                "reply": await bot_reply(parent["channel"], text, author, thread, _reader(request)),
            }
        )

    async def status(request: Request) -> Response:
        return JSONResponse({"sources": pg.sources})

    async def home(request: Request) -> Response:
        return RedirectResponse("/c/general")

    async def guard(request: Request, call_next: RequestResponseEndpoint) -> Response:
        if pg.token:
            offered = (
                request.query_params.get("token")
                or request.cookies.get("paperboy_token")
                or request.headers.get("authorization", "").removeprefix("Bearer ")
            )
            if not hmac.compare_digest(offered.encode(), pg.token.encode()):
                return JSONResponse({"error": "a token is needed: ?token=..."}, status_code=401)
        response = await call_next(request)
        if pg.token and request.query_params.get("token"):
            response.set_cookie("paperboy_token", pg.token, httponly=True, samesite="strict")
        return response

    async def bad_input(request: Request, exc: Exception) -> Response:
        return JSONResponse({"error": str(exc)}, status_code=getattr(exc, "status", 400))

    return Starlette(
        routes=[
            Route("/", home),
            Route("/c/{channel}", channel_page),
            Route("/c/{channel}/t/{message_id:int}", thread_page),
            Route("/api/channels", list_channels),
            Route("/api/channels/{channel}/messages", channel_messages, methods=["GET", "POST"]),
            Route(
                "/api/messages/{message_id:int}/replies", thread_replies, methods=["GET", "POST"]
            ),
            Route("/api/status", status),
            *extra,
        ],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard)],
        exception_handlers={BadInput: bad_input},
    )
