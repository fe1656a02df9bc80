"""Lightning sessions are numbered per workspace, like questions: a second workspace's first
session is its #1 (not the global id, say #7), and `/lightning join 1` names this workspace's
session. The id stays the bot's own (sign-ups, reminders, the buttons already posted).

Existing sessions are numbered 1, 2, 3 … per workspace in the order they were created (their
ids); each workspace's counter continues from its highest number. Going back down drops the
number and the counter.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# On SQLite a batch that rebuilds the table must keep its AUTOINCREMENT (ids never reused).
_KEEP = {"sqlite_autoincrement": True}


def upgrade() -> None:
    with op.batch_alter_table("workspace") as batch:
        batch.add_column(
            sa.Column("last_lightning_number", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("lightning", table_kwargs=_KEEP) as batch:
        batch.add_column(sa.Column("number", sa.Integer(), nullable=True))
    # 1, 2, 3 … per workspace in id order (portable: SQLite and PostgreSQL alike).
    op.execute(
        "UPDATE lightning SET number = (SELECT COUNT(*) FROM lightning earlier "
        "WHERE earlier.workspace = lightning.workspace AND earlier.id <= lightning.id)"
    )
    op.execute(
        "UPDATE workspace SET last_lightning_number = COALESCE("
        "(SELECT MAX(s.number) FROM lightning s WHERE s.workspace = workspace.key), 0)"
    )
    with op.batch_alter_table("lightning", table_kwargs=_KEEP) as batch:
        batch.alter_column("number", existing_type=sa.Integer(), nullable=False)
    op.create_index(
        "uq_lightning_workspace_number", "lightning", ["workspace", "number"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_lightning_workspace_number", table_name="lightning")
    with op.batch_alter_table("lightning", table_kwargs=_KEEP) as batch:
        batch.drop_column("number")
    with op.batch_alter_table("workspace") as batch:
        batch.drop_column("last_lightning_number")
