"""Mentor pauses per workspace: a mentor profile is per person and workspace (0011), so a pause
in one workspace must neither excuse a streak week nor end by a resume in another.

Existing rows keep a NULL workspace: recorded when a pause applied everywhere, they still do.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-08 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentor_pause") as batch:
        batch.add_column(sa.Column("workspace", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("mentor_pause") as batch:
        batch.drop_column("workspace")
