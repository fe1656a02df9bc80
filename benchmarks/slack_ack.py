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
import hashlib
import hmac
import multiprocessing
import os
import random
import signal
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from storage.engine import create_engine  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.tables import MentorProfileRow, PersonRow, QuestionRow, table_of  # noqa: E402
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack  # noqa: E402

SECRET = "benchmark-signing-secret"
SKILLS = [
    "python",
    "pandas",
    "sql",
    "docker",
    "kubernetes",
    "javascript",
    "react",
    "java",
    "go",
    "rust",
    "excel",
    "negotiation",
    "public speaking",
    "machine learning",
    "aws",
    "terraform",
    "git",
    "linux",
]
QUESTIONS = [
    "How do I group a pandas DataFrame by two columns and sum one of them?",
    "What is the best way to structure a kubernetes deployment with a ConfigMap for settings?",
    "Why is my SQL query slow when I join three tables on a text column?",
    "How should I prepare for a salary negotiation with my manager next week?",
    "How do I write a Dockerfile for a python app so that the image stays small?",
    "What is a good way to learn react hooks coming from class components?",
]
BARE_SERVER = """
import os, uvicorn
from slack_bolt.async_app import AsyncApp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_sdk.web.async_client import AsyncWebClient
from starlette.applications import Starlette
from starlette.routing import Route
bolt = AsyncApp(client=AsyncWebClient(token="xoxb-bench", base_url=os.environ["SLACK_API_URL"]),
                signing_secret=os.environ["SLACK_SIGNING_SECRET"])
@bolt.command("/askmentor")
async def only_ack(ack):
    await ack()
handler = AsyncSlackRequestHandler(bolt)
async def events(request):
    return await handler.handle(request)
async def healthz(request):
    from starlette.responses import PlainTextResponse
    return PlainTextResponse("ok")
app = Starlette(routes=[Route("/slack/events", events, methods=["POST"]), Route("/healthz", healthz)])
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning", access_log=False)
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def seed(url: str, *, mentors: int, questions: int) -> None:
    """Bulk inserts through the storage tables: people, mentor profiles, resolved questions."""
    await upgrade(url)
    engine = create_engine(url)
    ws = f"slack:{TEAM_ID}"
    rng = random.Random(7)
    now = datetime.now(UTC)
    people = [
        {"key": f"slack:UM{i:07d}", "name": f"mentor{i}", "timezone": "UTC", "is_admin": False}
        for i in range(mentors)
    ]
    profiles = [
        {
            "user": f"slack:UM{i:07d}",
            "workspace": ws,
            "skills": rng.sample(SKILLS, 3),
            "timezone": rng.choice(["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]),
            "hours": "Mon-Fri 09:00-17:00",
            "capacity_per_week": 3,
            "joined_at": now - timedelta(days=200),
            "active": True,
        }
        for i in range(mentors)
    ]
    rows = []
    for i in range(questions):
        created = now - timedelta(minutes=5 * (questions - i))
        rows.append(
            {
                "workspace": ws,
                "asker": f"slack:UA{i % 5000:07d}",
                "text": rng.choice(QUESTIONS) + f" (case {i})",
                "created_at": created,
                "anonymous": False,
                "topics": rng.sample(SKILLS, 2),
                "state": "resolved",
                "mentor": f"slack:UM{rng.randrange(mentors):07d}",
                "suggested": [],
                "claimed_at": created + timedelta(minutes=3),
                "resolved_at": created + timedelta(minutes=20),
                "closed_at": created + timedelta(minutes=20),
                "extensions": 0,
                "claims": 1,
            }
        )
    async with engine.begin() as conn:
        await conn.execute(table_of(PersonRow).insert(), people)
        await conn.execute(table_of(MentorProfileRow).insert(), profiles)
        for start in range(0, len(rows), 20_000):
            await conn.execute(table_of(QuestionRow).insert(), rows[start : start + 20_000])
    await engine.dispose()


def _serve_fake(conn: Any) -> None:
    """Child process: run the fake Slack Web API and send back its URL."""

    async def serve() -> None:
        fake = FakeSlack()
        await fake.start()
        conn.send(fake.api_url)
        loop = asyncio.get_running_loop()
        while True:  # answer the parent's questions: how many cards were posted so far
            channel = await loop.run_in_executor(None, conn.recv)
            conn.send(len(fake.to("chat.postMessage", channel=channel)))

    asyncio.run(serve())


class FakeProcess:
    """The fake Slack Web API in its own process, so its work never skews the client's timing."""

    def start(self) -> str:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve_fake, args=(child,), daemon=True)
        self.proc.start()
        self.conn = parent
        if not parent.poll(60):
            raise RuntimeError("the fake Slack API did not start")
        return str(parent.recv())

    def cards_posted(self, channel: str) -> int:
        self.conn.send(channel)
        return int(self.conn.recv())

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.join(5)


def signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


def ask_body(i: int, respond_base: str) -> str:
    return urllib.parse.urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": "C0MENTOR1",
            "user_id": f"UA{i % 500:07d}",
            "user_name": f"asker{i % 500}",
            "command": "/askmentor",
            "text": QUESTIONS[i % len(QUESTIONS)],
            "response_url": f"{respond_base}/respond/bench{i}",
            "trigger_id": f"t.{i}",
        }
    )


async def wait_healthy(port: int, proc: asyncio.subprocess.Process, within: float = 120) -> None:
    deadline = time.monotonic() + within
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                raise SystemExit(f"server exited with {proc.returncode}")
            try:
                if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server never became healthy")


async def load(port: int, *, requests: int, concurrency: int, respond_base: str) -> list[float]:
    """N signed /askmentor posts, C in flight; returns each ack's latency in seconds."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
    ) as http:
        counter = iter(range(requests))

        async def worker() -> None:
            for i in counter:
                body = ask_body(i, respond_base)
                started = time.perf_counter()
                resp = await http.post("/slack/events", content=body, headers=signed(body))
                latencies.append(time.perf_counter() - started)
                if resp.status_code != 200:
                    raise SystemExit(f"request {i}: HTTP {resp.status_code}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def run_server(args: list[str], env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await wait_healthy(port, proc)
    return proc


async def stop(proc: asyncio.subprocess.Process) -> None:
    if proc.returncode is None:
        proc.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(proc.wait(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()


async def measure(
    args: list[str], env: dict[str, str], port: int, opts: argparse.Namespace, respond_base: str
) -> list[float]:
    """Start a server, warm it up, time the requests, stop it."""
    proc = await run_server(args, env, port)
    try:
        await load(port, requests=opts.warmup, concurrency=5, respond_base=respond_base)
        return await load(
            port, requests=opts.requests, concurrency=opts.concurrency, respond_base=respond_base
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
            "PYTHONPATH": str(REPO),
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
