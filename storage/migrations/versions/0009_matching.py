"""Matching learns: mentors' own words ("I can help with…") and the topics askers pick.

Revision ID: 0009
Revises: 0003
Create Date: 2026-11-29 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentor_profile") as batch:
        batch.add_column(sa.Column("about", sa.Text(), nullable=False, server_default=""))
    op.create_table(
        "topic_choice",
        sa.Column(
            "question_id",
            sa.Integer(),
            sa.ForeignKey("question.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_topic_choice_workspace", "topic_choice", ["workspace"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_topic_choice_workspace", table_name="topic_choice")
    op.drop_table("topic_choice")
    with op.batch_alter_table("mentor_profile") as batch:
        batch.drop_column("about")
