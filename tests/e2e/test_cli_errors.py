"""The command line with files and settings that are wrong: one clear line, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

HEADER = "workspace,user,name,skills,timezone,hours,capacity_per_week\n"


def test_a_missing_script_file_is_named(cli: tuple[Path, pytest.CaptureFixture[str]]) -> None:
    _, capsys = cli
    assert main(["console", "--script", "nope.txt"]) == 1
    err = capsys.readouterr().err
    assert "micromentor: nope.txt: No such file or directory" in err
    assert "Traceback" not in err


def test_a_missing_csv_is_named(cli: tuple[Path, pytest.CaptureFixture[str]]) -> None:
    _, capsys = cli
    assert main(["mentors", "import", "nope.csv"]) == 1
    assert "micromentor: nope.csv: No such file or directory" in capsys.readouterr().err


def test_a_csv_with_a_byte_order_mark_imports(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "s.txt").write_text("as alice\n")  # registers the console workspace
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0
    row = "console:local,console:bob,Bob,python,,,\n"
    (tmp / "excel.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER + row).encode())
    assert main(["mentors", "import", "excel.csv"]) == 0
    assert "Imported 1 mentor(s)." in capsys.readouterr().out


def test_a_csv_that_is_not_utf8_imports_nothing_and_says_why(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "latin1.csv").write_bytes(
        (HEADER + "console:local,console:j,Jörg,go,,,\n").encode("latin-1")
    )
    assert main(["mentors", "import", "latin1.csv"]) == 2
    assert "Nothing was imported: latin1.csv is not a UTF-8 CSV file" in capsys.readouterr().err


def test_a_chart_that_cannot_be_written_is_named(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "s.txt").write_text("as alice\n")
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0
    target = tmp / "missing-dir" / "chart.png"
    assert main(["digest", "--week", "2026-W48", "--png", str(target)]) == 1
    err = capsys.readouterr().err
    assert f"micromentor: {target}: No such file or directory" in err
    assert "Traceback" not in err


def test_an_unusable_database_url_stops_with_a_config_error(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("DATABASE_URL", "mysql://u:s3cret@db/mm")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL: expected `sqlite+aiosqlite:///file.db`" in err
    assert "s3cret" not in err


@pytest.mark.parametrize("level", ["debug", "LOUD"])
def test_any_log_level_in_the_environment_starts(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch, level: str
) -> None:
    _, capsys = cli
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", level)
    assert main(["db", "upgrade"]) == 0
    assert "database is up to date" in capsys.readouterr().out


def test_a_digest_before_any_workspace_is_empty_not_an_error(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    assert main(["db", "upgrade"]) == 0
    assert main(["digest", "--week", "2026-w47", "--png", str(tmp / "chart.png")]) == 0
    out, err = capsys.readouterr()
    assert "weekly digest — 2026-W47" in out
    assert "0 asked" in out
    assert "no workspace has been set up yet" in err
    assert (tmp / "chart.png").read_bytes().startswith(b"\x89PNG")


def test_partial_slack_credentials_stop_run_with_what_is_missing(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A forgotten export must not quietly start the console (and exit 0 under systemd)."""
    _, capsys = cli
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-a-real-token")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN missing" in err
    assert "xoxb-not-a-real-token" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["run", "check", "db"])
def test_a_database_url_that_does_not_parse_is_one_line_without_the_password(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    _, capsys = cli
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:pa55w0rd@db:notaport/mm")
    args = ["db", "upgrade"] if command == "db" else [command]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "DATABASE_URL: cannot be parsed" in err
    assert "pa55w0rd" not in err and "Traceback" not in err


def test_check_names_a_port_that_is_not_a_number_without_a_traceback(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    monkeypatch.setenv("PORT", "abc")
    assert main(["db", "upgrade"]) == 0
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "micromentor check: PORT='abc' is not a port number" in err
    assert "Traceback" not in err


def test_check_names_a_user_token_in_slack_bot_token_without_echoing_it(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-u53r-t0ken")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api/")
    assert main(["check"]) == 1
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN is a user token (xoxp-" in err
    assert "u53r-t0ken" not in err and "cannot reach" not in err


_PLATFORM_VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_STATE_SECRET",
    "DISCORD_TOKEN",
)
_DATABASE_COMMANDS = {
    "run": ["run"],
    "check": ["check"],
    "db": ["db", "upgrade"],
    "digest": ["digest"],
}


@pytest.mark.parametrize("command", list(_DATABASE_COMMANDS))
def test_an_unknown_database_host_is_one_line_naming_it_without_the_password(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    _, capsys = cli
    for name in _PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:pa55w0rd@no-such-host.invalid/db")
    assert main(_DATABASE_COMMANDS[command]) == 1
    err = capsys.readouterr().err
    [line] = [e for e in err.splitlines() if "no-such-host.invalid" in e]
    assert "database host no-such-host.invalid was not found" in line
    assert "check the host in DATABASE_URL" in line
    assert "pa55w0rd" not in err and "gaierror" not in err and "Traceback" not in err


@pytest.mark.parametrize("command", list(_DATABASE_COMMANDS))
def test_a_sqlite_file_in_a_missing_folder_names_the_folder(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    tmp, capsys = cli
    for name in _PLATFORM_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    folder = tmp / "nope" / "dir"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{folder / 'bot.db'}")
    assert main(_DATABASE_COMMANDS[command]) == 1
    err = capsys.readouterr().err
    assert f"the folder {folder} for the SQLite database bot.db does not exist" in err
    assert f"mkdir -p {folder}" in err
    assert "migrate-lock" not in err and "Traceback" not in err
    assert not folder.exists()  # a typo in the path must not start an empty database elsewhere
