"""A database server that answered and refused (no such database, no such role) or a file that
is not SQLite is said as what it is, with what to do; "does not answer" stays for a server that
did not answer. Never the password."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.migrate import check_database
from tests.ops.process import clean_env
from tests.ops.test_startup_failures import one_line, run

pytestmark = pytest.mark.timeout(120)


def _on(postgres_url: str, **parts: str) -> tuple[str, str]:
    url = make_url(postgres_url).set(**parts)  # type: ignore[arg-type]
    return url.render_as_string(hide_password=False), f"{url.host}:{url.port or 5432}"


async def test_a_database_that_does_not_exist(postgres_url: str) -> None:
    name = f"nosuchdb_{uuid.uuid4().hex[:8]}"
    url, where = _on(postgres_url, database=name)
    [line] = await check_database(url)
    assert line.startswith(f'database "{name}" does not exist on {where}; create it (createdb ')
    assert "does not answer" not in line


async def test_a_role_that_does_not_exist_never_shows_the_password(postgres_url: str) -> None:
    role = f"nouser_{uuid.uuid4().hex[:8]}"
    url, where = _on(postgres_url, username=role, password="s3cret")
    [line] = await check_database(url)
    assert line.startswith(f'role "{role}" does not exist on {where}; create it')
    assert "does not answer" not in line and "s3cret" not in line


async def test_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is no database, just bytes that happen to be here\n" * 200)
    [line] = await check_database(f"sqlite+aiosqlite:///{junk}")
    assert line.startswith(f"{junk} is not a SQLite database")
    assert "does not answer" not in line


async def test_a_server_that_does_not_answer_still_says_so() -> None:
    [line] = await check_database("postgresql+asyncpg://u:s3cret@127.0.0.1:1/mm")
    assert "does not answer" in line and "s3cret" not in line


async def test_run_says_the_database_does_not_exist(tmp_path: Path, postgres_url: str) -> None:
    name = f"nosuchdb_{uuid.uuid4().hex[:8]}"
    url, where = _on(postgres_url, database=name, password="s3cret")
    env = clean_env(tmp_path, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PORT="0")
    env["DATABASE_URL"] = url
    result = await asyncio.to_thread(run, env, tmp_path, "run")
    assert result.returncode == 2  # a configuration mistake: restarting will not mend it
    line = one_line(result)
    assert line.startswith(f'micromentor: database "{name}" does not exist on {where}; create it')
    assert "s3cret" not in result.stderr
