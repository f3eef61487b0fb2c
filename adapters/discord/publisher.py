"""The engine's `Publisher` on Discord: a card is an embed with link buttons and a thread under
it (in a Forum channel, a post of its own, tagged by category); updates and answers go in the
thread.

Idempotency: every post carries the delivery key as its `nonce` with `enforce_nonce`, so Discord
itself returns the first message when a post is retried within minutes. The engine's lease is
longer than that and history never shows a nonce, so the key is also written where `find` can
read it back after a crash: a card's embed footer, and a last line of subtext (`-# KEY`) under a
digest or a thread reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Literal

import aiohttp
import discord

from adapters.discord.render import CONTENT, card_embed, chunks, link_buttons, safe, thread_name
from bot.domain import Card, Limits, Target
from bot.ports import Rejected, RetryLater, TargetGone

log = logging.getLogger(__name__)

PLATFORM = "discord"
ArchiveMinutes = Literal[60, 1440, 4320, 10080]  # the durations Discord accepts
# 50 requests a second per bot; about 5 messages per 5 seconds per channel (PLATFORMS.md §1).
LIMITS = Limits(per_second=50, per_channel=5, channel_seconds=5)
HISTORY = 50  # recent messages `find` looks through
FORUM_POSTS = 20  # recent forum posts `find` looks through


READY_WITHIN = 60.0  # seconds a post waits for the gateway connection before trying later


def key_line(key: str) -> str:
    """The delivery key under a text post. Subtext is the one markup that stays readable text for
    history (the bot always sees its own messages' content, intent or not) yet reads as a quiet
    grey line; an embed would be hidden by `suppress_embeds`, and a nonce is not kept."""
    return f"-# {key}"


@asynccontextmanager
async def platform_errors(
    what: str, *, missing: Literal["gone", "rejected"] = "gone"
) -> AsyncIterator[None]:
    """Discord's failures as the engine's: gone (403; 404 of the channel), later (401, 429,
    5xx, network), never (invalid). `missing="rejected"`: a 404 means the message or thread
    was deleted, which is that post's end, not the channel's."""
    try:
        yield
    except discord.NotFound as exc:
        if missing == "rejected":
            raise Rejected(f"{what} is gone: {exc.text or exc.status}") from exc
        raise TargetGone(f"Discord refused {what}: {exc.text or exc.status}") from exc
    except discord.Forbidden as exc:
        raise TargetGone(f"Discord refused {what}: {exc.text or exc.status}") from exc
    except discord.RateLimited as exc:
        raise RetryLater(f"Discord rate limit on {what}", exc.retry_after) from exc
    except discord.DiscordServerError as exc:
        raise RetryLater(f"Discord error {exc.status} on {what}") from exc
    except discord.HTTPException as exc:
        if exc.status == 429:  # a Cloudflare-level limit discord.py does not wait out
            raise RetryLater(f"Discord rate limit on {what}") from exc
        if exc.status == 401:  # the token was reset: posts wait for the new one
            raise RetryLater(f"Discord refused the token for {what}") from exc
        raise Rejected(
            f"Discord rejected {what}: {exc.status} (code {exc.code}) {exc.text}"
        ) from exc
    except ValueError as exc:  # discord.py's own checks before sending
        raise Rejected(f"{what} is invalid: {exc}") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise RetryLater(f"Discord unreachable for {what}: {exc!r}") from exc


class DiscordPublisher:
    limits = LIMITS

    def __init__(
        self,
        client: discord.Client,
        archive_minutes: ArchiveMinutes = 1440,
        related: Callable[[str], discord.ui.Item[Any]] | None = None,
    ) -> None:
        self.client = client
        self.archive_minutes = archive_minutes
        self.related = related  # a card's "Related papers" button, where commands are served

    async def _ready(self) -> None:
        try:
            await asyncio.wait_for(self.client.wait_until_ready(), READY_WITHIN)
        except TimeoutError:
            raise RetryLater("not connected to Discord yet") from None

    async def _channel(self, target: Target) -> discord.abc.GuildChannel | discord.Thread:
        await self._ready()
        channel_id = int(target.channel)
        channel = self.client.get_channel(channel_id)
        if channel is None:
            async with platform_errors(f"channel {channel_id}"):
                fetched = await self.client.fetch_channel(channel_id)
            channel = fetched
        if isinstance(channel, discord.abc.PrivateChannel):
            raise TargetGone("Paperboy posts in server channels only")
        return channel

    async def post(self, target: Target, card: Card, key: str) -> str:
        channel = await self._channel(target)
        embed, view = card_embed(card, f" · {key}"), link_buttons(card)
        if self.related is not None:
            view.add_item(self.related(card.arxiv_id))
        name = thread_name(card.title)
        what = f"the card of {card.arxiv_id}"
        if isinstance(channel, discord.ForumChannel):
            wanted = {c.lower() for c in card.categories}
            tags = [t for t in channel.available_tags if t.name.lower() in wanted][:5]
            async with platform_errors(what):
                created = await channel.create_thread(
                    name=name,
                    embed=embed,
                    view=view,
                    applied_tags=tags,
                    auto_archive_duration=self.archive_minutes,
                )
            return str(created.thread.id)  # a forum post's first message has the thread's id
        if not isinstance(channel, discord.abc.Messageable):
            raise TargetGone(f"channel {target.channel} takes no messages")
        async with platform_errors(what):
            message = await channel.send(embed=embed, view=view, nonce=key)
        try:
            await message.create_thread(
                name=name,
                auto_archive_duration=self.archive_minutes,
            )
        except (discord.HTTPException, aiohttp.ClientError, TimeoutError) as exc:
            # The card stands (posted: it must not be posted again); a reply makes the thread.
            log.warning("no thread for %s in %s: %r", card.arxiv_id, target, exc)
        return str(message.id)

    async def post_text(self, target: Target, text: str, key: str) -> str:
        channel = await self._channel(target)
        if not isinstance(channel, discord.abc.Messageable):
            raise TargetGone(f"channel {target.channel} takes no messages")
        return await self._send_chunks(channel, text, key, "a digest")

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        """In the card's thread (its id is the card's message id), made now if it is missing.
        A card or thread someone deleted ends this reply, not the channel's subscriptions."""
        await self._ready()
        thread = self.client.get_partial_messageable(
            int(message_id), type=discord.ChannelType.public_thread
        )
        what = f"a reply under {message_id}"
        try:
            return await self._send_chunks(thread, text, key, what, missing="rejected")
        except Rejected as gone:
            channel = await self._channel(target)
            if not isinstance(channel, discord.TextChannel):
                raise gone from None  # a forum post's thread is the post itself
        async with platform_errors(f"the card {message_id}", missing="rejected"):
            made = await channel.get_partial_message(int(message_id)).create_thread(
                name="Paper",
                auto_archive_duration=self.archive_minutes,
            )
        return await self._send_chunks(made, text, key, what, missing="rejected")

    async def _send_chunks(
        self,
        channel: discord.abc.Messageable,
        text: str,
        key: str,
        what: str,
        missing: Literal["gone", "rejected"] = "gone",
    ) -> str:
        """The text in as many messages as it takes; the last one carries the key, so `find`
        counts a text as posted only once all of it is (a crash half-way sends it again, and
        Discord's nonce check drops the pieces it saw within minutes). Returns the id of that
        last message, the one `find` returns."""
        mark = key_line(key)
        pieces = chunks(safe(text), CONTENT - len(mark) - 1)
        pieces[-1] = f"{pieces[-1]}\n{mark}"
        last: str | None = None
        for n, piece in enumerate(pieces):
            if n:
                await asyncio.sleep(0)  # let the engine's pacing see other channels' turns
            async with platform_errors(what, missing=missing):
                sent = await channel.send(
                    piece,
                    nonce=key if n == 0 else f"{key}.{n}"[:25],
                    suppress_embeds=True,  # the link previews would bury the text
                )
            last = str(sent.id)
        assert last is not None
        return last

    async def find(self, target: Target, key: str, thread: str | None = None) -> str | None:
        """A post made with `key`: with `thread`, among that thread's recent messages (a card's
        thread has the card's id, a forum post's too); else a card or digest among the channel's
        recent messages, or in a forum among its recent posts."""
        if thread is not None:
            return await self._find_in_thread(thread, key)
        channel = await self._channel(target)
        async with platform_errors(f"the history of {target.channel}"):
            if isinstance(channel, discord.ForumChannel):
                return await self._find_post(channel, key)
            if not isinstance(channel, discord.abc.Messageable):
                return None
            async for message in channel.history(limit=HISTORY):
                if self._carries(message, key):
                    return str(message.id)
        return None

    async def _find_in_thread(self, thread_id: str, key: str) -> str | None:
        await self._ready()
        thread = self.client.get_partial_messageable(
            int(thread_id), type=discord.ChannelType.public_thread
        )
        async with platform_errors(f"the thread {thread_id}", missing="rejected"):
            try:
                async for message in thread.history(limit=HISTORY):
                    if self._carries(message, key):
                        return str(message.id)
            except discord.NotFound:  # no thread yet: `reply` makes one, or refuses
                return None
        return None

    async def _find_post(self, forum: discord.ForumChannel, key: str) -> str | None:
        """Forum posts take no nonce, so after a crash the recent posts are looked at."""
        me = self.client.user
        mine = [t for t in forum.threads if me is not None and t.owner_id == me.id]
        for thread in sorted(mine, key=lambda t: t.id, reverse=True)[:FORUM_POSTS]:
            try:
                starter = await thread.fetch_message(thread.id)
            except discord.NotFound:
                continue
            if self._carries(starter, key):
                return str(thread.id)
        return None

    def _carries(self, message: discord.Message, key: str) -> bool:
        """Ours, with `key` in a card's footer or as a text post's last line (no text can fake
        that line: untrusted text is escaped, so a `-#` in it reads `\\-#`)."""
        me = self.client.user
        if me is None or message.author.id != me.id:
            return False
        if message.content.rsplit("\n", 1)[-1] == key_line(key):
            return True
        return any((e.footer.text or "").endswith(f" · {key}") for e in message.embeds)
