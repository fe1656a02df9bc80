"""Slack installations (OAuth, one row per workspace) and which workspace a Slack id belongs to.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "slack_installation",
        sa.Column("team_id", sa.String(), primary_key=True),
        sa.Column("enterprise_id", sa.String(), nullable=True),
        sa.Column("app_id", sa.String(), nullable=True),
        sa.Column("team_name", sa.String(), nullable=False, server_default=""),
        sa.Column("bot_token", sa.String(), nullable=True),
        sa.Column("bot_id", sa.String(), nullable=True),
        sa.Column("bot_user_id", sa.String(), nullable=True),
        sa.Column("bot_scopes", sa.String(), nullable=False, server_default=""),
        sa.Column("installer_user_id", sa.String(), nullable=True),
        sa.Column("installed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.create_table(
        "slack_object",
        sa.Column("slack_id", sa.String(), primary_key=True),
        sa.Column("team_id", sa.String(), nullable=False),
    )
    op.create_index("ix_slack_object_team_id", "slack_object", ["team_id"])


def downgrade() -> None:
    op.drop_index("ix_slack_object_team_id", table_name="slack_object")
    op.drop_table("slack_object")
    op.drop_table("slack_installation")
