"""The asker's index also holds the workspace and the claim time: on every ask the bot reads
which mentors this asker met lately (asker, workspace, claimed since), and with only the asker
in the index SQLite (which keeps no statistics) chose the workspace's claims instead, reading
every claim since the date (2 ms on 10,000 questions against 10 µs). The new index starts with
the asker, so whatever used the old one still can.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_question_asker_workspace_claimed_at", "question", ["asker", "workspace", "claimed_at"]
    )
    op.drop_index("ix_question_asker", table_name="question")


def downgrade() -> None:
    op.create_index("ix_question_asker", "question", ["asker"])
    op.drop_index("ix_question_asker_workspace_claimed_at", table_name="question")
