"""Every misconfiguration stops `micromentor run` with one line on stderr and a non-zero exit:
never a traceback, never the console (which would exit 0 under systemd and loop)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from aiohttp import web

from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.process import MICROMENTOR, clean_env

pytestmark = pytest.mark.timeout(90)


def run(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*MICROMENTOR, *(args or ("run",))],
        env=env,
        cwd=cwd,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "console" not in result.stdout.lower()
    return lines[0]


def test_partial_slack_credentials(tmp_path: Path) -> None:
    result = run(clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-123-secret"), tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN missing" in line
    assert "xoxb-123-secret" not in result.stderr


def test_a_discord_token_with_its_prefix_is_a_mistake_to_fix_not_a_missing_variable(
    tmp_path: Path,
) -> None:
    result = run(clean_env(tmp_path, DISCORD_TOKEN="Bot abc.d3f.ghi"), tmp_path)
    assert result.returncode == 2
    line = one_line(result)
    assert 'DISCORD_TOKEN starts with "Bot "' in line
    assert "missing" not in line and "incomplete" not in line, line
    assert "abc.d3f.ghi" not in result.stderr


def test_only_an_app_token(tmp_path: Path) -> None:
    result = run(clean_env(tmp_path, SLACK_APP_TOKEN="xapp-1"), tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in one_line(result)


async def test_a_refused_slack_token(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.errors["auth.test"] = "invalid_auth"
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-refused",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake_slack.api_url,
        PORT="0",
    )
    result = await asyncio.to_thread(run, env, tmp_path)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN was refused (invalid_auth)" in one_line(result)


def test_slack_out_of_reach_says_where_it_was_tried(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/api/"
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-unreachable",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=closed,
        PORT="0",
    )
    result = run(env, tmp_path)
    assert result.returncode == 1
    line = one_line(result)
    assert f"Slack: cannot reach {closed} (" in line and "SLACK_API_URL" in line, line
    assert "xoxb-unreachable" not in result.stderr


@asynccontextmanager
async def _serving(app: web.Application) -> AsyncIterator[str]:
    """`app` on a free loopback port, as a Discord API base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}/api/v10"
    finally:
        await runner.cleanup()


@pytest.fixture
async def refusing_discord() -> AsyncIterator[str]:
    """A Discord API that answers 401 to everything, as for a wrong bot token."""

    async def refuse(_: web.Request) -> web.Response:
        return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", refuse)
    async with _serving(app) as base:
        yield base


@pytest.fixture
async def accepting_discord() -> AsyncIterator[str]:
    """A Discord API that knows the bot's token: GET /users/@me answers the bot user."""
    async with _accepting_discord(flags=0) as base:
        yield base


@pytest.fixture
async def members_intent_on_discord() -> AsyncIterator[str]:
    """As `accepting_discord`, for an application with the Server Members intent switched on
    (its GATEWAY_GUILD_MEMBERS flag, 1 << 14)."""
    async with _accepting_discord(flags=1 << 14) as base:
        yield base


@asynccontextmanager
async def _accepting_discord(*, flags: int) -> AsyncIterator[str]:
    user = {"id": "1000", "username": "micromentor", "discriminator": "0", "bot": True}
    user |= {"avatar": None, "global_name": None}
    application = {"id": "2000", "name": "Micromentor", "icon": None, "description": ""}
    application |= {"bot_public": True, "bot_require_code_grant": False, "owner": user}
    application |= {"verify_key": "0" * 64, "flags": flags, "team": None}

    def answer(data: dict[str, object]) -> web.Response:
        # Exactly Discord's content type (discord.py reads JSON only under this one).
        body = json.dumps(data).encode()
        return web.Response(body=body, headers={"Content-Type": "application/json"})

    async def me(_: web.Request) -> web.Response:
        return answer(user)

    async def app_info(_: web.Request) -> web.Response:
        return answer(application)

    async def servers(_: web.Request) -> web.Response:
        # One server whose roles grant the invite link's permissions (a partial guild).
        server = {"id": "3000", "name": "Acme", "icon": None, "owner": False, "features": []}
        return web.Response(
            body=json.dumps([server | {"permissions": "377957239872"}]).encode(),
            headers={"Content-Type": "application/json"},
        )

    app = web.Application()
    app.router.add_get("/api/v10/users/@me", me)
    app.router.add_get("/api/v10/oauth2/applications/@me", app_info)
    app.router.add_get("/api/v10/users/@me/guilds", servers)
    async with _serving(app) as base:
        yield base


async def test_check_logs_in_to_discord_without_stray_warnings(
    tmp_path: Path, accepting_discord: str
) -> None:
    """`check` only logs in (REST): nothing about gateway intents it never uses."""
    env = clean_env(tmp_path, DISCORD_TOKEN="good", DISCORD_API_BASE_URL=accepting_discord)
    await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert "Discord:" not in result.stderr, result.stderr
    assert "intent" not in result.stderr.lower(), result.stderr
    assert result.returncode == 0, result.stderr


async def test_check_says_member_events_need_the_server_members_intent(
    tmp_path: Path, accepting_discord: str, members_intent_on_discord: str
) -> None:
    """`run` would be closed at the gateway (4014) for it: `check` says so first."""
    (tmp_path / "bot.toml").write_text("[discord]\nmember_events = true\n", encoding="utf-8")
    env = clean_env(tmp_path, DISCORD_TOKEN="good", DISCORD_API_BASE_URL=accepting_discord)
    await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 1
    [line] = [x for x in result.stderr.splitlines() if "Discord:" in x]
    assert "needs the Server Members intent, which is switched off" in line, line
    env["DISCORD_API_BASE_URL"] = members_intent_on_discord
    switched_on = await asyncio.to_thread(run, env, tmp_path, "check")
    assert "Discord:" not in switched_on.stderr, switched_on.stderr
    assert switched_on.returncode == 0, switched_on.stderr


def test_check_says_discord_is_out_of_reach_not_that_logging_in_failed(tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/api/v10"
    env = clean_env(tmp_path, DISCORD_TOKEN="good", DISCORD_API_BASE_URL=closed)
    run(env, tmp_path, "db", "upgrade")
    result = run(env, tmp_path, "check")
    assert result.returncode == 1
    [line] = [x for x in result.stderr.splitlines() if "Discord:" in x]
    assert f"Discord: cannot reach {closed} (" in line, line


async def test_a_refused_discord_token(tmp_path: Path, refusing_discord: str) -> None:
    env = clean_env(
        tmp_path, DISCORD_TOKEN="wrong", DISCORD_API_BASE_URL=refusing_discord, PORT="0"
    )
    result = await asyncio.to_thread(run, env, tmp_path)
    assert result.returncode == 2
    assert "DISCORD_TOKEN was refused" in one_line(result)


@pytest.mark.parametrize(
    ("url", "code", "says"),
    [
        ("mysql://u:s3cret@db/mm", 2, "micromentor: DATABASE_URL: expected"),
        ("postgresql://u:s3cret@127.0.0.1:5432/x?sslmode=sometimes", 2, "sslmode='sometimes'"),
        ("postgresql+asyncpg://u:s3cret@127.0.0.1:1/mm?sslmode=require", 1, "does not answer"),
    ],
)
def test_a_bad_database_url(tmp_path: Path, url: str, code: int, says: str) -> None:
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PORT="0")
    env["DATABASE_URL"] = url
    result = run(env, tmp_path)
    assert result.returncode == code
    assert says in result.stderr
    assert "s3cret" not in result.stderr
    if code == 1:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stderr


def test_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
        env["PORT"] = str(port)
        result = run(env, tmp_path)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in one_line(result)


def test_version_and_usage_errors(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    version = run(env, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("micromentor ")
    wrong = run(env, tmp_path, "run", "--nope")
    assert wrong.returncode == 2 and "No such option" in wrong.stderr
    anywhere = run(env, tmp_path, "db", "upgrade", "--config", str(tmp_path / "missing.toml"))
    assert anywhere.returncode == 2 and "missing.toml" in anywhere.stderr


def test_read_only_commands_do_not_migrate(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    (tmp_path / "mm.db").touch()  # an empty SQLite database: no tables yet
    for args in (("digest",), ("mentors", "export")):
        result = run(env, tmp_path, *args)
        assert result.returncode == 2, result.stderr
        assert "run `micromentor db upgrade` first" in one_line(result)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    assert run(env, tmp_path, "mentors", "export").returncode == 0


def test_the_console_keeps_its_own_database(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    del env["DATABASE_URL"]
    result = subprocess.run(
        [*MICROMENTOR, "console", "--script", "-"],
        env=env,
        cwd=tmp_path,
        input="as alice\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "console.db").exists()
    assert not (tmp_path / "micromentor.db").exists()
