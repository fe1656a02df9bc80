"""Sweep benchmark: 100,000 nudges of which 10,000 are due, on SQLite and PostgreSQL.

Drives the app's own nudge worker (`App.runtime.nudge_worker`, a `LeasedWorker` running
`NudgeSweep`, wired by `build_app` as `micromentor run` wires it). Prints the time to lease the
due rows in the worker's batches, the time for one sweep to lease, decide (each in its own
transaction, queueing a DM in the outbox) and mark them all sent, the time for the outbox to
deliver those DMs to a recording gateway, and the cost of a sweep when nothing is due, with the
query plan of its lease.
Usage: python benchmarks/sweep.py [--total 100000] [--due 10000] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._databases import database
from bot.clock import ManualClock
from bot.commands import RegisterWorkspace
from bot.config import Config
from bot.domain import NudgeState
from bot.main import build_app
from bot.messages import ChatMessage
from bot.refs import ChannelRef, MessageRef, UserRef, WorkspaceRef
from storage.tables import MentorProfileRow, NudgeRow, PersonRow, table_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WS = WorkspaceRef("bench", "W1")


class RecordingGateway:
    """Counts what the outbox hands to the chat platform."""

    def __init__(self) -> None:
        self.dms = 0

    async def send_dm(self, user: UserRef, message: ChatMessage, **_: Any) -> MessageRef:
        self.dms += 1
        return MessageRef("bench", f"dm/{self.dms}")

    async def post_card(self, channel: Any, message: ChatMessage, **_: Any) -> MessageRef:
        return MessageRef("bench", "card")

    async def update_card(self, card: Any, message: ChatMessage) -> None:
        return None

    async def post_in_thread(self, thread: Any, message: ChatMessage, **_: Any) -> MessageRef:
        return MessageRef("bench", "t")

    async def open_thread(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def send_private(self, **kwargs: Any) -> None:
        return None

    async def reply(self, to: Any, message: ChatMessage, **_: Any) -> None:
        return None


async def seed(engine: Any, *, total: int, due: int) -> None:
    """`due` welcome-back nudges due now (their mentors' pauses ended), the rest due later."""
    people, mentors, nudges = table_of(PersonRow), table_of(MentorProfileRow), table_of(NudgeRow)
    chunk = 5_000
    async with engine.begin() as conn:
        for start in range(0, due, chunk):
            ids = range(start, min(start + chunk, due))
            await conn.execute(
                sa.insert(people), [{"key": f"bench:m{i}", "name": f"m{i}"} for i in ids]
            )
            await conn.execute(
                sa.insert(mentors),
                [
                    {
                        "user": f"bench:m{i}",
                        "workspace": WS.key(),
                        "skills": ["python"],
                        "timezone": "UTC",
                        "hours": "Mon-Sun 00:00-24:00",
                        "paused_until": NOW - timedelta(minutes=1),
                    }
                    for i in ids
                ],
            )
        for start in range(0, total, chunk):
            rows = []
            for i in range(start, min(start + chunk, total)):
                is_due = i < due
                rows.append(
                    {
                        "kind": "pause_end",
                        "workspace": WS.key(),
                        "target": f"bench:m{i}" if is_due else f"bench:later{i}",
                        "step": 0,
                        "due_at": NOW - timedelta(seconds=i % 600)
                        if is_due
                        else NOW + timedelta(minutes=1 + i % 100_000),
                        "state": "pending",
                        "attempts": 0,
                        "last_error": "",
                    }
                )
            await conn.execute(sa.insert(nudges), rows)
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execute(sa.text("ANALYZE nudge"))
            await conn.commit()


class Captured:
    """The last lease statement the nudge repository sent, to EXPLAIN it as it really runs."""

    def __init__(self, engine: Any) -> None:
        self.sql = ""
        self.params: Any = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._on)

    def _on(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if "due_rows" in statement and "UPDATE nudge" in statement:
            self.sql, self.params = statement, params


async def explain(engine: Any, captured: Captured) -> list[str]:
    assert captured.sql, "the idle sweep sent no lease statement"
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = await conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + captured.sql, captured.params
            )
            plan = [str(row[-1]) for row in result]
        else:  # ANALYZE runs the UPDATE: rolled back below (and nothing is due anyway)
            result = await conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + captured.sql, captured.params
            )
            plan = [str(row[0]) for row in result]
        await conn.rollback()
    return plan


async def count_sent(engine: Any) -> int:
    t = table_of(NudgeRow)
    async with engine.connect() as conn:
        found = await conn.execute(
            sa.select(sa.func.count()).select_from(t).where(t.c.state == NudgeState.SENT.value)
        )
        return int(found.scalar_one())


async def bench(kind: str, *, total: int, due: int, concurrency: int) -> None:
    async with database(kind) as url:
        clock = ManualClock(NOW)
        gateway = RecordingGateway()
        config = Config.model_validate({"nudges": {"send_concurrency": concurrency}})
        # As `micromentor run` builds it (deliver_now=False): the nudge worker leases in
        # batches of [nudges] batch_size and decides send_concurrency rows at once.
        app = await build_app(config, clock=clock, gateways={"bench": gateway}, database_url=url)
        engine = app.engine
        worker = app.runtime.nudge_worker
        try:
            await app.bus.handle(
                RegisterWorkspace(WS, ChannelRef("bench", "m"), ChannelRef("bench", "a"))
            )
            t0 = time.perf_counter()
            await seed(engine, total=total, due=due)
            seeded = time.perf_counter() - t0
            print(
                f"\n== {kind}: {total:,} nudges, {due:,} due, send_concurrency "
                f"{worker.settings.concurrency} (seeded in {seeded:.1f} s)"
            )

            # 1. Lease only: every due row, in the worker's batches, as its drain leases them.
            batch = worker.settings.batch
            t0 = time.perf_counter()
            leased = 0
            while True:
                async with app.uow_factory() as uow:
                    got = await uow.nudges.lease(clock.now(), lease=worker.lease, limit=batch)
                    await uow.commit()
                leased += len(got)
                if len(got) < batch:
                    break
            lease_s = time.perf_counter() - t0
            print(f"lease {leased:,} due rows (batches of {batch}): {lease_s:.2f} s")

            # 2. One full sweep after those leases ran out: the worker leases, decides each row
            # (hold the lease, welcome the mentor back: a DM queued in the outbox) and marks it
            # sent; then the outbox worker delivers the DMs.
            later = NOW + worker.lease + timedelta(seconds=1)
            clock.set(later)
            t0 = time.perf_counter()
            taken = await worker.drain()
            sweep_s = time.perf_counter() - t0
            sent = await count_sent(engine)
            print(
                f"one sweep, lease + decide + mark sent (DMs queued in the outbox): "
                f"{sweep_s:.2f} s for {sent:,} nudges ({sent / sweep_s:,.0f}/s)"
            )
            assert taken == sent == due, (taken, sent, due)
            t0 = time.perf_counter()
            await app.runtime.outbox_worker.drain()
            deliver_s = time.perf_counter() - t0
            print(
                f"then the outbox sends them to a recording gateway: {deliver_s:.2f} s "
                f"for {gateway.dms:,} DMs ({gateway.dms / deliver_s:,.0f}/s)"
            )
            assert gateway.dms == due, (gateway.dms, due)

            # 3. Nothing due: the idle sweep (a scheduler tick's drain) is one indexed lease.
            captured = Captured(engine)
            runs = 200
            t0 = time.perf_counter()
            for _ in range(runs):
                assert await worker.drain() == 0
            idle = (time.perf_counter() - t0) / runs
            async with app.uow_factory() as uow:
                t0 = time.perf_counter()
                for _ in range(runs):
                    assert await uow.nudges.lease(later, lease=worker.lease, limit=batch) == []
                query = (time.perf_counter() - t0) / runs
            print(
                f"idle sweep (nothing due): {idle * 1000:.2f} ms per tick; "
                f"lease query alone {query * 1000:.2f} ms"
            )
            print("query plan of the idle lease:")
            for line in await explain(engine, captured):
                print("   ", line)
        finally:
            await app.dispose()


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--total", type=int, default=100_000)
    p.add_argument("--due", type=int, default=10_000)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = p.parse_args()
    logging.basicConfig(level=logging.WARNING)
    runs = [("sqlite", 1), ("postgres", 1), ("postgres", 8)]
    for kind, concurrency in runs:
        if args.db in (kind, "both"):
            await bench(kind, total=args.total, due=args.due, concurrency=concurrency)


if __name__ == "__main__":
    asyncio.run(main())
