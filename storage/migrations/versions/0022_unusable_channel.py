"""Channels found unusable, shared by every replica: a workspace's channel the platform called
archived, deleted or not found (Slack's events, or a delivery it refused) is a row of
`unusable_channel` while it is.

Until now only the replica that heard it knew: with several replicas behind a load balancer
the others went on taking questions whose cards could go nowhere, and an unarchive heard by one
left the others refusing questions. Nothing was stored before, so the table starts empty (a
channel still unusable is learned again at its first refused delivery). Going back down drops
the table.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "unusable_channel",
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("why", sa.String(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("workspace", "channel"),
    )


def downgrade() -> None:
    op.drop_table("unusable_channel")
