"""Deliveries say what they are in their own columns: `kind` is card, update or digest;
`topic` says which news an update brings (`code`, `version:3`) or when a digest was made;
`text` holds an update's or a digest's message. Before, an update's kind was "update:<news>"
with its text in `reason`, and a digest's list was a row whose arxiv_id was "digest:<time>".

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UNIQUE = "uq_deliveries_subscription_paper"


def upgrade() -> None:
    op.add_column(
        "deliveries", sa.Column("topic", sa.String(64), nullable=False, server_default="")
    )
    op.add_column("deliveries", sa.Column("text", sa.Text()))
    # SQL's substr counts from 1: "update:" and "digest:" are 7 characters.
    op.execute(
        "UPDATE deliveries SET topic = substr(kind, 8), kind = 'update', text = reason "
        "WHERE kind LIKE 'update:%'"
    )
    op.execute(
        "UPDATE deliveries SET topic = substr(arxiv_id, 8), arxiv_id = '', text = reason "
        "WHERE kind = 'digest'"
    )
    with op.batch_alter_table("deliveries") as batch:  # SQLite rebuilds the table for this
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["subscription_id", "arxiv_id", "kind", "topic"])


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_constraint(UNIQUE, type_="unique")
        batch.create_unique_constraint(UNIQUE, ["subscription_id", "arxiv_id", "kind"])
    op.execute(
        "UPDATE deliveries SET arxiv_id = 'digest:' || topic, reason = text WHERE kind = 'digest'"
    )
    op.execute(
        "UPDATE deliveries SET kind = 'update:' || topic, reason = text WHERE kind = 'update'"
    )
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("text")
        batch.drop_column("topic")
