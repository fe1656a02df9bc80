"""The dependency rule: the core under bot/ imports no platform, storage or scheduler code."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "bot"
COMPOSITION_ROOT = CORE / "main.py"
FORBIDDEN = frozenset(
    {
        "slack_bolt",
        "slack_sdk",
        "discord",
        "sqlmodel",
        "sqlalchemy",
        "apscheduler",
        "adapters",
        "storage",
        "schedules",
    }
)


def imported_modules(source: str, *, filename: str = "<source>") -> set[str]:
    """Every module a source imports anywhere (top level, functions, TYPE_CHECKING blocks)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source, filename=filename)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def violations(source: str, *, filename: str = "<source>") -> list[str]:
    return sorted(
        m for m in imported_modules(source, filename=filename) if m.split(".")[0] in FORBIDDEN
    )


def core_modules() -> list[Path]:
    return sorted(p for p in CORE.rglob("*.py") if p != COMPOSITION_ROOT)


def test_the_walk_sees_the_whole_core() -> None:
    names = {p.relative_to(CORE).as_posix() for p in core_modules()}
    assert {"domain.py", "messagebus.py", "ports.py", "handlers/sessions.py"} <= names
    assert "main.py" not in names


@pytest.mark.parametrize("module", core_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_core_module_imports_no_platform_storage_or_scheduler(module: Path) -> None:
    assert violations(module.read_text(encoding="utf-8"), filename=str(module)) == []


def test_the_composition_root_is_the_one_module_allowed_to_wire_everything() -> None:
    wired = violations(COMPOSITION_ROOT.read_text(encoding="utf-8"))
    assert any(m.startswith("storage") for m in wired)


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("import slack_sdk", ["slack_sdk"]),
        ("import discord.ext.commands as c", ["discord.ext.commands"]),
        ("from sqlalchemy import select", ["sqlalchemy"]),
        ("from storage.uow import make_uow_factory", ["storage.uow"]),
        ("def f():\n    from adapters.console import render\n", ["adapters.console"]),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import apscheduler\n",
            ["apscheduler"],
        ),
        ("import importlib\nimportlib.import_module('schedules')\n", ["schedules"]),
        ("import sqlmodel, json", ["sqlmodel"]),
        ("import json\nfrom bot.domain import Question\nfrom . import x\n", []),
        ("import discordant\nimport storage_helpers\n", []),
    ],
)
def test_the_checker_catches_every_kind_of_import(source: str, caught: list[str]) -> None:
    assert violations(source) == caught
