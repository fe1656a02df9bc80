"""Things that happen once across all replicas: digest runs."""

from __future__ import annotations

from datetime import datetime

from bot.digest.figures import WeekTally
from bot.refs import WorkspaceRef
from storage.repositories._base import Repository
from storage.repositories.digest_figures import week_tally
from storage.tables import DigestRunRow, table_of

__all__ = ["SqlDigestRunRepository"]

DIGEST = table_of(DigestRunRow)


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
