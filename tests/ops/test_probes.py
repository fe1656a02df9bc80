"""/healthz, /readyz and /metrics on the HTTP port of every kind of deployment: Slack over HTTP,
Slack in Socket Mode and Discord; /readyz follows the database away and back; JSON logs."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from discord_fake import FakeDiscord
from sqlalchemy.engine import make_url

from tests.adapters.slack.fake_slack import FakeSlack
from tests.conftest import DEFAULT_POSTGRES_URL, POSTGRES_URL_ENV
from tests.e2e.slack_process import SECRET, SlackClient
from tests.ops.process import Running, clean_env

pytestmark = pytest.mark.timeout(120)
SECRET_QUESTION = "How do I explain the quokka-lantern outage to my skip-level manager?"


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    fake.add_user("U0ASKER01", "alice", tz="UTC")
    yield fake
    await fake.stop()


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


async def assert_probes(bot: Running) -> str:
    await bot.wait_status("/readyz", 200)
    assert await bot.status("/healthz") == 200
    ready = await bot.get("/readyz")
    assert ready.json() == {"ready": True}
    metrics = await bot.get("/metrics")
    assert metrics.status_code == 200
    assert metrics.headers["content-type"].startswith("text/plain")
    text = metrics.text
    for name in (
        "micromentor_queue_items",
        "micromentor_queue_oldest_due_seconds",
        "micromentor_deliveries_failed",
        "micromentor_questions_by_state",
    ):
        assert name in text, name
    return text


async def test_slack_http_mode_serves_probes_and_counts_questions(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-probe",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
        MICROMENTOR_LOG_FORMAT="json",
        MICROMENTOR_LOG_LEVEL="DEBUG",
    )
    bot = Running(env, tmp_path)
    await bot.start()
    try:
        await assert_probes(bot)
        client = SlackClient(bot.port, fake_slack.url)
        try:
            sent = await client.command("U0ASKER01", "/askmentor", SECRET_QUESTION)
            assert sent.acked
        finally:
            await client.close()
        # The counter counts the decision as it is made; the gauge reads the database at each
        # scrape, so it may show the question a scrape later (once the decision's commit is in).
        asked = 'micromentor_questions_total{outcome="asked",workspace="slack:T0TEAM001"} 1.0'
        stored = 'micromentor_questions_by_state{state="open",workspace="slack:T0TEAM001"} 1.0'
        for _ in range(100):
            text = (await bot.get("/metrics")).text
            if asked in text and stored in text:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError(text)
        assert 'micromentor_platform_api_seconds_count{method="auth.test",platform="slack"}' in text
    finally:
        await bot.stop()
    # MICROMENTOR_LOG_FORMAT=json: every line is one JSON object, none holds the question.
    lines = [line for line in bot.log.read_text().splitlines() if line.strip()]
    assert lines
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        assert {"timestamp", "level", "logger", "message"} <= entry.keys(), entry
    assert SECRET_QUESTION not in bot.log.read_text()
    assert "quokka" not in bot.log.read_text()


async def test_socket_mode_serves_probes(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-probe",
        SLACK_APP_TOKEN="xapp-probe",
        SLACK_API_URL=fake_slack.api_url,
    )
    bot = Running(env, tmp_path)
    await bot.start()
    try:
        await assert_probes(bot)
        assert fake_slack.to("apps.connections.open")
    finally:
        await bot.stop()


async def test_discord_mode_serves_probes(tmp_path: Path, fake_discord: FakeDiscord) -> None:
    env = clean_env(
        tmp_path,
        DISCORD_TOKEN="fake-token",
        DISCORD_API_BASE_URL=fake_discord.api_url,
        DISCORD_GATEWAY_URL=fake_discord.gateway_url,
    )
    bot = Running(env, tmp_path)
    await bot.start()
    try:
        text = await assert_probes(bot)
        assert 'platform="discord"' in text
    finally:
        await bot.stop()


@pytest.fixture
async def own_postgres() -> AsyncIterator[tuple[str, str]]:
    """A database of this test alone: (SQLAlchemy URL, its name)."""
    import os

    base = make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    name = f"mm_readyz_{uuid.uuid4().hex[:10]}"
    dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    admin = await asyncpg.connect(dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield base.set(database=name).render_as_string(hide_password=False), name
    finally:
        await admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def set_available(base_dsn: str, name: str, available: bool) -> None:
    admin = await asyncpg.connect(base_dsn)
    try:
        await admin.execute(
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if available else "false"}'
        )
        if not available:
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", name
            )
    finally:
        await admin.close()


@pytest.mark.postgres
async def test_readyz_follows_the_database_away_and_back(
    tmp_path: Path, fake_slack: FakeSlack, own_postgres: tuple[str, str]
) -> None:
    import os

    url, name = own_postgres
    base = make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    admin_dsn = base.set(drivername="postgresql").render_as_string(hide_password=False)
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-probe",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
        DATABASE_URL=url,
    )
    bot = Running(env, tmp_path)
    await bot.start()
    try:
        await bot.wait_status("/readyz", 200)
        await set_available(admin_dsn, name, False)
        await bot.wait_status("/readyz", 503)
        assert await bot.status("/healthz") == 200  # alive, just not ready
        body = (await bot.get("/readyz")).json()
        assert "database" in body["problems"]
        await set_available(admin_dsn, name, True)
        await bot.wait_status("/readyz", 200)
    finally:
        await bot.stop()
