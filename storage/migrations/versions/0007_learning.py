"""Learning that lasts: course progress, coached drafts, FAQ entries, "Share summary" consents;
a career stage and region on mentor profiles; the stage an asker asked for.

Existing rows upgrade in place: profiles get no stage and an empty region, questions no stage.

Revision ID: 0007
Revises: 0003
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("mentor_profile") as batch:
        batch.add_column(sa.Column("stage", sa.String(), nullable=True))
        batch.add_column(sa.Column("region", sa.String(), nullable=False, server_default=""))
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("wanted_stage", sa.String(), nullable=True))

    op.create_table(
        "learning_enrollment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("track", sa.String(), nullable=False),
        sa.Column("next_lesson", sa.Integer(), nullable=False),
        _when("started_at", nullable=False),
        _when("last_sent_at"),
        _when("completed_at"),
        _when("stopped_at"),
        sa.Column("checks_right", sa.Integer(), nullable=False),
        sa.Column("checks_answered", sa.JSON(), nullable=False),
        sa.UniqueConstraint("user", "track", name="uq_learning_enrollment_user_track"),
    )
    op.create_table(
        "question_draft",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("asker", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("stage", sa.String(), nullable=True),
        sa.Column("state", sa.String(), nullable=False),
        _when("created_at", nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_question_draft_asker", "question_draft", ["asker"])
    op.create_table(
        "faq_entry",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("author", sa.String(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        _when("created_at", nullable=False),
        _when("updated_at"),
        _when("verified_at", nullable=False),
        sa.UniqueConstraint("question_id", name="uq_faq_entry_question"),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_faq_entry_workspace_state_verified",
        "faq_entry",
        ["workspace", "state", "verified_at"],
    )
    op.create_index("ix_faq_entry_workspace_author", "faq_entry", ["workspace", "author"])
    op.create_table(
        "summary_share",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("question_id", sa.Integer(), sa.ForeignKey("question.id"), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        _when("at", nullable=False),
        sa.UniqueConstraint("question_id", "user", name="uq_summary_share_question_user"),
    )


def downgrade() -> None:
    op.drop_table("summary_share")
    op.drop_index("ix_faq_entry_workspace_author", table_name="faq_entry")
    op.drop_index("ix_faq_entry_workspace_state_verified", table_name="faq_entry")
    op.drop_table("faq_entry")
    op.drop_index("ix_question_draft_asker", table_name="question_draft")
    op.drop_table("question_draft")
    op.drop_table("learning_enrollment")
    with op.batch_alter_table("question") as batch:
        batch.drop_column("wanted_stage")
    with op.batch_alter_table("mentor_profile") as batch:
        batch.drop_column("region")
        batch.drop_column("stage")
