"""Alembic environment: migrations run on a connection handed in by `storage.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from storage.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations with `paperboy db upgrade` (storage.migrate), not the alembic CLI"
    )

if connection.dialect.name == "postgresql":
    # Several bot processes may start together against one database: one migrates at a time.
    connection.execute(text("SELECT pg_advisory_xact_lock(7261737301)"))

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
