"""A wider escalation channel per workspace; an index for claims per week.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(sa.Column("escalation_channel", sa.String(), nullable=True))
    op.create_index(
        "ix_question_workspace_claimed_at", "question", ["workspace", "claimed_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_question_workspace_claimed_at", table_name="question")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("escalation_channel")
