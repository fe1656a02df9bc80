"""Where a public kudos was posted: `kudos.card`.

A kudos names its giver and receiver and quotes its reason in the mentoring channel; forgetting
either of them erases the reason, and the post must be redrawn without it, which needs its ref.
Kudos posted before this have none (their refs were never kept) and stay as they were posted.
Going back down drops the column.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("kudos") as batch:
        batch.add_column(sa.Column("card", sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("kudos") as batch:
        batch.drop_column("card")
