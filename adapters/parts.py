"""Each part of Paperboy built from the settings (the composition root, `adapters.compose`,
puts them together). Clients are imported where they are built: a command loads only what it
uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Protocol

import httpx
from pydantic import SecretStr

from adapters.settings import Settings
from bot.errors import PlatformRefused
from bot.feeds import Sources
from bot.ports import Publisher

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from adapters.openai_chat import OpenAIChat
    from adapters.openai_embed import OpenAIEmbedder
    from bot.commands import Commands
    from bot.qa.service import Answerer
    from bot.qa.tldr import TldrWriter
    from bot.threads import ThreadAnswers

Tokens = Callable[[int], None]  # told the tokens each model request spent
USER_AGENT = "paperboy/0.1 (research paper chat bot; +https://pypi.org/project/paperboy/)"


@asynccontextmanager
async def open_sources(
    settings: Settings, transport: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[Sources]:
    """Source clients sharing one HTTP client; arXiv's API and RSS share one pacer, so the
    one-request-per-3-seconds rule holds across both."""
    from bot.sources import ArxivApi, ArxivRss, HuggingFace, Pacer
    from bot.sources.http import Http, RetryPolicy

    timeout = httpx.Timeout(settings.http_timeout_seconds)
    async with httpx.AsyncClient(
        timeout=timeout,
        headers={"User-Agent": USER_AGENT},
        follow_redirects=True,
        transport=transport,
    ) as client:
        retry = RetryPolicy(attempts=settings.http_attempts)
        arxiv_http = Http(client, retry, pacer=Pacer(settings.arxiv_request_interval_seconds))
        hf_http = Http(client, retry)
        yield Sources(
            hf=HuggingFace(hf_http, settings.hf_base_url),
            arxiv_api=ArxivApi(arxiv_http, settings.arxiv_api_url),
            arxiv_rss=ArxivRss(arxiv_http, settings.arxiv_rss_url),
            arxiv_http=arxiv_http,
            hf_http=hf_http,
        )


def _model_server(settings: Settings) -> tuple[str | None, str | None] | None:
    """(key, base URL) of the model server, when one is configured (a key and/or a URL)."""
    if not (settings.openai_api_key or settings.openai_base_url):
        return None
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return key, settings.openai_base_url


def chat_model(settings: Settings, on_tokens: Tokens | None = None) -> OpenAIChat | None:
    """The language model, when a model server is configured."""
    if (server := _model_server(settings)) is None:
        return None
    from adapters.openai_chat import OpenAIChat  # the client takes a second to import: only if used

    key, base_url = server
    return OpenAIChat(
        settings.llm_model,
        api_key=key,
        base_url=base_url,
        timeout=settings.llm_timeout_seconds,
        on_tokens=on_tokens,
    )


def embedder(settings: Settings) -> OpenAIEmbedder | None:
    """The embedding model for related papers, when a model server is configured."""
    server = _model_server(settings)
    if server is None or settings.embedding_model.strip().lower() == "off":
        return None
    from adapters.openai_embed import OpenAIEmbedder

    key, base_url = server
    return OpenAIEmbedder(
        settings.embedding_model.strip(),
        api_key=key,
        base_url=base_url,
        timeout=min(settings.llm_timeout_seconds, 10.0),  # someone is waiting on a command
    )


def build_answerer(
    settings: Settings, sources: Sources, engine: AsyncEngine, on_tokens: Tokens | None = None
) -> Answerer:
    """Full text cached in the store; a language model when one is configured, its answers
    cached and its budget counted in the store (shared by every process on the database)."""
    from bot.qa.budget import Budget
    from bot.qa.fulltext import FullTextFetcher
    from bot.qa.llm import LlmAnswerer
    from bot.qa.service import Answerer
    from storage.fulltexts import SqlFullTextStore
    from storage.llm import SqlAnswerCache, SqlUsage

    fetcher = None
    if sources.arxiv_http and sources.hf_http:
        fetcher = FullTextFetcher(
            SqlFullTextStore(engine),
            sources.arxiv_http,
            sources.hf_http,
            settings.arxiv_base_url,
            settings.hf_base_url,
        )
    chat = chat_model(settings, on_tokens)
    llm = None
    if chat is not None:
        llm = LlmAnswerer(chat, max_tokens=settings.llm_max_tokens, cache=SqlAnswerCache(engine))
    budget = Budget(
        settings.llm_per_user_day,
        settings.llm_per_thread_day,
        settings.llm_per_day,
        usage=SqlUsage(engine),
    )
    return Answerer(
        fetcher,
        llm,
        budget,
        deadline=settings.answer_wait_seconds,
        improve_within=settings.answer_improve_seconds,
    )


def build_tldrs(
    settings: Settings, engine: AsyncEngine, on_tokens: Tokens | None = None
) -> TldrWriter | None:
    """Model-written TL;DRs for cards, when a model is configured and they are wanted."""
    from bot.qa.tldr import TldrWriter
    from storage.llm import SqlTldrs, SqlUsage

    chat = chat_model(settings, on_tokens)
    if chat is None or not settings.llm_tldrs_per_day:
        return None
    return TldrWriter(
        chat,
        SqlTldrs(engine),
        model_name=settings.llm_model,
        per_day=settings.llm_tldrs_per_day,
        usage=SqlUsage(engine),
    )


class ChatPlatform(Protocol):
    """A connected chat platform: the engine posts through `publisher` while it runs."""

    @property
    def publisher(self) -> Publisher: ...

    async def start(self) -> None:
        """Connect and serve until `close`."""
        ...

    async def close(self) -> None: ...


def chat_platforms(
    settings: Settings, commands: Commands, threads: ThreadAnswers
) -> dict[str, ChatPlatform]:
    """The platforms whose tokens are set, by the name their subscriptions use; their
    reactions go to the commands' vote store (`top`, and each channel's taste)."""
    platforms: dict[str, ChatPlatform] = {}
    if settings.discord_token:
        from adapters.discord.client import DiscordBot, DiscordOptions

        platforms["discord"] = DiscordBot(
            commands,
            threads,
            commands.votes,
            settings.discord_token.get_secret_value(),
            DiscordOptions(
                sharded=settings.discord_sharded,
                shard_count=settings.discord_shard_count,
                shard_ids=settings.discord_shard_ids_list,
                message_content=settings.discord_message_content,
                archive_minutes=settings.discord_thread_archive_minutes,
                api_base_url=settings.discord_api_base_url,
                gateway_url=settings.discord_gateway_url,
            ),
        )
    slack_mode = settings.slack_app_token or settings.slack_signing_secret
    if bool(settings.slack_bot_token) != bool(slack_mode):
        raise PlatformRefused(
            "Slack needs SLACK_BOT_TOKEN and one of SLACK_APP_TOKEN (Socket Mode) or "
            "SLACK_SIGNING_SECRET (HTTP mode); see .env.example"
        )
    if settings.slack_bot_token and slack_mode:
        from adapters.slack.app import SlackBot, SlackOptions

        platforms["slack"] = SlackBot(
            commands,
            threads,
            commands.votes,
            SlackOptions(
                bot_token=settings.slack_bot_token.get_secret_value(),
                app_token=_revealed(settings.slack_app_token),
                signing_secret=_revealed(settings.slack_signing_secret),
                host=settings.slack_host,
                port=settings.slack_port,
                api_base_url=settings.slack_api_base_url,
                managers=settings.slack_managers,
            ),
        )
    return platforms


def _revealed(secret: SecretStr | None) -> str | None:
    return secret.get_secret_value() if secret else None
