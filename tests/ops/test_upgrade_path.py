"""The upgrade path from the last release, as an operator walks it: `db downgrade` to go back, a
migration that fails said in one line with the database left where it was, `db upgrade` saying
its result once, configuration mistakes in DATABASE_URL exiting 2, `sqlite:///` accepted."""

from __future__ import annotations

import asyncio
import io
import logging
import subprocess
import uuid
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, pool, text
from sqlalchemy.engine import make_url

from bot.cli import main
from storage.engine import create_engine, safe_url
from storage.migrate import alembic_config, check_database, upgrade
from tests.adapters.slack.fake_slack import FakeSlack
from tests.conftest import run_sync
from tests.ops.process import clean_env
from tests.ops.test_startup_failures import one_line, run

pytestmark = pytest.mark.timeout(180)

SCRIPTS = list(ScriptDirectory.from_config(alembic_config()).walk_revisions())
REVISIONS = [s.revision for s in SCRIPTS]
HEAD, PREVIOUS, BACK_TWO = REVISIONS[0], REVISIONS[1], REVISIONS[2]
# Each migration's summary, the first line of its docstring, as `db downgrade` lists it.
SUMMARY = {s.revision: (s.doc or "").split("\n")[0].split(":")[0].strip() for s in SCRIPTS}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no schema yet) of each kind."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


async def _state(url: str) -> tuple[str | None, set[str], bool]:
    """The revision, `question`'s columns, and whether `unusable_channel.why` may be NULL."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            at = (
                await connection.execute(text("SELECT version_num FROM alembic_version"))
            ).scalar()

            def read(c: object) -> tuple[set[str], bool]:
                found = inspect(c)
                why = [x for x in found.get_columns("unusable_channel") if x["name"] == "why"]
                return {x["name"] for x in found.get_columns("question")}, bool(why[0]["nullable"])

            columns, why_nullable = await connection.run_sync(read)
    finally:
        await engine.dispose()
    return at, columns, why_nullable


async def _execute(url: str, statement: str) -> None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def _micromentor(
    tmp_path: Path, url: str, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return run(clean_env(tmp_path, DATABASE_URL=url, **env), tmp_path, *args)


# 1. db downgrade --------------------------------------------------------------------------------


def test_db_help_lists_downgrade(tmp_path: Path) -> None:
    result = run(clean_env(tmp_path), tmp_path, "db", "--help")
    assert result.returncode == 0
    assert "downgrade" in result.stdout and "upgrade" in result.stdout


async def test_db_downgrade_undoes_the_newer_migrations_and_says_so(
    empty_url: str, tmp_path: Path
) -> None:
    await upgrade(empty_url)
    result = await asyncio.to_thread(
        _micromentor, tmp_path, empty_url, "db", "downgrade", BACK_TWO, "--yes"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"database downgraded {HEAD} → {BACK_TWO}: {safe_url(empty_url)}\n"
    at, columns, _ = await _state(empty_url)
    assert at == BACK_TWO
    assert "resolve_pressed_at" not in columns  # 0026's column, dropped on the way down
    again = await asyncio.to_thread(_micromentor, tmp_path, empty_url, "db", "upgrade")
    assert again.stdout == f"database upgraded {BACK_TWO} → {HEAD}: {safe_url(empty_url)}\n"


@pytest.mark.parametrize("revision", ["99", "nope", "base", "head"])
def test_db_downgrade_refuses_what_is_not_a_revision(tmp_path: Path, revision: str) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    run_sync(lambda: upgrade(url))
    result = _micromentor(tmp_path, url, "db", "downgrade", revision, "--yes")
    assert result.returncode == 2
    assert one_line(result).startswith(f"micromentor: {revision!r} is not a revision of this")
    assert run_sync(lambda: _state(url))[0] == HEAD


def test_db_downgrade_refuses_a_revision_that_is_not_older(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    run_sync(lambda: upgrade(url, BACK_TWO))
    same = _micromentor(tmp_path, url, "db", "downgrade", BACK_TWO, "--yes")
    assert same.returncode == 2
    assert one_line(same) == (
        f"micromentor: the database is at revision {BACK_TWO} already: there is nothing to undo"
    )
    newer = _micromentor(tmp_path, url, "db", "downgrade", HEAD, "--yes")
    assert newer.returncode == 2
    assert one_line(newer).startswith(
        f"micromentor: revision {HEAD} is not older than the database's ({BACK_TWO})"
    )
    assert run_sync(lambda: _state(url))[0] == BACK_TWO


def test_db_downgrade_creates_no_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'typo.db'}"
    result = _micromentor(tmp_path, url, "db", "downgrade", BACK_TWO, "--yes")
    assert result.returncode == 2
    assert one_line(result).startswith(f"micromentor: no database at {tmp_path / 'typo.db'}")
    assert not (tmp_path / "typo.db").exists()


def test_db_downgrade_without_a_terminal_needs_yes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    run_sync(lambda: upgrade(url))
    result = _micromentor(tmp_path, url, "db", "downgrade", BACK_TWO)
    assert result.returncode == 2
    assert "add --yes" in one_line(result)
    assert run_sync(lambda: _state(url))[0] == HEAD


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code", "at"), [("n\n", 1, HEAD), ("y\n", 0, BACK_TWO)])
def test_db_downgrade_lists_what_it_undoes_and_asks_first(
    cli: tuple[Path, pytest.CaptureFixture[str]],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    code: int,
    at: str,
) -> None:
    tmp, capsys = cli
    url = f"sqlite+aiosqlite:///{tmp / 'mm.db'}"
    run_sync(lambda: upgrade(url))
    monkeypatch.setattr("sys.stdin", _Terminal(answer))
    assert main(["db", "downgrade", BACK_TWO]) == code
    out = capsys.readouterr().out
    assert f"Going back from {HEAD} to {BACK_TWO} undoes these migrations, newest first:" in out
    assert f"  {HEAD}  {SUMMARY[HEAD]}" in out
    assert f"  {PREVIOUS}  {SUMMARY[PREVIOUS]}" in out
    assert f"  {PREVIOUS}  " in out and f"  {BACK_TWO}  " not in out
    assert "is dropped" in out
    assert ("Nothing was changed." in out) == (code == 1)
    assert run_sync(lambda: _state(url))[0] == at


# 2. a migration that fails ------------------------------------------------------------------------


async def _half_upgraded(url: str) -> None:
    """At 0023 with 0025's column already there (a hand-made fix, a restore gone wrong): 0024
    applies, then 0025 fails."""
    await upgrade(url, "0023")
    await _execute(url, "ALTER TABLE question ADD COLUMN mentor_at_work BOOLEAN")


async def test_a_failing_migration_is_one_line_and_changes_nothing(
    empty_url: str, tmp_path: Path
) -> None:
    await _half_upgraded(empty_url)
    before = await _state(empty_url)
    assert before[2] is False  # 0024 would make `why` nullable
    result = await asyncio.to_thread(_micromentor, tmp_path, empty_url, "db", "upgrade")
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("micromentor: migration 0025_question_mentor_at_work failed: "), line
    assert "mentor_at_work" in line.partition("failed: ")[2]
    assert line.endswith("the database is still at revision 0023"), line
    assert await _state(empty_url) == before  # 0024, applied before 0025 failed, rolled back


async def test_runs_automatic_upgrade_fails_in_one_line_too(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    await _half_upgraded(url)
    # A token Slack takes: `run` checks it before it migrates.
    slack = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "0"}
    result = await asyncio.to_thread(
        _micromentor, tmp_path, url, "run", SLACK_API_URL=fake_slack.api_url, **slack
    )
    assert result.returncode == 1
    assert one_line(result).startswith("micromentor: migration 0025_question_mentor_at_work failed")


def test_the_traceback_of_a_failing_migration_is_at_debug(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    run_sync(lambda: _half_upgraded(url))
    result = _micromentor(tmp_path, url, "db", "upgrade", MICROMENTOR_LOG_LEVEL="DEBUG")
    assert result.returncode == 1
    assert "Traceback" in result.stderr
    assert result.stderr.strip().splitlines()[-1].startswith("micromentor: migration 0025_")


# 3. db upgrade says its result once ----------------------------------------------------------------


def test_db_upgrade_says_its_result_once(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    result = _micromentor(tmp_path, url, "db", "upgrade", MICROMENTOR_LOG_LEVEL="INFO")
    assert result.returncode == 0
    assert result.stdout == f"database upgraded empty → {HEAD}: {url}\n"
    assert "upgraded" not in result.stderr, result.stderr


def test_the_automatic_upgrade_is_still_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.migrate")
    run_sync(lambda: upgrade(f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"))
    assert any("schema upgraded empty →" in r.getMessage() for r in caplog.records)


# 4. a DATABASE_URL the database refuses as wrong exits 2 -------------------------------------------


def _on(postgres_url: str, **parts: str) -> str:
    url = make_url(postgres_url).set(**parts)  # type: ignore[arg-type]
    return url.render_as_string(hide_password=False)


@pytest.mark.postgres
@pytest.mark.parametrize("args", [("db", "upgrade"), ("run",), ("digest",)])
@pytest.mark.parametrize("wrong", ["database", "username"])
def test_a_database_or_role_that_does_not_exist_exits_2(
    postgres_url: str, tmp_path: Path, args: tuple[str, ...], wrong: str
) -> None:
    url = _on(postgres_url, **{wrong: f"nosuch_{uuid.uuid4().hex[:8]}"})
    result = _micromentor(
        tmp_path, url, *args, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PORT="0"
    )
    assert result.returncode == 2, result.stderr
    assert "does not exist on" in one_line(result)


@pytest.mark.parametrize("args", [("db", "upgrade"), ("db", "downgrade", "0023"), ("run",)])
def test_a_sqlite_file_in_a_missing_folder_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nope' / 'mm.db'}"
    result = _micromentor(
        tmp_path, url, *args, SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s", PORT="0"
    )
    assert result.returncode == 2, result.stderr
    assert f"the folder {tmp_path / 'nope'} for the SQLite database" in one_line(result)


def test_a_postgresql_server_that_does_not_answer_exits_1_with_advice(tmp_path: Path) -> None:
    url = "postgresql+asyncpg://u:s3cret@127.0.0.1:1/mm"
    result = _micromentor(tmp_path, url, "db", "upgrade")
    assert result.returncode == 1
    line = one_line(result)
    assert "does not answer" in line and "s3cret" not in line
    assert line.endswith(
        "is PostgreSQL running on 127.0.0.1:1? start it, or fix the host/port in DATABASE_URL "
        "(or [bot] database_url)"
    )


async def test_check_gives_the_same_advice() -> None:
    [line] = await check_database("postgresql+asyncpg://u@127.0.0.1:1/mm")
    assert "is PostgreSQL running on 127.0.0.1:1? start it" in line


# 5. sqlite:/// ------------------------------------------------------------------------------------


def test_a_plain_sqlite_url_is_taken_as_aiosqlite(tmp_path: Path) -> None:
    result = _micromentor(tmp_path, f"sqlite:///{tmp_path / 'x.db'}", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (
        result.stdout == f"database upgraded empty → {HEAD}: sqlite+aiosqlite:///{tmp_path}/x.db\n"
    )


def test_a_plain_sqlite_url_in_bot_toml_is_taken_beside_it(tmp_path: Path) -> None:
    (tmp_path / "bot.toml").write_text('[bot]\ndatabase_url = "sqlite:///rel.db"\n')
    env = clean_env(tmp_path)
    del env["DATABASE_URL"]
    result = run(env, tmp_path / "..", "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "rel.db").exists()
