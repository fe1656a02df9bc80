"""The durable flow end to end: signed /askmentor requests against `micromentor run` (Slack HTTP
mode) with a fake Slack in its own process, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/flow.py [--requests 1000] [--concurrency 50] [--db sqlite postgres]
                                        [--replicas N]  (PostgreSQL: N processes share it)
                                        [--count-sql]  (SQL statements per ask)

Prints, per database: asks/s from the first request to the last card posted; delivery lag
(a decision's commit → its message sent, from the outbox rows) p50/p99 under the burst and when
idle; ack p50/p99 beside a bare Bolt app's that only acks, measured in the same run.
Targets (issue 9): ≥ 100 asks/s on SQLite, ≥ 200 on PostgreSQL, ack p99 ≤ 1.3× the floor,
idle delivery lag p99 ≤ 200 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._databases import database  # noqa: E402
from benchmarks._slack_process import (  # noqa: E402
    BARE_SERVER,
    SECRET,
    FakeProcess,
    cpu_seconds,
    free_port,
    load,
    run_server,
    seed,
    stop,
)
from storage.engine import create_engine  # noqa: E402
from storage.tables import OutboxRow, table_of  # noqa: E402

MENTORING = "C0MENTOR1"
SQL_COUNT = REPO / "benchmarks" / "_sql_count"  # a sitecustomize for --count-sql
OUTBOX = table_of(OutboxRow)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


async def lags(url: str, since: datetime, until: datetime | None = None) -> list[float]:
    """Milliseconds from decision (the outbox row's commit) to sent, for rows decided in the
    window."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            where = [OUTBOX.c.state == "sent", OUTBOX.c.created_at >= since]
            if until is not None:
                where.append(OUTBOX.c.created_at < until)
            rows = await conn.execute(
                sa.select(OUTBOX.c.created_at, OUTBOX.c.sent_at).where(*where)
            )
            return [(r.sent_at - r.created_at).total_seconds() * 1000 for r in rows]
    finally:
        await engine.dispose()


def _cpu(servers: list[int], fake: FakeProcess, url: str) -> dict[str, float]:
    """CPU seconds used so far by each process of the run."""
    database = url.rsplit("/", 1)[-1] if url.startswith("postgresql") else ""
    return {
        "bot": cpu_seconds(pids=servers),
        "database": cpu_seconds(cmdline_has=f" {database} ") if database else 0.0,
        "fake Slack": cpu_seconds(pids=[fake.proc.pid]),
        "load client": time.process_time(),
    }


async def wait_cards(fake: FakeProcess, count: int, within: float = 900.0) -> float:
    deadline = time.monotonic() + within
    while True:
        posted, last = fake.cards(MENTORING)
        if posted >= count:
            return last
        if time.monotonic() > deadline:
            raise SystemExit(f"only {posted} of {count} cards were posted")
        await asyncio.sleep(0.05)


async def run_one(kind: str, opts: argparse.Namespace, fake: FakeProcess, api_url: str) -> None:
    respond_base = api_url.removesuffix("/api/")
    async with database(kind) as url:
        await seed(url, mentors=opts.mentors, questions=opts.questions)
        with tempfile.TemporaryDirectory() as tmp:
            config = Path(tmp, "bot.toml")
            await asyncio.to_thread(
                config.write_text,
                '[bot]\nlog_level = "ERROR"\n'
                + (
                    f"[flow]\nconcurrency = {opts.flow_concurrency}\n"
                    if opts.flow_concurrency
                    else ""
                ),
                encoding="utf-8",
            )
            port = free_port()
            env = {
                **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))},
                "SLACK_API_URL": api_url,
                "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "PYTHONPATH": os.pathsep.join(
                    [
                        str(REPO),
                        *([str(SQL_COUNT)] if opts.count_sql else []),
                        os.environ.get("BENCH_EXTRA_PATH", ""),
                    ]
                ),
                "HOST": "127.0.0.1",
                "PORT": str(port),
                "DATABASE_URL": url,
                "MICROMENTOR_CONFIG": str(config),
            }
            counting = Path(tmp, "counting")
            if opts.count_sql:
                env["MICROMENTOR_BENCH_SQL_DIR"] = tmp
            before, _ = fake.cards(MENTORING)
            proc = await run_server(["-m", "bot", "run"], env, port)
            # PostgreSQL scales out: more replicas on the same database, the burst spread over
            # them as a load balancer would (each takes in, decides and delivers its share;
            # what one leaves undone, another takes up from the database).
            ports = [
                port,
                *(free_port() for _ in range(opts.replicas - 1 if kind != "sqlite" else 0)),
            ]
            replicas = [
                await run_server(["-m", "bot", "run"], {**env, "PORT": str(p)}, p)
                for p in ports[1:]
            ]
            pids = [proc.pid, *(r.pid for r in replicas)]
            try:
                await load(ports, requests=opts.warmup, concurrency=5, respond_base=respond_base)
                await wait_cards(fake, before + opts.warmup)
                burst_from = datetime.now().astimezone()
                cpu_from = _cpu(pids, fake, url)
                if opts.count_sql:
                    await asyncio.to_thread(counting.touch)
                started = time.time()
                acks = await load(
                    ports,
                    requests=opts.requests,
                    concurrency=opts.concurrency,
                    respond_base=respond_base,
                    first=100_000 + opts.warmup,
                )
                last_card = await wait_cards(fake, before + opts.warmup + opts.requests)
                if opts.count_sql:
                    await asyncio.to_thread(counting.unlink)
                cpu = {k: v - cpu_from[k] for k, v in _cpu(pids, fake, url).items()}
                burst_lag = await lags(url, burst_from)
                # Idle: one ask at a time, well apart.
                idle_from = datetime.now().astimezone()
                for i in range(opts.idle):
                    await load(
                        port,
                        requests=1,
                        concurrency=1,
                        respond_base=respond_base,
                        first=900_000 + i,
                        fresh=True,
                    )
                    await asyncio.sleep(0.25)
                await wait_cards(fake, before + opts.warmup + opts.requests + opts.idle)
                idle_lag = await lags(url, idle_from)
            finally:
                for server in (proc, *replicas):
                    await stop(server)
            sql = _sql_counts(Path(tmp)) if opts.count_sql else None
            bare_port = free_port()
            bare = await run_server(["-c", BARE_SERVER], {**env, "PORT": str(bare_port)}, bare_port)
            try:
                await load(
                    bare_port, requests=opts.warmup, concurrency=5, respond_base=respond_base
                )
                bare_from = cpu_seconds(pids=[bare.pid])
                floor = await load(
                    bare_port,
                    requests=opts.requests,
                    concurrency=opts.concurrency,
                    respond_base=respond_base,
                    first=500_000,
                )
                bare_cpu = cpu_seconds(pids=[bare.pid]) - bare_from
            finally:
                await stop(bare)
    rate = opts.requests / (last_card - started)
    ack = [x * 1000 for x in acks]
    base = [x * 1000 for x in floor]
    shared = f", {opts.replicas} replicas" if opts.replicas > 1 and kind != "sqlite" else ""
    print(f"== {kind}: {opts.requests} /askmentor, {opts.concurrency} in flight{shared} ==")
    print(f"  throughput: {rate:6.1f} asks/s (first request → last card posted)")
    print(
        f"  delivery lag under the burst: p50 {statistics.median(burst_lag):6.1f} ms, "
        f"p99 {pct(burst_lag, 0.99):7.1f} ms ({len(burst_lag)} messages)"
    )
    print(
        f"  delivery lag when idle:       p50 {statistics.median(idle_lag):6.1f} ms, "
        f"p99 {pct(idle_lag, 0.99):7.1f} ms ({len(idle_lag)} messages)"
    )
    print(
        f"  ack: p50 {statistics.median(ack):5.1f} ms, p99 {pct(ack, 0.99):6.1f} ms; bare Bolt "
        f"(floor) p50 {statistics.median(base):5.1f} ms, p99 {pct(base, 0.99):6.1f} ms; "
        f"p99 ratio {pct(ack, 0.99) / pct(base, 0.99):.2f}x"
    )
    per_ask = {k: v * 1000 / opts.requests for k, v in cpu.items()}
    print(
        "  CPU per ask (burst, ms): "
        + ", ".join(f"{k} {v:.1f}" for k, v in per_ask.items())
        + f"; bare Bolt only acking {bare_cpu * 1000 / opts.requests:.1f}"
        + f"; {os.cpu_count()} CPUs"
    )
    if sql is not None:
        counts, thread_cpu = sql
        per_ask = sum(counts.values()) / opts.requests
        print(
            f"  SQL per ask (burst): {per_ask:.1f} statements"
            + (
                f", {sum(thread_cpu.values()) * 1000 / opts.requests:.1f} ms of CPU on SQLite's "
                "thread"
                if thread_cpu
                else ""
            )
            + "; the most frequent:"
        )
        for statement, n in counts.most_common(5):
            print(f"    {n / opts.requests:4.1f}  {statement[:110]}")
        if thread_cpu:
            print("  the most CPU on SQLite's thread (ms per ask, statements per ask):")
            for statement, spent in thread_cpu.most_common(5):
                print(
                    f"    {spent * 1000 / opts.requests:5.2f} ms  "
                    f"{counts[statement] / opts.requests:4.1f}  {statement[:100]}"
                )


def _sql_counts(folder: Path) -> tuple[Counter[str], Counter[str]]:
    """What `benchmarks/_sql_count` recorded in the bot processes during the burst."""
    counts: Counter[str] = Counter()
    thread_cpu: Counter[str] = Counter()
    for path in folder.glob("sql.*.json"):
        found = json.loads(path.read_text(encoding="utf-8"))
        counts.update(found["counts"])
        thread_cpu.update(found["sqlite_thread_cpu"])
    return counts, thread_cpu


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--idle", type=int, default=20)
    parser.add_argument("--mentors", type=int, default=1000)
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--db", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--flow-concurrency",
        type=int,
        default=0,
        help="the bot's [flow] concurrency (default: the bot's own default)",
    )
    parser.add_argument(
        "--count-sql",
        action="store_true",
        help="also print the SQL statements per ask during the burst (and SQLite's CPU)",
    )
    parser.add_argument(
        "--replicas",
        type=int,
        default=1,
        help="`micromentor run` processes on PostgreSQL sharing the database (SQLite: always 1)",
    )
    opts = parser.parse_args()
    # The burst's 499 askers may each ask 5 questions in 10 minutes (the bot's default limit):
    # more than that and the bot rightly refuses some, so their cards never come.
    if opts.warmup + opts.requests > 499 * 5:
        parser.error("--warmup plus --requests may be at most 2495 (499 askers, 5 asks each)")
    fake = FakeProcess()
    api_url = fake.start()
    try:
        for kind in opts.db:
            await run_one(kind, opts, fake, api_url)
    finally:
        fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
