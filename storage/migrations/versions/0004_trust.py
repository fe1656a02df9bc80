"""Trust boundaries: question numbers per workspace, who released a question, who was told about
it, a hand-over waiting for consent, and the events that rate limits count.

Existing questions keep their number (it equals their id), so cards and buttons already posted
still point at the same question; each workspace continues from its highest number.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 04:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("last_number", sa.Integer(), nullable=False, server_default="0")
        )
    # SQLite rebuilds the table for some of these: keep its ids never reused (0003).
    keep = {"sqlite_autoincrement": True}
    with op.batch_alter_table("question", table_kwargs=keep) as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("released_by", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.add_column(sa.Column("notified", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("handover_to", sa.String(), nullable=True))
    op.execute("UPDATE question SET number = id")
    op.execute(
        "UPDATE workspace SET last_number = COALESCE("
        "(SELECT MAX(q.number) FROM question q WHERE q.workspace = workspace.key), 0)"
    )
    with op.batch_alter_table("question", table_kwargs=keep) as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
    op.create_index(
        "uq_question_workspace_number", "question", ["workspace", "number"], unique=True
    )
    op.create_table(
        "rate_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_rate_event_user_kind_at", "rate_event", ["user", "kind", "at"])


def downgrade() -> None:
    op.drop_table("rate_event")
    op.drop_index("uq_question_workspace_number", table_name="question")
    with op.batch_alter_table("question") as batch:
        for name in ("handover_to", "notified", "released_by", "number"):
            batch.drop_column(name)
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("last_number")
