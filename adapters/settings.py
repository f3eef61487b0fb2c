"""Settings, read from the environment and `.env` by the composition root (never at import).
They live with the adapters: the core receives plain values, never the environment.

Names are shared by deployments, scripts and tests; `.env.example` lists every one. Secrets are
`SecretStr`: they print as `**********` in a repr, a log line or a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from platformdirs import user_data_dir
from pydantic import AliasChoices, Field, SecretStr, field_serializer, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def default_database_url() -> str:
    """SQLite in the user's data directory, e.g. ~/.local/share/paperboy/paperboy.db."""
    return f"sqlite:///{Path(user_data_dir('paperboy')) / 'paperboy.db'}"


def _displayed(url: str) -> str:
    from storage import display_url  # the database layer loads only when a URL is shown

    return display_url(url)


def _secret(name: str) -> SecretStr | None:
    return Field(default=None, validation_alias=AliasChoices(name))


class Settings(BaseSettings):
    """Every setting, with the defaults a fresh clone runs on."""

    model_config = SettingsConfigDict(
        env_prefix="PAPERBOY_", env_file=".env", extra="ignore", frozen=True
    )

    # May carry a password (postgresql+psycopg://user:pw@host/db): kept out of the repr.
    database_url: str = Field(default_factory=default_database_url, repr=False)
    # The search index's directory (derived data, rebuilt by `paperboy db reindex`): empty for
    # beside the SQLite file or in this machine's cache; "memory" to keep it in memory.
    search_index: str = ""
    hf_base_url: str = "https://huggingface.co"
    arxiv_api_url: str = "https://export.arxiv.org/api/query"
    arxiv_rss_url: str = "https://rss.arxiv.org/rss"
    arxiv_base_url: str = "https://arxiv.org"
    # One override of every source's poll interval (demos, tests); None keeps each source's own.
    poll_seconds: float | None = Field(default=None, gt=0)
    # Days a finished decision nothing reads again (filtered, duplicate, capped, stale, failed)
    # is kept; posted cards stay, as threads, `why` and `top` read them.
    retention_days: int = Field(default=30, ge=1, le=3650)
    # How long a process holds the deliveries it took (renewed while it works): a crashed
    # process's deliveries are taken over by another after about this long.
    delivery_lease_seconds: float = Field(default=60, ge=3, le=3600)
    # arXiv categories the token-free `paperboy run` follows through arXiv RSS.
    run_categories: str = "cs.AI+cs.CL+cs.LG"
    http_timeout_seconds: float = Field(default=30.0, gt=0)
    # Attempts per request to a source (429, 5xx, timeouts), with exponential backoff between.
    http_attempts: int = Field(default=4, ge=1, le=10)
    # arXiv's terms: at most one request every 3 seconds, summed over all our machines.
    arxiv_request_interval_seconds: float = Field(default=3.0, ge=0)
    # The local playground channel (a web page) that `paperboy run` serves.
    playground_enabled: bool = True
    playground_host: str = "127.0.0.1"
    playground_port: int = Field(default=8787, ge=1, le=65535)
    # `/healthz` and `/metrics` on this port when the playground is off (they are the
    # playground's otherwise); on PAPERBOY_PLAYGROUND_HOST, behind its token beyond loopback.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    # Required (as ?token=... once, then a cookie) when the playground is bound beyond loopback.
    playground_token: SecretStr | None = None
    # When the store has few matches, `search` also asks Hugging Face's paper search live.
    hf_live_search: bool = True
    log_level: str = "INFO"

    discord_token: SecretStr | None = _secret("DISCORD_TOKEN")
    # Proxies and tests: Discord's REST base (".../api/v10") and gateway ("wss://...").
    discord_api_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_API_BASE_URL")
    )
    discord_gateway_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DISCORD_GATEWAY_URL")
    )
    # Past ~1,000 servers: one gateway connection per shard (AutoShardedClient); the count is
    # Discord's recommendation unless set.
    discord_sharded: bool = False
    discord_shard_count: int | None = Field(default=None, ge=1)
    # Several processes: the shards this one connects (e.g. "0,1"), the others' in theirs;
    # needs the shard count. Any process posts to any channel (over REST).
    discord_shard_ids: str | None = Field(default=None, pattern=r"^\d{1,5}(,\d{1,5}){0,255}$")
    # Read plain messages in the bot's threads as questions; needs the privileged Message Content
    # intent switched on in the Developer Portal. Without it, `/papers ask` and @mentions work.
    discord_message_content: bool = False
    # Minutes of quiet before a card's thread is archived: 60, 1440, 4320 or 10080.
    discord_thread_archive_minutes: Literal[60, 1440, 4320, 10080] = 1440
    slack_bot_token: SecretStr | None = _secret("SLACK_BOT_TOKEN")
    slack_app_token: SecretStr | None = _secret("SLACK_APP_TOKEN")
    slack_signing_secret: SecretStr | None = _secret("SLACK_SIGNING_SECRET")
    slack_api_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_API_BASE_URL")
    )
    # HTTP mode (a signing secret, no app token): where Slack's requests arrive, behind your HTTPS.
    slack_host: str = "0.0.0.0"
    slack_port: int = Field(default=3000, ge=1, le=65535)
    # Who may change a channel's subscriptions: "admins" (workspace admins and owners),
    # "creator" (the channel's creator), "everyone", or member ids (U0123ABCD), comma-separated.
    slack_managers: str = "admins,creator"
    openai_api_key: SecretStr | None = _secret("OPENAI_API_KEY")
    # Any OpenAI-compatible server (Ollama, vLLM, a proxy). With it or a key, threads get answers
    # written by the model; without, extractive answers quote the paper.
    openai_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("OPENAI_BASE_URL")
    )
    llm_model: str = "gpt-4o-mini"
    # With a key or a server, `/papers related` orders papers by meaning with this embedding
    # model (among those sharing the most words); "off": by words alone.
    embedding_model: str = Field(default="text-embedding-3-small", min_length=1, max_length=200)
    llm_max_tokens: int = Field(default=400, ge=50, le=4000)
    # Seconds a question in a thread waits for the paper's full text; then it is answered from
    # the abstract (saying so) while the text is still fetched for the next question.
    answer_wait_seconds: float = Field(default=6.0, gt=0, le=60)
    # Seconds an answer in a thread from the abstract waits for the full text, to follow with
    # the full text's answer; 0: never waits (the reader asks again).
    answer_improve_seconds: float = Field(default=120.0, ge=0, le=900)
    # Seconds without a reply before the model counts as failed (the answer then quotes the paper).
    llm_timeout_seconds: float = Field(default=60.0, gt=0)
    # Model answers per person and per thread each day, and in all; beyond, answers quote the paper.
    llm_per_user_day: int = Field(default=20, ge=0)
    llm_per_thread_day: int = Field(default=10, ge=0)
    llm_per_day: int = Field(default=500, ge=0)
    # Cards' TL;DRs written by the model a day (once per paper, shared by every channel); 0: off.
    # Papers with Hugging Face's own AI summary keep it.
    llm_tldrs_per_day: int = Field(default=200, ge=0)

    @model_validator(mode="after")
    def _shards_within_count(self) -> Settings:
        ids = self.discord_shard_ids_list
        if ids is not None and (
            self.discord_shard_count is None or max(ids) >= self.discord_shard_count
        ):
            raise ValueError(
                "PAPERBOY_DISCORD_SHARD_IDS needs PAPERBOY_DISCORD_SHARD_COUNT, and each id "
                "below it"
            )
        return self

    @property
    def discord_shard_ids_list(self) -> tuple[int, ...] | None:
        if self.discord_shard_ids is None:
            return None
        return tuple(sorted({int(i) for i in self.discord_shard_ids.split(",")}))

    def database_url_for_display(self) -> str:
        """The database URL with any password replaced by `***`, for logs and status lines."""
        return _displayed(self.database_url)

    @field_serializer("database_url")
    def _database_url_without_password(self, url: str) -> str:
        return _displayed(url)  # model_dump() and JSON too
