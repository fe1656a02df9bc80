"""Slack and Discord served by one process (issue 10, item 4): one app, one database, one set of
workers, both adapters; numbers, look-ups, suggestions and figures stay per workspace."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from adapters.discord.startup import DiscordAdapter, DiscordSettings
from adapters.slack.runtime import SlackSettings, connect
from adapters.slack.server import http_app
from adapters.slack.translate import workspace_ref
from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app
from tests.adapters.slack.conftest import MENTORING, SECRET, USERS, SlackHarness
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack
from tests.e2e.console_driver import START
from tests.security.conftest import QUIET
from tests.security.discord_two_guilds import (
    FakeDiscord,
    Harness,
    custom_ids,
    serve,
    sub,
    wait_started,
)

PANDAS = "How do I group a pandas DataFrame by two columns and sum one of them? I tried groupby."


@dataclass
class Both:
    slack: SlackHarness
    discord: Harness


@pytest.fixture
async def both(sqlite_url: str) -> AsyncIterator[Both]:
    fake_slack, fake_discord = FakeSlack(), FakeDiscord()
    await fake_slack.start()
    await fake_discord.start()
    for name, uid in USERS.items():
        fake_slack.add_user(uid, name)
    config = Config.model_validate(
        {
            "bot": {"admins": [f"slack:{USERS['root']}"]},
            "discord": {"guild_ids": [int(fake_discord.guild_id)]},
            **QUIET,
        }
    )
    clock = ManualClock(START)
    app = await build_app(config, clock=clock, database_url=sqlite_url)
    settings = SlackSettings(
        bot_token="xoxb-test", signing_secret=SECRET, api_url=fake_slack.api_url
    )
    bolt = await connect(app, settings)
    adapter = DiscordAdapter(
        app,
        DiscordSettings(token="fake-token", api_base_url=fake_discord.api_url),
        guild_ready_timeout=0.05,
    )
    task = asyncio.create_task(serve(app, adapter))  # starts the one set of workers
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=http_app(bolt)), base_url="http://slack.test"
    )
    try:
        await wait_started(adapter, task)
        yield Both(
            SlackHarness(app=app, fake=fake_slack, http=http),
            Harness(fake_discord, app, adapter, clock),
        )
    finally:
        await http.aclose()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        with contextlib.suppress(Exception):
            await app.chat.aclose()
        await app.dispose()
        await fake_discord.stop()
        await fake_slack.stop()


async def test_each_platforms_first_question_is_number_one(both: Both) -> None:
    await both.slack.command("alice", "/askmentor", PANDAS)
    slack_card = await both.slack.card_of(1)
    discord_card = await both.discord.ask("alice", PANDAS)
    assert "Question #1*" in slack_card.text()
    assert discord_card["embeds"][0]["title"].endswith("#1")


async def test_a_click_on_one_platforms_number_one_claims_only_that_question(both: Both) -> None:
    s, d = both.slack, both.discord
    await s.join("bob", "python, pandas")
    await s.command("alice", "/askmentor", PANDAS)
    await s.card_of(1)
    card = await d.ask("alice", PANDAS)
    await s.click("bob", "mm:claim:1", channel=MENTORING, ts=s.card_ts(1))
    await s.replies_to("bob", "You claimed #1")
    async with s.app.uow_factory(read_only=True) as uow:
        workspaces = {w.ref.platform: w.ref for w in await uow.workspaces.all()}
        on_slack = await uow.questions.get_by_number(workspace_ref(TEAM_ID), 1)
        on_discord = await uow.questions.get_by_number(workspaces["discord"], 1)
    assert on_slack is not None and on_slack.mentor is not None
    assert on_discord is not None and on_discord.mentor is None
    assert "mm:claim:1" in custom_ids(d.fake.messages[card["id"]])  # still open on Discord


async def test_mentors_of_one_platform_are_never_suggested_on_the_other(both: Both) -> None:
    s, d = both.slack, both.discord
    await d.join("bob", "python, pandas")
    await s.command("alice", "/askmentor", PANDAS)
    card = await s.card_of(1)
    assert "Suggested" not in card.text() and d.fake.users["bob"]["id"] not in card.text()
    discord_card = await d.ask("alice", PANDAS)
    assert "Bob" in str(discord_card["embeds"]) or d.fake.users["bob"]["id"] in str(discord_card)


async def test_stats_and_why_answer_for_the_askers_own_platform(both: Both) -> None:
    s, d = both.slack, both.discord
    await s.command("alice", "/askmentor", PANDAS)
    await s.card_of(1)
    await d.ask("alice", PANDAS)
    await d.ask("carol", "How do I deploy a small python web app to kubernetes for the first time?")
    await s.command("root", "/mentoradmin", "stats")
    [slack_stats] = await s.replies_to("root", "Micromentor stats")
    assert "Questions: 1 " in slack_stats.text()
    token = await d.fake.slash("admin", "mentoradmin", sub("stats"))
    (discord_stats,) = await d.fake.followups(token)
    assert "Questions: 2 " in str(discord_stats.json())
    await s.command("root", "/mentor", "why 2")
    await s.replies_to("root", "There is no question #2")
