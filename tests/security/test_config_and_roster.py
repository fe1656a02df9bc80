"""Identity in the configuration and the roster files (issue 10, items 1 and 8): admins are
platform ids (a name stops the start with how to find the id; no default admin); the CSV export
can't run as spreadsheet formulas; the import keeps every row or none and names each refusal."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.cli import main
from bot.commands import Actor, RegisterMentor
from bot.config import Config, load_config
from bot.mentors.roster_csv import export_roster, import_roster
from bot.refs import UserRef, WorkspaceRef
from tests.e2e.console_driver import ConsoleDriver

ROOT = Path(__file__).parents[2]
CONSOLE = WorkspaceRef("console", "local")


@pytest.mark.parametrize("name", ["admin", "@admin", "Alice Admin", "U0123ABCD", "slack:alice"])
def test_an_admin_given_by_name_stops_the_start_and_says_how_to_find_the_id(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(f'[bot]\nadmins = ["{name}"]\n', encoding="utf-8")
    assert main(["--config", str(config), "run"]) == 2
    err = capsys.readouterr().err
    assert "is not a platform user id" in err and name in err
    assert "Copy member ID" in err and "Copy User ID" in err  # where Slack and Discord show it


def test_admins_by_platform_id_are_taken() -> None:
    ids = ["slack:U0123ABCD", "discord:123456789012345678", "console:admin"]
    assert Config.model_validate({"bot": {"admins": ids}}).bot.admins == ids


def test_the_shipped_configuration_names_no_admin() -> None:
    assert load_config(ROOT / "bot.toml").bot.admins == []
    assert Config().bot.admins == []


# --- the roster CSV ---------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


async def test_the_export_writes_formula_like_cells_as_text(console: ConsoleDriver) -> None:
    for i, formula in enumerate(FORMULAS):
        actor = Actor(UserRef("console", f"m{i}"), formula, CONSOLE)
        # As a skill, a link or a leading @ is refused (no skill is a mention or a link).
        skill = formula[:60] if "://" not in formula and formula[0] != "@" else f"={i}+{i}"
        said = await console.app.bus.handle(
            RegisterMentor(actor, (skill, "python"), hours=None, about=formula)
        )
        assert "mentor" in said[0].plain().lower(), said[0].plain()
    out = io.StringIO()
    assert await export_roster(console.app.uow_factory, out=out) == 0
    rows = list(csv.reader(io.StringIO(out.getvalue())))[1:]
    assert len(rows) == len(FORMULAS)
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert {f"'{f}" for f in FORMULAS} <= set(cells)  # the names, shown as typed


async def test_an_exported_roster_imports_back_as_it_was(
    console: ConsoleDriver, tmp_path: Path
) -> None:
    actor = Actor(UserRef("console", "m1"), "=1+1", CONSOLE)
    await console.app.bus.handle(RegisterMentor(actor, ("python",), hours=None, about="-help"))
    out = io.StringIO()
    await export_roster(console.app.uow_factory, out=out)
    file = tmp_path / "roster.csv"
    file.write_text(out.getvalue(), encoding="utf-8")
    said: list[str] = []
    assert await import_roster(console.app.bus, console.app.uow_factory, file, out=said.append) == 0
    async with console.app.uow_factory(read_only=True) as uow:
        person = await uow.people.get(UserRef("console", "m1"))
        profile = await uow.mentors.get(UserRef("console", "m1"), CONSOLE)
    assert person is not None and person.name == "=1+1"
    assert profile is not None and profile.about == "-help"


HEADER = "workspace,user,name,skills,timezone,hours,capacity_per_week\n"


@pytest.mark.parametrize(
    ("bad_rows", "told"),
    [
        (
            ["console:local,console:c,carol,python,Mars/Base,,3"],
            ["roster.csv:3: ", "Mars/Base"],
        ),
        (  # refused by the bot's own checks, inside the one transaction
            ["console:local,console:c,carol," + "x" * 61 + ",,,"],
            ["roster.csv:3: A skill is at most 60 characters"],
        ),
        (
            [
                "console:local,console:c,carol,\u200b\u200d,,,",
                'console:local,console:d,dave,"python, ' + "y" * 61 + '",,,',
            ],
            ["roster.csv:3: Tell me at least one skill", "roster.csv:4: A skill is at most 60"],
        ),
    ],
    ids=["timezone", "skill-too-long", "two-refusals"],
)
async def test_an_import_with_a_refused_row_imports_nothing_and_names_each_refusal(
    console: ConsoleDriver, tmp_path: Path, bad_rows: list[str], told: list[str]
) -> None:
    await console("as admin", "/mentoradmin stats")  # the console workspace exists
    file = tmp_path / "roster.csv"
    good = [
        "console:local,console:a,alice,python,,,",
        "console:local,console:b,bob,pandas,,,",
    ]
    file.write_text(HEADER + "\n".join([good[0], *bad_rows, good[1]]) + "\n", encoding="utf-8")
    said: list[str] = []
    assert await import_roster(console.app.bus, console.app.uow_factory, file, out=said.append) == 2
    assert said[0] == "Nothing was imported. Fix these rows and run it again:"
    for part in told:
        assert any(part in line for line in said[1:]), said
    assert len(said) == 1 + len(bad_rows)
    assert not any("Imported" in line for line in said)
    async with console.app.uow_factory(read_only=True) as uow:
        assert await uow.mentors.in_workspace(CONSOLE) == []
