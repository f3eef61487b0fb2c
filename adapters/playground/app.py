"""The playground's web app (Starlette): server-rendered pages, a JSON API, a little JavaScript.

    GET  /c/{channel}                     the channel: cards, messages, composer
    GET  /c/{channel}/t/{id}              a card's thread
    GET  /api/channels                    {"channels": [...]}
    GET  /api/channels/{channel}/messages {"messages": [...]}
    POST /api/channels/{channel}/messages {"text": "...", "author": "..."} -> {"posted", "reply"}
    GET  /api/messages/{id}/replies       {"replies": [...]}
    POST /api/messages/{id}/replies       {"text": "...", "author": "..."} -> {"posted", "reply"}
    POST /api/messages/{id}/reactions     {"reaction": "👍", "author": "...", "remove": false}
                                          -> {"counted": true} (a vote; the channel's taste)
    GET  /api/status                      {"sources": {feed: error or null}}

Text starting with `/papers` is a command, answered by the bot. Everything shown is escaped.

A POST must be `application/json` from the playground's own origin (no form a foreign page can
send, no cross-site request), its body at most MAX_BODY bytes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import BaseRoute, Route

from adapters.guard import token_guard
from adapters.playground.log import ChannelLog, Message
from adapters.playground.publisher import BOT, PLATFORM, card_json
from adapters.playground.render import rich_text
from bot.commands import Commands, Context, Reply
from bot.cycle import utc_now
from bot.domain import FeedSpec, Target
from bot.feeds import SourceHealth
from bot.pauses import Runs
from bot.text import whole_number
from bot.threads import NOT_UNDER_A_CARD, ThreadAnswers

CHANNEL = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
MAX_TEXT = 4000
MAX_BODY = 64 * 1024
# C0 controls but tab and newlines: some databases refuse a NUL, and no chat message means one.
# And half of a character: JSON may carry a lone surrogate (`"\ud83d"`), which no database
# stores as text.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
)
TEMPLATES.filters["rich"] = rich_text
log = logging.getLogger(__name__)
LIVE_POLL = 0.5  # seconds between looks for new messages (any process may have posted them)


def _plainly(error: str) -> str:
    """A source's error as a person would say it."""
    if "ConnectError" in error or "Name or service" in error or "No address" in error:
        return "no connection to it"
    if "Timeout" in error or "timed out" in error:
        return "it does not answer"
    if code := re.search(r"HTTP (\d{3})", error):
        return f"it answers with an error (HTTP {code[1]})"
    return "what it sends cannot be read"


def outages(pg: Playground) -> list[str]:
    """One line per source that is down: which, since when, and when it is tried again."""
    lines = []
    if pg.health is not None:
        for feed, state in sorted(pg.health().items(), key=lambda item: str(item[0])):
            if state.last_error is None:
                continue
            since = f" since {state.failing_since:%H:%M} UTC" if state.failing_since else ""
            lines.append(
                f"Can't reach {feed}{since}: {_plainly(state.last_error)}. Paperboy tries again "
                "at its next poll, in a few minutes."
            )
        return lines
    for name, error in sorted(pg.sources.items()):
        if error:
            lines.append(f"Can't reach {name}: {_plainly(error)}. Paperboy tries again soon.")
    return lines


@dataclass
class Playground:
    log: ChannelLog
    commands: Commands
    threads: ThreadAnswers  # questions in threads, answered as on every other platform
    token: str | None = None  # required on every request when set (bound beyond loopback)
    sources: dict[str, str | None] = field(default_factory=dict)  # feed -> last error, None if ok
    # Each feed's state (since when it fails), for banners a person reads; `sources` without it.
    health: Callable[[], Mapping[FeedSpec, SourceHealth]] | None = None
    # A live stream ends after this long and the browser reconnects at once (EventSource does):
    # no connection is held forever through proxies, and a stopping server is not kept waiting.
    live_seconds: float = 25.0
    _later: set[asyncio.Task[None]] = field(default_factory=set)

    def later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` after the reply (the rest of an answer), kept until it ends or `close`."""
        task = asyncio.create_task(work)
        self._later.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._later.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.error("the rest of an answer was not posted", exc_info=exc)

    async def close(self) -> None:
        """Stop the work still going after replies (the process is stopping)."""
        for task in list(self._later):
            task.cancel()
        await asyncio.gather(*self._later, return_exceptions=True)


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
            # The answer up to a pause is the reply; what follows (the full text's answer,
            # when it arrives after the abstract's: bot.pauses) is the thread's next message.
            runs = Runs(pg.threads.stream(target, thread, reader, text))
            answer = "".join([piece async for piece in runs.run()])
            posted = await pg.log.add(channel, BOT, answer or NOT_UNDER_A_CARD, thread_of=thread_of)
            if not runs.ended:
                pg.later(post_the_rest(channel, runs, thread_of))
            return posted
        return None

    async def post_the_rest(channel: str, runs: Runs, thread_of: int | None) -> None:
        while not runs.ended:
            rest = "".join([piece async for piece in runs.run()])
            if rest.strip():
                await pg.log.add(channel, BOT, rest, thread_of=thread_of)

    async def channel_page(request: Request) -> Response:
        channel = _channel(request)
        html = TEMPLATES.get_template("channel.html").render(
            channel=channel,
            channels=sorted({channel, "general", *await pg.log.channels()}),
            messages=await pg.log.channel(channel),
            outages=outages(pg),
            subscribed=await subscribed(channel),
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
            outages=outages(pg),
            subscribed=[],
            thread=parent,
        )
        return HTMLResponse(html)

    async def subscribed(channel: str) -> list[str]:
        subs = await pg.commands.subscriptions.for_target(Target(PLATFORM, channel))
        return sorted({str(s.feed) for s in subs})

    async def live(
        request: Request, channel: str, thread: Message | None, after: int
    ) -> AsyncIterator[str]:
        macro = TEMPLATES.get_template("message.html").module.message  # type: ignore[attr-defined]
        yield "retry: 1000\n\n"
        ends = time.monotonic() + pg.live_seconds
        root = thread["id"] if thread else None
        while time.monotonic() < ends and not await request.is_disconnected():
            for m in await pg.log.after(channel, root, after):
                after = m["id"]
                html = str(macro(m, thread))
                data = {"id": after, "html": html, "bot": m["author"] == BOT, "text": m["text"]}
                yield f"id: {after}\ndata: {json.dumps(data)}\n\n"
            await asyncio.sleep(LIVE_POLL)

    def _after(request: Request) -> int:
        seen = request.headers.get("last-event-id") or request.query_params.get("after", "0")
        return whole_number(seen, most=2**62) or 0

    def stream(body: AsyncIterator[str]) -> Response:
        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(body, media_type="text/event-stream", headers=headers)

    async def channel_events(request: Request) -> Response:
        channel = _channel(request)
        return stream(live(request, channel, None, _after(request)))

    async def thread_events(request: Request) -> Response:
        parent = await pg.log.get(int(request.path_params["message_id"]))
        if parent is None:
            return JSONResponse({"error": "no such message"}, status_code=404)
        root = await pg.log.get(parent["thread_of"]) if parent["thread_of"] else parent
        assert root is not None
        return stream(live(request, root["channel"], root, _after(request)))

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

    async def react(request: Request) -> Response:
        """A reaction on a card: a vote for `top`, and a signal for the channel's taste (a 👎
        counts against the paper's kind)."""
        _same_origin(request)
        message = await pg.log.get(int(request.path_params["message_id"]))
        if message is None:
            return JSONResponse({"error": "no such message"}, status_code=404)
        body = await _body(request)
        reaction = body.get("reaction") if isinstance(body, dict) else None
        if not isinstance(reaction, str) or not 0 < len(reaction) <= 40:
            raise BadInput('name the reaction: {"reaction": "👍"}')
        if CONTROL.search(reaction):
            raise BadInput("the reaction has a control character in it (such as NUL)")
        assert isinstance(body, dict)
        author = body.get("author")
        voter = author if isinstance(author, str) and author.strip() else _reader(request)
        votes = pg.commands.votes
        target = Target(PLATFORM, message["channel"])
        counted = votes is not None and await votes.vote(
            target,
            str(message["id"]),
            CONTROL.sub("", voter)[:100],
            reaction,
            utc_now(),
            up=body.get("remove") is not True,
        )
        return JSONResponse({"counted": counted})

    async def status(request: Request) -> Response:
        return JSONResponse({"sources": pg.sources})

    async def home(request: Request) -> Response:
        return RedirectResponse("/c/general")

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
            Route("/api/messages/{message_id:int}/reactions", react, methods=["POST"]),
            Route("/api/status", status),
            Route("/api/channels/{channel}/events", channel_events),
            Route("/api/messages/{message_id:int}/events", thread_events),
            *extra,
        ],
        middleware=[token_guard(pg.token)],
        exception_handlers={BadInput: bad_input},
    )
