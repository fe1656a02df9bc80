"""Who said "Not my area" to a question is read by the question alone (re-ranking it after a
release or an escalation), and the table's only index led with the mentor: an index by question.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_not_my_area_question_id", "not_my_area", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_not_my_area_question_id", table_name="not_my_area")
