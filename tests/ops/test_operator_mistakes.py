"""Mistakes a new operator makes, each one line on stderr with what to do, never a traceback:
a database written by a newer release, `check` with no platform credentials, a typo in a
SQLite path, a bot.toml that is not UTF-8 or is a folder, a busy dashboard port."""

from __future__ import annotations

import asyncio
import re
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import pool, text

from storage.engine import create_engine
from storage.migrate import alembic_config, upgrade
from tests.adapters.slack.fake_slack import FakeSlack
from tests.conftest import run_sync
from tests.e2e.slack_process import free_port
from tests.ops.process import MICROMENTOR, clean_env
from tests.ops.test_startup_failures import one_line, run

pytestmark = pytest.mark.timeout(180)

NEWER = (
    "the database is at revision 0099, newer than this release knows (it needs "
    f"{ScriptDirectory.from_config(alembic_config()).get_current_head()}): run the "
    "newer release of micromentor, or restore a backup"
)
NO_CREDENTIALS = "no platform credentials set: `micromentor run` would open the local console"


async def _at_revision_0099(url: str) -> None:
    await upgrade(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def newer_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database at head, then marked with revision 0099, as a newer release leaves it for
    older code rolled back onto it."""
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    else:
        url = request.getfixturevalue("fresh_postgres_url")
    run_sync(lambda: _at_revision_0099(url))
    return url


@pytest.mark.parametrize(
    "args",
    [
        ("db", "upgrade"),
        ("run",),
        ("console", "--script", "-"),
        ("digest",),
        ("mentors", "export"),
        ("people", "export", "slack:U0123"),
    ],
)
async def test_a_database_newer_than_the_code_is_one_line_and_exit_2(
    newer_url: str, tmp_path: Path, args: tuple[str, ...], fake_slack: FakeSlack
) -> None:
    env = clean_env(tmp_path, DATABASE_URL=newer_url)
    if args[0] == "run":  # a platform, so that `run` opens the database instead of the console
        env |= {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "0"}
        env["SLACK_API_URL"] = fake_slack.api_url  # a token Slack takes: checked before
    result = await asyncio.to_thread(run, env, tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert one_line(result) == f"micromentor: {NEWER}"


async def test_check_says_a_newer_database_needs_the_newer_release(
    newer_url: str, tmp_path: Path
) -> None:
    env = clean_env(tmp_path, DATABASE_URL=newer_url)
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 1
    assert f"micromentor check: {NEWER}" in result.stderr.splitlines()
    assert "db upgrade" not in result.stderr and "Traceback" not in result.stderr


def test_check_without_any_platform_credentials_is_a_problem(tmp_path: Path) -> None:
    """README's Docker and systemd steps run `check` to catch a forgotten .env."""
    env = clean_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    result = run(env, tmp_path, "check")
    assert result.returncode == 1
    assert one_line(result).startswith(f"micromentor check: {NO_CREDENTIALS}, not Slack or")
    assert "set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, or DISCORD_TOKEN" in (
        result.stderr
    )
    assert "usable" not in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("digest",),
        ("mentors", "export"),
        ("people", "export", "slack:U0123"),
        ("people", "delete", "slack:U0123", "--yes"),
    ],
)
def test_read_only_commands_create_no_sqlite_file(tmp_path: Path, args: tuple[str, ...]) -> None:
    typo = tmp_path / "typo.db"
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite+aiosqlite:///{typo}")
    result = run(env, tmp_path, *args)
    said = f"no database at {typo}: start the bot (or run `micromentor db upgrade`) to create it"
    if args == ("check",):
        assert result.returncode == 1
        assert f"micromentor check: {said}" in result.stderr.splitlines()
        assert "Traceback" not in result.stderr
    else:
        assert result.returncode == 2
        assert one_line(result) == f"micromentor: {said}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.toml"]


def test_commands_that_migrate_still_create_the_sqlite_file(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    assert (tmp_path / "mm.db").exists()
    (tmp_path / "mm.db").unlink()
    assert run(env, tmp_path, "console", "--script", "-").returncode == 0
    assert (tmp_path / "mm.db").exists()


@pytest.mark.parametrize(
    ("write", "says"),
    [
        (lambda f: f.write_text("[bot]\nadmins = []\n", encoding="utf-16"), "not UTF-8 text"),
        (lambda f: f.mkdir(), "is a folder, not a file"),
    ],
    ids=["utf-16", "folder"],
)
def test_a_config_file_that_cannot_be_read_is_named(
    tmp_path: Path, write: Callable[[Path], object], says: str
) -> None:
    config = tmp_path / "conf" / "bot.toml"
    config.parent.mkdir()
    write(config)
    result = run(clean_env(tmp_path), tmp_path, "db", "upgrade", "--config", str(config))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith(f"micromentor: {config}: {says}")


def test_a_config_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    config = tmp_path / "bom.toml"
    config.write_text('[channels]\nmentoring = "help"\n', encoding="utf-8-sig")
    assert config.read_bytes().startswith(b"\xef\xbb\xbf")
    result = run(clean_env(tmp_path), tmp_path, "db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr


def test_a_busy_dashboard_port_is_one_line_and_exit_1(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = run(clean_env(tmp_path), tmp_path, "dashboard", "--port", str(port))
    assert result.returncode == 1
    line = one_line(result)
    assert f"port {port} on 127.0.0.1 is already in use" in line  # HOST, as clean_env sets it
    assert (
        "or set --port to a free port" in line and "PORT" not in line
    )  # how the dashboard's port is chosen
    assert not (tmp_path / "mm.db").exists()  # stopped before the database was opened


def test_the_dashboard_serves_on_its_port(tmp_path: Path) -> None:
    port = free_port()
    env = clean_env(tmp_path)
    # The dashboard never creates or migrates the database: `db upgrade` makes it first.
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    with subprocess.Popen(
        [*MICROMENTOR, "dashboard", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            deadline = time.monotonic() + 60
            answer = None
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            assert answer is not None and answer.text == "ok", proc.stderr
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)


def test_the_dashboard_on_port_0_says_the_port_it_was_given(tmp_path: Path) -> None:
    # The dashboard never creates or migrates the database: `db upgrade` makes it first.
    assert run(clean_env(tmp_path), tmp_path, "db", "upgrade").returncode == 0
    with subprocess.Popen(
        [*MICROMENTOR, "dashboard", "--port", "0"],
        env=clean_env(tmp_path),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()  # said once the port is bound and the app built
            found = re.search(r"dashboard: http://127\.0\.0\.1:(\d+)/admin", line)  # HOST
            assert found, line
            port = int(found.group(1))
            assert port != 0
            assert httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).text == "ok"
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)


def test_digest_help_shows_the_charts_extra(tmp_path: Path) -> None:
    env = clean_env(tmp_path, COLUMNS="200")
    result = run(env, tmp_path, "digest", "--help")
    assert result.returncode == 0
    assert "Also write the chart to this PNG file ([charts])." in result.stdout
