"""A second `micromentor run` on the SQLite file a running bot uses is refused at start (SQLite
serves one process; each keeps in-memory indexes); one-shot commands keep working beside it, and
a bot killed with SIGKILL never blocks the next start."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import SECRET
from tests.ops.process import Running, clean_env
from tests.ops.test_startup_failures import one_line, run

pytestmark = pytest.mark.timeout(180)


async def test_a_second_run_on_one_sqlite_file_is_refused_until_the_first_is_killed(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-one",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake_slack.api_url,
    )
    database = tmp_path / "mm.db"
    first = Running(env, tmp_path)
    await first.start()
    third = Running(env, tmp_path)
    try:
        await first.wait_status("/readyz", 200)
        assert first.proc is not None

        # Same folder, same file, another port: refused, naming the holder.
        second = await asyncio.to_thread(run, env | {"PORT": "0"}, tmp_path, "run")
        assert second.returncode == 1, second.stderr
        assert one_line(second) == (
            f"micromentor: {database} is in use by another micromentor process "
            f"(pid {first.proc.pid}); SQLite serves one process — use PostgreSQL for replicas"
        )
        assert first.proc.returncode is None  # the running bot is untouched
        assert await first.status("/readyz") == 200

        # One-shot commands still work while the bot runs.
        export = await asyncio.to_thread(run, env, tmp_path, "mentors", "export")
        assert export.returncode == 0, export.stderr
        assert "in use" not in export.stderr
        upgrade = await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")
        assert upgrade.returncode == 0, upgrade.stderr

        # kill -9: the OS drops the lock with the process; the next start goes ahead.
        first.proc.kill()
        await first.proc.wait()
        third.workdir = tmp_path / "third"
        third.workdir.mkdir()
        await third.start()
        await third.wait_status("/readyz", 200)
    finally:
        await first.stop()
        await third.stop()


def test_a_second_console_run_on_one_console_db_is_refused(tmp_path: Path) -> None:
    """The console `run` (no platform variables, a terminal or a script) holds console.db."""
    import fcntl
    import os

    env = clean_env(tmp_path)
    del env["DATABASE_URL"]  # the console's own console.db beside bot.toml
    console_db = tmp_path / "console.db"
    # Held by this test process as a running console would hold it.
    with (tmp_path / "console.db.run-lock").open("a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write(f"{os.getpid()}\n".encode())
        held.flush()
        result = run(env, tmp_path, "run")
    assert result.returncode == 1, result.stderr
    assert one_line(result) == (
        f"micromentor: {console_db} is in use by another micromentor process "
        f"(pid {os.getpid()}); SQLite serves one process — use PostgreSQL for replicas"
    )
