"""The audit trail of admin actions, over SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from bot.privacy.model import AuditEntry
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import AuditRow, table_of

__all__ = ["SqlAuditRepository"]

AUDIT = table_of(AuditRow)


def _audit(row: sa.Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        workspace=WorkspaceRef.from_key(row.workspace),
        actor=UserRef.from_key(row.actor),
        actor_name=row.actor_name,
        action=row.action,
        subject=row.subject,
        detail=row.detail,
        at=row.at,
    )


class SqlAuditRepository(Repository):
    """`bot.ports.AuditRepository` over SQL."""

    async def add(self, entry: AuditEntry) -> None:
        await self._session.execute(
            sa.insert(AUDIT).values(
                workspace=entry.workspace.key(),
                actor=entry.actor.key(),
                actor_name=entry.actor_name,
                action=entry.action,
                subject=entry.subject,
                detail=entry.detail,
                at=entry.at,
            )
        )

    async def recent(
        self,
        workspaces: Sequence[WorkspaceRef],
        *,
        limit: int,
        action: str = "",
        actor: UserRef | None = None,
    ) -> list[AuditEntry]:
        stmt = sa.select(AUDIT).where(AUDIT.c.workspace.in_([w.key() for w in workspaces]))
        if action:
            stmt = stmt.where(AUDIT.c.action == action)
        if actor is not None:
            stmt = stmt.where(AUDIT.c.actor == actor.key())
        rows = await self._session.execute(
            stmt.order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc()).limit(limit)
        )
        return [_audit(row) for row in rows]
