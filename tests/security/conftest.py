"""Security tier fixtures: the console on a fresh database with the pre-posting coaching off (these
tests check who may see and do what, not how a question is phrased)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.console import ConsoleSession
from adapters.console.gateway import PLATFORM, ConsoleGateway
from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app, console_config
from tests.adapters.slack.conftest import (  # the Slack harness's fixtures, for this tier too
    fake_slack,
    slack,
    slack_settings,
)
from tests.e2e.console_driver import START, ConsoleDriver

__all__ = ["QUIET", "fake_slack", "quiet_config", "slack", "slack_settings"]

QUIET: dict[str, Any] = {
    "ask": {"coaching": "off"},
    "learning": {"enabled": False},
    "followup": {"enabled": False},
}


def quiet_config(**sections: Any) -> Config:
    """The default config without coaching, lessons and next steps (each adds messages)."""
    merged = {k: dict(v) for k, v in QUIET.items()}
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    return Config.model_validate(merged)


@pytest.fixture
def console_settings() -> dict[str, Any]:
    """Override in a module (or parametrize) to change bot.toml sections for the console."""
    return {}


@pytest.fixture
async def console(
    sqlite_url: str, console_settings: dict[str, Any]
) -> AsyncIterator[ConsoleDriver]:
    printed: list[str] = []
    clock = ManualClock(START)
    gateway = ConsoleGateway(printed.append)
    app = await build_app(
        console_config(quiet_config(**console_settings)),
        clock=clock,
        gateways={PLATFORM: gateway},
        database_url=sqlite_url,
        deliver_now=True,
    )
    session = ConsoleSession(app=app, gateway=gateway, clock=clock, write=printed.append)
    await session.setup()
    try:
        yield ConsoleDriver(session, printed, app)
    finally:
        await app.dispose()
