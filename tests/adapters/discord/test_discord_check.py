"""`micromentor check` against Discord as it documents itself: the token logs in, and the bot
is in a server whose roles grant what README's invite link does (``GET /users/@me/guilds``)."""

from __future__ import annotations

import pytest
from discord_fake import FakeDiscord

from adapters.discord.check import check_discord
from bot.config import Config
from bot.platforms import NOTE

CREATE_PUBLIC_THREADS = 1 << 35
ATTACH_FILES = 1 << 15


@pytest.fixture
def discord_env(fake_discord: FakeDiscord, monkeypatch: pytest.MonkeyPatch) -> FakeDiscord:
    monkeypatch.setenv("DISCORD_TOKEN", "fake-token")
    monkeypatch.setenv("DISCORD_API_BASE_URL", fake_discord.api_url)
    return fake_discord


async def test_a_bot_invited_with_readmes_link_is_usable(discord_env: FakeDiscord) -> None:
    assert await check_discord(Config()) == []
    assert any(r.path.endswith("/users/@me/guilds") for r in discord_env.requests)


async def test_a_bot_in_no_server_yet_is_told_the_invite_link_without_failing(
    discord_env: FakeDiscord,
) -> None:
    discord_env.member_at_ready = False
    [said] = await check_discord(Config())
    assert said.startswith(f"{NOTE}Discord: the bot is in no server yet")
    assert f"client_id={discord_env.application_id}&" in said
    assert "scope=bot%20applications.commands&permissions=377957239872" in said


async def test_a_role_without_an_invite_permission_is_named_with_its_server_as_a_warning(
    discord_env: FakeDiscord,
) -> None:
    # Not a failure: the mentoring channel's overwrites may grant it (`run` checks those).
    discord_env.bot_permissions &= ~(CREATE_PUBLIC_THREADS | ATTACH_FILES)
    [said] = await check_discord(Config())
    assert said.startswith(f"{NOTE}Discord: in the server 'Acme' (id {discord_env.guild_id})")
    assert "lack Attach Files, Create Public Threads (unless granted on the channels" in said
