"""Sweep benchmark: 100,000 nudges of which 10,000 are due, on SQLite and PostgreSQL.

Prints the time to lease the due rows, the time for one sweep to lease, send (to a recording
gateway) and mark them all, and the cost of a sweep when nothing is due, with its query plan.
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
from bot.commands import RegisterWorkspace, SendDueNudges
from bot.config import Config
from bot.main import build_app
from bot.messages import ChatMessage
from bot.refs import ChannelRef, MessageRef, UserRef, WorkspaceRef
from storage.tables import MentorProfileRow, NudgeRow, PersonRow, table_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WS = WorkspaceRef("bench", "W1")
LEASE = timedelta(seconds=60)


class RecordingGateway:
    """Counts what the sweep hands to the chat platform."""

    def __init__(self) -> None:
        self.dms = 0

    async def send_dm(self, user: UserRef, message: ChatMessage) -> MessageRef:
        self.dms += 1
        return MessageRef("bench", f"dm/{self.dms}")

    async def post_card(self, channel: Any, message: ChatMessage) -> MessageRef:
        return MessageRef("bench", "card")

    async def update_card(self, card: Any, message: ChatMessage) -> None:
        return None

    async def post_in_thread(self, thread: Any, message: ChatMessage) -> MessageRef:
        return MessageRef("bench", "t")

    async def open_thread(self, **kwargs: Any) -> Any:
        raise NotImplementedError

    async def send_private(self, **kwargs: Any) -> None:
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
    """The last claim statement the repository sent, to EXPLAIN it as it really runs."""

    def __init__(self, engine: Any) -> None:
        self.sql = ""
        self.params: Any = None
        event.listen(engine.sync_engine, "before_cursor_execute", self._on)

    def _on(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("WITH") and "nudge" in statement:
            self.sql, self.params = statement, params


async def explain(engine: Any, captured: Captured) -> list[str]:
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            result = await conn.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + captured.sql, captured.params
            )
            plan = [str(row[-1]) for row in result]
        else:
            result = await conn.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + captured.sql, captured.params
            )
            plan = [str(row[0]) for row in result]
        await conn.rollback()
    return plan


async def bench(kind: str, *, total: int, due: int, concurrency: int) -> None:
    async with database(kind) as url:
        clock = ManualClock(NOW)
        gateway = RecordingGateway()
        config = Config.model_validate({"nudges": {"send_concurrency": concurrency}})
        app = await build_app(config, clock=clock, gateways={"bench": gateway}, database_url=url)
        engine = app.uow_factory()._sessions.kw["bind"]  # type: ignore[attr-defined]
        await app.bus.handle(
            RegisterWorkspace(WS, ChannelRef("bench", "m"), ChannelRef("bench", "a"))
        )
        t0 = time.perf_counter()
        await seed(engine, total=total, due=due)
        seeded = time.perf_counter() - t0
        print(
            f"\n== {kind}: {total:,} nudges, {due:,} due, send_concurrency {concurrency} "
            f"(seeded in {seeded:.1f} s)"
        )

        # 1. Lease only: every due row, in sweep-sized batches.
        batch = app.config.nudges.batch_size
        t0 = time.perf_counter()
        leased = 0
        while True:
            async with app.uow_factory() as uow:
                got = await uow.nudges.claim_due(NOW, lease=LEASE, limit=batch)
                await uow.commit()
            leased += len(got)
            if len(got) < batch:
                break
        lease_s = time.perf_counter() - t0
        print(f"lease {leased:,} due rows (batches of {batch}): {lease_s:.2f} s")

        # 2. One full sweep after those leases expired: lease, send, mark sent.
        later = NOW + LEASE + timedelta(seconds=1)
        clock.set(later)
        t0 = time.perf_counter()
        await app.bus.handle(SendDueNudges(later))
        sweep_s = time.perf_counter() - t0
        print(
            f"one sweep, lease + send to a recording gateway + mark sent: {sweep_s:.2f} s "
            f"for {gateway.dms:,} nudges ({gateway.dms / sweep_s:,.0f}/s)"
        )
        assert gateway.dms == due, (gateway.dms, due)

        # 3. Nothing due: the idle sweep is one indexed query.
        captured = Captured(engine)
        runs = 200
        t0 = time.perf_counter()
        for _ in range(runs):
            await app.bus.handle(SendDueNudges(later))
        idle = (time.perf_counter() - t0) / runs
        async with app.uow_factory() as uow:
            t0 = time.perf_counter()
            for _ in range(runs):
                assert await uow.nudges.claim_due(later, lease=LEASE, limit=batch) == []
            query = (time.perf_counter() - t0) / runs
        print(
            f"idle sweep (nothing due): {idle * 1000:.2f} ms per tick; claim query alone {query * 1000:.2f} ms"
        )
        print("query plan of the idle claim:")
        for line in await explain(engine, captured):
            print("   ", line)
        await engine.dispose()


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
