"""End-to-end fixtures: the whole app on a fresh migrated SQLite database, driven line by line.

``console`` is a :class:`~tests.e2e.console_driver.ConsoleDriver` with the console clock frozen
at :data:`~tests.e2e.console_driver.START` (a Monday, 10:00 UTC); ``configured`` makes one with
`bot.toml` sections overridden.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.console import ConsoleSession
from adapters.console.gateway import PLATFORM, ConsoleGateway
from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app, console_config
from tests.e2e.console_driver import START, ConsoleDriver, ConsoleFactory


@pytest.fixture
async def configured(sqlite_url: str) -> AsyncIterator[ConsoleFactory]:
    """A console with `bot.toml` sections overridden: ``await configured(session={...})``."""
    apps = []

    async def make(**sections: dict[str, Any]) -> ConsoleDriver:
        printed: list[str] = []
        clock = ManualClock(START)
        gateway = ConsoleGateway(printed.append)
        app = await build_app(
            console_config(Config.model_validate(sections)),
            clock=clock,
            gateways={PLATFORM: gateway},
            database_url=sqlite_url,
            deliver_now=True,
        )
        apps.append(app)
        session = ConsoleSession(app=app, gateway=gateway, clock=clock, write=printed.append)
        await session.setup()
        return ConsoleDriver(session, printed, app)

    yield make
    for app in apps:
        await app.dispose()


@pytest.fixture
async def console(configured: ConsoleFactory) -> ConsoleDriver:
    """A console with the default configuration."""
    driver: ConsoleDriver = await configured()
    return driver
