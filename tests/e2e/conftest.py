"""End-to-end fixtures: the whole app on a fresh migrated SQLite database, driven line by line.

``console`` is a :class:`~tests.e2e.console_driver.ConsoleDriver` with the console clock frozen
at :data:`~tests.e2e.console_driver.START` (a Monday, 10:00 UTC).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.console import ConsoleSession
from adapters.console.gateway import PLATFORM, ConsoleGateway
from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app, console_config
from tests.e2e.console_driver import START, ConsoleDriver


@pytest.fixture
async def console(sqlite_url: str) -> AsyncIterator[ConsoleDriver]:
    printed: list[str] = []
    clock = ManualClock(START)
    gateway = ConsoleGateway(printed.append)
    app = await build_app(
        console_config(Config()),
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
