"""Who marked a question resolved: badges and streaks count a session its mentor closed
themselves only once the asker rated it well.

Existing rows upgrade in place with nobody recorded (their sessions keep counting as before).

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-04 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("resolved_by", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.drop_column("resolved_by")
