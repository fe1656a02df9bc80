"""Slack token rotation: an installation keeps its refresh token, when its bot token expires,
and until when one replica is trading it for the next (so no other spends the refresh token too).

An app with token rotation turned on gets a bot token that lasts 12 hours and a refresh token
that trades it, once, for the next pair (Slack's "Using token rotation"). Until now only the bot
token was kept, so such an install stopped working after 12 hours. Existing rows have none of
these: their tokens do not expire. Going back down drops the refresh tokens: a rotating install
then stops working within 12 hours, until it is installed again.

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
        batch.add_column(
            sa.Column("bot_token_trading_until", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("slack_installation") as batch:
        batch.drop_column("bot_token_trading_until")
        batch.drop_column("bot_token_expires_at")
        batch.drop_column("bot_refresh_token")
