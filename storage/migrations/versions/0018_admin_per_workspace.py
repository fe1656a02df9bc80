"""Admin per workspace: who is an admin of which workspace (`workspace_admin`), in place of one
`person.is_admin` flag. A Discord or Enterprise Grid user id is the same person in every
workspace the bot serves: the flag followed whichever workspace their latest command came from,
so a demoted admin got a workspace's dashboard back by acting where they were still admin, and
an admin acting as a plain member elsewhere lost their own.

What the flag meant is not known: it says "admin of the workspace of their latest command", and
that workspace was not stored. A flag is kept only where it can have come from one workspace
alone: when the database serves exactly one workspace of the person's platform, they are its
admin. Otherwise they are admin of none until they act again (any command reads the platform's
role afresh); a guess among several could hand a workspace's dashboard to someone its admins
demoted, and the cost of not guessing is one new sign-in link. Going down, someone admin of any
workspace gets the flag back.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01 00:00:00
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_person = sa.table("person", sa.column("key", sa.String()), sa.column("is_admin", sa.Boolean()))
_workspace = sa.table("workspace", sa.column("key", sa.String()))


def _platform(key: str) -> str:
    return key.partition(":")[0]


def upgrade() -> None:
    admins = op.create_table(
        "workspace_admin",
        sa.Column("person", sa.String(), nullable=False),
        sa.Column("workspace", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("person", "workspace"),
    )
    bind = op.get_bind()
    by_platform: dict[str, list[str]] = defaultdict(list)
    for (key,) in bind.execute(sa.select(_workspace.c.key)):
        by_platform[_platform(key)].append(key)
    flagged = bind.execute(sa.select(_person.c.key).where(_person.c.is_admin == sa.true()))
    rows = [
        {"person": key, "workspace": only[0]}
        for (key,) in flagged
        if len(only := by_platform.get(_platform(key), [])) == 1
    ]
    if rows:
        op.bulk_insert(admins, rows)
    with op.batch_alter_table("person") as batch:
        batch.drop_column("is_admin")


def downgrade() -> None:
    with op.batch_alter_table("person") as batch:
        batch.add_column(
            sa.Column("is_admin", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    admins = sa.table("workspace_admin", sa.column("person", sa.String()))
    op.execute(
        sa.update(_person)
        .where(_person.c.key.in_(sa.select(admins.c.person)))
        .values(is_admin=True)
    )
    op.drop_table("workspace_admin")
