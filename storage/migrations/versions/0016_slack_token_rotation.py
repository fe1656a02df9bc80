"""Slack token rotation: an installation keeps its refresh token and when its bot token expires.

An app with token rotation turned on gets a bot token that lasts 12 hours and a refresh token
that trades it for the next one (Slack's "Using token rotation"). Until now only the bot token
was kept, so such an install stopped working after 12 hours. Existing rows have neither: their
tokens do not expire.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("slack_installation") as batch:
        batch.add_column(sa.Column("bot_refresh_token", sa.String(), nullable=True))
        batch.add_column(sa.Column("bot_token_expires_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("slack_installation") as batch:
        batch.drop_column("bot_token_expires_at")
        batch.drop_column("bot_refresh_token")
