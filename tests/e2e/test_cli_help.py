"""`--help` of every command reads as written: no Typer type placeholders (`<bool>`, `<str>`)."""

from __future__ import annotations

import re

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import cli_app


def _command_paths() -> list[tuple[str, ...]]:
    """Every command and group, as the words typed before ``--help`` (the root is ``()``)."""
    paths: list[tuple[str, ...]] = []

    def walk(command: object, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(cli_app), ())
    return paths


def test_every_command_is_covered() -> None:
    assert {"dashboard", "digest", "people delete", "mentors import"} <= {
        " ".join(p) for p in _command_paths()
    }


@pytest.mark.parametrize("path", _command_paths(), ids=lambda p: " ".join(p) or "micromentor")
def test_help_shows_no_type_placeholders(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(cli_app, [*path, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Show this message and exit." in result.output
    assert not re.findall(r"<\w+>", result.output), result.output


def test_flags_show_no_value_and_values_a_name() -> None:
    runner = CliRunner()
    delete = runner.invoke(cli_app, ["people", "delete", "--help"], env={"COLUMNS": "200"})
    assert re.search(r"--yes\s+Do not ask for confirmation", delete.output), delete.output
    assert re.search(r"\*\s+ID\s+Platform id", delete.output), delete.output
    digest = runner.invoke(cli_app, ["digest", "--help"], env={"COLUMNS": "200"}).output
    assert re.search(r"--week\s+WEEK\s", digest) and re.search(r"--workspace\s+WORKSPACE", digest)
    dashboard = runner.invoke(cli_app, ["dashboard", "--help"], env={"COLUMNS": "200"}).output
    assert re.search(r"--port\s+PORT\s", dashboard), dashboard


def test_a_commands_help_breaks_only_where_the_screen_ends() -> None:
    # Wide enough for any line: a command whose help still takes a second line in the list
    # carried its docstring's line break (it read "…the database and" / "the optional…").
    result = CliRunner().invoke(cli_app, ["--help"], env={"COLUMNS": "400"})
    box = result.output[result.output.index("Commands") :]
    rows = [line for line in box.splitlines()[1:] if line.startswith("│")]
    assert len(rows) >= 9
    continued = [row for row in rows if re.match(r"│\s{3,}\S", row)]
    assert continued == [], continued
