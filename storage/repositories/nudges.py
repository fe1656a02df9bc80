"""Nudges: reminders due at a time, leased to exactly one sweeper at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.domain import Nudge, NudgeKind, NudgeState
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository, key_or_none, ref_or_none
from storage.tables import NudgeRow, table_of

__all__ = ["SqlNudgeRepository"]

T = table_of(NudgeRow)
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
    )


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.and_(
        T.c.state == _PENDING,
        T.c.due_at <= now,
        sa.or_(T.c.lease_until.is_(None), T.c.lease_until < now),
    )


class SqlNudgeRepository(Repository):
    """`bot.ports.NudgeRepository` over SQL."""

    async def add(self, nudge: Nudge) -> Nudge:
        result = await self._session.execute(
            sa.insert(T)
            .values(
                kind=nudge.kind.value,
                workspace=nudge.workspace.key(),
                question_id=nudge.question_id,
                target=key_or_none(nudge.target),
                step=nudge.step,
                due_at=nudge.due_at,
                state=nudge.state.value,
                attempts=nudge.attempts,
                lease_until=nudge.lease_until,
                sent_at=nudge.sent_at,
                last_error=nudge.last_error,
            )
            .returning(T.c.id)
        )
        nudge.id = result.scalar_one()
        return nudge

    async def cancel(self, question_id: int, kinds: Sequence[NudgeKind] | None = None) -> int:
        stmt = sa.update(T).where(T.c.question_id == question_id, T.c.state == _PENDING)
        if kinds is not None:
            stmt = stmt.where(T.c.kind.in_([k.value for k in kinds]))
        return await self._rowcount(stmt.values(state=NudgeState.CANCELLED.value))

    async def claim_due(self, now: datetime, *, lease: timedelta, limit: int) -> list[Nudge]:
        # PostgreSQL: the locked, materialised CTE picks at most `limit` rows and skips rows
        # another sweeper is leasing right now (a plain IN-subquery may be re-run per row and
        # overshoot the limit). SQLite: the write transaction is exclusive (BEGIN IMMEDIATE).
        # The outer WHERE repeats the due test so a row leased meanwhile is never taken twice.
        due = (
            sa.select(T.c.id)
            .where(_due(now))
            .order_by(T.c.due_at, T.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
            .cte("due_nudge")
        )
        if self._dialect == "postgresql":
            due = due.prefix_with("MATERIALIZED")
        stmt = (
            sa.update(T)
            .where(T.c.id.in_(sa.select(due.c.id)), _due(now))
            .values(lease_until=now + lease, attempts=T.c.attempts + 1)
            .returning(*T.c)
        )
        nudges = [_nudge(row) for row in await self._session.execute(stmt)]
        return sorted(nudges, key=lambda n: (n.due_at, n.id or 0))

    async def mark_sent(self, nudge_id: int, at: datetime) -> None:
        await self._session.execute(
            sa.update(T)
            .where(T.c.id == nudge_id)
            .values(state=NudgeState.SENT.value, sent_at=at, lease_until=None)
        )

    async def hold(self, nudge_id: int, *, lease_until: datetime, until: datetime) -> bool:
        # Renew our lease before sending; False if it expired and another sweeper took the row.
        changed = await self._rowcount(
            sa.update(T)
            .where(T.c.id == nudge_id, T.c.state == _PENDING, T.c.lease_until == lease_until)
            .values(lease_until=until)
        )
        return changed == 1

    async def postpone(self, nudge_id: int, *, due_at: datetime) -> None:
        # Not an attempt: give back the one the lease counted.
        await self._session.execute(
            sa.update(T)
            .where(T.c.id == nudge_id)
            .values(
                due_at=due_at,
                lease_until=None,
                attempts=sa.func.max(T.c.attempts - 1, 0)
                if self._dialect == "sqlite"
                else sa.func.greatest(T.c.attempts - 1, 0),
            )
        )

    async def retry_later(self, nudge_id: int, *, due_at: datetime, error: str) -> None:
        await self._session.execute(
            sa.update(T)
            .where(T.c.id == nudge_id)
            .values(due_at=due_at, lease_until=None, last_error=error)
        )

    async def mark_failed(self, nudge_id: int, *, error: str) -> None:
        await self._session.execute(
            sa.update(T)
            .where(T.c.id == nudge_id)
            .values(state=NudgeState.FAILED.value, lease_until=None, last_error=error)
        )

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
