"""INSERT ... ON CONFLICT in the connection's dialect: SQLite and PostgreSQL both have it, but
SQLAlchemy builds it with each dialect's own `insert`. The one place storage tells them apart
for an upsert."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

Insert = postgresql.Insert | sqlite.Insert


def insert_for(conn: AsyncConnection | sa.Connection, table: sa.Table) -> Insert:
    """`INSERT INTO table` that takes `.on_conflict_do_update/nothing(...)` on `conn`."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def insert_ignoring_conflicts(
    conn: AsyncConnection | sa.Connection, table: sa.Table, keys: list[str]
) -> Insert:
    """INSERT ... ON CONFLICT (keys) DO NOTHING."""
    return insert_for(conn, table).on_conflict_do_nothing(index_elements=keys)
