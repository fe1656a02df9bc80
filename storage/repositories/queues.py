"""The inbox and the outbox: leased queues of inputs to process and of deliveries to send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, OutboxItem
from storage.repositories._base import DbSession, Repository
from storage.repositories._leased import LeasedQueueOps, LeasedRows
from storage.tables import InboxRow, OutboxRow, table_of

__all__ = ["SqlInboxRepository", "SqlOutboxRepository"]

INBOX = table_of(InboxRow)
OUTBOX = table_of(OutboxRow)


def _inbox_item(row: sa.Row[Any]) -> InboxItem:
    return InboxItem(
        id=row.id,
        key=row.key,
        kind=row.kind,
        lane=row.lane,
        payload=row.payload,
        received_at=row.created_at,
        due_at=row.due_at,
        state=row.state,
        attempts=row.attempts,
        lease_until=row.lease_until,
        last_error=row.last_error,
    )


def _inbox_values(item: InboxItem) -> dict[str, Any]:
    return {
        "key": item.key,
        "kind": item.kind,
        "lane": item.lane,
        "payload": item.payload,
        "state": "pending",
        "created_at": item.received_at,
        "due_at": item.due_at,
        "attempts": 0,
        "last_error": "",
    }


class _Queue(LeasedQueueOps, Repository):
    """The queue operations the inbox and the outbox share (see `LeasedRows`)."""

    TABLE: sa.Table
    DONE: tuple[str, ...]

    def __init__(self, session: DbSession, dialect: str) -> None:
        super().__init__(session, dialect)
        self._rows = LeasedRows(session, dialect, self.TABLE, laned=True)

    async def prune(self, before: datetime) -> int:
        return await self._rows.prune(done_states=self.DONE, before=before, at="created_at")

    async def pending(self) -> int:
        return await self._rows.pending()


class SqlInboxRepository(_Queue):
    """`bot.ports.InboxRepository` over SQL."""

    TABLE = INBOX
    DONE = ("done", "failed")

    async def add(self, item: InboxItem, *, renew_before: datetime | None = None) -> bool:
        if renew_before is not None:
            # The input seen long ago makes room for this one, which takes a new id: a lane
            # goes in id order, so it must not jump ahead of its sender's inputs still waiting.
            await self._session.execute(
                sa.delete(INBOX).where(
                    INBOX.c.key == item.key,
                    INBOX.c.state != "pending",
                    INBOX.c.created_at < renew_before,
                )
            )
        return await self._insert_once(INBOX, _inbox_values(item), conflict=["key"])

    async def add_many(self, items: Sequence[InboxItem]) -> set[str]:
        if not items:
            return set()
        stmt = (
            self._insert(INBOX)
            .on_conflict_do_nothing(index_elements=["key"])
            .returning(INBOX.c.key)
        )
        rows = await self._session.execute(stmt, [_inbox_values(i) for i in items])
        return {row.key for row in rows}

    async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> list[InboxItem]:
        return [_inbox_item(r) for r in await self._rows.lease(now, lease=lease, limit=limit)]

    async def start(self, item_id: int, *, lease_until: datetime, at: datetime) -> bool:
        # Processed inputs keep only their key (to drop retries); what people typed goes.
        changed = await self._rowcount(
            sa.update(INBOX)
            .where(
                INBOX.c.id == item_id,
                INBOX.c.state == "pending",
                INBOX.c.lease_until == lease_until,
            )
            .values(state="done", done_at=at, lease_until=None, payload={})
        )
        return changed == 1

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        # What people typed goes with a failure too; the key stays (it still de-duplicates).
        return await self._rows.finish(
            item_id, lease_until=lease_until, state="failed", last_error=error, payload={}
        )


def _outbox_item(row: sa.Row[Any]) -> OutboxItem:
    return OutboxItem(
        id=row.id,
        key=row.key,
        delivery=Delivery.from_json(row.spec, lane=row.lane),
        due_at=row.due_at,
        state=row.state,
        attempts=row.attempts,
        lease_until=row.lease_until,
        last_error=row.last_error,
        sent_at=row.sent_at,
        result=row.result,
    )


class SqlOutboxRepository(_Queue):
    """`bot.ports.OutboxRepository` over SQL."""

    TABLE = OUTBOX
    DONE = ("sent", "failed")

    async def add_many(self, rows: Sequence[OutboxItem]) -> None:
        if not rows:
            return
        # One executemany, in order (ids, and so each lane's order, follow it); no RETURNING:
        # SQLite can't say which id went to which row in one statement, so asking for them
        # made SQLAlchemy send one INSERT per row. Nobody reads them before leasing. A key
        # stored already is skipped: a delivery decided again under its key (a give-up's
        # apology repeated after a crash) is stored once.
        await self._session.execute(
            self._insert(OUTBOX).on_conflict_do_nothing(index_elements=["key"]),
            [
                {
                    "key": r.key,
                    "lane": r.delivery.lane,
                    "spec": r.delivery.to_json(),
                    "state": "pending",
                    "created_at": r.due_at,
                    "due_at": r.due_at,
                    "attempts": 0,
                    "last_error": "",
                }
                for r in rows
            ],
        )

    async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> list[OutboxItem]:
        return [_outbox_item(r) for r in await self._rows.lease(now, lease=lease, limit=limit)]

    async def sent(self, item_id: int, *, at: datetime, result: str | None) -> None:
        await self._rows.finish(item_id, state="sent", sent_at=at, result=result)

    async def scrub(self, rows: Sequence[tuple[int, Delivery]]) -> None:
        for item_id, delivery in rows:
            await self._session.execute(
                sa.update(OUTBOX).where(OUTBOX.c.id == item_id).values(spec=delivery.to_json())
            )

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        if not await self._rows.fail(item_id, error=error, lease_until=lease_until):
            return False  # another worker has it (and may still send the secret)
        # A secret that will never go out need not wait for the prune either.
        spec = await self._session.scalar(sa.select(OUTBOX.c.spec).where(OUTBOX.c.id == item_id))
        if spec and spec.get("secret"):
            await self.scrub([(item_id, Delivery.from_json(spec, lane="").scrubbed())])
        return True

    async def sent_many(self, sent: Sequence[tuple[int, datetime, str | None]]) -> None:
        if not sent:
            return
        stmt = (
            sa.update(OUTBOX)
            .where(OUTBOX.c.id == sa.bindparam("b_id"))
            .values(
                state="sent",
                sent_at=sa.bindparam("b_at"),
                result=sa.bindparam("b_result"),
                lease_until=None,
            )
        )
        # One executemany: one round trip for the whole batch.
        await self._session.execute(
            stmt, [{"b_id": i, "b_at": at, "b_result": result} for i, at, result in sent]
        )
