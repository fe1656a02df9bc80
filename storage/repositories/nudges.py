"""Nudges: reminders due at a time, leased to exactly one sweeper at once (the shared queue)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.domain import Nudge, NudgeKind, NudgeState
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import DbSession, Repository, key_or_none, ref_or_none
from storage.repositories._leased import LeasedQueueOps, LeasedRows
from storage.tables import NudgeRow, WorkspaceRow, table_of

__all__ = ["SqlNudgeRepository"]

T = table_of(NudgeRow)
WORKSPACE = table_of(WorkspaceRow)
_PENDING = NudgeState.PENDING.value


def _nudge(row: sa.Row[Any]) -> Nudge:
    return Nudge(
        id=row.id,
        kind=NudgeKind(row.kind),
        workspace=WorkspaceRef.from_key(row.workspace),
        due_at=row.due_at,
        question_id=row.question_id,
        target=ref_or_none(UserRef, row.target),
        step=row.step,
        state=NudgeState(row.state),
        attempts=row.attempts,
        lease_until=row.lease_until,
        sent_at=row.sent_at,
        last_error=row.last_error,
        subject_id=row.subject_id,
    )


def _values(nudge: Nudge) -> dict[str, Any]:
    return {
        "kind": nudge.kind.value,
        "workspace": nudge.workspace.key(),
        "question_id": nudge.question_id,
        "target": key_or_none(nudge.target),
        "step": nudge.step,
        "due_at": nudge.due_at,
        "state": nudge.state.value,
        "attempts": nudge.attempts,
        "lease_until": nudge.lease_until,
        "sent_at": nudge.sent_at,
        "last_error": nudge.last_error,
        "subject_id": nudge.subject_id,
    }


class SqlNudgeRepository(LeasedQueueOps, Repository):
    """`bot.ports.NudgeRepository` over SQL."""

    def __init__(self, session: DbSession, dialect: str) -> None:
        super().__init__(session, dialect)
        self._rows = LeasedRows(session, dialect, T, laned=False)

    async def add(self, nudge: Nudge) -> Nudge:
        result = await self._session.execute(
            sa.insert(T).values(**_values(nudge)).returning(T.c.id)
        )
        nudge.id = result.scalar_one()
        return nudge

    async def add_many(self, nudges: Sequence[Nudge]) -> None:
        if nudges:
            await self._session.execute(sa.insert(T), [_values(n) for n in nudges])

    async def cancel(self, question_id: int, kinds: Sequence[NudgeKind] | None = None) -> int:
        stmt = sa.update(T).where(T.c.question_id == question_id, T.c.state == _PENDING)
        if kinds is not None:
            stmt = stmt.where(T.c.kind.in_([k.value for k in kinds]))
        return await self._rowcount(stmt.values(state=NudgeState.CANCELLED.value))

    async def cancel_subject(self, kind: NudgeKind, subject_id: int) -> int:
        return await self._rowcount(
            sa.update(T)
            .where(T.c.kind == kind.value, T.c.subject_id == subject_id, T.c.state == _PENDING)
            .values(state=NudgeState.CANCELLED.value)
        )

    async def cancel_ids(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        return await self._rowcount(
            sa.update(T)
            .where(T.c.id.in_(list(ids)), T.c.state == _PENDING)
            .values(state=NudgeState.CANCELLED.value)
        )

    async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> list[Nudge]:
        # A workspace the app was removed from: its nudges wait, not leased (nor looked at)
        # until it is back (migration 0023).
        def present(picked: Any) -> sa.ColumnElement[bool]:
            return ~sa.exists().where(
                WORKSPACE.c.key == picked.c.workspace, WORKSPACE.c.removed_at.is_not(None)
            )

        rows = await self._rows.lease(now, lease=lease, limit=limit, only=present)
        return [_nudge(row) for row in rows]

    async def mark_sent(self, nudge_id: int, at: datetime) -> None:
        await self._rows.finish(nudge_id, state=NudgeState.SENT.value, sent_at=at)

    async def pending_for(self, question_id: int) -> list[Nudge]:
        rows = await self._session.execute(
            sa.select(T)
            .where(T.c.question_id == question_id, T.c.state == _PENDING)
            .order_by(T.c.due_at, T.c.id)
        )
        return [_nudge(row) for row in rows]

    async def pending_of_kind(self, kind: NudgeKind, target: UserRef) -> list[Nudge]:
        rows = await self._session.execute(
            sa.select(T)
            .where(T.c.kind == kind.value, T.c.target == target.key(), T.c.state == _PENDING)
            .order_by(T.c.due_at, T.c.id)
        )
        return [_nudge(row) for row in rows]

    async def next_due(self, after: datetime, until: datetime) -> datetime | None:
        found = await self._session.execute(
            sa.select(sa.func.min(T.c.due_at)).where(
                T.c.state == _PENDING, T.c.due_at > after, T.c.due_at <= until
            )
        )
        due: datetime | None = found.scalar_one()
        return due

    async def pending_about(self, kind: NudgeKind, subject_id: int) -> list[Nudge]:
        rows = await self._session.execute(
            sa.select(T)
            .where(T.c.kind == kind.value, T.c.subject_id == subject_id, T.c.state == _PENDING)
            .order_by(T.c.due_at, T.c.id)
        )
        return [_nudge(row) for row in rows]
