"""The console as a program: `micromentor console --script -` end to end, and in-process."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.config import Config
from bot.main import run_console
from tests.e2e.console_driver import DONE_WHEN_SCRIPT, START, Output, group

MICROMENTOR = Path(sys.executable).with_name("micromentor")


def run_cli(script: str, *, database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MICROMENTOR_CONFIG": "",
        "MICROMENTOR_LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [str(MICROMENTOR), "console", "--script", "-", "--now", START.isoformat()],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def done_when(tmp_path_factory: pytest.TempPathFactory) -> Output:
    """The issue's "done when" script, run once through the real command line on a new database."""
    tmp_path = tmp_path_factory.mktemp("done-when")
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'micromentor.db'}"
    result = run_cli(DONE_WHEN_SCRIPT, database_url=database_url, tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return group(result.stdout.splitlines())


def test_done_when_script_shows_the_card_in_mentoring(done_when: Output) -> None:
    card = done_when.to("#mentoring")[0]
    assert card.lines[:3] == (
        "Question #1",
        "How do I group a pandas DataFrame by two columns and sum one of them?",
        "Asked by: alice",
    )
    assert "Suggested: @bob" in card.lines


def test_done_when_script_shows_a_thread_intro_naming_alice_and_bob(done_when: Output) -> None:
    intro = done_when.one("thread #1", "meet")
    assert intro.lines[0] == "@alice meet @bob: a 20-minute session on question #1."


def test_done_when_script_shows_bob_answering_in_the_thread(done_when: Output) -> None:
    assert done_when.one("thread #1", "groupby").text == (
        'bob: Use df.groupby(["a", "b"])["c"].sum()'
    )


def test_done_when_script_shows_the_resolved_state(done_when: Output) -> None:
    assert "#1 is resolved (by alice). Thank you both!" in done_when.one("thread #1", "resolved")
    assert "Status: Resolved ✅ · helped by bob" in done_when.to("#mentoring")[-1].lines


def test_done_when_script_shows_the_rating_to_the_asker_alone(done_when: Output) -> None:
    assert not any("5/5" in said.text for said in done_when.to("#mentoring"))
    assert done_when.to("only alice sees")[-1].text.startswith(
        "Thanks! You rated the help on #1 5/5."
    )


def test_a_script_with_mistakes_prints_help_and_exits_cleanly(
    sqlite_url: str, tmp_path: Path
) -> None:
    result = run_cli(
        "as alice\nfly me to the moon\nclick rate:5\n", database_url=sqlite_url, tmp_path=tmp_path
    )
    assert result.returncode == 0
    assert "Traceback" not in result.stdout + result.stderr
    out = group(result.stdout.splitlines())
    assert out.one("only alice sees", "understand").text == "I don't understand `fly`."
    assert out.one("console", "Lines you can type:")


async def test_run_console_in_process_writes_every_line_through_the_callback(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    printed: list[str] = []
    code = await run_console(
        Config(), script=io.StringIO(DONE_WHEN_SCRIPT), now=START, write=printed.append
    )
    assert code == 0
    out = group(printed)
    assert out.one("thread #1", "meet").lines[0].startswith("@alice meet @bob")
    assert out.to("only alice sees")[-1].text.startswith("Thanks! You rated the help on #1 5/5.")


def test_a_bad_now_is_refused_with_the_expected_format(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(MICROMENTOR), "console", "--script", "-", "--now", "yesterday"],
        input="",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "'yesterday' is not a time like 2026-11-23T10:00" in result.stderr
    assert "Traceback" not in result.stderr


async def test_console_mentors_without_hours_are_around_on_a_saturday_night(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    printed: list[str] = []
    saturday_night = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
    script = "\n".join(
        [
            "as bob",
            "/mentor join pandas",
            "as carol",
            "/mentor join pandas",
            "as alice",
            "/askmentor How do I group a pandas DataFrame by two columns and sum one?",
            "clock +30m",
        ]
    )
    code = await run_console(
        Config(), script=io.StringIO(script), now=saturday_night, write=printed.append
    )
    assert code == 0
    out = group(printed)
    assert "in working hours now: yes" in out.one("only bob sees").text
    [suggested] = [
        line for line in out.one("#mentoring", "Question #1").lines if line.startswith("Suggested")
    ]
    assert "@bob" in suggested and "@carol" in suggested
    # The 30-minute bump calls the fitting mentors who are at work: both, at any hour.
    bump = out.one("#mentoring", "Still open").text
    assert "@bob" in bump and "@carol" in bump
