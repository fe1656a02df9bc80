"""Per-workspace numbers (questions' #12, lightning sessions' #3): handed out by a counter on
the workspace row, whose row lock keeps two creates at once in one workspace from taking the
same number, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import sqlalchemy as sa

from bot.refs import WorkspaceRef
from storage.repositories._base import DbSession
from storage.tables import WorkspaceRow, table_of

__all__ = ["next_number"]

WORKSPACE = table_of(WorkspaceRow)


async def next_number(
    session: DbSession, counter: sa.Column[int], numbered: sa.Table, workspace: WorkspaceRef
) -> tuple[int, bool]:
    """The workspace's next number for a row of `numbered`, and whether `counter` handed it out.

    A counter behind the workspace's rows (a workspace row created after them: imported data, a
    row made again) goes on from their highest number instead, in the same statement: the
    unique (workspace, number) index would refuse the counter's next one. (On PostgreSQL a
    create waiting for the row lock may read the rows as they were before the holder's; the
    holder raised the counter past them, which it then reads.)"""
    highest = (
        sa.select(sa.func.coalesce(sa.func.max(numbered.c.number), 0))
        .where(numbered.c.workspace == workspace.key())
        .scalar_subquery()
    )
    raised = await session.execute(
        sa.update(WORKSPACE)
        .where(WORKSPACE.c.key == workspace.key())
        .values({counter: sa.case((counter >= highest, counter), else_=highest) + 1})
        .returning(counter)
    )
    number = raised.scalar_one_or_none()
    if number is not None:
        return number, True
    # A workspace without its row (imports, tests): the next free one.
    found = await session.execute(
        sa.select(sa.func.coalesce(sa.func.max(numbered.c.number), 0) + 1).where(
            numbered.c.workspace == workspace.key()
        )
    )
    return found.scalar_one(), False
