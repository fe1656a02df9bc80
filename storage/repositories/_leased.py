"""Leased work over SQL, shared by the inbox, the outbox and nudges (`bot.ports.LeasedQueue`).

Leasing is one statement: PostgreSQL picks due rows with ``FOR UPDATE SKIP LOCKED`` in a
materialised CTE (a plain IN-subquery may be re-run per row and overshoot the limit); SQLite's
write transaction is exclusive (``BEGIN IMMEDIATE``). The outer WHERE repeats the due test, so a
row leased meanwhile is never taken twice. Laned queues take only the first pending row of each
lane, so a lane's rows go out one at a time, in order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from storage.repositories._base import DbSession

__all__ = ["LeasedQueueOps", "LeasedRows"]

PENDING = "pending"


class LeasedRows:
    """The queue operations on one table with columns id, state, due_at, lease_until, attempts,
    last_error (and lane, when `laned`)."""

    def __init__(self, session: DbSession, dialect: str, table: sa.Table, *, laned: bool) -> None:
        self._session = session
        self._dialect = dialect
        self._t = table
        self._laned = laned

    def _due(self, now: datetime, table: sa.Table | Any = None) -> sa.ColumnElement[bool]:
        t = self._t if table is None else table
        return sa.and_(
            t.c.state == PENDING,
            t.c.due_at <= now,
            sa.or_(t.c.lease_until.is_(None), t.c.lease_until < now),
        )

    async def lease(
        self,
        now: datetime,
        *,
        lease: timedelta,
        limit: int,
        only: Callable[[Any], sa.ColumnElement[bool]] | None = None,
    ) -> list[sa.Row[Any]]:
        """Lease up to `limit` due rows (`only`: a further condition on the picked row)."""
        t = self._t
        picked = t.alias("picked")
        where = [self._due(now, picked)]
        if only is not None:
            where.append(only(picked))
        if self._laned:
            earlier = t.alias("earlier")
            where.append(
                ~sa.exists().where(
                    earlier.c.lane == picked.c.lane,
                    earlier.c.state == PENDING,
                    earlier.c.id < picked.c.id,
                )
            )
        due = (
            sa.select(picked.c.id)
            .where(*where)
            .order_by(picked.c.due_at, picked.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=picked)
            .cte("due_rows")
        )
        if self._dialect == "postgresql":
            due = due.prefix_with("MATERIALIZED")
        stmt = (
            sa.update(t)
            .where(t.c.id.in_(sa.select(due.c.id)), self._due(now))
            .values(lease_until=now + lease, attempts=t.c.attempts + 1)
            .returning(*t.c)
        )
        rows = list(await self._session.execute(stmt))
        return sorted(rows, key=lambda r: (r.due_at, r.id))

    async def hold(self, item_id: int, *, lease_until: datetime, until: datetime) -> bool:
        """Renew a lease that is still ours; False if it ran out and another worker has it."""
        t = self._t
        result = await self._session.execute(
            sa.update(t)
            .where(t.c.id == item_id, t.c.state == PENDING, t.c.lease_until == lease_until)
            .values(lease_until=until)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    def _ours(self, item_id: int, lease_until: datetime | None) -> list[sa.ColumnElement[bool]]:
        """The row, and — given the lease as leased — only while that lease is still ours."""
        t = self._t
        where = [t.c.id == item_id]
        if lease_until is not None:
            where += [t.c.state == PENDING, t.c.lease_until == lease_until]
        return where

    async def finish(
        self, item_id: int, *, lease_until: datetime | None = None, **values: Any
    ) -> bool:
        """End an attempt (the lease given back); False when the lease was no longer ours."""
        t = self._t
        result = await self._session.execute(
            sa.update(t).where(*self._ours(item_id, lease_until)).values(lease_until=None, **values)
        )
        return bool(getattr(result, "rowcount", 0) == 1)

    async def retry(
        self, item_id: int, *, due_at: datetime, error: str, lease_until: datetime | None = None
    ) -> bool:
        return await self.finish(item_id, lease_until=lease_until, due_at=due_at, last_error=error)

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        return await self.finish(item_id, lease_until=lease_until, state="failed", last_error=error)

    def _one_attempt_back(self) -> Any:
        t = self._t
        if self._dialect == "sqlite":
            return sa.func.max(t.c.attempts - 1, 0)
        return sa.func.greatest(t.c.attempts - 1, 0)

    async def release(
        self, item_ids: Sequence[int], *, lease_until: datetime | None = None
    ) -> None:
        if not item_ids:
            return
        t = self._t
        where = [t.c.id.in_(list(item_ids)), t.c.state == PENDING]
        if lease_until is not None:
            where.append(t.c.lease_until == lease_until)
        await self._session.execute(
            sa.update(t).where(*where).values(lease_until=None, attempts=self._one_attempt_back())
        )

    async def postpone(
        self,
        item_id: int,
        *,
        due_at: datetime,
        lease_until: datetime | None = None,
        error: str | None = None,
    ) -> bool:
        """Move the due time and give the lease back; not counted as an attempt."""
        why = {} if error is None else {"last_error": error}
        return await self.finish(
            item_id,
            lease_until=lease_until,
            due_at=due_at,
            attempts=self._one_attempt_back(),
            **why,
        )

    async def prune(self, *, done_states: Sequence[str], before: datetime, at: str) -> int:
        t = self._t
        result = await self._session.execute(
            sa.delete(t).where(t.c.state.in_(list(done_states)), t.c[at] < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def pending(self) -> int:
        t = self._t
        found = await self._session.execute(
            sa.select(sa.func.count()).select_from(t).where(t.c.state == PENDING)
        )
        return int(found.scalar_one())


class LeasedQueueOps:
    """The `bot.ports.LeasedQueue` operations a repository passes straight to its `LeasedRows`
    (the inbox, the outbox and nudges; a repository overrides what it does more for)."""

    _rows: LeasedRows

    async def hold(self, item_id: int, *, lease_until: datetime, until: datetime) -> bool:
        return await self._rows.hold(item_id, lease_until=lease_until, until=until)

    async def retry(
        self, item_id: int, *, due_at: datetime, error: str, lease_until: datetime | None = None
    ) -> bool:
        return await self._rows.retry(item_id, due_at=due_at, error=error, lease_until=lease_until)

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        return await self._rows.fail(item_id, error=error, lease_until=lease_until)

    async def release(
        self, item_ids: Sequence[int], *, lease_until: datetime | None = None
    ) -> None:
        await self._rows.release(item_ids, lease_until=lease_until)

    async def postpone(
        self,
        item_id: int,
        *,
        due_at: datetime,
        lease_until: datetime | None = None,
        error: str | None = None,
    ) -> None:
        await self._rows.postpone(item_id, due_at=due_at, lease_until=lease_until, error=error)
