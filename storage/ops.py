"""What an operator asks the database (probes and metrics): does it answer, how many questions
are in each state, and how far behind the inbox, outbox and nudges are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import InboxRow, NudgeRow, OutboxRow, QuestionRow

__all__ = ["Backlog", "backlog", "optimize", "ping", "question_counts"]

PING_TIMEOUT_SECONDS = 3.0


async def ping(engine: AsyncEngine) -> None:
    """Raises unless the database answers ``SELECT 1`` within a few seconds."""
    import asyncio

    async with asyncio.timeout(PING_TIMEOUT_SECONDS), engine.connect() as connection:
        await connection.execute(sa.text("SELECT 1"))


async def optimize(engine: AsyncEngine) -> None:
    """SQLite: refresh the query planner's statistics where they are missing or stale, as
    SQLite advises for long-lived connections (``PRAGMA optimize`` every few hours, each ANALYZE
    bounded by ``analysis_limit``); the hourly prune runs it. PostgreSQL's autovacuum does this
    itself."""
    if engine.dialect.name != "sqlite":
        return
    async with engine.begin() as connection:
        await connection.exec_driver_sql("PRAGMA analysis_limit=400")
        # 0x10002: every table, not only those this pooled connection queried (SQLite 3.46+;
        # older versions read the 0x02 and look at this connection's tables).
        await connection.exec_driver_sql("PRAGMA optimize=0x10002")


async def question_counts(engine: AsyncEngine) -> dict[tuple[str, str], int]:
    """(workspace key, state) → number of questions."""
    q = QuestionRow.__table__  # type: ignore[attr-defined]
    stmt = sa.select(q.c.workspace, q.c.state, sa.func.count()).group_by(q.c.workspace, q.c.state)
    async with engine.connect() as connection:
        rows = (await connection.execute(stmt)).all()
    return {(str(w), str(s)): int(n) for w, s, n in rows}


@dataclass(frozen=True, slots=True)
class Backlog:
    """One queue: rows by state, and the age of the oldest pending row that is due."""

    queue: str
    states: dict[str, int]
    oldest_due_seconds: float


async def backlog(engine: AsyncEngine, *, now: datetime) -> list[Backlog]:
    """Inbox, outbox and nudges: counts by state; how long the oldest due pending row has been
    waiting (0 when none is)."""
    found: list[Backlog] = []
    async with engine.connect() as connection:
        for name, row in (("inbox", InboxRow), ("outbox", OutboxRow), ("nudge", NudgeRow)):
            t = row.__table__  # type: ignore[union-attr]
            counts = (
                await connection.execute(sa.select(t.c.state, sa.func.count()).group_by(t.c.state))
            ).all()
            oldest = (
                await connection.execute(
                    sa.select(sa.func.min(t.c.due_at)).where(
                        t.c.state == "pending", t.c.due_at <= now
                    )
                )
            ).scalar()
            waited = 0.0
            if oldest is not None:
                if oldest.tzinfo is None:
                    oldest = oldest.replace(tzinfo=now.tzinfo)
                waited = max(0.0, (now - oldest).total_seconds())
            found.append(Backlog(name, {str(s): int(n) for s, n in counts}, waited))
    return found
