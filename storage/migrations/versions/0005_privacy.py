"""Admins and privacy: the audit trail, dashboard sign-in tokens, when a person left.

Existing rows upgrade in place: nobody has left.

Revision ID: 0005
Revises: 0007
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(sa.Column("left_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("actor_name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("subject", sa.String(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_audit_event_workspace_at", "audit_event", ["workspace", "at"])
    op.create_table(
        "dashboard_token",
        sa.Column("token_hash", sa.String(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("admin", sa.String(), nullable=False),
        sa.Column("admin_name", sa.String(), nullable=False),
        sa.Column("workspaces", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_dashboard_token_expires_at", "dashboard_token", ["expires_at"])


def downgrade() -> None:
    op.drop_table("dashboard_token")
    op.drop_index("ix_audit_event_workspace_at", table_name="audit_event")
    op.drop_table("audit_event")
    with op.batch_alter_table("person") as batch:
        batch.drop_column("left_at")
