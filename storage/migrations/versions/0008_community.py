"""Community: lightning sessions and their sign-ups, kudos, badges, mentor pauses, recognition
notes; nudges about something other than a question (a lightning session).

Revision ID: 0008
Revises: 0003
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str, *, nullable: bool = True) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "lightning",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("topic", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("speaker", sa.String(), nullable=True),
        sa.Column("proposed_by", sa.String(), nullable=True),
        _when("starts_at"),
        sa.Column("question_ids", sa.JSON(), nullable=False),
        sa.Column("invited", sa.JSON(), nullable=False),
        sa.Column("declined", sa.JSON(), nullable=False),
        sa.Column("demand_period", sa.Integer(), nullable=True),
        sa.Column("card", sa.String(), nullable=True),
        _when("created_at", nullable=False),
        _when("held_at"),
        _when("rewarded_at"),
        sa.UniqueConstraint(
            "workspace", "topic", "demand_period", name="uq_lightning_workspace_topic_period"
        ),
        sqlite_autoincrement=True,
    )
    op.create_index(
        "ix_lightning_workspace_topic_created_at", "lightning", ["workspace", "topic", "created_at"]
    )
    op.create_index(
        "ix_lightning_workspace_state_starts_at", "lightning", ["workspace", "state", "starts_at"]
    )
    op.create_index("ix_lightning_speaker", "lightning", ["speaker"])
    op.create_table(
        "lightning_rsvp",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("lightning_id", sa.Integer(), sa.ForeignKey("lightning.id"), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        _when("at", nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        _when("rated_at"),
        sa.UniqueConstraint("lightning_id", "user", name="uq_lightning_rsvp_lightning_user"),
    )
    op.create_table(
        "kudos",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("giver", sa.String(), nullable=False),
        sa.Column("receiver", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("private", sa.Boolean(), nullable=False),
        _when("at", nullable=False),
    )
    op.create_index("ix_kudos_giver_at", "kudos", ["giver", "at"])
    op.create_index("ix_kudos_workspace_at", "kudos", ["workspace", "at"])
    op.create_table(
        "badge",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("badge", sa.String(), nullable=False),
        _when("earned_at", nullable=False),
        _when("announced_at"),
        sa.UniqueConstraint("user", "badge", name="uq_badge_user_badge"),
    )
    op.create_index("ix_badge_workspace_earned_at", "badge", ["workspace", "earned_at"])
    op.create_table(
        "mentor_pause",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user", sa.String(), nullable=False),
        _when("start", nullable=False),
        _when("end", nullable=False),
    )
    op.create_index("ix_mentor_pause_user", "mentor_pause", ["user"])
    op.create_table(
        "recognition_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        _when("at", nullable=False),
    )
    op.create_index(
        "ix_recognition_note_user_kind_at", "recognition_note", ["user", "kind", "at"]
    )
    with op.batch_alter_table("nudge") as batch:
        batch.add_column(sa.Column("subject_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nudge") as batch:
        batch.drop_column("subject_id")
    op.drop_table("recognition_note")
    op.drop_table("mentor_pause")
    op.drop_table("badge")
    op.drop_table("kudos")
    op.drop_table("lightning_rsvp")
    op.drop_table("lightning")
