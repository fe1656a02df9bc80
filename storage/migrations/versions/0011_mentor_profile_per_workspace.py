"""A mentor profile per person and workspace: Discord user ids (and Slack Enterprise Grid ones)
are the same in every server or workspace, so someone who mentors in two has two profiles.

Existing rows keep their values; each is the profile of the workspace it names.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# PostgreSQL's own name for a table's primary key.
_PK = "mentor_profile_pkey"


def _set_primary_key(columns: list[str]) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        old = sa.inspect(bind).get_pk_constraint("mentor_profile").get("name")
        if old:
            op.drop_constraint(old, "mentor_profile", type_="primary")
        op.create_primary_key(_PK, "mentor_profile", columns)
        return
    # SQLite can't change a primary key: the table is copied into one like it whose key columns
    # are marked as such (marking the columns keeps them and the key in agreement).
    current = sa.Table("mentor_profile", sa.MetaData(), autoload_with=bind)
    copied = []
    for column in current.columns:
        copy = column._copy()
        copy.primary_key = column.name in columns
        copied.append(copy)
    indexes = [
        sa.Index(i.name, *(c.name for c in i.columns), unique=i.unique) for i in current.indexes
    ]
    wanted = sa.Table("mentor_profile", sa.MetaData(), *copied, *indexes)
    with op.batch_alter_table("mentor_profile", recreate="always", copy_from=wanted):
        pass


def upgrade() -> None:
    _set_primary_key(["user", "workspace"])


def downgrade() -> None:
    # The old key holds one profile per person: an active one, the newest joined, stays.
    bind = op.get_bind()
    rows = bind.execute(
        sa.text('SELECT "user", workspace, active, joined_at FROM mentor_profile')
    ).all()
    kept: dict[str, tuple[bool, str, str]] = {}
    for user, workspace, active, joined_at in rows:
        rank = (bool(active), str(joined_at or ""), workspace)
        kept[user] = max(kept.get(user, rank), rank)
    for user, workspace, active, joined_at in rows:
        if kept[user] != (bool(active), str(joined_at or ""), workspace):
            bind.execute(
                sa.text('DELETE FROM mentor_profile WHERE "user" = :u AND workspace = :w'),
                {"u": user, "w": workspace},
            )
    _set_primary_key(["user"])
