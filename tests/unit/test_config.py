from __future__ import annotations

import logging

import pytest

from adapters.settings import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in (
        "DISCORD_TOKEN",
        "SLACK_BOT_TOKEN",
        "OPENAI_API_KEY",
        "PAPERBOY_POLL_SECONDS",
        "PAPERBOY_DATABASE_URL",
        "PAPERBOY_HF_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def test_defaults_point_at_the_public_sources() -> None:
    s = Settings()
    assert s.hf_base_url == "https://huggingface.co"
    assert s.arxiv_api_url == "https://export.arxiv.org/api/query"
    assert s.arxiv_rss_url == "https://rss.arxiv.org/rss"
    assert s.arxiv_base_url == "https://arxiv.org"
    assert s.database_url.startswith("sqlite:///")
    assert s.database_url.endswith("paperboy.db")
    assert s.poll_seconds is None


def test_environment_and_dotenv_are_read(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    (tmp_path / ".env").write_text(
        "PAPERBOY_HF_BASE_URL=http://127.0.0.1:9/hf\nDISCORD_TOKEN=from-dotenv\n"
    )
    monkeypatch.setenv("PAPERBOY_POLL_SECONDS", "5")
    s = Settings()
    assert s.hf_base_url == "http://127.0.0.1:9/hf"
    assert s.poll_seconds == 5
    assert s.discord_token is not None
    assert s.discord_token.get_secret_value() == "from-dotenv"


def test_secrets_never_show_in_repr_or_logs(monkeypatch: pytest.MonkeyPatch, caplog) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "discord-secret-123")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-456")
    monkeypatch.setenv(
        "PAPERBOY_DATABASE_URL", "postgresql+psycopg://bot:pg-secret-789@db:5432/papers"
    )
    s = Settings()
    with caplog.at_level(logging.INFO):
        logging.getLogger("test").info("settings: %s / %r", s, s)
    shown = repr(s) + str(s) + caplog.text + s.database_url_for_display()
    shown += str(s.model_dump()) + s.model_dump_json()
    for secret in ("discord-secret-123", "sk-secret-456", "pg-secret-789"):
        assert secret not in shown
    assert s.database_url_for_display() == "postgresql+psycopg://bot:***@db:5432/papers"
    assert s.database_url == "postgresql+psycopg://bot:pg-secret-789@db:5432/papers"


def test_an_ipv6_database_host_is_shown_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_DATABASE_URL", "postgresql://bot:pw@[::1]:5432/papers")
    assert Settings().database_url_for_display() == "postgresql://bot:***@[::1]:5432/papers"


def test_bad_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOY_POLL_SECONDS", "-1")
    with pytest.raises(ValueError, match="poll_seconds"):
        Settings()


def test_chat_platform_secrets_stay_out_of_reprs() -> None:
    from dataclasses import fields

    from adapters.discord.client import DiscordBot
    from adapters.slack.app import SlackOptions

    shown = repr(
        SlackOptions(bot_token="xoxb-secret", app_token="xapp-secret", signing_secret="s3")
    )
    assert "secret" not in shown and "s3" not in shown
    assert not next(f for f in fields(DiscordBot) if f.name == "token").repr


def test_every_setting_is_listed_in_env_example() -> None:
    from pathlib import Path

    from pydantic import AliasChoices

    from adapters.settings import Settings

    listed = (Path(__file__).resolve().parents[2] / ".env.example").read_text()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        env = alias.choices[0] if isinstance(alias, AliasChoices) else f"PAPERBOY_{name.upper()}"
        assert f"# {env}=" in listed, f"{env} is not in .env.example"
