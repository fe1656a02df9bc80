"""Community benchmark: what a question's asking adds for lightning demand, on SQLite and
PostgreSQL, with N questions asked in the last 28 days in one workspace.

Times (p50 and p95 of repeated runs, through the real repositories) the demand check an ask
makes for each of its topics: "was a session on it proposed in the window?" and, while none
was, the window's questions on the topic (a JSON-text match over the window, by the
workspace/created_at index); and what a resolve reads for badges and the streak of a mentor
with many sessions.
Usage: python benchmarks/community.py [--questions 100000] [--db sqlite|postgres|both]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


from benchmarks._databases import bulk_insert, database
from bot.refs import UserRef, WorkspaceRef
from storage.engine import create_engine
from storage.uow import make_uow_factory

WS = WorkspaceRef("bench", "W1")
NOW = datetime(2026, 11, 23, 10, tzinfo=UTC)
WINDOW = timedelta(days=28)
TOPICS = [f"topic{i}" for i in range(300)]
BUSY_MENTOR = "bench:mentor0"  # resolved a fifth of everything


def rows(n: int) -> list[dict[str, Any]]:
    rnd = random.Random(14)
    out = []
    for i in range(n):
        created = NOW - WINDOW + WINDOW * i / n
        resolved = i % 5 == 0
        out.append(
            {
                "workspace": WS.key(),
                "asker": f"bench:asker{i % 5000}",
                "text": f"question {i}",
                "created_at": created,
                "anonymous": False,
                "topics": rnd.sample(TOPICS[:200], 2),  # topics 200..299 are never asked
                "state": "resolved" if resolved else "open",
                "mentor": BUSY_MENTOR if resolved else None,
                "suggested": [],
                "resolved_at": created + timedelta(minutes=30) if resolved else None,
                "extensions": 0,
                "claims": 0,
                "number": i + 1,
            }
        )
    return out


async def timed(run: Callable[[], Awaitable[object]], times: int) -> tuple[float, float]:
    took = []
    for _ in range(times):
        start = time.perf_counter()
        await run()
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    return statistics.median(took), took[int(len(took) * 0.95) - 1]


async def bench(kind: str, n: int) -> None:
    data = rows(n)
    async with database(kind) as url:
        await bulk_insert(url, {"question": data})
        engine = create_engine(url)
        factory = make_uow_factory(engine)
        since = NOW - WINDOW
        try:

            async def demand(topic: str) -> int:
                async with factory(read_only=True) as uow:
                    if await uow.lightning.proposed_since(WS, topic, since):
                        return 0
                    return len(await uow.lightning.topic_demand(WS, topic, since))

            async def mentor_reads() -> int:
                async with factory(read_only=True) as uow:
                    sessions = await uow.streaks.sessions_of(
                        UserRef.from_key(BUSY_MENTOR), since=None
                    )
                    await uow.badges.of(UserRef.from_key(BUSY_MENTOR))
                    return len(sessions)

            asked = await demand("topic7")
            p50, p95 = await timed(lambda: demand("topic7"), 30)
            print(
                f"{kind}: demand check, an asked topic ({asked} questions in the window): "
                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
            )
            p50, p95 = await timed(lambda: demand("topic250"), 30)
            print(f"{kind}: demand check, a topic nobody asked: p50 {p50:.1f} ms, p95 {p95:.1f} ms")
            count = await mentor_reads()
            p50, p95 = await timed(mentor_reads, 30)
            print(
                f"{kind}: badge and streak reads of a mentor with {count} sessions: "
                f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
            )
        finally:
            await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args()
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(f"{args.questions:,} questions asked in the last 28 days in one workspace")
    for kind in kinds:
        await bench(kind, args.questions)


if __name__ == "__main__":
    asyncio.run(main())
