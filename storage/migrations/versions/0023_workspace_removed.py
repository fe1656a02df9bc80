"""A workspace the app was removed from: `workspace.removed_at`, when it was uninstalled from
Slack (``app_uninstalled``) or removed from a Discord server (kicked, or the server deleted).

Until now only the adapter knew (and only the process that heard it): the core went on
deciding the workspace's nudges, digests and reminders, each one refused at delivery with a
warning. While it is set, due nudges wait (they are taken up again once the app is back) and
no digest is made; installing the app again (a new registration) clears it. Nothing was
recorded before, so every existing workspace starts as present. Going back down drops the
column.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("removed_at")
