"""The test harness: a real discord.py bot wired to a fresh app, driven through the fake."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from discord_fake import FakeDiscord
from discord_helpers import custom_ids, eventually, sub

from adapters.discord.startup import DiscordAdapter, DiscordSettings
from adapters.discord.translate import user_ref, workspace_ref
from bot.app import App
from bot.clock import ManualClock
from bot.config import Config
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.main import build_app
from bot.messages import ChatMessage, text

START = datetime.fromisoformat("2026-11-23T10:00:00+00:00")


@dataclass
class Harness:
    fake: FakeDiscord
    app: App
    adapter: DiscordAdapter
    clock: ManualClock

    async def join(self, who: str, skills: str = "python, pandas") -> None:
        """/mentor join: `who` becomes an active mentor."""
        token = await self.fake.slash(who, "mentor", sub("join", ("skills", 3, skills)))
        (reply,) = await self.fake.followups(token)
        assert "mentor" in str(reply.json()).lower(), reply.json()

    async def ask(self, who: str, question: str, *, anonymous: bool = False) -> dict[str, Any]:
        """/askmentor → the card the bot posted in #mentoring."""
        before = len(self.fake.channel_messages(self.fake.mentoring_id))
        options = [{"name": "question", "type": 3, "value": question}]
        if anonymous:
            options.append({"name": "anonymous", "type": 5, "value": True})
        token = await self.fake.slash(who, "askmentor", options)
        await self.fake.followups(token)
        # The answer and the card go out independently, after the question is stored.
        await self.fake.wait_until(
            lambda: len(self.fake.channel_messages(self.fake.mentoring_id)) > before
        )
        cards = self.fake.channel_messages(self.fake.mentoring_id)
        assert len(cards) == before + 1, "more than one card was posted"
        await self.card_recorded(cards[-1])
        return cards[-1]

    async def card_recorded(self, card: dict[str, Any]) -> None:
        """Until the bot has recorded where the card is: only then does a ✋ on it find the
        question (the bot records the card right after posting it and adding its ✋)."""
        number = int(card["embeds"][0]["title"].rsplit("#", 1)[1])

        async def recorded() -> bool:
            async with self.app.uow_factory(read_only=True) as uow:
                question = await uow.questions.get(number)
            return question is not None and question.card is not None

        await eventually(recorded)

    async def claim(self, who: str, card: dict[str, Any]) -> dict[str, Any]:
        """Claim with the card's button → the session's intro (with Resolve) once it is posted."""
        claim = next(c for c in custom_ids(card) if c.startswith("mm:claim:"))
        await self.fake.followups(await self.fake.click(who, claim, card["id"]))
        return await self.message_with(claim.replace("claim", "resolve"))

    async def message_with(self, custom_id: str) -> dict[str, Any]:
        """The first message the bot posted with this button, once it is there."""

        def found() -> list[dict[str, Any]]:
            # A button in a DM carries its workspace: ``mm:faqok:1@<guild id>``.
            return [
                m
                for m in self.fake.messages.values()
                if any(c == custom_id or c.startswith(f"{custom_id}@") for c in custom_ids(m))
            ]

        await self.fake.wait_until(lambda: bool(found()))
        return found()[0]

    async def dm_to(self, who: str) -> str:
        """A DM from the bot to `who` said for the server, to press buttons on (Discord sends
        a press there as a DM interaction); its message id."""
        fake = self.fake
        to = user_ref(fake.users[who]["id"])
        delivery = Delivery(
            Op.DM,
            f"u:{to.key()}",
            message=ChatMessage(body=text("Hello")),
            user=to,
            workspace=workspace_ref(fake.guild_id),
        )
        async with self.app.uow_factory() as uow:
            await uow.outbox.add_many(
                [OutboxItem(delivery, key=new_key(), due_at=self.clock.now())]
            )
            await uow.commit()
        self.app.runtime.wake()

        def dms() -> list[dict[str, Any]]:
            return [m for m in fake.messages.values() if m["channel_id"] in fake.dm_channels]

        await fake.wait_until(lambda: bool(dms()))
        return str(dms()[0]["id"])

    def later(self, seconds: float) -> None:
        """Move the clock on and wake the workers, as the scheduler's tick does: deliveries
        waiting for a retry that is due by then go out."""
        self.clock.advance(timedelta(seconds=seconds))
        self.app.runtime.wake()


def discord_config(
    *, learning: bool = False, sections: dict[str, Any] | None = None, **discord: Any
) -> Config:
    """The lessons and next steps add DMs to every join, ask and resolve: off unless asked for.
    `sections` are other bot.toml sections (``{"ask": {"coaching": "off"}}``)."""
    quiet = {} if learning else {"learning": {"enabled": False}, "followup": {"enabled": False}}
    return Config.model_validate(
        {"discord": discord, "bot": {"admins": []}, **quiet, **(sections or {})}
    )


async def start_bot(
    fake: FakeDiscord, config: Config, database_url: str
) -> tuple[App, DiscordAdapter, asyncio.Task[None], ManualClock]:
    clock = ManualClock(START)
    app = await build_app(config, clock=clock, database_url=database_url)
    settings = DiscordSettings(token="fake-token", api_base_url=fake.api_url)
    adapter = DiscordAdapter(app, settings, guild_ready_timeout=0.05)
    task = asyncio.create_task(_serve(app, adapter))
    return app, adapter, task, clock


async def _serve(app: App, adapter: DiscordAdapter) -> None:
    """The adapter and the workers behind it, stopped in `micromentor run`'s order: input first,
    then the work in flight (while the client is still open), then the client."""
    app.runtime.start()
    running = asyncio.ensure_future(adapter.run())
    try:
        await asyncio.shield(running)
    except asyncio.CancelledError:
        running.cancel()
        await asyncio.wait([running], timeout=2)
        close = getattr(app.inbox, "close", None)  # some tests put a stand-in inbox there
        if close is not None:
            close()
        await app.runtime.shutdown(grace=1)
        with contextlib.suppress(asyncio.CancelledError):
            await running
        raise
    finally:
        await app.runtime.shutdown(grace=1)


async def stop_bot(app: App, task: asyncio.Task[None]) -> None:
    if not task.done():
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app.dispose()


async def run_once(fake: FakeDiscord, config: Config, database_url: str) -> None:
    """Starts the bot, waits until it is ready and stops it: a database it set up, as the
    first run of a restart test leaves it."""
    app, adapter, task, _ = await start_bot(fake, config, database_url)
    try:
        await wait_started(adapter, task)
    finally:
        await stop_bot(app, task)


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
