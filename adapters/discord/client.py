"""The Discord client Paperboy runs: minimal intents, no mention can ever ping, `/papers`
registered at start, questions in the cards' threads answered there, reactions counted as votes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field

import discord
import yarl
from discord import app_commands
from discord.gateway import DiscordWebSocket

from adapters.discord.commands import papers_group, related_button
from adapters.discord.publisher import (
    PLATFORM,
    ArchiveMinutes,
    DiscordPublisher,
    platform_errors,
)
from adapters.discord.render import chunks, safe
from bot.commands import Commands
from bot.domain import Target
from bot.engine import utc_now
from bot.errors import PlatformRefused
from bot.pauses import Pause
from bot.ports import PublishError, Votes
from bot.threads import ThreadAnswers

log = logging.getLogger(__name__)

EDIT_EVERY = 1.0  # seconds between edits of an answer being written
HOW_TO_ASK = "To ask about this paper, use `/papers ask` here, or mention me with your question."


@dataclass(frozen=True, slots=True)
class DiscordOptions:
    sharded: bool = False
    shard_count: int | None = None
    shard_ids: tuple[int, ...] | None = None  # this process's shards, when several share them
    message_content: bool = False  # the privileged intent, switched on in the Developer Portal
    archive_minutes: ArchiveMinutes = 1440
    api_base_url: str | None = None  # e.g. "http://127.0.0.1:PORT/api/v10"
    gateway_url: str | None = None  # e.g. "ws://127.0.0.1:PORT/gateway"


def intents(message_content: bool) -> discord.Intents:
    """Only what Paperboy uses: servers and channels, messages in threads, reactions."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.guild_reactions = True
    wanted.message_content = message_content
    return wanted


def point_at(api_base_url: str | None, gateway_url: str | None) -> None:
    """Send discord.py's REST and gateway traffic elsewhere (a proxy, a test server). These are
    discord.py's module-wide settings: one Discord client per process."""
    if api_base_url:
        discord.http.Route.BASE = api_base_url.rstrip("/")
    if gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


@dataclass
class DiscordBot:
    commands: Commands
    threads: ThreadAnswers | None
    votes: Votes | None
    token: str = field(repr=False)  # never in a log line or traceback
    options: DiscordOptions = field(default_factory=DiscordOptions)
    client: discord.Client = field(init=False)
    tree: app_commands.CommandTree[discord.Client] = field(init=False)
    publisher: DiscordPublisher = field(init=False)
    _hinted: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        point_at(self.options.api_base_url, self.options.gateway_url)
        wanted, quiet = intents(self.options.message_content), discord.AllowedMentions.none()
        if self.options.sharded or self.options.shard_ids:
            self.client = (
                discord.AutoShardedClient(
                    intents=wanted,
                    allowed_mentions=quiet,
                    shard_count=self.options.shard_count,
                    shard_ids=list(self.options.shard_ids),
                )
                if self.options.shard_ids
                else discord.AutoShardedClient(
                    intents=wanted, allowed_mentions=quiet, shard_count=self.options.shard_count
                )
            )
        else:
            self.client = discord.Client(intents=wanted, allowed_mentions=quiet)
        self.tree = app_commands.CommandTree(self.client)
        self.tree.add_command(papers_group(self.commands))
        related = related_button(self.commands)
        self.client.add_dynamic_items(related)
        self.publisher = DiscordPublisher(self.client, self.options.archive_minutes, related)
        self.client.setup_hook = self._setup  # type: ignore[method-assign]
        self.client.event(self.on_ready)
        self.client.event(self.on_message)
        self.client.event(self.on_raw_reaction_add)
        self.client.event(self.on_raw_reaction_remove)

    async def _setup(self) -> None:
        synced = await self.tree.sync()
        log.info("Discord: %d commands registered", len(synced))

    async def start(self) -> None:
        try:
            await self.client.start(self.token)
        except discord.LoginFailure as exc:
            raise PlatformRefused(f"Discord refused DISCORD_TOKEN: {exc}") from exc
        except discord.PrivilegedIntentsRequired as exc:
            raise PlatformRefused(
                "Discord refused the Message Content intent: switch it on for the bot in the "
                "Developer Portal, or set PAPERBOY_DISCORD_MESSAGE_CONTENT=false"
            ) from exc

    async def close(self) -> None:
        await self.client.close()

    async def on_ready(self) -> None:
        servers = len(self.client.guilds)
        log.info("Discord: connected as %s, in %d server(s)", self.client.user, servers)

    async def on_message(self, message: discord.Message) -> None:
        """A message in a card's thread is a question about its paper (whoever opened the
        thread: the bot, or someone when the bot could not)."""
        me = self.client.user
        channel = message.channel
        if me is None or message.author.bot or not isinstance(channel, discord.Thread):
            return
        if self.threads is None or channel.parent_id is None:
            return
        target = Target(PLATFORM, str(channel.parent_id))
        arxiv_id = await self.threads.paper_of(target, str(channel.id))
        if arxiv_id is None:
            return  # not a card's thread
        question = message.content.replace(me.mention, "").replace(f"<@!{me.id}>", "").strip()
        if not question:
            # Without the Message Content intent, only @mentions carry their text.
            if not self.options.message_content and channel.id not in self._hinted:
                self._hinted.add(channel.id)
                await self._say(channel, HOW_TO_ASK, message)
            return
        pieces = self.threads.stream(
            target, str(channel.id), str(message.author.id), question, arxiv_id
        )
        try:
            await self._write(channel, pieces, message, typing=True)
        except PublishError as exc:
            log.warning("no answer posted in thread %s: %s", channel.id, exc)

    async def _write(
        self,
        channel: discord.Thread,
        pieces: AsyncIterator[str],
        asked: discord.Message,
        *,
        typing: bool = False,
    ) -> None:
        """Post the answer as it is written, editing it at most once a second (Discord has no
        streaming; edits share the channel's rate limit); past 2,000 characters it continues in
        a new message."""
        shown, sent, last_edit = "", list[discord.Message](), 0.0
        loop = asyncio.get_running_loop()

        async def show() -> None:
            first = max(len(sent) - 1, 0)  # messages before the last one are full and final
            async with platform_errors("an answer"):
                for n, part in enumerate(chunks(safe(shown))[first:], start=first):
                    if n < len(sent):
                        if sent[n].content != part:
                            sent[n] = await sent[n].edit(content=part, suppress=True)
                    else:
                        reference = asked if n == 0 else discord.utils.MISSING
                        sent.append(
                            await channel.send(part, reference=reference, suppress_embeds=True)
                        )

        async with AsyncExitStack() as typist:
            if typing:  # "Paperboy is typing…" while the answer is written
                await typist.enter_async_context(channel.typing())
            async for piece in pieces:
                shown += piece
                pause = isinstance(piece, Pause)
                if pause:  # the answer so far is complete: no longer typing, and shown now
                    await typist.aclose()
                if not sent or pause or loop.time() - last_edit >= EDIT_EVERY:
                    await show()
                    last_edit = loop.time()
        if shown.strip():
            await show()

    async def _say(self, channel: discord.Thread, text: str, asked: discord.Message) -> None:
        async def whole() -> AsyncIterator[str]:
            yield text

        try:
            await self._write(channel, whole(), asked)
        except PublishError as exc:
            log.warning("no answer posted in thread %s: %s", channel.id, exc)

    def _card_target(self, channel_id: int, message_id: int) -> Target:
        """A forum post's first message lives in its thread (same id); its card is the forum's."""
        channel = self.client.get_channel(channel_id)
        if isinstance(channel, discord.Thread) and channel.id == message_id and channel.parent_id:
            channel_id = channel.parent_id
        return Target(PLATFORM, str(channel_id))

    async def _vote(self, event: discord.RawReactionActionEvent, up: bool) -> None:
        me = self.client.user
        if self.votes is None or (me is not None and event.user_id == me.id):
            return
        reaction = str(event.emoji)  # a 👎 is kept too: it counts against the paper's kind
        target = self._card_target(event.channel_id, event.message_id)
        await self.votes.vote(
            target, str(event.message_id), str(event.user_id), reaction, utc_now(), up=up
        )

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        await self._vote(event, True)

    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        await self._vote(event, False)


PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    send_messages_in_threads=True,
    create_public_threads=True,
    embed_links=True,
    read_message_history=True,
)


def invite_url(client_id: str) -> str:
    """The OAuth2 URL that installs the bot with exactly the permissions it uses."""
    return discord.utils.oauth_url(
        client_id, permissions=PERMISSIONS, scopes=("bot", "applications.commands")
    )


def client_id_of(token: str) -> str | None:
    """A bot token's first part is its application's id, base64-encoded."""
    head = token.split(".", 1)[0]
    try:
        decoded = base64.b64decode(head + "=" * (-len(head) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return decoded if decoded.isascii() and decoded.isdigit() else None
