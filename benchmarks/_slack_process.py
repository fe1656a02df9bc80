"""What the Slack benchmarks share: a seeded database, the fake Slack Web API in its own
process, signed /askmentor requests, and `micromentor run` (or a bare Bolt app) as a process."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import multiprocessing
import os
import random
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.tables import MentorProfileRow, PersonRow, QuestionRow, WorkspaceRow, table_of
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack

__all__ = [
    "BARE_SERVER",
    "QUESTIONS",
    "SECRET",
    "FakeProcess",
    "ask_body",
    "cpu_seconds",
    "free_port",
    "load",
    "run_server",
    "seed",
    "signed",
    "stop",
]

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


def cpu_seconds(*, pids: Sequence[int] = (), cmdline_has: str = "") -> float:
    """CPU time (user + system) used so far by `pids` and by every process whose command line
    contains `cmdline_has` (PostgreSQL names its backends' database there); Linux /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    chosen = set(pids)
    if cmdline_has:
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    raw = Path("/proc", entry, "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline_has.encode() in raw:
                    chosen.add(int(entry))
    total = 0
    for pid in chosen:
        try:
            fields = Path("/proc", str(pid), "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


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
        {"key": f"slack:UM{i:07d}", "name": f"mentor{i}", "timezone": "UTC"} for i in range(mentors)
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
                "number": i + 1,
            }
        )
    # The workspace's row carries its question counter (registering it at start-up keeps it).
    workspace = {
        "key": ws,
        "mentoring_channel": "slack:C0MENTOR1",
        "admin_channel": "slack:C0ADMINS1",
        "last_number": questions,
    }
    async with engine.begin() as conn:
        await conn.execute(table_of(WorkspaceRow).insert(), [workspace])
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
        while True:  # answer the parent's questions: how many cards were posted so far, when
            channel = await loop.run_in_executor(None, conn.recv)
            posts = fake.to("chat.postMessage", channel=channel)
            cards = [c for c in posts if not c.params.get("thread_ts")]
            # Call.at is this process's monotonic clock: say it in wall-clock time.
            last = time.time() - (time.monotonic() - cards[-1].at) if cards else 0.0
            conn.send((len(cards), last))

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
        return self.cards(channel)[0]

    def cards(self, channel: str) -> tuple[int, float]:
        """How many top-level messages were posted in `channel`, and the wall-clock time of
        the last one."""
        self.conn.send(channel)
        count, last = self.conn.recv()
        return int(count), float(last)

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


def ask_body(i: int, respond_base: str, *, fresh: bool = False) -> str:
    """Request `i`: one of 499 askers (prime, so nobody asks the same text twice: that would be
    refused as a duplicate of their own open question), each well within the ask limit; or,
    `fresh`, someone who has not asked yet (asks after a burst, whose askers' questions are all
    still open)."""
    user = f"UF{i:07d}" if fresh else f"UA{i % 499:07d}"
    return urllib.parse.urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": "C0MENTOR1",
            "user_id": user,
            "user_name": f"asker-{user}",
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
                # /readyz: the bot is connected to Slack (the bare Bolt server has /healthz only).
                ready = await http.get(f"http://127.0.0.1:{port}/readyz")
                if ready.status_code == 200:
                    return
                if ready.status_code == 404:
                    if (await http.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit("server never became healthy")


async def load(
    port: int | Sequence[int],
    *,
    requests: int,
    concurrency: int,
    respond_base: str,
    first: int = 0,
    fresh: bool = False,
) -> list[float]:
    """N signed /askmentor posts, C in flight, numbered from `first` (each has its own trigger
    id, as Slack gives every invocation), by `fresh` askers or the burst's 499; returns each
    ack's latency in seconds. Several ports: request i goes to port i mod n, as a load balancer
    spreads requests over replicas. aiohttp: a lighter client than httpx (this process shares
    the machine with the server it measures)."""
    latencies: list[float] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=30)
    ports = [port] if isinstance(port, int) else list(port)
    urls = [f"http://127.0.0.1:{p}/slack/events" for p in ports]
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        counter = iter(range(first, first + requests))

        async def worker() -> None:
            for i in counter:
                body = ask_body(i, respond_base, fresh=fresh)
                started = time.perf_counter()
                url = urls[i % len(urls)]
                async with http.post(url, data=body.encode(), headers=signed(body)) as resp:
                    await resp.read()
                    latencies.append(time.perf_counter() - started)
                    if resp.status != 200:
                        raise SystemExit(f"request {i}: HTTP {resp.status}")

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return latencies


async def run_server(args: list[str], env: dict[str, str], port: int) -> asyncio.subprocess.Process:
    # BENCH_LOG_DIR: keep each server's output there (to see why a run went wrong).
    log_dir = os.environ.get("BENCH_LOG_DIR")
    out = open(Path(log_dir, f"server-{port}.log"), "wb") if log_dir else None  # noqa: ASYNC230
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env=env,
        stdout=out or asyncio.subprocess.DEVNULL,
        stderr=out or asyncio.subprocess.DEVNULL,
    )
    if out is not None:
        out.close()  # the child has its own copy
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
