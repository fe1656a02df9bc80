"""Start-up checks the bot's own permissions in the configured channels (its roles' and the
channels' overwrites, as Discord computes them) and warns of what it lacks, naming the server,
the channel and the permissions as Discord's settings say them; the server is set up all the
same."""

from __future__ import annotations

import logging

import discord_payloads as p
import pytest
from discord_fake import FakeDiscord
from discord_harness import discord_config, start_bot, stop_bot, wait_started

from adapters.discord.guilds import channel_needs
from adapters.discord.translate import workspace_ref

EMBED_LINKS = 1 << 14
CREATE_PUBLIC_THREADS = 1 << 35
CREATE_PRIVATE_THREADS = 1 << 36


def _lacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "the bot lacks" in r.getMessage()]


async def test_permissions_the_bot_lacks_in_its_channels_are_told_at_start_up(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    # Its role was granted less than the invite link asks, and an overwrite takes away
    # Create Public Threads in #mentoring and View Channel in #mentor-admins from that role.
    fake.bot_permissions = p.INVITE_PERMISSIONS & ~(EMBED_LINKS | CREATE_PRIVATE_THREADS)
    fake.overwrites[fake.mentoring_id] = [p.overwrite(fake.bot_role_id, deny=CREATE_PUBLIC_THREADS)]
    fake.overwrites[fake.admin_id] = [p.overwrite(fake.bot_role_id, deny=p.VIEW_CHANNEL)]
    app, adapter, task, _ = await start_bot(fake, discord_config(), sqlite_url)
    try:
        await wait_started(adapter, task)  # not refused: what needs them is skipped
        async with app.uow_factory() as uow:
            assert await uow.workspaces.get(workspace_ref(fake.guild_id)) is not None
    finally:
        await stop_bot(app, task)
    told = {r.getMessage().split(" in #")[1].split(" ")[0]: r for r in _lacks(caplog)}
    assert set(told) == {"mentoring", "mentor-admins"}, caplog.text
    assert all(r.levelno == logging.WARNING for r in told.values())
    mentoring = told["mentoring"].getMessage()
    assert "Discord server 'Acme'" in mentoring
    assert (
        "the bot lacks Embed Links, Create Public Threads, Create Private Threads in #mentoring "
        "([channels] mentoring)"
    ) in mentoring
    assert "Edit Channel → Permissions" in mentoring and "Server Settings → Roles" in mentoring
    admin = told["mentor-admins"].getMessage()
    assert "the bot lacks View Channel in #mentor-admins ([channels] admin)" in admin


async def test_a_bot_with_the_invite_links_permissions_is_told_nothing(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app, adapter, task, _ = await start_bot(fake_discord, discord_config(), sqlite_url)
    try:
        await wait_started(adapter, task)
    finally:
        await stop_bot(app, task)
    assert "is ready" in caplog.text
    assert not _lacks(caplog)


async def test_a_permission_granted_on_the_channel_overwrite_is_enough(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    """Many servers grant the bot's role little and allow the rest on the channel itself."""
    fake = fake_discord
    fake.bot_permissions = p.INVITE_PERMISSIONS & ~EMBED_LINKS
    for channel in (fake.mentoring_id, fake.admin_id):
        fake.overwrites[channel] = [p.overwrite(fake.bot_role_id, allow=EMBED_LINKS)]
    app, adapter, task, _ = await start_bot(fake, discord_config(), sqlite_url)
    try:
        await wait_started(adapter, task)
    finally:
        await stop_bot(app, task)
    assert not _lacks(caplog)


def test_what_the_mentoring_channel_needs_follows_the_thread_settings() -> None:
    public = channel_needs(
        discord_config(sections={"ask": {"allow_anonymous": False}}), "mentoring"
    )
    assert "create_public_threads" in public and "create_private_threads" not in public
    private = channel_needs(discord_config(thread_mode="private"), "mentoring")
    assert "create_private_threads" in private and "create_public_threads" not in private
    both = channel_needs(discord_config(), "mentoring")  # anonymous questions: private threads
    assert {"create_public_threads", "create_private_threads"} <= set(both)
    assert "manage_threads" not in both
    assert set(channel_needs(discord_config(), "admin")) == {
        "view_channel",
        "send_messages",
        "embed_links",
        "attach_files",
    }
