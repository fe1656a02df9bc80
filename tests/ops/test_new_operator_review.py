"""Defects a new operator's review found: a token of the wrong platform refused only after
start-up, a closed stdout taken for a lost connection, a config file not named, a digest of a
week not started, a workspace name not found, a model URL's credentials taken for a bad key,
braces in the help, config messages, matplotlib's debug flood, a busy port's wording."""

from __future__ import annotations

import errno
import logging
import os
import subprocess
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from adapters.llm.check import check_llm
from bot.cli import EXIT_PIPE_CLOSED, cli_app, main, run_async
from bot.config import Config, ConfigError, load_config
from bot.logs import configure_logging
from bot.platforms import credential_problems
from tests.ops.process import MICROMENTOR, clean_env
from tests.ops.test_startup_failures import one_line, run

pytestmark = pytest.mark.timeout(120)


# 1 ---------------------------------------------------------------------------------------------


def test_a_slack_token_in_discord_token_is_refused_before_anything_starts(
    tmp_path: Path,
) -> None:
    env = clean_env(tmp_path, DISCORD_TOKEN="xoxb-123-SECRET", PORT="0")
    result = run(env, tmp_path, "run")
    assert result.returncode == 2
    line = one_line(result)
    assert "DISCORD_TOKEN looks like a Slack token (xox…)" in line, line
    assert "SECRET" not in result.stderr + result.stdout
    assert not (tmp_path / "mm.db").exists()  # no database created, nothing migrated


@pytest.mark.parametrize("token", ["xoxb-123-SECRET", "xoxp-123-SECRET", "'xoxb-123-SECRET'"])
def test_the_credential_check_names_a_slack_token_in_discord_token(token: str) -> None:
    problems = credential_problems({"DISCORD_TOKEN": token})
    assert any(
        p.startswith("discord: DISCORD_TOKEN looks like a Slack token (xox…)") for p in problems
    ), problems
    assert not any("SECRET" in p for p in problems)


def test_a_bot_token_in_the_signing_secret_is_named_as_one() -> None:
    problems = credential_problems({"SLACK_SIGNING_SECRET": "xoxb-123-SECRET"})
    assert "slack: SLACK_SIGNING_SECRET set but SLACK_BOT_TOKEN missing" in problems
    assert any(
        "SLACK_SIGNING_SECRET looks like a bot token (xoxb-…)" in p
        and "goes in SLACK_BOT_TOKEN" in p
        for p in problems
    ), problems
    assert not any("SECRET" in p.replace("_SECRET", "").replace("Secret", "") for p in problems)


def test_a_real_signing_secret_is_not_taken_for_a_token() -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "8f3c0a1b2c3d4e5f"}
    assert credential_problems(env) == []


# 2 ---------------------------------------------------------------------------------------------


def test_a_closed_stdout_ends_the_digest_quietly(tmp_path: Path) -> None:
    env = clean_env(tmp_path)
    assert run(env, tmp_path, "db", "upgrade").returncode == 0
    read, write = os.pipe()
    os.close(read)  # the reader is gone before anything is written (`| head -1`, done)
    try:
        result = subprocess.run(
            [*MICROMENTOR, "digest", "--week", "2026-W48"],
            env=env,
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert result.returncode == EXIT_PIPE_CLOSED, result.stderr
    assert "Broken pipe" not in result.stderr and "connect" not in result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr


@pytest.mark.parametrize("args", [["--help"], [], ["people", "--help"]], ids=str)
def test_help_and_usage_to_a_closed_stdout_end_quietly_too(tmp_path: Path, args: list[str]) -> None:
    """`micromentor --help | head -1` ends as every other command does on a closed stdout
    (141, nothing said), not with exit 1."""
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [*MICROMENTOR, *args],
            env=clean_env(tmp_path),
            cwd=tmp_path,
            stdin=subprocess.DEVNULL,
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        os.close(write)
    assert result.returncode == EXIT_PIPE_CLOSED, result.stderr
    assert "Traceback" not in result.stderr and "Exception ignored" not in result.stderr
    assert "Broken pipe" not in result.stderr


def test_a_broken_connection_elsewhere_is_still_said() -> None:
    async def lost() -> int:
        raise BrokenPipeError(errno.EPIPE, "Broken pipe")

    with pytest.raises(typer.Exit) as ended:
        run_async(lost())
    assert ended.value.exit_code == 1


# 3 ---------------------------------------------------------------------------------------------


def test_a_link_for_someone_not_an_admin_names_the_config_file_in_use(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    (tmp / "a1.toml").write_text('[bot]\nadmins = ["slack:U0123ABCD"]\n', encoding="utf-8")
    assert main(["--config", "a1.toml", "db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["--config", "a1.toml", "dashboard", "--link", "slack:U0999ZZZZ"]) == 2
    said = "".join(capsys.readouterr())
    assert "slack:U0999ZZZZ is not an admin ([bot] admins in " in said, said
    assert "a1.toml)" in said and "bot.toml" not in said, said


def test_a_link_without_a_config_file_says_the_built_in_defaults(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    _, capsys = cli
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert main(["dashboard", "--link", "slack:U0999ZZZZ"]) == 2
    out, said = capsys.readouterr()  # a refusal: standard error, as the CLI's others
    assert out == ""
    assert "is not an admin ([bot] admins in the configuration (the built-in defaults" in said


# 4, 5 ------------------------------------------------------------------------------------------


def _with_console_workspace(tmp: Path) -> None:
    (tmp / "s.txt").write_text("as alice\n")  # registers the console workspace
    assert main(["console", "--script", str(tmp / "s.txt")]) == 0


def test_a_digest_of_a_week_not_started_is_refused_as_in_chat(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    _with_console_workspace(tmp)
    capsys.readouterr()
    assert main(["digest", "--week", "2999-W10"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "micromentor: digest: 2999-W10 hasn't started yet; the latest week is " in err, err


def test_a_digest_of_the_week_in_progress_is_still_printed(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    from datetime import UTC, datetime

    tmp, capsys = cli
    _with_console_workspace(tmp)
    year, week, _ = datetime.now(UTC).isocalendar()
    capsys.readouterr()
    assert main(["digest", "--week", f"{year}-W{week:02d}"]) == 0
    assert "==" in capsys.readouterr().out


def test_an_unknown_workspace_is_a_usage_error_listing_the_workspaces(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    tmp, capsys = cli
    _with_console_workspace(tmp)
    capsys.readouterr()
    assert main(["digest", "--workspace", "nope"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "micromentor: digest: no workspace named 'nope'; give one of: " in err, err
    assert "console:" in err.split("give one of: ")[1], err


# 6 ---------------------------------------------------------------------------------------------


async def test_credentials_in_the_model_url_with_a_key_are_named_not_taken_for_a_bad_key() -> None:
    env = {
        "MICROMENTOR_LLM_URL": "http://user:llmpass@127.0.0.1:9/v1",
        "MICROMENTOR_LLM_MODEL": "m",
        "MICROMENTOR_LLM_API_KEY": "sk-SECRETKEY",
    }
    problems = await check_llm(env, seconds=2)
    assert len(problems) == 1, problems
    [said] = problems
    assert "MICROMENTOR_LLM_URL has a user name and password in it" in said, said
    assert "MICROMENTOR_LLM_API_KEY is set too" in said
    assert "stray character" not in said
    assert "llmpass" not in said and "SECRETKEY" not in said


async def test_credentials_in_the_model_url_alone_are_not_a_problem_of_the_key() -> None:
    env = {
        "MICROMENTOR_LLM_URL": "http://user:llmpass@127.0.0.1:9/v1",
        "MICROMENTOR_LLM_MODEL": "m",
    }
    problems = await check_llm(env, seconds=2)
    assert not any("user name and password" in p or "API_KEY" in p for p in problems), problems
    assert not any("llmpass" in p for p in problems)


# 7 ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "usage"),
    [
        (("people", "export"), "Usage: micromentor people export [OPTIONS] ID\n"),
        (("people", "delete"), "Usage: micromentor people delete [OPTIONS] ID\n"),
        (("mentors", "import"), "Usage: micromentor mentors import [OPTIONS] FILE\n"),
    ],
)
def test_the_usage_line_names_arguments_without_braces(path: tuple[str, ...], usage: str) -> None:
    result = CliRunner().invoke(cli_app, [*path, "-h"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    lines = [line.strip() + "\n" for line in result.output.splitlines()]
    assert usage in lines, result.output
    assert "{" not in result.output.split("Options")[0], result.output


# 8 ---------------------------------------------------------------------------------------------


def _config_problems(tmp: Path, body: str) -> list[str]:
    path = tmp / "bot.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    return [line.removeprefix(f"{path}: ") for line in str(refused.value).splitlines()]


def test_a_misspelt_section_is_called_a_section_with_the_nearest_name(tmp_path: Path) -> None:
    [said] = _config_problems(tmp_path, "[sesion]\ntimebox_minutes = 20\n")
    assert said == "unknown section [sesion]; did you mean [session]?"


def test_a_misspelt_key_is_given_the_nearest_name(tmp_path: Path) -> None:
    [said] = _config_problems(tmp_path, "[bot]\ntimezon = 'UTC'\n")
    assert said == "[bot.timezon] unknown key; did you mean timezone?"


def test_every_wrong_admin_id_is_named(tmp_path: Path) -> None:
    body = '[bot]\nadmins = ["discord:abc", "slack:<@U0123ABCD>", "slack:u0123abcd", "slack:U0123ABCD"]\n'
    [said] = _config_problems(tmp_path, body)
    assert said.startswith(
        "[bot.admins] 'discord:abc', 'slack:<@U0123ABCD>', 'slack:u0123abcd' are not platform "
        "user ids."
    ), said
    assert "(got" not in said and "'slack:U0123ABCD'" not in said


def test_a_wrong_timezone_is_not_repeated(tmp_path: Path) -> None:
    [said] = _config_problems(tmp_path, "[bot]\ntimezone = 'Europe/Pariss'\n")
    assert said.startswith("[bot.timezone] `Europe/Pariss` is not a timezone I know."), said
    assert said.count("Pariss") == 1, said
    assert "Did you mean `Europe/Paris`?" in said


def test_a_ladder_out_of_order_is_said_in_words(tmp_path: Path) -> None:
    body = (
        "[[nudges.escalation]]\nafter_minutes = 30\naction = 'dm_next'\n"
        "[[nudges.escalation]]\nafter_minutes = 10\naction = 'admins'\n"
    )
    [said] = _config_problems(tmp_path, body)
    assert said.startswith("[nudges.escalation] each escalation step's after_minutes"), said
    assert "they are 30, 10" in said
    assert "{" not in said and "(got" not in said, said


def test_a_value_not_in_the_message_is_still_shown(tmp_path: Path) -> None:
    [said] = _config_problems(tmp_path, "[digest]\ntime = '9 am'\n")
    assert said == "[digest.time] expected a time like 09:00 (got '9 am')"


# 9 ---------------------------------------------------------------------------------------------


def test_debug_logging_keeps_the_chart_libraries_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "DEBUG")
    monkeypatch.delenv("MICROMENTOR_LOG_FORMAT", raising=False)
    root = logging.getLogger()
    before = root.level
    try:
        configure_logging(Config())
        assert logging.getLogger("micromentor").isEnabledFor(logging.DEBUG)
        for name in ("matplotlib.font_manager", "matplotlib", "PIL.PngImagePlugin"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
            assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    finally:
        root.setLevel(before)


def test_a_digest_without_a_week_says_which_week_it_is_and_how_to_see_this_one(
    cli: tuple[Path, pytest.CaptureFixture[str]],
) -> None:
    """Chat's `/mentoradmin digest` and the dashboard show this week so far; the command line,
    the last full week: an admin who compared them saw zeros here and no reason why."""
    from datetime import UTC, datetime, timedelta

    tmp, capsys = cli
    _with_console_workspace(tmp)
    capsys.readouterr()
    assert main(["digest"]) == 0
    out, err = capsys.readouterr()
    now = datetime.now(UTC)
    year, week, _ = now.isocalendar()
    last_year, last_week, _ = (now - timedelta(days=7)).isocalendar()
    assert f"the last full week, {last_year}-W{last_week:02d}," in err, err
    assert f"`--week {year}-W{week:02d}` for this week so far" in err, err
    assert f"{last_year}-W{last_week:02d}" in out
    assert main(["digest", "--week", f"{year}-W{week:02d}"]) == 0
    assert "last full week" not in capsys.readouterr().err
