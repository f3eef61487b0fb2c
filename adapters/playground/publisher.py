"""The Publisher port for the playground: cards, digests and thread replies into the log."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from adapters.playground.log import ChannelLog
from bot.domain import Card, Target
from bot.throttle import UNLIMITED

BOT = "Paperboy"
PLATFORM = "playground"


def card_json(card: Card) -> dict[str, Any]:
    data = dataclasses.asdict(card)
    for name, value in data.items():
        if isinstance(value, date):
            data[name] = value.isoformat()
    return data


class PlaygroundPublisher:
    limits = UNLIMITED

    def __init__(self, log: ChannelLog) -> None:
        self.log = log

    async def post(self, target: Target, card: Card, key: str) -> str:
        return str((await self.log.add(target.channel, BOT, "", [card_json(card)], key))["id"])

    async def post_text(self, target: Target, text: str, key: str) -> str:
        return str((await self.log.add(target.channel, BOT, text, key=key))["id"])

    async def reply(self, target: Target, message_id: str, text: str, key: str) -> str:
        added = await self.log.add(target.channel, BOT, text, key=key, thread_of=int(message_id))
        return str(added["id"])

    async def find(self, target: Target, key: str, thread: str | None = None) -> str | None:
        # Keys are unique in a channel, its threads included: the thread is not needed.
        found = await self.log.find_key(target.channel, key)
        return str(found) if found is not None else None
