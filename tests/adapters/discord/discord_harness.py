"""The test harness: a real discord.py bot wired to a fresh app, driven through the fake."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from discord_fake import FakeDiscord

from adapters.discord.startup import DiscordAdapter, DiscordSettings
from bot.app import App
from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app

START = datetime.fromisoformat("2026-11-23T10:00:00+00:00")


@dataclass
class Harness:
    fake: FakeDiscord
    app: App
    adapter: DiscordAdapter
    clock: ManualClock

    async def ask(self, who: str, question: str, *, anonymous: bool = False) -> dict[str, Any]:
        """/askmentor → the card the bot posted in #mentoring."""
        before = len(self.fake.channel_messages(self.fake.mentoring_id))
        options = [{"name": "question", "type": 3, "value": question}]
        if anonymous:
            options.append({"name": "anonymous", "type": 5, "value": True})
        token = await self.fake.slash(who, "askmentor", options)
        await self.fake.followups(token)
        cards = self.fake.channel_messages(self.fake.mentoring_id)
        assert len(cards) == before + 1, "no card was posted"
        return cards[-1]


def discord_config(**discord: Any) -> Config:
    return Config.model_validate({"discord": discord, "bot": {"admins": []}})


async def start_bot(
    fake: FakeDiscord, config: Config, database_url: str
) -> tuple[App, DiscordAdapter, asyncio.Task[None], ManualClock]:
    clock = ManualClock(START)
    app = await build_app(config, clock=clock, database_url=database_url)
    settings = DiscordSettings(token="fake-token", api_base_url=fake.api_url)
    adapter = DiscordAdapter(app, settings, guild_ready_timeout=0.05)
    task = asyncio.create_task(adapter.run())
    return app, adapter, task, clock


async def stop_bot(app: App, task: asyncio.Task[None]) -> None:
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app.dispose()


async def wait_started(adapter: DiscordAdapter, task: asyncio.Task[None]) -> None:
    """Until the guild is registered; fails at once if the bot stopped instead."""
    registered = asyncio.ensure_future(adapter.wait_registered())
    done, _ = await asyncio.wait(
        [task, registered], timeout=10, return_when=asyncio.FIRST_COMPLETED
    )
    if task in done:
        registered.cancel()
        task.result()
        raise AssertionError("the bot stopped before it was ready")
    assert registered in done, "the bot did not get ready within 10 s"
    registered.result()
