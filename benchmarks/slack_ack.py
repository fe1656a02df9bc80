"""Slack ack latency: signed `/askmentor` requests against a running `micromentor run` (10,000
mentors, 100,000 past questions, SQLite) versus a bare AsyncApp whose listener only acks.

    .venv/bin/python benchmarks/slack_ack.py [--requests 2000] [--concurrency 50]

Prints p50/p99/max ack latency for both and the ratio. The fake Slack Web API runs in its own
process so that the instance's after-ack work (cards, replies) has somewhere to go without
taking the measuring client's CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._slack_process import (  # noqa: E402
    BARE_SERVER,
    SECRET,
    FakeProcess,
    free_port,
    load,
    run_server,
    seed,
    stop,
)


async def measure(
    args: list[str], env: dict[str, str], port: int, opts: argparse.Namespace, respond_base: str
) -> list[float]:
    """Start a server, warm it up, time the requests, stop it."""
    proc = await run_server(args, env, port)
    try:
        await load(port, requests=opts.warmup, concurrency=5, respond_base=respond_base)
        return await load(
            port,
            requests=opts.requests,
            concurrency=opts.concurrency,
            respond_base=respond_base,
            first=opts.warmup,
        )
    finally:
        await stop(proc)


def figures(name: str, lat: list[float]) -> tuple[float, float, float]:
    ms = sorted(x * 1000 for x in lat)
    p50, p99 = statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"{name:<34} n={len(ms):5d}  p50={p50:7.1f} ms  p99={p99:7.1f} ms  max={ms[-1]:7.1f} ms")
    return p50, p99, ms[-1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--mentors", type=int, default=10_000)
    parser.add_argument("--questions", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=50)
    opts = parser.parse_args()
    started = time.monotonic()
    fake = FakeProcess()
    api_url = fake.start()
    respond_base = api_url.removesuffix("/api/")
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        await seed(db_url, mentors=opts.mentors, questions=opts.questions)
        print(
            f"seeded {opts.mentors} mentors and {opts.questions} questions in {time.monotonic() - started:.1f} s"
        )
        config = Path(tmp, "bot.toml")
        await asyncio.to_thread(config.write_text, '[bot]\nlog_level = "ERROR"\n')
        base_env = {
            **os.environ,
            "SLACK_API_URL": api_url,
            "SLACK_SIGNING_SECRET": SECRET,
            "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("BENCH_EXTRA_PATH", "")]),
            "HOST": "127.0.0.1",
        }
        base_env.pop("SLACK_APP_TOKEN", None)
        base_env.pop("DISCORD_TOKEN", None)

        port = free_port()
        env = {
            **base_env,
            "PORT": str(port),
            "SLACK_BOT_TOKEN": "xoxb-bench",
            "DATABASE_URL": db_url,
            "MICROMENTOR_CONFIG": str(config),
        }
        ours = await measure(["-m", "bot", "run"], env, port, opts, respond_base)
        cards = fake.cards_posted("C0MENTOR1")
        port = free_port()
        bare_env = {**base_env, "PORT": str(port)}
        floor = await measure(["-c", BARE_SERVER], bare_env, port, opts, respond_base)
    print(f"/askmentor acks, {opts.requests} requests, {opts.concurrency} in flight:")
    _, ours_p99, _ = figures("micromentor run (10k mentors)", ours)
    _, floor_p99, _ = figures("bare AsyncApp (ack only, floor)", floor)
    print(f"p99 ratio: {ours_p99 / floor_p99:.2f}x the floor; cards posted during the run: {cards}")
    print(f"total run time {time.monotonic() - started:.1f} s")
    fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
