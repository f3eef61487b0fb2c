"""`paperboy doctor` against the project's fakes: each check passes when its part is fine, and
fails with what to fix when it is not."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.doctor import Check, diagnose, report
from adapters.settings import Settings
from bot.domain import FeedKind, FeedSpec, Rules, Target
from storage import open_storage
from tests.discord.fake_discord import GONE_CHANNEL, TEXT_CHANNEL, Failure, FakeDiscord
from tests.fake_sources import FakeSources
from tests.qa.fake_openai import FakeOpenAI
from tests.slack.fake_slack import CHANNEL, FakeSlack

FIXTURES = Path(__file__).parent / "fixtures"
BODIES = {
    "hf": (FIXTURES / "hf_daily_2024_schema.json").read_bytes(),
    "rss": (FIXTURES / "arxiv_rss_mixed.xml").read_bytes(),
    "arxiv-api": (FIXTURES / "arxiv_api_two_pages_p1.atom.xml").read_bytes(),
}


def settings_for(tmp_path: Path, fake: FakeSources, **more: object) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite:///{tmp_path / 'doctor.db'}",
        hf_base_url=f"{fake.base}/hf",
        arxiv_api_url=f"{fake.base}/arxiv/api/query",
        arxiv_rss_url=f"{fake.base}/rss",
        arxiv_request_interval_seconds=0,
        OPENAI_API_KEY=None,
        OPENAI_BASE_URL=None,
        **more,
    )


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


async def test_all_is_well_and_says_so(tmp_path: Path) -> None:
    with FakeSources(BODIES) as fake:
        checks = await diagnose(settings_for(tmp_path, fake))
    text, status = report(checks)
    assert status == 0, text
    assert [c.name for c in checks] == [
        "database",
        "hf-daily",
        "arxiv-rss:cs.AI+cs.CL+cs.LG",
        "arxiv-api",
    ]
    assert text.endswith("all checks passed")


async def test_a_database_behind_the_code_says_to_upgrade(tmp_path: Path) -> None:
    import sqlalchemy as sa
    from alembic import command

    from storage.engine import sync_url
    from storage.migrate import _config

    url = f"sqlite:///{tmp_path / 'doctor.db'}"
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as conn:
        command.upgrade(_config(conn), "0006")
    engine.dispose()
    with FakeSources(BODIES) as fake:
        checks = await diagnose(settings_for(tmp_path, fake))
    database = by_name(checks)["database"]
    assert not database.ok and "is at revision 0006" in database.said
    assert database.fix == "run `paperboy db upgrade`"
    assert report(checks)[1] == 1


async def test_a_database_that_does_not_answer(tmp_path: Path) -> None:
    with FakeSources(BODIES) as fake:
        settings = settings_for(tmp_path, fake).model_copy(
            update={"database_url": "postgresql+psycopg://nobody@127.0.0.1:9/none"}
        )
        database = by_name(await diagnose(settings))["database"]
    assert not database.ok and "cannot be opened" in database.said
    assert "PAPERBOY_DATABASE_URL" in database.fix


async def test_sources_that_fail_are_named_with_their_error(tmp_path: Path) -> None:
    with FakeSources(BODIES, failing={"hf", "rss", "arxiv-api"}) as fake:
        checks = by_name(await diagnose(settings_for(tmp_path, fake)))
    for name in ("hf-daily", "arxiv-rss:cs.AI+cs.CL+cs.LG", "arxiv-api"):
        assert not checks[name].ok and "HTTP 503" in checks[name].said, name
        assert checks[name].fix


@pytest.fixture
async def discord_fake() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def test_discord_token_intents_and_channels(
    tmp_path: Path, discord_fake: FakeDiscord
) -> None:
    url = f"sqlite:///{tmp_path / 'doctor.db'}"
    storage = await open_storage(url)
    for channel in (TEXT_CHANNEL, GONE_CHANNEL):
        await storage.subscriptions.add(
            Target("discord", channel), FeedSpec(FeedKind.HF_DAILY), Rules(), datetime.now(UTC)
        )
    await storage.close()
    with FakeSources(BODIES) as fake:
        settings = settings_for(
            tmp_path,
            fake,
            DISCORD_TOKEN="fake-token",
            DISCORD_API_BASE_URL=discord_fake.api,
            discord_message_content=True,
        )
        checks = by_name(await diagnose(settings))
        assert checks["discord token"].ok
        assert not checks["discord intents"].ok  # the fake's application has no intent flags
        assert checks[f"discord channel {TEXT_CHANNEL}"].ok
        gone = checks[f"discord channel {GONE_CHANNEL}"]
        assert not gone.ok and "HTTP 403" in gone.said and "invite the bot" in gone.fix
        discord_fake.failures.append(Failure("GET", re.compile("users/@me"), 401, 1))
        refused = by_name(await diagnose(settings))["discord token"]
    assert not refused.ok and "HTTP 401" in refused.said and "DISCORD_TOKEN" in refused.fix


async def test_slack_token_and_channels(tmp_path: Path) -> None:
    slack = FakeSlack()
    await slack.start()
    storage = await open_storage(f"sqlite:///{tmp_path / 'doctor.db'}")
    await storage.subscriptions.add(
        Target("slack", CHANNEL), FeedSpec(FeedKind.HF_DAILY), Rules(), datetime.now(UTC)
    )
    await storage.close()
    try:
        with FakeSources(BODIES) as fake:
            good = settings_for(
                tmp_path, fake, SLACK_BOT_TOKEN="xoxb-good", SLACK_API_BASE_URL=slack.api
            )
            checks = by_name(await diagnose(good))

            async def not_found(args: dict[str, object]) -> dict[str, object]:
                return {"ok": False, "error": "channel_not_found"}

            slack._conversations_info = not_found  # type: ignore[method-assign]
            slack.scopes = "chat:write,commands"  # no reactions:read: votes are not counted
            gone = by_name(await diagnose(good))
            bad = by_name(
                await diagnose(
                    settings_for(
                        tmp_path, fake, SLACK_BOT_TOKEN="xoxb-wrong", SLACK_API_BASE_URL=slack.api
                    )
                )
            )
    finally:
        await slack.stop()
    assert checks["slack token"].ok and checks[f"slack channel {CHANNEL}"].ok
    assert not bad["slack token"].ok and "invalid_auth" in bad["slack token"].said
    assert not gone["slack scopes"].ok and gone["slack scopes"].said == "missing reactions:read"
    assert "reinstall" in gone["slack scopes"].fix
    assert not gone[f"slack channel {CHANNEL}"].ok
    assert "channel_not_found" in gone[f"slack channel {CHANNEL}"].said
    assert "SLACK_BOT_TOKEN" in bad["slack token"].fix


async def test_the_language_model_answers_or_is_said_not_to(tmp_path: Path) -> None:
    with FakeSources(BODIES) as fake, FakeOpenAI(["OK", 503]) as model:
        settings = settings_for(tmp_path, fake).model_copy(
            update={"openai_base_url": model.base_url, "llm_timeout_seconds": 5}
        )
        answers = by_name(await diagnose(settings))["language model"]
        silent = by_name(await diagnose(settings))["language model"]
    assert answers.ok
    assert not silent.ok and "OPENAI_BASE_URL" in silent.fix


async def test_the_embedding_model_answers_or_is_said_not_to(tmp_path: Path) -> None:
    for embed, ok in ((lambda text: [1.0, 0.0], True), (404, False)):
        with FakeSources(BODIES) as fake, FakeOpenAI(["OK"], embed=embed) as model:
            settings = settings_for(tmp_path, fake).model_copy(
                update={"openai_base_url": model.base_url, "llm_timeout_seconds": 5}
            )
            check = by_name(await diagnose(settings))["embedding model"]
        assert check.ok is ok
        if ok:
            assert check.said == "text-embedding-3-small answers: related papers by meaning"
        else:
            assert "found by words alone" in check.said
            assert "PAPERBOY_EMBEDDING_MODEL" in check.fix


async def test_a_database_driver_that_is_not_installed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the `postgres` extra were missing
    with FakeSources(BODIES) as fake:
        settings = settings_for(tmp_path, fake).model_copy(
            update={"database_url": "postgresql+psycopg://paperboy@127.0.0.1:5432/test"}
        )
        database = by_name(await diagnose(settings))["database"]
    assert not database.ok and "cannot be opened" in database.said
    assert "install the `postgres` extra" in database.fix
