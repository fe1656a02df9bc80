"""The command line and bot.toml: running without one says so; a DATABASE_URL whose password
holds a bare `@` is refused without printing any of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
PLATFORM_VARIABLES = ("SLACK_", "DISCORD_", "MICROMENTOR_LLM_")


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import os

    for name in list(os.environ):
        if name.startswith(PLATFORM_VARIABLES):
            monkeypatch.delenv(name)
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    monkeypatch.delenv("MICROMENTOR_LOG_LEVEL", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}")
    return tmp_path


def test_without_a_bot_toml_a_command_warns_once_naming_the_path(
    env: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.chdir(env)
    assert main(["db", "upgrade"]) == 0
    [warning] = [r for r in caplog.records if "built-in defaults" in r.getMessage()]
    assert warning.levelname == "WARNING" and str(env / "bot.toml") in warning.getMessage()


def test_check_lists_a_missing_bot_toml_as_a_note_not_a_problem(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(env)
    main(["db", "upgrade"])
    capsys.readouterr()
    caplog.clear()
    main(["check"])
    out, err = capsys.readouterr()
    assert f"micromentor check: note: no configuration file at {env / 'bot.toml'}" in out
    said = err + caplog.text
    assert "built-in defaults" not in said  # said once, as the note


def test_the_shipped_repository_root_says_nothing_of_defaults(
    env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.chdir(ROOT)
    main(["check"])
    out, err = capsys.readouterr()
    assert "built-in defaults" not in out + err + caplog.text
    assert "note:" not in out


def test_a_bare_at_sign_in_the_database_password_is_refused_without_any_of_it(
    env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:Pa@ssW0rdX@127.0.0.1:5432/x")
    assert main(["check"]) == 2
    out, err = capsys.readouterr()
    assert "percent-encode `@` in the password as %40" in err
    for part in ("ssW0rdX", "Pa@", "127.0.0.1"):
        assert part not in out + err
