"""The Slack app Paperboy runs (slack-bolt `AsyncApp`): `/papers`, answers in the cards'
threads, reactions as votes. Socket Mode (an app-level token, no public URL) or HTTP mode (a
signing secret and a port behind your HTTPS endpoint).

Slack wants every request acknowledged within 3 seconds: commands and events are acked first,
then answered through `respond` (commands) or the Web API (threads, where answers stream in).
Thread context is kept in our database, never re-read with `conversations.replies` (heavily
rate-limited for most apps).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.publisher import PLATFORM, SlackPublisher, platform_errors
from adapters.slack.render import (
    RELATED_ACTION,
    Block,
    card_blocks,
    escape,
    fallback_text,
    fit,
    text_blocks,
)
from bot.commands import Commands, Context, Reply
from bot.domain import Signal, Target
from bot.engine import utc_now
from bot.errors import PlatformRefused
from bot.pauses import Runs
from bot.ports import PublishError, Votes
from bot.syntax import COMMANDS, Command, CommandError, parse, parse_words
from bot.threads import ThreadAnswers

log = logging.getLogger(__name__)

FAILED = Reply("Something went wrong on our side; please try again.", private=True, error=True)
# chat.startStream errors that mean this workspace or app cannot stream (not a passing fault).
NO_STREAMING = frozenset({"unknown_method", "not_allowed_token_type", "method_not_supported"})
UPDATE_EVERY = 1.0  # seconds between chat.update calls while an answer grows (Tier 3)
STREAM_BUFFER = 256  # characters of an answer sent in one stream call (slack_sdk's default)
HOW_TO_ASK = (
    "Ask about a paper in the thread under its card, or anywhere with "
    "`/papers ask ARXIV_ID your question`."
)
_MENTION = re.compile(r"<@[A-Z0-9]+>")
SEEN = 1000  # recent questions remembered, so a redelivered event is not answered twice


@dataclass(frozen=True, slots=True)
class SlackOptions:
    # Secrets: kept out of every repr (a log line, a traceback).
    bot_token: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)  # Socket Mode
    signing_secret: str | None = field(default=None, repr=False)  # HTTP mode
    host: str = "0.0.0.0"
    port: int = 3000
    api_base_url: str | None = None
    # Who may change a channel's subscriptions: any of "admins" (workspace admins and owners),
    # "creator" (the channel's creator), "everyone", or member ids such as U0123ABCD.
    managers: str = "admins,creator"


def web_client(options: SlackOptions) -> AsyncWebClient:
    """slack_sdk retries only connection errors by default: 429s are retried too (after
    `Retry-After`), twice, before the engine's own backoff takes over."""
    return AsyncWebClient(
        token=options.bot_token,
        base_url=options.api_base_url or AsyncWebClient.BASE_URL,
        retry_handlers=[
            AsyncConnectionErrorRetryHandler(),
            AsyncRateLimitErrorRetryHandler(max_retry_count=2),
        ],
    )


def question_of(text: str) -> str:
    return " ".join(_MENTION.sub(" ", text).split())


class SlackBot:
    def __init__(
        self,
        commands: Commands,
        threads: ThreadAnswers | None,
        votes: Votes | None,
        options: SlackOptions,
    ) -> None:
        self.commands, self.threads, self.votes, self.options = commands, threads, votes, options
        self.client = web_client(options)
        socket_mode = options.app_token is not None
        self.app = AsyncApp(
            client=self.client,
            signing_secret=options.signing_secret,
            request_verification_enabled=not socket_mode,
        )
        self.publisher = SlackPublisher(self.client)
        self._seen: OrderedDict[tuple[str, str], None] = OrderedDict()
        self._can_stream = True  # until the workspace says chat.startStream is not for us
        self._closed = asyncio.Event()
        self.app.command("/papers")(self.on_command)
        self.app.action("papers_page")(self.on_page)
        self.app.action(RELATED_ACTION)(self.on_related)
        self.app.action(re.compile(r"^link-\d+$"))(self.on_link)
        self.app.event("message")(self.on_message)
        self.app.event("app_mention")(self.on_mention)
        self.app.event("reaction_added")(self.on_reaction_added)
        self.app.event("reaction_removed")(self.on_reaction_removed)

    # --- running ---------------------------------------------------------------------------

    async def start(self) -> None:
        try:
            who = await self.client.auth_test()
        except SlackApiError as exc:
            raise PlatformRefused(
                f"Slack refused SLACK_BOT_TOKEN: {exc.response['error']}"
            ) from exc
        log.info("Slack: connected as %s in %s", who.get("user"), who.get("team"))
        if self.options.app_token:
            handler = AsyncSocketModeHandler(self.app, self.options.app_token)
            try:
                await handler.connect_async()  # type: ignore[no-untyped-call]
            except SlackApiError as exc:
                error = exc.response["error"]
                raise PlatformRefused(f"Slack refused SLACK_APP_TOKEN: {error}") from exc
            try:
                await self._closed.wait()
            finally:
                await handler.close_async()  # type: ignore[no-untyped-call]
            return
        runner = web.AppRunner(self.app.web_app(path="/slack/events"))
        await runner.setup()
        await web.TCPSite(runner, self.options.host, self.options.port).start()
        try:
            await self._closed.wait()
        finally:
            await runner.cleanup()

    async def close(self) -> None:
        self._closed.set()

    # --- /papers ---------------------------------------------------------------------------

    async def can_manage(self, channel: str, user: str) -> bool:
        allowed = {p.strip() for p in self.options.managers.split(",") if p.strip()}
        if "everyone" in allowed or user in allowed:
            return True
        try:
            if "admins" in allowed:
                who = (await self.client.users_info(user=user))["user"]
                if who.get("is_admin") or who.get("is_owner"):
                    return True
            if "creator" in allowed:
                where = (await self.client.conversations_info(channel=channel))["channel"]
                if where.get("creator") == user:
                    return True
        except SlackApiError as exc:
            log.warning("could not check %s's permissions in %s: %s", user, channel, exc)
        return False

    async def _reply(self, channel: str, user: str, command: Command) -> Reply:
        """The command's reply; the asker's permission is looked up only for a command that
        changes subscriptions."""
        can = COMMANDS[command.name].manages and await self.can_manage(channel, user)
        ctx = Context(Target(PLATFORM, channel), user, can_manage=can)
        try:
            return await self.commands.run(command, ctx)
        except Exception:
            log.exception("/papers %s failed", command.name)
            return FAILED

    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any) -> None:
        await ack()  # within Slack's 3 seconds; the answer follows through `respond`
        try:
            typed = parse(command.get("text") or "")
        except CommandError as exc:
            await self._respond(respond, self.rendered(Reply(str(exc), private=True, error=True)))
            return
        reply = await self._reply(command["channel_id"], command["user_id"], typed)
        await self._respond(respond, self.rendered(reply, typed))

    @staticmethod
    async def _respond(respond: Any, message: dict[str, Any]) -> None:
        """`respond` does not raise when Slack refuses: say so in the log at least."""
        sent = await respond(**message)
        if getattr(sent, "status_code", 200) != 200:
            log.warning("Slack refused a /papers reply: %s %s", sent.status_code, sent.body)

    async def on_page(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        action = body["actions"][0]
        state = json.loads(action["value"])
        try:
            if "q" in state:  # a button posted before commands were typed: its words
                typed = parse_words(list(state["q"])).but(page=int(state["page"]))
            elif state["c"] == "search":
                typed = Command("search", dict(state["v"])).but(page=int(state["page"]))
            else:
                raise ValueError(state["c"])
        except (KeyError, TypeError, ValueError):  # not a button of ours (CommandError too)
            log.warning("a page button without a search: %.200s", action.get("value"))
            return
        reply = await self._reply(body["channel"]["id"], body["user"]["id"], typed)
        message = self.rendered(reply, typed)
        await self._respond(respond, {**message, "replace_original": True})

    async def on_related(self, ack: Any, body: dict[str, Any], respond: Any) -> None:
        """A card's "Related papers": the closest stored papers, shown to whoever clicked."""
        await ack()
        paper = str(body["actions"][0].get("value") or "")
        command = Command("related", {"paper": paper})
        reply = await self._reply(body["channel"]["id"], body["user"]["id"], command)
        message = self.rendered(replace(reply, private=True), command)
        await self._respond(respond, {**message, "replace_original": False})

    async def on_link(self, ack: Any, body: dict[str, Any]) -> None:
        """A link button opens its URL; Slack still tells the app, which must ack. A click on
        a card's link tells the channel's taste."""
        await ack()
        container = body.get("container") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        message = container.get("message_ts")
        if not isinstance(channel, str) or not isinstance(message, str) or not self.threads:
            return
        target = Target(PLATFORM, channel)
        arxiv_id = await self.threads.paper_of(target, message)
        if arxiv_id is not None:
            await self.threads.noted(target, arxiv_id, Signal.CLICKED)

    def rendered(self, reply: Reply, command: Command | None = None) -> dict[str, Any]:
        blocks: list[Block] = text_blocks(reply.text) if reply.text else []
        for card in reply.cards:
            blocks += card_blocks(card, links=len(reply.cards) == 1)
        if command and command.name == "search" and reply.cards and not reply.error:
            blocks = fit(blocks, 49)
            blocks.append(self._pages(command))
        return {
            "text": fallback_text(reply.text or "Paperboy"),
            "blocks": fit(blocks),
            "response_type": "ephemeral" if reply.private else "in_channel",
            "unfurl_links": False,
            "unfurl_media": False,
        }

    @staticmethod
    def _pages(command: Command) -> Block:
        page = command.number("page") or 1
        values = {k: v for k, v in command.values.items() if k != "page"}
        buttons = []
        for label, number in (("◀ Previous", page - 1), ("Next ▶", page + 1)):
            value = json.dumps({"c": command.name, "v": values, "page": number})
            if number >= 1 and len(value) <= 2000:
                buttons.append(
                    {
                        "type": "button",
                        "action_id": "papers_page",
                        "text": {"type": "plain_text", "text": label},
                        "value": value,
                    }
                )
        return {"type": "actions", "block_id": f"pages-{page}", "elements": buttons}

    # --- threads ---------------------------------------------------------------------------

    def _first_time(self, channel: str, ts: str) -> bool:
        if (channel, ts) in self._seen:
            return False
        self._seen[(channel, ts)] = None
        if len(self._seen) > SEEN:
            self._seen.popitem(last=False)
        return True

    async def on_message(self, event: dict[str, Any], context: dict[str, Any]) -> None:
        thread = event.get("thread_ts")
        if not thread or thread == event.get("ts") or event.get("subtype") or event.get("bot_id"):
            return
        if f"<@{context.get('bot_user_id')}>" in (event.get("text") or ""):
            return  # an @mention: answered once, by on_mention
        await self._answer(event, thread, str(context.get("team_id") or ""))

    async def on_mention(self, event: dict[str, Any], say: Any, context: dict[str, Any]) -> None:
        thread = event.get("thread_ts")
        target = Target(PLATFORM, event["channel"])
        if not thread or (self.threads and await self.threads.paper_of(target, thread) is None):
            await say(text=HOW_TO_ASK, thread_ts=thread or event["ts"])
            return
        await self._answer(event, thread, str(context.get("team_id") or ""))

    async def _answer(self, event: dict[str, Any], thread: str, team: str) -> None:
        channel, user = event["channel"], event.get("user", "someone")
        question = question_of(event.get("text") or "")
        if self.threads is None or not question or not self._first_time(channel, event["ts"]):
            return
        target = Target(PLATFORM, channel)
        arxiv_id = await self.threads.paper_of(target, thread)
        if arxiv_id is None:
            return  # not a card's thread
        pieces = self.threads.stream(target, thread, user, question, arxiv_id)
        try:
            async with platform_errors("an answer"):
                await self._write(channel, thread, user, team, pieces)
        except PublishError as exc:
            log.warning("no answer posted in %s/%s: %s", channel, thread, exc)

    async def _write(
        self, channel: str, thread: str, user: str, team: str, pieces: AsyncIterator[str]
    ) -> None:
        """The answer in the thread, a message for each run of it between pauses (the answer
        from the abstract now, the full text's when it arrives: bot.pauses)."""
        runs = Runs(pieces)
        while not runs.ended:
            await self._write_run(channel, thread, user, team, runs.run())

    async def _write_run(
        self, channel: str, thread: str, user: str, team: str, pieces: AsyncIterator[str]
    ) -> None:
        """Stream the answer into the thread; where the workspace does not offer streaming,
        post it and update it as it grows."""
        read = ""
        if self._can_stream:
            refused = await self._stream(channel, thread, user, team, pieces)
            if refused is None:
                return
            read = refused
        await self._post_and_update(channel, thread, read, pieces)

    async def _stream(
        self, channel: str, thread: str, user: str, team: str, pieces: AsyncIterator[str]
    ) -> str | None:
        """Stream `pieces` through slack_sdk's `chat_stream` (chat.startStream, appendStream
        and stopStream, `STREAM_BUFFER` characters at a time); None once all are streamed. If
        Slack refuses to start the stream: the text read so far, the rest left in `pieces`."""
        stream = await self.client.chat_stream(
            channel=channel,
            thread_ts=thread,
            recipient_user_id=user,
            recipient_team_id=team or None,
            buffer_size=STREAM_BUFFER,
        )
        read = ""
        try:
            try:
                async for piece in pieces:
                    read += piece
                    await stream.append(markdown_text=escape(piece))
            except BaseException:
                if stream.ts is not None:
                    await stream.stop()  # a started stream is ended, whatever went wrong
                raise
            if read:
                await stream.stop()  # the rest of the buffer (starting the stream if need be)
        except SlackApiError as exc:
            if stream.ts is not None:
                raise  # the stream started, then failed: not a refusal
            error = exc.response.get("error") if exc.response is not None else None
            if error in NO_STREAMING:
                self._can_stream = False  # this workspace never will: stop trying
            log.info("Slack streaming unavailable (%s): posting and updating", error)
            return read
        return None

    async def _post_and_update(
        self, channel: str, thread: str, read: str, pieces: AsyncIterator[str]
    ) -> None:
        """Post the answer (`read`, then the rest of `pieces`) and update it as it grows, at
        most once every `UPDATE_EVERY` seconds; the whole at the end."""
        loop = asyncio.get_running_loop()
        shown, sent, ts, updated = read, "", None, 0.0
        async for piece in pieces:
            shown += piece
            if ts is not None and loop.time() - updated < UPDATE_EVERY:
                continue
            ts = await self._post_or_update(channel, thread, ts, shown)
            sent, updated = shown, loop.time()
        if shown != sent:
            await self._post_or_update(channel, thread, ts, shown)

    async def _post_or_update(self, channel: str, thread: str, ts: str | None, text: str) -> str:
        blocks = fit(text_blocks(text))
        if ts is None:
            posted = await self.client.chat_postMessage(
                channel=channel,
                thread_ts=thread,
                text=fallback_text(text),
                blocks=blocks,
                unfurl_links=False,
                unfurl_media=False,
            )
            return str(posted["ts"])
        await self.client.chat_update(
            channel=channel, ts=ts, text=fallback_text(text), blocks=blocks
        )
        return ts

    # --- votes -----------------------------------------------------------------------------

    async def _vote(self, event: dict[str, Any], up: bool) -> None:
        item = event.get("item") or {}
        reaction = str(event.get("reaction", ""))
        # A 👎 is kept too: it counts against the paper's kind in the channel's taste.
        if self.votes is None or item.get("type") != "message" or not reaction:
            return
        target = Target(PLATFORM, item["channel"])
        await self.votes.vote(target, item["ts"], event["user"], reaction, utc_now(), up=up)

    async def on_reaction_added(self, event: dict[str, Any]) -> None:
        await self._vote(event, True)

    async def on_reaction_removed(self, event: dict[str, Any]) -> None:
        await self._vote(event, False)
