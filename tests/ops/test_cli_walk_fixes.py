"""Defects a new-operator walk of the command line found: a refused token said only after the
database was migrated and the workers and scheduler had started; Ctrl-C on `dashboard` printing
a pool error and a traceback; the console's dashboard link naming a command that opens another
database; SQLite paths that can't be used (an unwritable folder, a directory) and PostgreSQL's
`sslmode=require` against a server without SSL said as "does not answer" (exit 1) instead of
the configuration error they are (exit 2); a misspelt `--config` after a command; `db downgrade
24`; `digest --png` mixing its "chart written" line into the digest."""

from __future__ import annotations

import asyncio
import signal
import subprocess
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.process import MICROMENTOR, clean_env
from tests.ops.test_startup_failures import one_line, run

pytestmark = pytest.mark.timeout(120)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


# 1. a refused token changes nothing --------------------------------------------------------------


async def test_a_refused_slack_token_creates_no_database(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.errors["auth.test"] = "invalid_auth"
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-refused",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake_slack.api_url,
        PORT="0",
    )
    result = await asyncio.to_thread(run, env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "SLACK_BOT_TOKEN was refused (invalid_auth)" in one_line(result)
    # The database not created (so not migrated), and no lock file beside it.
    assert list(_files(tmp_path)) == ["bot.toml"]


async def test_a_refused_slack_token_leaves_a_used_database_as_it_was(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = clean_env(tmp_path, MICROMENTOR_LOG_LEVEL="INFO")
    script = "as bob\n/mentor join python\nas alice\n/askmentor How do I sort a dict by value?\n"
    played = await asyncio.to_thread(
        subprocess.run,
        [*MICROMENTOR, "console", "--script", "-"],
        env=env,
        cwd=tmp_path,
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert played.returncode == 0, played.stderr
    before = _files(tmp_path)
    assert "mm.db" in before

    fake_slack.errors["auth.test"] = "invalid_auth"
    env |= {
        "SLACK_BOT_TOKEN": "xoxb-refused",
        "SLACK_SIGNING_SECRET": "s",
        "SLACK_API_URL": fake_slack.api_url,
        "PORT": "0",
    }
    result = await asyncio.to_thread(run, env, tmp_path)
    assert result.returncode == 2, result.stderr
    assert "SLACK_BOT_TOKEN was refused (invalid_auth)" in result.stderr
    # Nothing started: no worker, no scheduled job, no HTTP port.
    for started in ("scheduled", "HTTP port", "forgot", "escalat", "schema upgraded"):
        assert started not in result.stderr, result.stderr
    assert _files(tmp_path) == before


# 2. Ctrl-C on the dashboard --------------------------------------------------------------------


def _interrupted_dashboard(env: dict[str, str], cwd: Path) -> tuple[int, str]:
    proc = subprocess.Popen(
        [*MICROMENTOR, "dashboard", "--port", "0", "--host", "127.0.0.1"],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        assert first.startswith("dashboard: http://127.0.0.1:"), first
        base = first.split()[1].removesuffix("/admin")
        # Served, and the database used (a connection in its pool), before the interrupt.
        assert httpx.get(f"{base}/healthz", timeout=10).status_code == 200
        signin = httpx.get(f"{base}/admin/signin?token=no-such-link", timeout=10)
        assert signin.status_code < 500, signin.text  # looked up in the database, refused
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert out == ""
    return proc.returncode, err


def test_ctrl_c_stops_the_dashboard_quietly_on_sqlite(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    code, err = _interrupted_dashboard(env, tmp_path)
    assert (code, err) == (130, "")


@pytest.mark.postgres
def test_ctrl_c_stops_the_dashboard_quietly_on_postgresql(
    tmp_path: Path, postgres_url: str
) -> None:
    env = clean_env(tmp_path, DATABASE_URL=postgres_url)
    code, err = _interrupted_dashboard(env, tmp_path)
    assert (code, err) == (130, ""), err


# 3. the console's dashboard link names its database ------------------------------------------


def test_the_consoles_dashboard_link_names_the_consoles_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "WARNING")
    (tmp_path / "bot.toml").write_text("[bot]\nadmins = []\n", encoding="utf-8")
    monkeypatch.setenv("MICROMENTOR_CONFIG", str(tmp_path / "bot.toml"))
    (tmp_path / "s.txt").write_text("as admin\n/mentoradmin dashboard\n")
    assert main(["console", "--script", "s.txt"]) == 0
    out = capsys.readouterr().out
    command = f"DATABASE_URL=sqlite:///{tmp_path / 'console.db'} micromentor dashboard"
    assert f"It opens while `{command}` runs on this machine" in out, out

    # The dashboard's default database has no console workspace: it says where that one is.
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["dashboard", "--link", "console:admin"]) == 2
    err = capsys.readouterr().err
    assert "no console workspace is set up in this database yet" in err
    assert f"`{command} --link console:admin`" in err, err
    assert main(["digest"]) == 0
    err = capsys.readouterr().err
    assert f"DATABASE_URL=sqlite:///{tmp_path / 'console.db'} micromentor digest" in err, err


def test_with_database_url_set_the_link_says_the_plain_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shared.db'}")
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    (tmp_path / "s.txt").write_text("as admin\n/mentoradmin dashboard\n")
    assert main(["console", "--script", "s.txt"]) == 0
    out = capsys.readouterr().out
    assert "It opens while `micromentor dashboard` runs on this machine" in out, out


# 4 and 6. SQLite paths that can't be used ------------------------------------------------------


def _sqlite(tmp_path: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = clean_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    return run(env, tmp_path, *args)


def test_a_folder_no_file_can_be_created_in_is_a_configuration_error(tmp_path: Path) -> None:
    # /proc refuses new files even to root (chmod would not stop root's writes).
    result = _sqlite(tmp_path, Path("/proc/mm-test.db"), "db", "upgrade")
    assert result.returncode == 2, result.stderr
    assert one_line(result).startswith(
        "micromentor: cannot create the SQLite database /proc/mm-test.db: its folder /proc is "
        "not writable ("
    )
    check = _sqlite(tmp_path, Path("/proc/mm-test.db"), "check")
    assert check.returncode == 1
    assert "cannot create the SQLite database /proc/mm-test.db" in check.stderr, check.stderr
    assert "no database at" not in check.stderr


@pytest.mark.parametrize("args", [("db", "upgrade"), ("check",), ("digest",)])
def test_a_directory_at_the_database_path_is_a_configuration_error(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    folder = tmp_path / "adir.db"
    folder.mkdir()
    result = _sqlite(tmp_path, folder, *args)
    assert result.returncode == (1 if args == ("check",) else 2), result.stderr
    assert f"{folder} is a directory, not a database file" in result.stderr, result.stderr
    assert "does not answer" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir.db", "bot.toml"]


def test_a_file_that_is_not_sqlite_leaves_no_lock_file_beside_it(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"no database here\n" * 200)
    result = _sqlite(tmp_path, junk, "db", "upgrade")
    assert result.returncode == 2, result.stderr
    assert "is not a SQLite database" in one_line(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bot.toml", "junk.db"]


# 5. sslmode=require against a server without SSL ---------------------------------------------


@pytest.mark.postgres
def test_sslmode_require_against_a_server_without_ssl(tmp_path: Path, postgres_url: str) -> None:
    parsed = make_url(postgres_url)
    url = parsed.update_query_dict({"sslmode": "require"}).render_as_string(hide_password=False)
    env = clean_env(tmp_path, DATABASE_URL=url)
    result = run(env, tmp_path, "db", "upgrade")
    if result.returncode == 0:
        pytest.skip("this PostgreSQL server offers SSL")
    assert result.returncode == 2, result.stderr
    line = one_line(result)
    assert "does not offer SSL" in line and "sslmode=require" in line, line
    assert "does not answer" not in line and "is PostgreSQL running" not in line


# 7-9. usage ------------------------------------------------------------------------------------


def test_a_misspelt_config_after_a_command_is_suggested(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "--confg", "x.toml"]) == 2
    err = capsys.readouterr().err
    assert "No such option: --confg" in err and "--config" in err, err


def test_db_downgrade_reads_24_as_0024(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    result = run(env, tmp_path, "db", "downgrade", "24", "--yes")
    assert result.returncode == 0, result.stderr
    assert "→ 0024" in result.stdout, result.stdout


def test_digest_png_says_its_chart_on_stderr(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    env = clean_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    result = run(env, tmp_path, "digest", "--png", str(tmp_path / "chart.png"))
    assert result.returncode == 0, result.stderr
    assert "chart written to" not in result.stdout
    assert f"chart written to {tmp_path / 'chart.png'}" in result.stderr
    assert (tmp_path / "chart.png").exists()


@pytest.mark.parametrize("status", [503, 429])
async def test_slack_down_or_rate_limiting_at_start_up_is_worth_a_restart_not_a_refusal(
    tmp_path: Path, fake_slack: FakeSlack, status: int
) -> None:
    # Exit 2 stops a supervisor from restarting (RestartPreventExitStatus=2): a Slack incident
    # during a boot must not keep the bot down until someone notices.
    for _ in range(5):  # more than the client tries
        fake_slack.fail_next("auth.test", status=status, headers={"Retry-After": "30"})
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-good",
        SLACK_SIGNING_SECRET="s",
        SLACK_API_URL=fake_slack.api_url,
        PORT="0",
    )
    result = await asyncio.to_thread(run, env, tmp_path)
    assert result.returncode == 1, result.stderr
    said = one_line(result)
    assert "unavailable or rate limiting" in said and "refused" not in said
    assert list(_files(tmp_path)) == ["bot.toml"]
