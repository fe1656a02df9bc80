"""End to end: `micromentor run` as a subprocess against the fake Web API, driven over real HTTP:
ask → claim by reaction → thread → resolve → rate."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.domain import QuestionState
from storage.engine import create_engine
from storage.uow import make_uow_factory
from tests.adapters.slack.conftest import MENTORING, SECRET, USERS, SlackHarness
from tests.adapters.slack.fake_slack import FakeSlack

REPO = Path(__file__).parents[3]

BOT_TOML = """\
[bot]
admins = ["slack:U0ROOT001"]
log_level = "WARNING"

[nudges]
sweep_seconds = 1
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def running(fake_slack: FakeSlack, tmp_path: Path) -> AsyncIterator[tuple[SlackHarness, str]]:
    for name, uid in USERS.items():
        fake_slack.add_user(uid, name)
    (tmp_path / "bot.toml").write_text(BOT_TOML)
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    port = free_port()
    env = {
        **os.environ,
        "MICROMENTOR_CONFIG": str(tmp_path / "bot.toml"),
        "DATABASE_URL": db_url,
        "SLACK_BOT_TOKEN": "xoxb-e2e",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "PORT": str(port),
        "HOST": "127.0.0.1",
        # The checkout first, so the subprocess runs this tree whatever the venv's install state.
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    }
    env.pop("SLACK_APP_TOKEN", None)
    env.pop("DISCORD_TOKEN", None)
    log = (tmp_path / "run.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env, stdout=log, stderr=log
    )
    http = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.returncode is not None:
                raise AssertionError(
                    f"micromentor run exited: {(tmp_path / 'run.log').read_text()}"
                )
            try:
                if (await http.get("/readyz")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"never became healthy: {(tmp_path / 'run.log').read_text()}")
            await asyncio.sleep(0.1)
        yield SlackHarness(app=None, fake=fake_slack, http=http), db_url  # type: ignore[arg-type]
    finally:
        await http.aclose()
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                await asyncio.wait_for(proc.wait(), timeout=10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()


async def test_ask_claim_by_reaction_thread_resolve_rate_over_real_http(
    running: tuple[SlackHarness, str],
) -> None:
    slack, db_url = running
    fake = slack.fake
    await slack.join("bob", "python, pandas")
    await slack.command(
        "alice", "/askmentor", "How do I group a pandas DataFrame by two columns and sum?"
    )
    await slack.card_of(1)
    ts = slack.card_ts(1)
    await slack.react("bob", MENTORING, ts)
    await fake.wait_for(lambda: fake.to("chat.postMessage", thread_ts=ts), what="thread intro")
    await slack.event(
        {
            "type": "message",
            "channel": MENTORING,
            "channel_type": "channel",
            "user": USERS["bob"],
            "text": "Use groupby",
            "ts": "1800000000.000100",
            "thread_ts": ts,
        }
    )
    await slack.event(
        {
            "type": "message",
            "channel": MENTORING,
            "channel_type": "channel",
            "user": USERS["alice"],
            "text": "Works, thanks",
            "ts": "1800000000.000200",
            "thread_ts": ts,
        }
    )
    await slack.click("alice", "mm:resolve:1", channel=MENTORING, ts=ts)
    await fake.wait_for(
        lambda: [
            c for c in fake.to("chat.update", channel=MENTORING, ts=ts) if "Resolved" in c.text()
        ],
        what="card resolved",
    )
    await fake.wait_for(
        lambda: [c for c in fake.to("chat.postMessage", thread_ts=ts) if "mm:rate:5:1" in c.text()],
        what="rating buttons",
    )
    await slack.click("alice", "mm:rate:5:1", channel=MENTORING, ts=ts)
    await slack.replies_to("alice", "rated the help on #1 5/5")

    engine = create_engine(db_url)
    try:
        async with make_uow_factory(engine)() as uow:
            q = await uow.questions.get(1)
            feedback = await uow.feedback.for_questions([1])
    finally:
        await engine.dispose()
    assert q is not None and q.state is QuestionState.RESOLVED
    assert (
        q.last_activity_at is not None
        and q.claimed_at is not None
        and q.last_activity_at >= q.claimed_at
    )
    assert [(f.role, f.score) for f in feedback] == [("asker", 5)]
