"""The engine's `Publisher` on Slack: a card is a Block Kit message, its thread is the card's
`ts`; updates and answers are replies with `thread_ts`.

Exactly once: every post (card, digest, reply) carries message metadata with the delivery key,
and after a crash `find` reads it back with `include_all_metadata`: a card or digest from the
channel's recent history (`conversations.history`), a reply from its card's thread
(`conversations.replies`). Only a recovery reads; thread context otherwise comes from our store.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import card_blocks, fallback, fallback_text, fit, text_blocks
from bot.domain import Card, Limits, Target
from bot.ports import Rejected, RetryLater, TargetGone

log = logging.getLogger(__name__)

PLATFORM = "slack"
# chat.postMessage: about one message a second per channel, short bursts allowed (PLATFORMS.md).
LIMITS = Limits(per_second=10, per_channel=1, channel_seconds=1.0)
EVENT_TYPE = "paperboy_post"
HISTORY = 50  # messages per page of history or of a thread
THREAD_PAGES = 10  # a thread is read oldest first: this many pages reach its newest replies
# The token was revoked or the app uninstalled: posts wait (the engine backs off) for a fix.
AUTH = frozenset({"invalid_auth", "token_revoked", "not_authed", "account_inactive"})
GONE = frozenset(
    {
        "not_in_channel",
        "channel_not_found",
        "is_archived",
        "restricted_action",
        "team_access_not_granted",
        "missing_scope",
    }
)
LATER = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable"})


@asynccontextmanager
async def platform_errors(what: str) -> AsyncIterator[None]:
    """Slack's failures as the engine's: gone, later, or never (an invalid payload)."""
    try:
        yield
    except SlackApiError as exc:
        error = str(exc.response.get("error", "")) if exc.response is not None else ""
        if error in GONE:
            raise TargetGone(f"Slack refused {what}: {error}") from exc
        if error in AUTH:
            raise RetryLater(f"Slack refused the token for {what}: {error}") from exc
        if error in LATER or (exc.response is not None and exc.response.status_code >= 500):
            retry = exc.response.headers.get("Retry-After") if exc.response is not None else None
            raise RetryLater(
                f"Slack: {error or 'server error'} on {what}",
                float(retry) if retry else None,
            ) from exc
        raise Rejected(f"Slack rejected {what}: {error}") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise RetryLater(f"Slack unreachable for {what}: {exc!r}") from exc


def metadata(key: str, **payload: str) -> dict[str, Any]:
    return {"event_type": EVENT_TYPE, "event_payload": {"key": key, **payload}}


class SlackPublisher:
    limits = LIMITS

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client

    async def post(self, target: Target, card: Card, key: str) -> str:
        what = f"the card of {card.arxiv_id}"
        for image in (True, False):  # Slack refuses a card whose thumbnail it cannot fetch
            try:
                async with platform_errors(what):
                    sent = await self.client.chat_postMessage(
                        channel=target.channel,
                        text=fallback(card),
                        blocks=fit(card_blocks(card, image=image)),
                        unfurl_links=False,
                        unfurl_media=False,
                        metadata=metadata(key, arxiv_id=card.arxiv_id),
                    )
                return str(sent["ts"])
            except Rejected:
                if not image or not card.image_url:
                    raise
                log.info("card of %s refused with its thumbnail; posting without", card.arxiv_id)
        raise AssertionError("unreachable")

    async def post_text(self, target: Target, text: str, key: str) -> str:
        return await self._text(target, text, key, None, "a digest")

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        return await self._text(target, text, key, message_id, f"a reply under {message_id}")

    async def _text(
        self, target: Target, text: str, key: str, thread_ts: str | None, what: str
    ) -> str:
        async with platform_errors(what):
            sent = await self.client.chat_postMessage(
                channel=target.channel,
                thread_ts=thread_ts,
                text=fallback_text(text),
                blocks=fit(text_blocks(text)),
                unfurl_links=False,
                unfurl_media=False,
                metadata=metadata(key),
            )
        return str(sent["ts"])

    async def find(self, target: Target, key: str, thread: str | None = None) -> str | None:
        """A post made with `key`: with `thread` (a card's ts), among its replies; else among the
        channel's recent top-level messages."""
        if thread is not None:
            return await self._find_in_thread(target, key, thread)
        async with platform_errors(f"the history of {target.channel}"):
            found = await self.client.conversations_history(
                channel=target.channel, limit=HISTORY, include_all_metadata=True
            )
        return _carrying(found.get("messages", []), key)

    async def _find_in_thread(self, target: Target, key: str, thread: str) -> str | None:
        cursor: str | None = None
        for _ in range(THREAD_PAGES):
            async with platform_errors(f"the thread {thread} in {target.channel}"):
                try:
                    found = await self.client.conversations_replies(
                        channel=target.channel,
                        ts=thread,
                        cursor=cursor,
                        limit=HISTORY,
                        include_all_metadata=True,
                    )
                except SlackApiError as exc:
                    if exc.response is not None and exc.response.get("error") == "thread_not_found":
                        return None  # the card is gone: `reply` finds out what that means
                    raise
            if (ts := _carrying(found.get("messages", []), key)) is not None:
                return ts
            cursor = (found.get("response_metadata") or {}).get("next_cursor")
            if not found.get("has_more") or not cursor:
                return None
        log.warning("thread %s in %s is longer than find reads", thread, target.channel)
        return None


def _carrying(messages: list[dict[str, Any]], key: str) -> str | None:
    """The ts of the message among `messages` whose metadata carries `key`."""
    for message in messages:
        data = message.get("metadata") or {}
        if data.get("event_type") == EVENT_TYPE and data.get("event_payload", {}).get("key") == key:
            return str(message["ts"])
    return None
