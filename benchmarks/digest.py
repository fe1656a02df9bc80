"""Digest benchmark: the weekly digest over 1,000,000 questions, on SQLite and PostgreSQL.

Seeds N questions spread over 20 weeks (a quarter rated, with points), then times gathering the
figures of the last full week and of the week before (SQL counts, medians, topics, points),
building the text and drawing the chart. Prints the figures.
Usage: python benchmarks/digest.py [--questions 1000000] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._databases import database
from bot.clock import ManualClock
from bot.commands import RegisterWorkspace
from bot.config import Config
from bot.digest.chart import render_digest_chart
from bot.digest.figures import IsoWeek, digest_message
from bot.digest.handler import load_digest
from bot.main import build_app
from bot.refs import ChannelRef, WorkspaceRef

WS = WorkspaceRef("bench", "W1")
WEEKS = 20
FIRST_MONDAY = datetime(2026, 7, 13, tzinfo=UTC)  # 2026-W29; the 20th week is 2026-W48
NOW = FIRST_MONDAY + timedelta(weeks=WEEKS, hours=10)  # the Monday after: digest time
TOPICS = ["python", "pandas", "sql", "kubernetes", "docker", "react", "rust", "go", "aws", "git"]
STATES = ["resolved"] * 6 + ["unanswered", "expired", "cancelled", "open"]
MENTORS = [f"bench:mentor{i}" for i in range(200)]


def questions(n: int) -> list[tuple[Any, ...]]:
    """Rows (workspace, asker, text, created_at, anonymous, topics, state, mentor, claimed_at,
    resolved_at, closed_at) spread evenly over the weeks, deterministic."""
    rnd = random.Random(48)
    span = WEEKS * 7 * 24 * 3600
    rows = []
    for i in range(n):
        created = FIRST_MONDAY + timedelta(seconds=span * i / n)
        state = STATES[rnd.randrange(len(STATES))]
        claimed = state in ("resolved", "expired") or (state == "cancelled" and i % 2 == 0)
        claimed_at = created + timedelta(minutes=rnd.randint(1, 60)) if claimed else None
        resolved_at = (
            claimed_at + timedelta(minutes=rnd.randint(5, 90))
            if state == "resolved" and claimed_at
            else None
        )
        topics = rnd.sample(TOPICS, rnd.randint(0, 2))
        rows.append(
            (
                WS.key(),
                f"bench:asker{i % 5000}",
                f"question {i}",
                created,
                i % 10 == 0,
                topics,
                state,
                MENTORS[i % len(MENTORS)] if claimed else None,
                claimed_at,
                resolved_at,
                resolved_at or (created + timedelta(days=1) if state != "open" else None),
            )
        )
    return rows


def _sqlite_time(when: datetime | None) -> str | None:
    return None if when is None else when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def seed_sqlite(path: str, rows: list[tuple[Any, ...]]) -> None:
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.executemany(
        "INSERT INTO question (workspace, asker, text, created_at, anonymous, topics, state, mentor,"
        " suggested, claimed_at, resolved_at, closed_at, extensions, claims)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?, ?, ?, 0, 0)",
        (
            (w, a, t, _sqlite_time(c), an, json.dumps(tp), s, m, *map(_sqlite_time, (ca, ra, cl)))
            for w, a, t, c, an, tp, s, m, ca, ra, cl in rows
        ),
    )
    rated = [(i + 1, r) for i, r in enumerate(rows) if r[6] == "resolved" and i % 3 != 0]
    db.executemany(
        "INSERT INTO feedback (question_id, rater, role, score, comment, created_at)"
        " VALUES (?, ?, 'asker', ?, '', ?)",
        ((qid, r[1], 3 + qid % 3, _sqlite_time(r[9])) for qid, r in rated),
    )
    db.executemany(
        "INSERT INTO points_ledger (workspace, user, points, reason, at, question_id)"
        " VALUES (?, ?, 3, 'resolve', ?, ?)",
        ((r[0], r[7], _sqlite_time(r[9]), qid) for qid, r in rated),
    )
    db.commit()
    db.execute("ANALYZE")
    db.close()


async def seed_postgres(url: str, rows: list[tuple[Any, ...]]) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.copy_records_to_table(
            "question",
            records=(
                (w, a, t, c, an, json.dumps(tp), s, m, "[]", ca, ra, cl, 0, 0)
                for w, a, t, c, an, tp, s, m, ca, ra, cl in rows
            ),
            columns=[
                "workspace",
                "asker",
                "text",
                "created_at",
                "anonymous",
                "topics",
                "state",
                "mentor",
                "suggested",
                "claimed_at",
                "resolved_at",
                "closed_at",
                "extensions",
                "claims",
            ],
        )
        ids = [r["id"] for r in await conn.fetch("SELECT id FROM question ORDER BY id")]
        rated = [(ids[i], r) for i, r in enumerate(rows) if r[6] == "resolved" and i % 3 != 0]
        await conn.copy_records_to_table(
            "feedback",
            records=((qid, r[1], "asker", 3 + qid % 3, "", r[9]) for qid, r in rated),
            columns=["question_id", "rater", "role", "score", "comment", "created_at"],
        )
        await conn.copy_records_to_table(
            "points_ledger",
            records=((r[0], r[7], 3, "resolve", r[9], qid) for qid, r in rated),
            columns=["workspace", "user", "points", "reason", "at", "question_id"],
        )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()


async def bench(kind: str, n: int) -> None:
    async with database(kind) as url:
        app = await build_app(Config(), clock=ManualClock(NOW), database_url=url)
        await app.bus.handle(
            RegisterWorkspace(WS, ChannelRef("bench", "m"), ChannelRef("bench", "a"))
        )
        t0 = time.perf_counter()
        rows = questions(n)
        if kind == "sqlite":
            await asyncio.to_thread(seed_sqlite, url.removeprefix("sqlite+aiosqlite:///"), rows)
        else:
            await seed_postgres(url, rows)
        del rows
        print(
            f"\n== {kind}: {n:,} questions over {WEEKS} weeks (seeded in {time.perf_counter() - t0:.1f} s)"
        )
        week = IsoWeek.containing(NOW, "UTC").previous()
        async with app.uow_factory() as uow:
            ws = await uow.workspaces.get(WS)
            assert ws is not None
            timings = []
            for _ in range(3):
                t0 = time.perf_counter()
                digest = await load_digest(uow, app.config, ws, week, now=NOW)
                timings.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        text = digest_message(digest).plain()
        png = render_digest_chart(digest)
        render = time.perf_counter() - t0
        print(
            f"figures of {week.label} and the week before: best {min(timings) * 1000:.0f} ms, "
            f"first {timings[0] * 1000:.0f} ms; text + chart ({len(png):,} byte PNG): "
            f"{render * 1000:.0f} ms"
        )
        print(text)
        dispose = app.dispose()
        if asyncio.iscoroutine(dispose):
            await dispose


async def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=1_000_000)
    p.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = p.parse_args()
    for kind in ("sqlite", "postgres"):
        if args.db in (kind, "both"):
            await bench(kind, args.questions)


if __name__ == "__main__":
    asyncio.run(main())
