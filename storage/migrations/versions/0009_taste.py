"""Channel taste: thumbs-down reactions are kept too (`votes.up`: `top` counts only the others),
and the signals without a voter (questions, `show`) and each channel's last reset.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("votes") as batch:
        batch.add_column(sa.Column("up", sa.Boolean(), nullable=False, server_default=sa.true()))
    op.create_table(
        "taste_signals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(255), nullable=False),
        sa.Column("arxiv_id", sa.String(64), nullable=False),
        sa.Column("signal", sa.String(16), nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_taste_signals_channel_created", "taste_signals", ["platform", "channel", "created"]
    )
    op.create_table(
        "taste_resets",
        sa.Column("platform", sa.String(32), primary_key=True),
        sa.Column("channel", sa.String(255), primary_key=True),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("taste_resets")
    op.drop_index("ix_taste_signals_channel_created", "taste_signals")
    op.drop_table("taste_signals")
    with op.batch_alter_table("votes") as batch:
        batch.drop_column("up")
