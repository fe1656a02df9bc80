"""Fixtures: the loopback fake of Discord and the real discord.py bot wired to a fresh app."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from discord_fake import FakeDiscord
from discord_harness import Harness, discord_config, start_bot, stop_bot, wait_started


@pytest.fixture
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def thread_mode() -> str:
    return "public"


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    """Override in a module to change bot.toml sections for the harness."""
    return {}


@pytest.fixture
async def harness(
    fake_discord: FakeDiscord, sqlite_url: str, thread_mode: str, bot_settings: dict[str, Any]
) -> AsyncIterator[Harness]:
    config = discord_config(
        thread_mode=thread_mode, guild_ids=[int(fake_discord.guild_id)], sections=bot_settings
    )
    app, adapter, task, clock = await start_bot(fake_discord, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        yield Harness(fake_discord, app, adapter, clock)
    finally:
        await stop_bot(app, task)
