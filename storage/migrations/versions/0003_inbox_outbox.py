"""The durable flow: the inbox and the outbox; question ids never reused on SQLite.

Processed Slack event keys move into the inbox (as processed rows), so a retry of an event seen
before the upgrade is still dropped; the old ``processed_event`` table goes.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PENDING = sa.text("state = 'pending'")


def _when(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _queue(name: str, *columns: sa.Column[Any]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(), nullable=False, unique=True),
        sa.Column("lane", sa.String(), nullable=False),
        *columns,
        sa.Column("state", sa.String(), nullable=False),
        _when("created_at", nullable=False),
        _when("due_at", nullable=False),
        _when("lease_until"),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index(
        f"ix_{name}_pending_due",
        name,
        ["due_at", "id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index(
        f"ix_{name}_pending_lane",
        name,
        ["lane", "id"],
        sqlite_where=_PENDING,
        postgresql_where=_PENDING,
    )
    op.create_index(f"ix_{name}_state_at", name, ["state", "created_at"])


def upgrade() -> None:
    _queue(
        "inbox",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        _when("done_at"),
    )
    _queue(
        "outbox",
        sa.Column("spec", sa.JSON(), nullable=False),
        _when("sent_at"),
        sa.Column("result", sa.String(), nullable=True),
    )
    op.execute(
        "INSERT INTO inbox (key, kind, lane, payload, state, created_at, due_at, attempts, "
        "last_error, done_at) SELECT key, 'legacy', '', '{}', 'done', at, at, 1, '', at "
        "FROM processed_event"
    )
    op.drop_index("ix_processed_event_at", table_name="processed_event")
    op.drop_table("processed_event")
    if op.get_bind().dialect.name == "sqlite":
        # AUTOINCREMENT needs the table rebuilt (storage.migrate checks references after).
        with op.batch_alter_table(
            "question", recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            pass


def downgrade() -> None:
    op.create_table(
        "processed_event",
        sa.Column("key", sa.String(), primary_key=True),
        _when("at", nullable=False),
    )
    op.create_index("ix_processed_event_at", "processed_event", ["at"])
    op.execute(
        "INSERT INTO processed_event (key, at) SELECT key, created_at FROM inbox "
        "WHERE state = 'done'"
    )
    op.drop_table("outbox")
    op.drop_table("inbox")
