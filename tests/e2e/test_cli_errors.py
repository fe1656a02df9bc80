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


def test_an_import_says_which_skills_it_listed_under_another_name(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    """As `/mentor join` says it: the operator sees what was made of the sheet's words."""
    tmp, capsys = cli
    (tmp / "s.txt").write_text("as alice\n")  # registers the console workspace
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0
    rows = 'console:local,console:bob,Bob,"k8s, Python",,,\nconsole:local,console:cy,Cy,sql,,,\n'
    (tmp / "team.csv").write_text(HEADER + rows)
    assert main(["mentors", "import", "team.csv"]) == 0
    out = capsys.readouterr().out
    assert "Imported 2 mentor(s)." in out
    assert "team.csv:2: “k8s” is listed as “kubernetes”" in out
    assert "Python" not in out and ":3:" not in out  # case alone is no renaming


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
    assert "micromentor: DATABASE_URL: expected `sqlite+aiosqlite:///file.db`" in err
    assert "s3cret" not in err


def test_a_log_level_in_the_environment_may_be_lower_case(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "debug")
    assert main(["db", "upgrade"]) == 0
    assert "database upgraded empty → " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("where", "said"),
    [
        ("environment", "MICROMENTOR_LOG_LEVEL: 'LOUD' is not one of DEBUG, INFO, WARNING, ERROR"),
        ("bot.toml", "bot.toml: [bot.log_level] Input should be 'DEBUG', 'INFO', 'WARNING' or"),
    ],
)
def test_a_wrong_log_level_stops_as_a_configuration_error_wherever_it_is_set(
    cli: tuple[Path, pytest.CaptureFixture[str]],
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    said: str,
) -> None:
    tmp, capsys = cli
    if where == "environment":
        monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "LOUD")
    else:
        monkeypatch.delenv("MICROMENTOR_LOG_LEVEL")
        (tmp / "bot.toml").write_text("[bot]\nlog_level = 'LOUD'\n", encoding="utf-8")
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err  # one line per problem, no generic header
    assert said in err and "Traceback" not in err
    assert not (tmp / "mm.db").exists()  # stopped before the database was opened


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


@pytest.mark.parametrize("week", ["2099-W01", "2026-W99"], ids=["future", "no such week"])
def test_a_bad_week_before_any_workspace_is_only_the_error(
    cli: tuple[Path, pytest.CaptureFixture[str]], week: str
) -> None:
    """No "the digest is empty" first, as if a digest had been made: only what to change."""
    _, capsys = cli
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["digest", "--week", week]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1, err
    assert "no workspace" not in err and "week" in err.lower(), err


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
    assert "micromentor: DATABASE_URL: cannot be parsed" in err
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
    # A configuration mistake (exit 2); `check` reports it as one of its problems (exit 1).
    assert main(_DATABASE_COMMANDS[command]) == (1 if command == "check" else 2)
    err = capsys.readouterr().err
    assert f"the folder {folder} for the SQLite database bot.db does not exist" in err
    assert f"mkdir -p {folder}" in err
    assert "migrate-lock" not in err and "Traceback" not in err
    assert not folder.exists()  # a typo in the path must not start an empty database elsewhere


# --- the roster CSV as spreadsheets write it -------------------------------------------------


def _workspace_and(tmp: Path, name: str, data: bytes) -> Path:
    """The console workspace registered, and `data` written to `name`."""
    (tmp / "s.txt").write_text("as alice\n")
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0
    (tmp / name).write_bytes(data)
    return tmp / name


@pytest.mark.parametrize(
    "data",
    [
        # European Excel: `;` between cells, a BOM, CRLF
        b"\xef\xbb\xbfworkspace;user;name;skills;timezone\r\n"
        b"console:local;console:bob;Bob;python, go;Europe/Berlin\r\n",
        # tab-separated, copied out of a sheet
        b"workspace\tuser\tname\tskills\nconsole:local\tconsole:bob\tBob\tpython, go\n",
        # headers capitalised, in another order, `Time zone` spelt as people say it
        b'Name,Skills,Time zone,User,Workspace\nBob,"python, go",Europe/Berlin,console:bob,'
        b"console:local\n",
        # the blank rows a spreadsheet leaves at the end (and one in between)
        b'workspace,user,name,skills\nconsole:local,console:bob,Bob,"python, go"\n,,,\n'
        b"console:local,console:carl,Carl,rust\n,,,\r\n , ,,\n\n",
    ],
    ids=["semicolons-bom-crlf", "tabs", "header-case-and-order", "blank-rows"],
)
def test_a_roster_as_spreadsheets_save_it_imports(
    cli: tuple[Path, pytest.CaptureFixture[str]], data: bytes
) -> None:
    tmp, capsys = cli
    _workspace_and(tmp, "roster.csv", data)
    capsys.readouterr()
    assert main(["mentors", "import", "roster.csv"]) == 0, capsys.readouterr().err
    assert "Imported" in capsys.readouterr().out
    assert main(["mentors", "export"]) == 0
    exported = capsys.readouterr().out
    assert 'console:local,console:bob,Bob,"python, go",' in exported


def _refused_import(cli: tuple[Path, pytest.CaptureFixture[str]], rows: str) -> str:
    """Import `r.csv` (HEADER + `rows`): refused with status 2, nothing imported (all or
    nothing); returns what it said on stderr."""
    tmp, capsys = cli
    _workspace_and(tmp, "r.csv", (HEADER + rows).encode())
    capsys.readouterr()
    assert main(["mentors", "import", "r.csv"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert main(["mentors", "export"]) == 0
    assert "console:bob" not in capsys.readouterr().out
    return err


def test_a_row_with_more_cells_than_the_header_is_named_not_a_traceback(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    err = _refused_import(
        cli,
        "console:local,console:bob,Bob,python,,,\nconsole:local,console:carl,Carl,python, go,,,3\n",
    )
    assert "r.csv:3: 8 cells under a header of 7 columns" in err


def test_a_bad_row_names_its_line_and_column_and_nothing_is_imported(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    err = _refused_import(
        cli,
        "console:local,console:bob,Bob,python,Europe/Berlin,,\n"
        "console:local,console:carl,Carl,go,Europe/Berln,,\n"
        "console:local,console:dan,Dan,go,,Mon-Fri 9-25,\n",
    )
    assert "Nothing was imported" in err
    assert "r.csv:3: `timezone`: `Europe/Berln`" in err
    assert "r.csv:4: `hours`: " in err


def test_a_mentor_on_two_rows_is_refused_naming_both_lines(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    err = _refused_import(
        cli,
        "console:local,console:bob,Bob,python,,,\n"
        "console:local,console:carl,Carl,go,,,\n"
        "console:local,console:bob,Robert,go,,,\n",
    )
    assert "r.csv:4: `user` console:bob is already on line 2" in err


def test_every_problem_of_a_roster_is_said_at_once_in_line_order(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    """One pass fixes the file: a duplicate (found on its second line), a bad timezone and an
    unknown workspace come together, in the order of the file's lines."""
    err = _refused_import(
        cli,
        "console:local,console:bob,Bob,python,,,\n"
        "console:elsewhere,console:erin,Erin,go,,,\n"
        "console:local,console:bob,Robert,go,,,\n"
        "console:local,console:carl,Carl,go,Europe/Berln,,\n",
    )
    said = [line.strip() for line in err.splitlines() if line.strip().startswith("r.csv:")]
    assert [s.split(":")[1] for s in said] == ["3", "4", "5"], err
    assert "unknown workspace `console:elsewhere`" in said[0]
    assert "already on line 2" in said[1] and "`timezone`" in said[2]


def test_an_exported_roster_imports_as_it_was(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    _workspace_and(
        tmp,
        "r.csv",
        (
            HEADER + 'console:local,console:bob,"=Bob, the ""dev""","python, go",'
            "Europe/Berlin,Mon-Fri 09:00-17:00,4\n"
        ).encode(),
    )
    assert main(["mentors", "import", "r.csv"]) == 0
    capsys.readouterr()
    assert main(["mentors", "export"]) == 0
    first = capsys.readouterr().out
    (tmp / "again.csv").write_text(first)
    assert main(["mentors", "import", "again.csv"]) == 0
    capsys.readouterr()
    assert main(["mentors", "export"]) == 0
    assert capsys.readouterr().out == first


# --- people export / delete with the ids people paste ----------------------------------------


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ("U0123ABCD", "'U0123ABCD' has no platform; did you mean slack:U0123ABCD?"),
        ("alice@example.com", "'alice@example.com' is an e-mail address; give a platform id"),
        ("123456789012345678", "did you mean discord:123456789012345678?"),
        ("slack:", "'slack:' is not a platform id like slack:U0123ABCD"),
        (":U0123", "it starts with one of slack:, discord:, console:"),
        ("teams:U0123", "it starts with one of slack:, discord:, console:"),
    ],
)
@pytest.mark.parametrize("action", ["export", "delete"])
def test_a_person_id_in_the_wrong_form_is_a_usage_error_before_the_database(
    cli: tuple[Path, pytest.CaptureFixture[str]],
    monkeypatch: pytest.MonkeyPatch,
    given: str,
    said: str,
    action: str,
) -> None:
    """Said on stderr (so `people export … > file.json` holds no error), exit 2, and before
    the database is opened: a database that is down does not hide the real mistake."""
    _, capsys = cli
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:p@no-such-host.invalid/db")
    assert (
        main(
            ["people", action, given, "--yes"] if action == "delete" else ["people", action, given]
        )
        == 2
    )
    out, err = capsys.readouterr()
    assert said in err
    assert out == "" and "Traceback" not in err and "no-such-host" not in err


@pytest.mark.parametrize("action", ["export", "delete"])
def test_a_person_not_found_is_said_on_stderr_and_exits_1(
    cli: tuple[Path, pytest.CaptureFixture[str]], action: str
) -> None:
    _, capsys = cli
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    args = ["people", action, " Slack:U0999 "] + (["--yes"] if action == "delete" else [])
    assert main(args) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "micromentor: nothing is stored about slack:U0999" in err


def test_check_says_the_model_is_optional_when_it_is_not_configured(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    for name in ("URL", "API_KEY", "MODEL"):
        monkeypatch.delenv(f"MICROMENTOR_LLM_{name}", raising=False)
    assert main(["db", "upgrade"]) == 0
    main(["check"])  # exit 1: no platform credentials here
    out, err = capsys.readouterr()
    assert "micromentor check: language model: not configured (optional:" in out
    assert "language model" not in err


def test_check_names_an_incomplete_model_setting_without_the_key(
    cli: tuple[Path, pytest.CaptureFixture[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, capsys = cli
    monkeypatch.setenv("MICROMENTOR_LLM_URL", "llm.example.com/v1")  # no scheme
    monkeypatch.setenv("MICROMENTOR_LLM_API_KEY", "sk-s3cret")
    monkeypatch.setenv("MICROMENTOR_LLM_MODEL", "tiny-1")
    assert main(["db", "upgrade"]) == 0
    assert main(["check"]) == 1
    out, err = capsys.readouterr()
    assert "micromentor check: language model: MICROMENTOR_LLM_URL is not an http(s) URL" in err
    assert "language model" not in out and "sk-s3cret" not in out + err
