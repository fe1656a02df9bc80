"""Whether any mentor of the workspace was in working hours when a question was asked:
`question.mentor_at_work`.

The digest's coverage by hour ("questions came while no mentor was in working hours") judged
each question by the mentors as they are when the digest is made: a mentor who changed their
hours, left or was forgotten since rewrote the past (a question claimed within a minute listed
as uncovered). Now it is decided when the question is asked. Questions asked before this are
NULL and still judged by today's mentors, as before. Going back down drops the column.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.add_column(sa.Column("mentor_at_work", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("question") as batch:
        batch.drop_column("mentor_at_work")
