"""Defects an operator review found in the one-shot commands, run in-process through
`bot.cli.main`: a CSV quote never closed, commands that migrated or created a database they
should only read, `db upgrade` saying "up to date" after migrating, an [ask] that refuses every
question, two-line configuration errors, migration chatter, digest arguments checked late, a
missing `name` column, a wrong log format that only warned."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.cli import main
from storage.migrate import alembic_config, upgrade
from tests.conftest import run_sync

pytestmark = pytest.mark.timeout(120)

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
HEADER = "workspace,user,name,skills,timezone,hours,capacity_per_week\n"
BEHIND = (
    f"the database is at revision 0001, the code needs {HEAD}; run `micromentor db upgrade` first"
)


def _with_console_workspace(tmp: Path) -> None:
    (tmp / "s.txt").write_text("as alice\n")  # registers the console workspace
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0


def _mentors(tmp: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["mentors", "export"]) == 0
    return capsys.readouterr().out


# 1 ---------------------------------------------------------------------------------------------


def test_a_quote_never_closed_refuses_the_whole_file(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    _with_console_workspace(tmp)
    rows = (
        'console:local,console:xavier,Xavier,"python, go,Europe/Berlin,,\n'
        "console:local,console:yvonne,Yvonne,rust,,,\n"
        "console:local,console:zoe,Zoe,java,,,\n"
    )
    (tmp / "unterm.csv").write_text(HEADER + rows)
    capsys.readouterr()
    assert main(["mentors", "import", "unterm.csv"]) == 2
    out, err = capsys.readouterr()
    assert "unterm.csv:2: a quote opened here is never closed" in err
    assert "Imported" not in out + err
    exported = _mentors(tmp, capsys)
    assert "xavier" not in exported and "yvonne" not in exported


# 2 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        ["people", "export", "console:alice"],
        ["people", "delete", "--yes", "console:alice"],
        ["dashboard", "--link", "console:alice"],
        ["dashboard", "--port", "0"],
    ],
    ids=["people-export", "people-delete", "dashboard-link", "dashboard"],
)
def test_commands_that_read_refuse_an_old_database_instead_of_migrating_it(
    cli: tuple[Path, pytest.CaptureFixture[str]],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    tmp, capsys = cli
    served: list[object] = []

    async def serve(app: object, sock: object) -> int:  # never serve forever in a test
        served.append(app)
        return 0

    monkeypatch.setattr("adapters.dashboard.cli.serve_dashboard", serve)
    url = f"sqlite+aiosqlite:///{tmp / 'mm.db'}"
    run_sync(lambda: upgrade(url, "0001"))
    capsys.readouterr()
    assert main(command) == 2
    assert BEHIND in capsys.readouterr().err
    assert not served
    assert run_sync(lambda: upgrade(url, "0001")) == ("0001", "0001")  # still at 0001


# 3 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["dashboard", "--port", "0"], ["dashboard", "--link", "console:alice"]],
    ids=["dashboard", "dashboard-link"],
)
def test_the_dashboard_without_a_database_creates_nothing(
    cli: tuple[Path, pytest.CaptureFixture[str]],
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    tmp, capsys = cli

    async def serve(app: object, sock: object) -> int:
        return 0

    monkeypatch.setattr("adapters.dashboard.cli.serve_dashboard", serve)
    assert main(command) == 2
    assert f"no database at {tmp / 'mm.db'}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp.iterdir()) == []


# 4 ---------------------------------------------------------------------------------------------


def test_db_upgrade_says_what_it_applied_and_up_to_date_only_when_nothing_was(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    url = f"sqlite+aiosqlite:///{tmp / 'mm.db'}"
    run_sync(lambda: upgrade(url, "0001"))
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert out == f"database upgraded 0001 → {HEAD}: {url}\n"
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database is up to date: {url}\n"


def test_db_upgrade_names_the_url_without_its_password() -> None:
    from storage.engine import safe_url

    assert "s3cret" not in safe_url("postgresql+asyncpg://u:s3cret@db/mm")
    # asyncpg takes a password from the query too, as libpq does.
    shown = safe_url("postgresql+asyncpg://u@db/mm?password=s3cret&ssl=require")
    assert shown == "postgresql+asyncpg://u@db/mm?password=***&ssl=require"


# 5 ---------------------------------------------------------------------------------------------


def test_an_ask_min_length_above_max_length_is_a_configuration_error(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "bot.toml").write_text("[ask]\nmin_length = 5000\nmax_length = 2000\n")
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "[ask]" in err and "min_length (5000)" in err and "max_length (2000)" in err
    assert "Traceback" not in err


def test_an_ask_min_length_equal_to_max_length_is_accepted() -> None:
    from bot.config import AskSection

    assert AskSection(min_length=500, max_length=500).min_length == 500


# 6 ---------------------------------------------------------------------------------------------


def test_a_configuration_error_is_one_line_per_problem_without_a_header(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "typo.toml").write_text("[session]\ntimebox_minuts = 30\n[ask]\nmin_lenght = 3\n")
    assert main(["--config", "typo.toml", "check"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert "configuration error" not in "\n".join(lines)
    assert any("typo.toml: [session.timebox_minuts] unknown key" in line for line in lines)
    assert any("typo.toml: [ask.min_lenght] unknown key" in line for line in lines)


# 7 ---------------------------------------------------------------------------------------------


def test_one_shot_commands_do_not_log_that_the_schema_is_at_head(
    cli: tuple[Path, pytest.CaptureFixture[str]],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    tmp, capsys = cli
    _with_console_workspace(tmp)
    (tmp / "ok.csv").write_text(HEADER + "console:local,console:bob,Bob,python,,,\n")
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "INFO")
    caplog.clear()
    assert main(["mentors", "import", "ok.csv"]) == 0
    assert "Imported 1 mentor(s)." in capsys.readouterr().out
    said = [r for r in caplog.records if r.name == "storage.migrate" and r.levelno >= logging.INFO]
    assert said == []


def test_a_migration_that_applies_something_is_still_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.migrate")
    url = f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}"
    assert run_sync(lambda: upgrade(url)) == (None, HEAD)
    assert any(f"upgraded empty → {HEAD}" in r.getMessage() for r in caplog.records)


# 8 ---------------------------------------------------------------------------------------------


def test_a_wrong_digest_week_is_said_before_anything_else(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    _, capsys = cli
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["digest", "--week", "foo"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == ["micromentor: digest: `foo` is not a week like `2026-W48`"]


def test_a_digest_chart_folder_that_does_not_exist_is_said_before_the_digest(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    target = tmp / "nonexistent" / "x.png"
    assert main(["digest", "--png", str(target)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines() == [f"micromentor: {target}: No such file or directory"]


# 9 ---------------------------------------------------------------------------------------------


def test_a_missing_name_column_is_named_at_the_header(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    _with_console_workspace(tmp)
    (tmp / "noname.csv").write_text(
        "workspace,user,skills\nconsole:local,console:bob,python\nconsole:local,console:cy,go\n"
    )
    capsys.readouterr()
    assert main(["mentors", "import", "noname.csv"]) == 2
    err = capsys.readouterr().err
    assert "noname.csv: missing column(s) name;" in err
    assert "`name` is empty" not in err


def test_an_email_only_roster_needs_no_name_column(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    from bot.mentors.roster_csv import _read_rows

    tmp, _ = cli
    (tmp / "email.csv").write_text("workspace,email,skills\nslack:T1,a@example.org,python\n")
    read = _read_rows(tmp / "email.csv")
    assert not isinstance(read, str), read


# 10 --------------------------------------------------------------------------------------------


def test_a_wrong_log_format_is_a_configuration_error_like_a_wrong_level(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    tmp, capsys = cli
    monkeypatch.setenv("MICROMENTOR_LOG_FORMAT", "xml")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "micromentor: MICROMENTOR_LOG_FORMAT: 'xml' is not one of text, json"
    ]
    assert not (tmp / "mm.db").exists()  # stopped before the database was opened


@pytest.mark.parametrize("fmt", ["json", "TEXT", " text "])
def test_a_right_log_format_is_accepted_in_any_case(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    monkeypatch.setenv("MICROMENTOR_LOG_FORMAT", fmt)
    assert main(["db", "upgrade"]) == 0
