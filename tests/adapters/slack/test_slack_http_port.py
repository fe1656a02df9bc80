"""Slack HTTP mode with PORT=0: the start-up line names the port `run` actually bound."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest

from adapters.slack import start_slack
from bot.app import App
from bot.clock import SystemClock
from bot.main import build_app
from tests.adapters.slack.conftest import slack_config
from tests.adapters.slack.fake_slack import FakeSlack


@pytest.fixture
async def slack_app(sqlite_url: str) -> AsyncIterator[App]:
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    yield app
    await app.chat.aclose()
    await app.dispose()


async def test_port_0_logs_the_port_that_was_bound(
    fake_slack: FakeSlack,
    slack_app: App,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-http")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    monkeypatch.setenv("PORT", "0")
    monkeypatch.delenv("SLACK_APP_TOKEN", raising=False)
    slack_app.bus.services.web_port = 35715  # what `run` bound for PORT=0
    caplog.set_level(logging.INFO, logger="adapters.slack")
    task = asyncio.create_task(start_slack(slack_app))
    try:
        for _ in range(200):
            if "ready for requests" in caplog.text or task.done():
                break
            await asyncio.sleep(0.05)
        [ready] = [r.getMessage() for r in caplog.records if "ready for requests" in r.getMessage()]
        assert ready.endswith("on port 35715"), ready
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
