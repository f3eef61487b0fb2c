"""`paperboy doctor`: each thing Paperboy depends on, checked, with what to fix.

The database (driver, reachable, migrated), each source (reachable, parses), each configured
platform (token valid, intents, the channels of its subscriptions reachable) and the language
model (answers a one-token request). Exits non-zero when any check fails."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from adapters.parts import open_sources
from adapters.settings import Settings
from bot.domain import FeedKind, FeedSpec, Target
from bot.errors import PaperboyError, SourceError
from bot.feeds import fetch_feed, parse_feed_spec

if TYPE_CHECKING:
    from adapters.openai_embed import OpenAIEmbedder

DISCORD_API = "https://discord.com/api/v10"
SLACK_API = "https://slack.com/api/"
MESSAGE_CONTENT_INTENT = (1 << 18) | (1 << 19)  # GATEWAY_MESSAGE_CONTENT(_LIMITED)
SLACK_SCOPES = ("chat:write", "commands", "reactions:read")
CHECK_WITHIN = 20.0  # seconds for any one check


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    said: str
    fix: str = ""

    def line(self) -> str:
        mark = "ok  " if self.ok else "FAIL"
        return f"{mark} {self.name}: {self.said}" + (f"\n     fix: {self.fix}" if self.fix else "")


async def database(settings: Settings) -> tuple[Check, list[Target]]:
    """The database, and the channels its subscriptions post to (to check them too)."""
    from storage import DatabaseUnavailable, display_url, open_storage
    from storage.migrate import HEAD, current_revision

    where = display_url(settings.database_url)
    try:
        current = await asyncio.to_thread(current_revision, settings.database_url)
    except Exception as exc:  # no driver, nothing answers, a URL it cannot use
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fix = "check PAPERBOY_DATABASE_URL; for PostgreSQL install the `postgres` extra"
        return Check("database", False, f"{where} cannot be opened: {reason}", fix), []
    if current is None:
        return Check("database", True, f"{where} is empty: `paperboy run` creates it"), []
    if current != HEAD:
        said = f"{where} is at revision {current}, this Paperboy needs {HEAD}"
        return Check("database", False, said, "run `paperboy db upgrade`"), []
    try:
        storage = await open_storage(settings.database_url)
    except DatabaseUnavailable as exc:
        return Check("database", False, str(exc), "check PAPERBOY_DATABASE_URL"), []
    try:
        targets = sorted({s.target for s in await storage.subscriptions.all()}, key=str)
    finally:
        await storage.close()
    said = f"{where} at revision {current}, {len(targets)} channel(s) subscribed"
    return Check("database", True, said), targets


async def sources(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> list[Check]:
    quick = settings.model_copy(update={"http_attempts": 1})
    feeds = [FeedSpec(FeedKind.HF_DAILY), parse_feed_spec(f"arxiv-rss:{settings.run_categories}")]
    checks = []
    async with open_sources(quick, transport) as opened:
        for feed in feeds:
            try:
                papers = await fetch_feed(feed, opened)
            except SourceError as exc:
                fix = "check the network, or the source's URL setting (.env.example)"
                checks.append(Check(str(feed), False, f"cannot be read: {exc}", fix))
                continue
            checks.append(Check(str(feed), True, f"read, {len(papers)} papers"))
        try:
            found = await opened.arxiv_api.lookup(["1706.03762"])
            checks.append(Check("arxiv-api", True, f"read, {len(found)} paper(s) looked up"))
        except SourceError as exc:
            fix = "check the network, or PAPERBOY_ARXIV_API_URL"
            checks.append(Check("arxiv-api", False, f"cannot be read: {exc}", fix))
    return checks


async def discord(settings: Settings, targets: list[Target]) -> list[Check]:
    if not settings.discord_token:
        return []
    base = (settings.discord_api_base_url or DISCORD_API).rstrip("/")
    token = settings.discord_token.get_secret_value()
    headers = {"Authorization": f"Bot {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=CHECK_WITHIN) as http:
        me = await http.get("/users/@me")
        if me.status_code != 200:
            fix = "set DISCORD_TOKEN to the bot's token (Developer Portal > Bot > Reset Token)"
            return [Check("discord token", False, f"refused: HTTP {me.status_code}", fix)]
        checks = [Check("discord token", True, f"valid, the bot is {me.json().get('username')}")]
        if settings.discord_message_content:
            flags = (await http.get("/oauth2/applications/@me")).json().get("flags") or 0
            ok = bool(flags & MESSAGE_CONTENT_INTENT)
            fix = "" if ok else "turn on Message Content Intent (Developer Portal > Bot)"
            said = "Message Content intent " + (
                "on" if ok else "off, though the setting asks for it"
            )
            checks.append(Check("discord intents", ok, said, fix))
        for target in (t for t in targets if t.platform == "discord"):
            got = await http.get(f"/channels/{target.channel}")
            ok = got.status_code == 200
            said = "reachable" if ok else f"not reachable: HTTP {got.status_code}"
            fix = "" if ok else "invite the bot to the channel, or unsubscribe it"
            checks.append(Check(f"discord channel {target.channel}", ok, said, fix))
    return checks


async def slack(settings: Settings, targets: list[Target]) -> list[Check]:
    if not settings.slack_bot_token:
        return []
    base = settings.slack_api_base_url or SLACK_API
    headers = {"Authorization": f"Bearer {settings.slack_bot_token.get_secret_value()}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=CHECK_WITHIN) as http:
        auth = await http.post("auth.test")
        body = auth.json()
        if not body.get("ok"):
            fix = "set SLACK_BOT_TOKEN to the app's Bot User OAuth Token (xoxb-...)"
            return [Check("slack token", False, f"refused: {body.get('error')}", fix)]
        checks = [Check("slack token", True, f"valid, the bot is {body.get('user')}")]
        granted = auth.headers.get("x-oauth-scopes")
        if granted is not None:
            missing = [s for s in SLACK_SCOPES if s not in granted.split(",")]
            said = f"missing {', '.join(missing)}" if missing else "chat:write, commands, reactions"
            fix = "add the scopes (OAuth & Permissions) and reinstall the app" if missing else ""
            checks.append(Check("slack scopes", not missing, said, fix))
        for target in (t for t in targets if t.platform == "slack"):
            info = (await http.post("conversations.info", data={"channel": target.channel})).json()
            ok = bool(info.get("ok"))
            said = "reachable" if ok else f"not reachable: {info.get('error')}"
            fix = "" if ok else "invite the bot (/invite @Paperboy), or unsubscribe it"
            checks.append(Check(f"slack channel {target.channel}", ok, said, fix))
    return checks


async def language_model(settings: Settings) -> list[Check]:
    from adapters.parts import chat_model, embedder

    chat = chat_model(settings)
    if chat is None:
        return []
    try:
        await chat.complete([{"role": "user", "content": "Say OK."}], 1)
    except PaperboyError as exc:
        fix = "check OPENAI_API_KEY, OPENAI_BASE_URL and PAPERBOY_LLM_MODEL"
        checks = [Check("language model", False, f"no answer: {exc}", fix)]
    else:
        checks = [Check("language model", True, f"{settings.llm_model} answers")]
    return checks + await _embedding_model(embedder(settings))


async def _embedding_model(model: OpenAIEmbedder | None) -> list[Check]:
    if model is None:
        return []
    try:
        await model.embed(["OK"])
    except PaperboyError as exc:
        said = f"no answer ({exc}): related papers are found by words alone"
        fix = "set PAPERBOY_EMBEDDING_MODEL to an embedding model the server has, or to off"
        return [Check("embedding model", False, said, fix)]
    return [Check("embedding model", True, f"{model.model} answers: related papers by meaning")]


async def _within(name: str, work: Awaitable[list[Check]]) -> list[Check]:
    try:
        return await asyncio.wait_for(work, CHECK_WITHIN)
    except TimeoutError:
        return [Check(name, False, f"no answer within {CHECK_WITHIN:.0f} s")]
    except (httpx.HTTPError, ValueError) as exc:  # a server that is not what it should be
        return [Check(name, False, f"{type(exc).__name__}: {exc}")]


async def diagnose(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> list[Check]:
    """Every check, in order: the database first (its subscriptions name the channels)."""
    first, targets = await database(settings)
    checks = [first]
    steps: list[tuple[str, Callable[[], Awaitable[list[Check]]]]] = [
        ("sources", lambda: sources(settings, transport)),
        ("discord", lambda: discord(settings, targets)),
        ("slack", lambda: slack(settings, targets)),
        ("language model", lambda: language_model(settings)),
    ]
    for name, step in steps:
        checks += await _within(name, step())
    return checks


def report(checks: list[Check]) -> tuple[str, int]:
    """The printout, and the exit status (1 when any check failed)."""
    failed = [c for c in checks if not c.ok]
    summary = f"{len(failed)} of {len(checks)} checks failed" if failed else "all checks passed"
    text = "\n".join([*(c.line() for c in checks), summary])
    return text, 1 if failed else 0


__all__ = ["Check", "diagnose", "report"]
