"""Things that happen once across all replicas: processed events and digest runs."""

from __future__ import annotations

from datetime import datetime

from bot.refs import WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import DigestRunRow, ProcessedEventRow, table_of

__all__ = ["SqlDigestRunRepository", "SqlProcessedEventRepository"]

EVENT = table_of(ProcessedEventRow)
DIGEST = table_of(DigestRunRow)


class SqlProcessedEventRepository(Repository):
    """`bot.ports.ProcessedEventRepository`: INSERT ... ON CONFLICT DO NOTHING on the event key."""

    async def first_time(self, key: str, at: datetime) -> bool:
        return await self._insert_once(EVENT, {"key": key, "at": at})


class SqlDigestRunRepository(Repository):
    """`bot.ports.DigestRunRepository`: one row per workspace and period."""

    async def start(self, workspace: WorkspaceRef, period: str, at: datetime) -> bool:
        values = {"workspace": workspace.key(), "period": period, "started_at": at}
        return await self._insert_once(DIGEST, values)
