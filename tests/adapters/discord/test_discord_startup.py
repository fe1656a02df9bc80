"""Start-up against the fake: login, gateway discovery, identify, command sync, registration."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
from discord.ext import commands
from discord_fake import FakeDiscord
from discord_harness import Harness, discord_config, start_bot, stop_bot, wait_started
from discord_helpers import eventually

from adapters.discord.translate import workspace_ref
from bot.config import Config
from bot.errors import StartupError


async def test_bot_logs_in_and_finds_the_gateway_through_the_api(harness: Harness) -> None:
    fake = harness.fake
    paths = [(r.method, r.path) for r in fake.requests]
    assert ("GET", "/users/@me") in paths
    assert ("GET", "/gateway/bot") in paths


async def test_identify_asks_only_for_guilds_reactions_and_guild_messages(harness: Harness) -> None:
    identify = harness.fake.identify
    assert identify is not None
    assert identify["intents"] == (1 << 0) | (1 << 9) | (1 << 10)
    assert identify["token"] == "fake-token"


async def test_commands_are_synced_to_the_configured_guild(harness: Harness) -> None:
    fake = harness.fake
    (sync,) = await fake.wait_request(
        "PUT", rf"/applications/{fake.application_id}/guilds/{fake.guild_id}/commands"
    )
    names = {c["name"]: c for c in sync.body}
    assert set(names) == {"askmentor", "mentor", "mentoradmin", "kudos", "lightning"}
    assert {o["name"] for o in names["lightning"]["options"]} == {
        "propose",
        "accept",
        "list",
        "join",
        "leave",
        "rate",
        "move",
        "cancel",
    }
    subcommands = {o["name"] for o in names["mentor"]["options"]}
    assert subcommands == {
        "join",
        "skills",
        "about",
        "hours",
        "capacity",
        "tz",
        "pause",
        "resume",
        "me",
        "leaderboard",
        "list",
        "why",
        "handover",
        "stage",
        "region",
        "learn",
        "feedback",
        "home",
        "leave",
        "mydata",
    }
    assert {o["name"] for o in names["mentoradmin"]["options"]} == {
        "digest",
        "stats",
        "audit",
        "dashboard",
        "export",
        "forget",
    }
    assert int(names["mentoradmin"]["default_member_permissions"]) == 1 << 5


async def test_guild_is_registered_as_a_workspace_with_its_channels(harness: Harness) -> None:
    async with harness.app.uow_factory() as uow:
        ws = await uow.workspaces.get(workspace_ref(harness.fake.guild_id))
    assert ws is not None
    assert ws.mentoring_channel.id == harness.fake.mentoring_id
    assert ws.admin_channel.id == harness.fake.admin_id
    assert ws.name == "Acme"


async def test_missing_mentoring_channel_in_the_only_guild_stops_start_up(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    config = Config.model_validate({"channels": {"mentoring": "#no-such-channel"}})
    app, _, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        with pytest.raises(StartupError, match="channel is missing"):
            async with asyncio.timeout(10):
                await task
        assert "no text channel '#no-such-channel'" in caplog.text
    finally:
        await stop_bot(app, task)


async def test_commands_are_synced_globally_without_guild_ids(
    fake_discord: FakeDiscord, sqlite_url: str
) -> None:
    app, adapter, task, _ = await start_bot(fake_discord, Config(), sqlite_url)
    try:
        await wait_started(adapter, task)
        (sync,) = await fake_discord.wait_request(
            "PUT", rf"/applications/{fake_discord.application_id}/commands"
        )
        assert {c["name"] for c in sync.body} == {
            "askmentor",
            "mentor",
            "mentoradmin",
            "kudos",
            "lightning",
        }
    finally:
        await stop_bot(app, task)


async def test_with_guild_ids_the_commands_go_to_those_servers_and_none_stay_global(
    fake_discord: FakeDiscord, sqlite_url: str
) -> None:
    # Discord lists a global command and a server's command of the same name side by side: a
    # bot moved to per-server commands must take its global ones back, or each shows twice.
    config = Config.model_validate({"discord": {"guild_ids": [int(fake_discord.guild_id)]}})
    app, adapter, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        app_id, guild = fake_discord.application_id, fake_discord.guild_id
        (server,) = await fake_discord.wait_request(
            "PUT", rf"/applications/{app_id}/guilds/{guild}/commands"
        )
        (everywhere,) = await fake_discord.wait_request("PUT", rf"/applications/{app_id}/commands")
        assert "askmentor" in {c["name"] for c in server.body}
        assert everywhere.body == []
    finally:
        await stop_bot(app, task)


async def test_a_server_that_refuses_its_commands_does_not_stop_the_others(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Missing Access (50001) on one server's commands: the bot is not in that server (a wrong
    # id in guild_ids, or not invited). The next server and the global clear-out still go ahead.
    app_id, refusing, other = fake_discord.application_id, fake_discord.guild_id, "4242"
    fake_discord.refuse("PUT", rf"/applications/{app_id}/guilds/{refusing}/commands")
    config = Config.model_validate({"discord": {"guild_ids": [int(refusing), int(other)]}})
    app, adapter, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        (synced,) = await fake_discord.wait_request(
            "PUT", rf"/applications/{app_id}/guilds/{other}/commands"
        )
        assert synced.status == 200 and "askmentor" in {c["name"] for c in synced.body}
        (everywhere,) = await fake_discord.wait_request("PUT", rf"/applications/{app_id}/commands")
        assert everywhere.body == []
        (line,) = [r.getMessage() for r in caplog.records if "could not sync" in r.getMessage()]
        assert f"server {refusing} (403" in line
        assert f"The bot is not in server {refusing}: check that id in [discord] guild_ids" in line
        # The bot scope includes applications.commands: re-inviting for that scope is no fix.
        assert "applications.commands" not in line
        assert other not in line
    finally:
        await stop_bot(app, task)


async def test_shard_count_runs_an_auto_sharded_bot(
    fake_discord: FakeDiscord, sqlite_url: str
) -> None:
    config = Config.model_validate({"discord": {"shard_count": 1}})
    app, adapter, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        assert isinstance(adapter.bot, commands.AutoShardedBot)
        assert fake_discord.identify is not None
        assert fake_discord.identify["shard"] == [0, 1]
    finally:
        await stop_bot(app, task)


async def test_a_refused_command_sync_is_logged_and_the_bot_still_starts(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake_discord.refuse("PUT", rf"/applications/{fake_discord.application_id}/commands")
    app, adapter, task, _ = await start_bot(fake_discord, Config(), sqlite_url)
    try:
        await wait_started(adapter, task)
        async with app.uow_factory() as uow:
            ws = await uow.workspaces.get(workspace_ref(fake_discord.guild_id))
        assert ws is not None
        (line,) = [r.getMessage() for r in caplog.records if "could not sync" in r.getMessage()]
        assert "could not sync the slash commands globally (403" in line
        assert "check that DISCORD_TOKEN is the bot token of this application" in line
        assert "applications.commands" not in line and "guild_ids" not in line
    finally:
        await stop_bot(app, task)


def test_settings_never_show_the_token() -> None:
    from adapters.discord.startup import DiscordSettings

    assert "sekrit" not in repr(DiscordSettings.from_env({"DISCORD_TOKEN": "sekrit"}))


async def test_a_server_discord_sends_after_ready_is_set_up_when_it_arrives(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # READY lists the server as unavailable; its GUILD_CREATE comes after discord.py's
    # guild_ready_timeout (lazy backfill, or an outage at start-up): not a missing channel.
    caplog.set_level(logging.INFO)
    fake = fake_discord
    fake.guild_create_delay = 0.5
    config = discord_config(guild_ids=[int(fake.guild_id)])
    app, adapter, task, _ = await start_bot(fake, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        assert adapter.events.workspaces == {int(fake.guild_id): workspace_ref(fake.guild_id)}
        async with app.uow_factory() as uow:
            ws = await uow.workspaces.get(workspace_ref(fake.guild_id))
        assert ws is not None and ws.mentoring_channel.id == fake.mentoring_id
        assert "has no text channel" not in caplog.text
        assert f"server {fake.guild_id} is unavailable" in caplog.text
        assert not task.done()
    finally:
        await stop_bot(app, task)


async def test_a_server_back_from_an_outage_is_not_set_up_again(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # discord.py dispatches guild_available for it, as for a server sent late at start-up.
    caplog.set_level(logging.INFO)
    caplog.clear()
    fake = harness.fake
    guild = harness.adapter.bot.get_guild(int(fake.guild_id))
    assert guild is not None
    await fake.guild_outage()
    await _until(lambda: guild.unavailable)
    await fake.guild_returns()
    await _until(lambda: not guild.unavailable)
    await asyncio.sleep(0.2)
    assert "is ready" not in caplog.text and "has no text channel" not in caplog.text
    assert list(harness.adapter.events.workspaces) == [int(fake.guild_id)]


async def _until(check: Callable[[], bool]) -> None:
    """Until discord.py's cache shows it (a gateway event: no request to wait for)."""
    async with asyncio.timeout(5):
        while not check():  # noqa: ASYNC110 - the cache, not an event
            await asyncio.sleep(0.02)


async def test_a_server_that_invites_the_running_bot_is_set_up(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # In no server at start-up (README: invite it), then invited: discord.py's guild_join.
    caplog.set_level(logging.INFO)
    fake = fake_discord
    fake.member_at_ready = False
    config = discord_config(guild_ids=[int(fake.guild_id)])
    app, adapter, task, _ = await start_bot(fake, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        assert adapter.events.workspaces == {}
        await fake.invited()
        await _until(lambda: int(fake.guild_id) in adapter.events.workspaces)
        async with app.uow_factory() as uow:
            ws = await uow.workspaces.get(workspace_ref(fake.guild_id))
        assert ws is not None and ws.mentoring_channel.id == fake.mentoring_id
        assert not task.done()
    finally:
        await stop_bot(app, task)


@pytest.mark.parametrize(
    ("code", "said"),
    [
        (4004, "copy the bot token again"),
        (4011, "set [discord] shard_count"),
        (4013, "invalid intents"),
    ],
)
async def test_a_gateway_close_discord_says_not_to_retry_is_one_clear_line(
    fake_discord: FakeDiscord, sqlite_url: str, code: int, said: str
) -> None:
    """Discord's close codes that must not be reconnected after end `run` with what to do, as
    4014 does, rather than discord.py's traceback."""
    fake_discord.close_at_identify = code
    config = discord_config(guild_ids=[int(fake_discord.guild_id)])
    app, _, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        with pytest.raises(StartupError) as raised:
            async with asyncio.timeout(10):
                await task
        assert f"({code})" in str(raised.value) and said in str(raised.value)
    finally:
        await stop_bot(app, task)


async def test_discord_unable_to_give_its_gateway_at_start_is_one_clear_line(
    fake_discord: FakeDiscord, sqlite_url: str
) -> None:
    fake_discord.fail_next(
        "GET", "/gateway/bot", status=503, message="Service Unavailable", effect=False
    )
    config = discord_config(guild_ids=[int(fake_discord.guild_id)])
    app, _, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        with pytest.raises(StartupError, match="could not find its gateway") as raised:
            async with asyncio.timeout(10):
                await task
        assert raised.value.code == 1  # Discord's trouble, not the configuration's
        assert "GET /gateway/bot: 503" in str(raised.value)
    finally:
        await stop_bot(app, task)


async def test_a_server_inviting_the_bot_outside_guild_ids_is_named_to_the_operator(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """With `[discord] guild_ids`, commands go only to the servers it lists: a server that
    invites the running bot gets none, and the operator is told which one and what to do."""
    fake = fake_discord
    listed = int(fake.guild_id) + 7
    config = discord_config(guild_ids=[listed])
    app, adapter, task, _ = await start_bot(fake, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id})
        await fake.invited()

        async def told() -> bool:
            return "does not list it" in caplog.text

        await eventually(told)
        (line,) = [r for r in caplog.records if "does not list it" in r.getMessage()]
        assert line.levelno == logging.WARNING and fake.guild_id in line.getMessage()
    finally:
        await stop_bot(app, task)
