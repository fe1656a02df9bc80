"""Nudge ids are never handed out twice on SQLite (AUTOINCREMENT), like the inbox's, the
outbox's and questions': finished nudges are pruned, and without it SQLite gave the newest
pruned ids to the next nudges. PostgreSQL's sequences never reuse an id.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT needs the table rebuilt (rows, ids and indexes are copied over).
        with op.batch_alter_table(
            "nudge", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("nudge", recreate="always"):
            pass
