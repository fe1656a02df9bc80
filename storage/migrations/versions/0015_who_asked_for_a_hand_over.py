"""A question remembers who asked for the hand-over waiting on it (`handover_by`): the mentor
or an admin. Until now an admin's offer was recognised from the audit trail, which could credit
the wrong person (an admin's offer declined, then the mentor's own to the same mentor) and
could not tell the person declining whose offer it was.

A hand-over already waiting is attributed as before: to the admin whose audit entry is the
newest for the question since its session was claimed and names the same mentor, otherwise to
the question's mentor.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_question = sa.table(
    "question",
    sa.column("id", sa.Integer),
    sa.column("workspace", sa.String),
    sa.column("number", sa.Integer),
    sa.column("mentor", sa.String),
    sa.column("claimed_at", sa.DateTime),
    sa.column("handover_to", sa.String),
    sa.column("handover_by", sa.String),
)
_audit = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("workspace", sa.String),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("subject", sa.String),
    sa.column("detail", sa.Text),
    sa.column("at", sa.DateTime),
)


# On SQLite a batch that rebuilds the table must keep its AUTOINCREMENT (ids never reused).
_KEEP = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("question", table_kwargs=_KEEP) as batch:
        batch.add_column(sa.Column("handover_by", sa.String(), nullable=True))
    bind = op.get_bind()
    waiting = bind.execute(
        sa.select(
            _question.c.id,
            _question.c.workspace,
            _question.c.number,
            _question.c.mentor,
            _question.c.claimed_at,
            _question.c.handover_to,
        ).where(_question.c.handover_to.is_not(None))
    ).all()
    for q in waiting:
        newest = bind.execute(
            sa.select(_audit.c.actor, _audit.c.detail, _audit.c.at)
            .where(
                _audit.c.workspace == q.workspace,
                _audit.c.action == "handover",
                _audit.c.subject == f"#{q.number}",
            )
            .order_by(_audit.c.at.desc(), _audit.c.id.desc())
            .limit(1)
        ).first()
        by_admin = (
            newest is not None
            and newest.detail == f"to {q.handover_to}"
            and (q.claimed_at is None or newest.at >= q.claimed_at)
        )
        bind.execute(
            sa.update(_question)
            .where(_question.c.id == q.id)
            .values(handover_by=newest.actor if by_admin and newest else q.mentor)
        )


def downgrade() -> None:
    with op.batch_alter_table("question", table_kwargs=_KEEP) as batch:
        batch.drop_column("handover_by")
