"""A channel's usable state in the platform's order, not in the order the news arrived: a row of
`unusable_channel` stays once the channel is usable again (`why` NULL, "usable since `since`"),
and `since` is when it was so (an event's time, or when the call that showed it began).

Until now a channel usable again lost its row, and a mark replaced whatever was stored: a
retried, older ``channel_archive`` reaching one replica after another stored the later
``channel_unarchive`` marked the channel archived again (and a post that succeeded just before
an archive cleared the mark), until the next event. Existing rows stay as they are (unusable
since when they were stored). Going back down drops the rows of usable channels and makes `why`
required again.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("unusable_channel") as batch:
        batch.alter_column("why", existing_type=sa.String(), nullable=True)


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM unusable_channel WHERE why IS NULL"))
    with op.batch_alter_table("unusable_channel") as batch:
        batch.alter_column("why", existing_type=sa.String(), nullable=False)
