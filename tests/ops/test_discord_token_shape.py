"""A Slack token in DISCORD_TOKEN is refused before any call to Discord (which would only
answer 401), in `run` and in `check`, without printing the token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from adapters.discord.startup import DiscordSettings
from bot.errors import StartupError
from tests.ops.process import clean_env
from tests.ops.test_startup_failures import _serving, one_line, run

pytestmark = pytest.mark.timeout(120)

TOKEN = "xoxb-1111-abc"
SAID = "DISCORD_TOKEN looks like a Slack token (xox…)"


@pytest.fixture
async def counting_discord() -> AsyncIterator[tuple[str, list[str]]]:
    """A Discord API that refuses everything (401) and notes each request's path."""
    asked: list[str] = []

    async def refuse(request: web.Request) -> web.Response:
        asked.append(request.path)
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    async with _serving(app) as base:
        yield base, asked


@pytest.mark.parametrize("token", [TOKEN, "xoxp-2222-def", "xapp-1-A1-3333", '"xoxb-4444-ghi"'])
def test_the_settings_refuse_a_slack_token(token: str) -> None:
    if token.startswith("xapp"):  # not xox…: left to Discord's own answer
        assert DiscordSettings.from_env({"DISCORD_TOKEN": token}).token == token
        return
    with pytest.raises(StartupError) as refused:
        DiscordSettings.from_env({"DISCORD_TOKEN": token})
    assert str(refused.value).startswith(SAID)
    assert token.strip('"') not in str(refused.value)


async def test_run_refuses_a_slack_token_without_asking_discord(
    tmp_path: Path, counting_discord: tuple[str, list[str]]
) -> None:
    base, asked = counting_discord
    env = clean_env(tmp_path, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=base, PORT="0")
    result = await asyncio.to_thread(run, env, tmp_path, "run")
    assert result.returncode == 2
    line = one_line(result)
    assert line.startswith("micromentor: platform credentials to fix: discord: "), line
    assert SAID in line, line
    assert "1111-abc" not in result.stderr + result.stdout
    assert asked == []
    # Refused before anything started: no database created, nothing migrated.
    assert not (tmp_path / "mm.db").exists()


async def test_check_refuses_a_slack_token_without_asking_discord(
    tmp_path: Path, counting_discord: tuple[str, list[str]]
) -> None:
    base, asked = counting_discord
    env = clean_env(tmp_path, DISCORD_TOKEN=TOKEN, DISCORD_API_BASE_URL=base)
    assert (await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")).returncode == 0
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 1
    assert f"micromentor check: credentials: discord: {SAID}" in result.stderr
    assert "1111-abc" not in result.stderr + result.stdout
    assert asked == []
