"""A question carries a version, bumped by every update of what a decision may change: an update
writes only over the version it read. Until now it checked only the state, so two decisions on
a question that stays claimed (accepting a hand-over while the asker extends the session) both
went through, and the later one undid the earlier one.

Existing questions start at version 0. Going back down drops the column.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On SQLite a batch that rebuilds the table must keep its AUTOINCREMENT (ids never reused).
_KEEP = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("question", table_kwargs=_KEEP) as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("question", table_kwargs=_KEEP) as batch:
        batch.drop_column("version")
