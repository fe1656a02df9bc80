"""Initial schema: workspaces, people, mentors, questions, feedback, points, nudges, run-once rows.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(
    name: str, *, nullable: bool = True, server_default: sa.ColumnElement[Any] | None = None
) -> sa.Column[Any]:
    return sa.Column(
        name, sa.DateTime(timezone=True), nullable=nullable, server_default=server_default
    )


def _question_fk(*, nullable: bool) -> sa.Column[Any]:
    return sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "workspace",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("mentoring_channel", sa.String(), nullable=False),
        sa.Column("admin_channel", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
    )
    op.create_table(
        "person",
        sa.Column("key", sa.String(), primary_key=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=True),
        sa.Column("is_admin", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "mentor_profile",
        sa.Column("user", sa.String(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("hours", sa.String(), nullable=False),
        sa.Column("capacity_per_week", sa.Integer(), nullable=False),
        _when("paused_until"),
        _when("joined_at"),
        sa.Column("active", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_mentor_profile_workspace", "mentor_profile", ["workspace"])

    op.create_table(
        "question",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("asker", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _when("created_at", nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("mentor", sa.String(), nullable=True),
        sa.Column("suggested", sa.JSON(), nullable=False),
        sa.Column("card", sa.String(), nullable=True),
        sa.Column("thread", sa.String(), nullable=True),
        _when("claimed_at"),
        _when("resolved_at"),
        _when("closed_at"),
        _when("timebox_ends_at"),
        _when("last_activity_at"),
        sa.Column("extensions", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
    )
    op.create_index("ix_question_workspace_state", "question", ["workspace", "state"])
    op.create_index("ix_question_workspace_created_at", "question", ["workspace", "created_at"])
    op.create_index("ix_question_asker", "question", ["asker"])
    op.create_index("ix_question_mentor", "question", ["mentor"])
    op.create_index("ix_question_card", "question", ["card"])
    op.create_index("ix_question_thread", "question", ["thread"])

    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), primary_key=True),
        _question_fk(nullable=False),
        sa.Column("rater", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        _when("created_at", nullable=False),
        sa.UniqueConstraint("question_id", "rater", "role", name="uq_feedback_question_rater_role"),
    )
    op.create_table(
        "points_ledger",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        _when("at", nullable=False),
        _question_fk(nullable=True),
    )
    op.create_index("ix_points_ledger_workspace_at", "points_ledger", ["workspace", "at"])
    op.create_index("ix_points_ledger_user_at", "points_ledger", ["user", "at"])

    op.create_table(
        "nudge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("workspace", sa.String(), nullable=False),
        _question_fk(nullable=True),
        sa.Column("target", sa.String(), nullable=True),
        sa.Column("step", sa.Integer(), nullable=False),
        _when("due_at", nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("lease_until"),
        _when("sent_at"),
        sa.Column("last_error", sa.Text(), nullable=False),
        _when("created_at", nullable=False, server_default=sa.func.now()),
    )
    # "Anything due?" is one range scan on this index.
    op.create_index("ix_nudge_state_due_at", "nudge", ["state", "due_at"])
    op.create_index("ix_nudge_question_id", "nudge", ["question_id"])
    op.create_index("ix_nudge_kind_target", "nudge", ["kind", "target"])

    op.create_table(
        "not_my_area",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mentor", sa.String(), nullable=False),
        _question_fk(nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        _when("at", nullable=False),
    )
    op.create_index("ix_not_my_area_at", "not_my_area", ["at"])
    op.create_index("ix_not_my_area_mentor_question", "not_my_area", ["mentor", "question_id"])

    op.create_table(
        "processed_event",
        sa.Column("key", sa.String(), primary_key=True),
        _when("at", nullable=False),
    )
    op.create_index("ix_processed_event_at", "processed_event", ["at"])

    op.create_table(
        "digest_run",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("period", sa.String(), nullable=False),
        _when("started_at", nullable=False),
        sa.UniqueConstraint("workspace", "period", name="uq_digest_run_workspace_period"),
    )


def downgrade() -> None:
    for table in (
        "digest_run",
        "processed_event",
        "not_my_area",
        "nudge",
        "points_ledger",
        "feedback",
        "question",
        "mentor_profile",
        "person",
        "workspace",
    ):
        op.drop_table(table)
