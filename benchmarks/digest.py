"""Digest benchmark: the weekly digest over 1,000,000 questions, on SQLite and PostgreSQL.

Seeds N questions spread over 20 weeks (a quarter rated, with points), then times gathering the
figures of the last full week and of the week before (SQL counts, medians, topics, points),
building the text and drawing the chart. Prints the figures.
Usage: python benchmarks/digest.py [--questions 1000000] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from collections.abc import Awaitable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._databases import bulk_insert, database
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


def questions(n: int) -> list[dict[str, Any]]:
    """Question rows spread evenly over the weeks, deterministic."""
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
        rows.append(
            {
                "workspace": WS.key(),
                "asker": f"bench:asker{i % 5000}",
                "text": f"question {i}",
                "created_at": created,
                "anonymous": i % 10 == 0,
                "topics": rnd.sample(TOPICS, rnd.randint(0, 2)),
                "state": state,
                "mentor": MENTORS[i % len(MENTORS)] if claimed else None,
                "suggested": [],
                "claimed_at": claimed_at,
                "resolved_at": resolved_at,
                "closed_at": resolved_at
                or (created + timedelta(days=1) if state != "open" else None),
                "extensions": 0,
                "claims": 0,
                "number": i + 1,
            }
        )
    return rows


def seed(url: str, rows: list[dict[str, Any]]) -> Awaitable[None]:
    """The questions, an asker's rating of two in three resolved ones and the mentor's points
    (question ids are 1, 2, 3… in a fresh database)."""
    rated = [(i + 1, r) for i, r in enumerate(rows) if r["state"] == "resolved" and i % 3 != 0]
    feedback = [
        {
            "question_id": qid,
            "rater": r["asker"],
            "role": "asker",
            "score": 3 + qid % 3,
            "comment": "",
            "created_at": r["resolved_at"],
        }
        for qid, r in rated
    ]
    points = [
        {
            "workspace": r["workspace"],
            "user": r["mentor"],
            "points": 3,
            "reason": "resolve",
            "at": r["resolved_at"],
            "question_id": qid,
        }
        for qid, r in rated
    ]
    return bulk_insert(url, {"question": rows, "feedback": feedback, "points_ledger": points})


async def bench(kind: str, n: int) -> None:
    async with database(kind) as url:
        app = await build_app(Config(), clock=ManualClock(NOW), database_url=url)
        await app.bus.handle(
            RegisterWorkspace(WS, ChannelRef("bench", "m"), ChannelRef("bench", "a"))
        )
        t0 = time.perf_counter()
        rows = questions(n)
        await seed(url, rows)
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
