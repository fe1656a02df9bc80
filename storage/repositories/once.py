"""Things that happen once across all replicas: digest runs."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.digest.figures import WeekTally
from bot.refs import WorkspaceRef
from storage.repositories._base import Repository
from storage.repositories.digest_figures import week_tally
from storage.tables import (
    AuditRow,
    DigestRunRow,
    KudosRow,
    MentorProfileRow,
    QuestionRow,
    table_of,
)

__all__ = ["SqlDigestRunRepository"]

DIGEST = table_of(DigestRunRow)
# What a workspace's first activity is read from: (table, its workspace and time columns).
_FIRSTS = [
    (table_of(QuestionRow), "workspace", "created_at"),
    (table_of(MentorProfileRow), "workspace", "joined_at"),
    (table_of(KudosRow), "workspace", "at"),
    (table_of(AuditRow), "workspace", "at"),
]


class SqlDigestRunRepository(Repository):
    """`bot.ports.DigestRunRepository`: one row per workspace and period, and its figures."""

    async def start(self, workspace: WorkspaceRef, period: str, at: datetime) -> bool:
        values = {"workspace": workspace.key(), "period": period, "started_at": at}
        return await self._insert_once(DIGEST, values)

    async def tally(
        self, workspace: WorkspaceRef, start: datetime, end: datetime, *, top_mentors: int
    ) -> WeekTally:
        return await week_tally(
            self._session,
            self._dialect,
            workspace=workspace,
            start=start,
            end=end,
            top_mentors=top_mentors,
        )

    async def first_activity(self, workspace: WorkspaceRef) -> datetime | None:
        found = []
        for table, ws, at in _FIRSTS:
            first = (
                await self._session.execute(
                    sa.select(sa.func.min(table.c[at])).where(table.c[ws] == workspace.key())
                )
            ).scalar_one_or_none()
            if first is not None:
                found.append(first)
        return min(found, default=None)
