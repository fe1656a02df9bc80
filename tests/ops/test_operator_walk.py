"""What an operator's walk through the command line found: the dashboard's address, a
DATABASE_URL naming no file, error lines that all start `micromentor: `, `check` naming its
database, misspelt MICROMENTOR_ variables, usage errors that say what to do instead, console
exports kept in one folder, and the README's word on where /admin is served."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory

from bot.cli import main
from storage.engine import create_engine
from storage.migrate import alembic_config
from tests.ops.process import MICROMENTOR, REPO, clean_env
from tests.ops.test_startup_failures import run

pytestmark = pytest.mark.timeout(180)

Cli = tuple[Path, pytest.CaptureFixture[str]]
QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


# --- 1. the dashboard listens where HOST (or --host) says, and says so -------------------------


@pytest.fixture
def upgraded(tmp_path: Path) -> Path:
    """A database the dashboard may open (it never creates or migrates one)."""
    assert run(clean_env(tmp_path), tmp_path, "db", "upgrade").returncode == 0
    return tmp_path


@contextlib.contextmanager
def _dashboard(tmp: Path, *args: str, **env: str) -> Iterator[tuple[str, int]]:
    """Start `micromentor dashboard --port 0 ARGS`; yields its first stderr line and port."""
    with subprocess.Popen(
        [*MICROMENTOR, "dashboard", "--port", "0", *args],
        env=clean_env(tmp, **env),
        cwd=tmp,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stderr is not None
            line = proc.stderr.readline()
            found = re.search(r":(\d+)/admin", line)
            assert found, line
            yield line, int(found[1])
        finally:
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)


def _answers(host: str, port: int) -> bool:
    try:
        return httpx.get(f"http://{host}:{port}/healthz", timeout=5).text == "ok"
    except httpx.TransportError:
        return False


def test_the_dashboard_listens_on_host_and_says_where_and_how_to_sign_in(upgraded: Path) -> None:
    with _dashboard(upgraded, HOST="127.0.0.2") as (line, port):
        assert line.startswith(f"dashboard: http://127.0.0.2:{port}/admin"), line
        assert "127.0.0.2 only" in line
        assert "micromentor dashboard --link <platform:id>" in line
        assert "/mentoradmin dashboard" in line
        assert _answers("127.0.0.2", port)
        assert not _answers("127.0.0.1", port)  # not every interface: HOST only


def test_the_dashboard_host_option_wins_over_host(upgraded: Path) -> None:
    with _dashboard(upgraded, "--host", "127.0.0.1", HOST="127.0.0.2") as (line, port):
        assert line.startswith(f"dashboard: http://127.0.0.1:{port}/admin"), line
        assert _answers("127.0.0.1", port)
        assert not _answers("127.0.0.2", port)


def test_without_host_the_dashboard_says_it_listens_everywhere(upgraded: Path) -> None:
    # As `run`: 0.0.0.0 without HOST (a container needs it).
    with _dashboard(upgraded, HOST="") as (line, port):
        assert line.startswith(f"dashboard: http://0.0.0.0:{port}/admin"), line
        assert "every network interface" in line
        assert _answers("127.0.0.1", port) and _answers("127.0.0.2", port)


def test_dashboard_help_names_host_and_no_longer_limits_run_to_slack_http_mode(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("COLUMNS", "300")
    assert main(["dashboard", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--host" in out and "$HOST" in out
    assert "without Slack HTTP mode" not in out
    assert "micromentor run` serves it already on its HTTP port" in out


# --- 2. a DATABASE_URL that names no file ------------------------------------------------------

MEMORY_URLS = [
    "sqlite+aiosqlite:///",
    "sqlite:///",
    "sqlite+aiosqlite://",
    "sqlite:///:memory:",
    "sqlite+aiosqlite:///:memory:",
    "sqlite+aiosqlite:///file:mm?mode=memory&uri=true",
]


@pytest.mark.parametrize("url", MEMORY_URLS)
@pytest.mark.parametrize("args", [("db", "upgrade"), ("console", "--script", "-")])
def test_an_in_memory_database_url_is_refused(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, url: str, args: tuple[str, ...]
) -> None:
    tmp, capsys = cli
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(list(args)) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("micromentor: DATABASE_URL: names no database file")
    assert "give a file path, e.g. `sqlite:///micromentor.db`" in lines[0]
    assert "upgraded" not in captured.out
    assert not list(tmp.glob("*.db"))


def test_run_with_an_in_memory_database_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = clean_env(tmp_path, DATABASE_URL="sqlite:///:memory:", DISCORD_TOKEN="abc", PORT="0")
    result = run(env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("micromentor: DATABASE_URL: names no database file")


def test_an_empty_database_url_is_refused_not_taken_as_unset(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """README documents DATABASE_URL as overriding [bot] database_url, not what an empty one
    means: `DATABASE_URL=` in an env file would otherwise quietly open ./micromentor.db."""
    tmp, capsys = cli
    monkeypatch.setenv("DATABASE_URL", "")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "micromentor: DATABASE_URL: is set but empty; give a database URL (e.g. "
        "`sqlite:///micromentor.db`), or unset it to use [bot] database_url"
    )
    assert not (tmp / "micromentor.db").exists()


def test_a_file_url_with_memory_in_its_name_is_still_a_file(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp, _ = cli
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp / 'memory.db'}")
    assert main(["db", "upgrade"]) == 0
    assert (tmp / "memory.db").exists()


@pytest.mark.parametrize("url", ["sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:"])
def test_code_may_still_open_an_in_memory_engine(url: str) -> None:
    """Tests open in-memory databases through `create_engine` directly: no pool sizes that
    SQLAlchemy's StaticPool refuses."""

    async def one() -> object:
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                return (await connection.execute(sa.text("SELECT 1"))).scalar()
        finally:
            await engine.dispose()

    assert asyncio.run(one()) == 1


# --- 3. every error line starts `micromentor: `; export takes workspace names ---------------


def _console_workspace(cli: Cli) -> None:
    tmp, capsys = cli
    (tmp / "s.txt").write_text("as alice\n", encoding="utf-8")
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0
    capsys.readouterr()


def test_mentors_export_of_an_unknown_workspace_is_a_micromentor_line(cli: Cli) -> None:
    _console_workspace(cli)
    _, capsys = cli
    assert main(["mentors", "export", "--workspace", "nope"]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        "micromentor: mentors export: no workspace named 'nope'; give one of: "
        "console (console:local)"
    ]
    assert captured.out == ""


@pytest.mark.parametrize("given", ["console", "local", "console:local"])
def test_mentors_export_takes_a_workspace_as_digest_does(cli: Cli, given: str) -> None:
    _console_workspace(cli)
    tmp, capsys = cli
    header = "workspace,user,name,skills,timezone,hours,capacity_per_week\n"
    (tmp / "m.csv").write_text(header + "console:local,console:bob,Bob,python,,,\n")
    assert main(["mentors", "import", "m.csv"]) == 0
    capsys.readouterr()
    assert main(["mentors", "export", "--workspace", given]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""
    assert "console:local,console:bob,Bob,python" in captured.out


def test_a_database_url_error_starts_with_micromentor(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("DATABASE_URL", "mysql://u:s3cret@db/mm")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("micromentor: DATABASE_URL: expected `sqlite+aiosqlite:///file.db`")
    assert "s3cret" not in err


def test_every_bot_toml_problem_line_starts_with_micromentor(cli: Cli) -> None:
    tmp, capsys = cli
    (tmp / "bot.toml").write_text("[bot]\ntimezone = 'Mars/Base'\n[ask]\nmin_lenght = 3\n")
    assert main(["--config", "bot.toml", "db", "upgrade"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert all(line.startswith("micromentor: bot.toml: [") for line in lines), lines


# --- 4. `check` names its database; a misspelt MICROMENTOR_ variable is said ----------------


def test_check_names_the_database_it_checked(cli: Cli) -> None:
    tmp, capsys = cli
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    main(["check"])  # exit 1: no platform credentials
    out = capsys.readouterr().out
    assert f"micromentor check: database: sqlite+aiosqlite:///{tmp / 'mm.db'}\n" in out


def test_check_masks_the_password_of_the_database_it_names(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli

    async def fine(url: str) -> list[str]:
        return []

    monkeypatch.setattr("storage.migrate.check_database", fine)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://mm:s3cret@db.example:5432/mm")
    main(["check"])
    out = capsys.readouterr().out
    assert "micromentor check: database: postgresql+asyncpg://mm:***@db.example:5432/mm" in out
    assert "s3cret" not in out


def test_a_misspelt_micromentor_variable_is_warned_about_once_without_its_value(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("MICROMENTOR_DATABASE_URL", "postgresql://u:s3cret@db/mm")
    monkeypatch.setenv("MICROMENTOR_LOGLEVEL", "debug")
    monkeypatch.setenv("MICROMENTOR_WHATEVER", "x")
    monkeypatch.setenv("MICROMENTOR_TEST_POSTGRES_URL", "postgresql://the-test-suite")
    assert main(["db", "upgrade"]) == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "micromentor: warning: MICROMENTOR_DATABASE_URL is set but micromentor does not read "
        "it; did you mean DATABASE_URL?",
        "micromentor: warning: MICROMENTOR_LOGLEVEL is set but micromentor does not read it; "
        "did you mean MICROMENTOR_LOG_LEVEL?",
        "micromentor: warning: MICROMENTOR_WHATEVER is set but micromentor does not read it "
        "(README: Configuration lists them)",
    ]
    assert "s3cret" not in err


def test_every_variable_the_readme_lists_is_known() -> None:
    from bot.config import ENVIRONMENT_VARIABLES

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    first_cells = [line.split("|")[1] for line in section.splitlines() if line.startswith("| `")]
    names = {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z_]+)`", cell)}
    assert names, section[:200]
    assert names <= set(ENVIRONMENT_VARIABLES), names - set(ENVIRONMENT_VARIABLES)


# --- 5. usage errors that say what to do instead -------------------------------------------


def test_run_with_a_port_option_says_port_is_an_environment_variable(cli: Cli) -> None:
    _, capsys = cli
    assert main(["run", "--port", "3000"]) == 2
    err = capsys.readouterr().err
    assert "No such option: --port" in err
    assert "the port is set with the PORT environment variable" in err


def test_db_downgrade_without_a_revision_lists_the_newest(cli: Cli) -> None:
    _, capsys = cli
    revisions = [s.revision for s in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
    assert main(["db", "downgrade"]) == 2
    err = capsys.readouterr().err
    assert "Missing argument 'REVISION'" in err
    assert ", ".join(revisions[:5]) in err
    assert f"micromentor db downgrade {revisions[1]}" in err


# --- 6. console exports: one folder beside the database, kept -------------------------------


def test_console_exports_go_to_one_private_folder_beside_the_database(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp, capsys = cli
    scratch = tmp / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))  # where a temporary folder would go
    script = tmp / "s.txt"
    saved = []
    for who in ("alice", "bob"):
        script.write_text(f"as {who}\n/askmentor {QUESTION}\nas admin\n/mentoradmin export {who}\n")
        assert main(["console", "--script", str(script)]) == 0
        found = re.search(r"saved to (\S+)\)", capsys.readouterr().out)
        assert found is not None
        saved.append(Path(found[1]))
    folder = tmp / "mm-exports"  # beside mm.db
    assert [path.parent for path in saved] == [folder, folder]
    assert all(path.exists() for path in saved)  # kept after each console ended
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in saved)
    assert list(scratch.iterdir()) == []  # no folder left per run


def test_an_export_folder_that_is_a_symlink_is_not_written_through(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp, capsys = cli
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    (tmp / "mm-exports").symlink_to(elsewhere)
    scratch = tmp / "tmp"
    scratch.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    (tmp / "s.txt").write_text(
        f"as alice\n/askmentor {QUESTION}\nas admin\n/mentoradmin export alice\n"
    )
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0
    found = re.search(r"saved to (\S+)\)", capsys.readouterr().out)
    assert found is not None
    assert Path(found[1]).parent.parent == scratch  # a private temporary folder instead
    assert list(elsewhere.iterdir()) == []


# --- 7. README: /admin on every run's port; the dashboard's capacity range -----------------


def test_readme_says_every_run_serves_admin_and_the_capacity_range() -> None:
    from bot.commands import MAX_CAPACITY_PER_WEEK
    from bot.main import WEB_ROUTES

    assert "adapters.dashboard:dashboard_routes" in WEB_ROUTES  # mounted by every `run`
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    flat = " ".join(readme.split())
    assert "serves it on its HTTP port in Slack HTTP mode" not in flat
    assert "`micromentor run` serves it on its HTTP port (`PORT`) whatever the platform" in flat
    assert "inbound traffic except for the probes and the admin dashboard (`/admin`)" in flat
    assert f"a capacity out of 1 to {MAX_CAPACITY_PER_WEEK})" in flat
