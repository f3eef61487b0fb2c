"""Schema migrations on both engines: created when empty, current afterwards, refused when old."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from bot.domain import DeliveryKind
from storage import SchemaOutOfDate, SqlLedger, create_engine, ensure_schema, upgrade
from storage.migrate import head


async def test_empty_database_gets_the_schema_once(db_url: str) -> None:
    assert await ensure_schema(db_url) is True
    assert await ensure_schema(db_url) is False
    assert await upgrade(db_url) == (head(), head())


async def test_an_out_of_date_schema_is_refused_with_the_fix(db_url: str) -> None:
    await upgrade(db_url)
    engine = sa.create_engine(db_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0000'"))
    engine.dispose()
    with pytest.raises(SchemaOutOfDate, match="run `paperboy db upgrade`"):
        await ensure_schema(db_url)


async def test_the_migrations_build_the_tables_the_code_maps(db_url: str) -> None:
    """The ORM tables and what the migrations create agree."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from storage.engine import sync_url
    from storage.tables import Base

    await upgrade(db_url)
    engine = sa.create_engine(sync_url(db_url))
    try:
        with engine.connect() as conn:
            differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


async def test_subscriptions_made_before_the_log_have_decided_all_of_it(db_url: str) -> None:
    """0005: every subscription that had its first poll decided what was listed before (its
    cursor at the start of the log); one still waiting for it keeps no cursor."""
    from alembic import command

    from storage.engine import sync_url
    from storage.migrate import _config

    engine = sa.create_engine(sync_url(db_url))
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "0004")
            for channel, baseline in (("polled", "2026-06-01 00:00:00+00"), ("new", None)):
                conn.execute(
                    sa.text(
                        "INSERT INTO subscriptions (platform, channel, feed, rules, cadence,"
                        " created, baseline) VALUES ('fake', :channel, 'hf-daily', '{}', '{}',"
                        " '2026-06-01 00:00:00+00', :baseline)"
                    ),
                    {"channel": channel, "baseline": baseline},
                )
        await upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT channel, decided_to FROM subscriptions")).all()
    finally:
        engine.dispose()
    assert {r.channel: r.decided_to for r in rows} == {"polled": 0, "new": None}


async def test_updates_and_digests_made_before_0007_keep_their_meaning(db_url: str) -> None:
    """0007: an update's kind was "update:<news>" with its text in `reason`, a digest's list a
    row whose arxiv_id was "digest:<time>"; each now says so in its own columns, and the
    outbox posts them with their text."""
    from alembic import command

    from storage.engine import sync_url
    from storage.migrate import _config

    rows = [
        ("2606.00001", "card", "posted", "matches"),
        ("2606.00001", "update:code", "pending", "Code released: https://github.com/o/r"),
        ("digest:2026-06-12T09:00", "digest", "pending", "Daily digest: the top 2 papers"),
    ]
    engine = sa.create_engine(sync_url(db_url))
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "0006")
            conn.execute(
                sa.text(
                    "INSERT INTO subscriptions (id, platform, channel, feed, rules, cadence,"
                    " created) VALUES (7, 'fake', 'c', 'hf-daily', '{}', '{}',"
                    " '2026-06-01 00:00:00+00')"
                )
            )
            for arxiv_id, kind, outcome, reason in rows:
                conn.execute(
                    sa.text(
                        "INSERT INTO deliveries (subscription_id, arxiv_id, kind, outcome, reason,"
                        " message_id, key, attempts, decided, updated) VALUES (7, :a, :k, :o, :r,"
                        " :m, :key, 0, '2026-06-12 09:00:00+00', '2026-06-12 09:00:00+00')"
                    ),
                    {
                        "a": arxiv_id,
                        "k": kind,
                        "o": outcome,
                        "r": reason,
                        "m": "m1" if kind == "card" else None,
                        "key": f"paperboy-{kind[:6]}",
                    },
                )
        await upgrade(db_url)
    finally:
        engine.dispose()
    ledger = SqlLedger(create_engine(db_url))
    try:
        claims = await ledger.claim(datetime(2026, 6, 12, 10, tzinfo=UTC), timedelta(minutes=1), 10)
    finally:
        await ledger.engine.dispose()
    assert [(c.kind, c.arxiv_id, c.topic, c.text) for c in claims] == [
        (DeliveryKind.UPDATE, "2606.00001", "code", "Code released: https://github.com/o/r"),
        (DeliveryKind.DIGEST, None, "2026-06-12T09:00", "Daily digest: the top 2 papers"),
    ]


def test_the_head_written_out_is_the_migrations_head() -> None:
    """`storage.migrate.HEAD` lets a current database open without loading Alembic."""
    from storage.migrate import HEAD, migrations_head

    assert migrations_head() == HEAD


async def test_papers_stored_before_0010_are_found_by_their_exact_title(db_url: str) -> None:
    """0010 fills each stored paper's title key (its words in order); no title, no key."""
    from alembic import command

    from storage.engine import sync_url
    from storage.migrate import _config

    engine = sa.create_engine(sync_url(db_url))
    try:
        with engine.begin() as conn:
            command.upgrade(_config(conn), "0008")
            for n, title in enumerate(("The Llama 3 Herd of Models", None), start=1):
                conn.execute(
                    sa.text(
                        "INSERT INTO papers (arxiv_id, title, authors, authors_text,"
                        " categories_text, categories, ai_keywords, sources, on_hf, withdrawn,"
                        " first_seen, last_changed) VALUES (:id, :title, '[]', '', '', '[]',"
                        " '[]', '[]', false, false, '2026-06-01 00:00:00+00',"
                        " '2026-06-01 00:00:00+00')"
                    ),
                    {"id": f"2606.0000{n}", "title": title},
                )
        await upgrade(db_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT arxiv_id, title_key FROM papers")).all()
    finally:
        engine.dispose()
    assert dict(rows) == {"2606.00001": "the llama 3 herd of models", "2606.00002": None}
