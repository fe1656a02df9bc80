"""When a question's Resolve was pressed: `question.resolve_pressed_at`.

A late resolve is stamped `resolved_at` when the time box ran out, hours before the press, while
the rating request, follow-up and next steps are due from the press and their quiet hours take
it as the asker's last action. The press was worked out from the nudge's due time, which a
failed send moves on. Now it is recorded. Questions resolved before this take their
`resolved_at` (the press, but for a late resolve, where quiet hours are then kept). Going back
down drops the column.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.add_column(
            sa.Column("resolve_pressed_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        "UPDATE question SET resolve_pressed_at = resolved_at WHERE resolved_at IS NOT NULL"
    )


def downgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.drop_column("resolve_pressed_at")
