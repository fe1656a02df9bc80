"""The dependency rules, over every package: the core under bot/ imports no platform, storage or
scheduler code; nothing imports the composition root; adapters do not import each other; and no
handler can reach a chat platform."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from bot.messagebus import Context
from bot.ports import ChatGateway

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "bot"
PACKAGES = ("bot", "adapters", "storage", "schedules")
# The composition root: builds everything from the config; nothing imports it.
COMPOSITION_ROOT = {CORE / "main.py", CORE / "cli.py", CORE / "__main__.py"}
FORBIDDEN_IN_CORE = frozenset(
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
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
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


def modules_of(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def core_modules() -> list[Path]:
    return sorted(p for p in modules_of("bot") if p not in COMPOSITION_ROOT)


def every_module() -> list[Path]:
    return [p for package in PACKAGES for p in modules_of(package)]


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _forbidden(source: str, *, filename: str = "<source>") -> list[str]:
    return sorted(
        {
            m
            for m in imported_modules(source, filename=filename)
            if m.split(".")[0] in FORBIDDEN_IN_CORE
        }
    )


def test_the_walk_sees_every_package() -> None:
    names = {_name(p) for p in every_module()}
    assert {
        "bot/domain.py",
        "bot/messagebus.py",
        "bot/ports.py",
        "bot/questions/sessions.py",
        "bot/flow/outbox.py",
        "adapters/slack/listeners.py",
        "adapters/discord/gateway.py",
        "storage/uow.py",
        "schedules/__init__.py",
    } <= names
    assert "bot/main.py" not in {_name(p) for p in core_modules()}


@pytest.mark.parametrize("module", core_modules(), ids=_name)
def test_core_module_imports_no_platform_storage_or_scheduler(module: Path) -> None:
    assert _forbidden(module.read_text(encoding="utf-8"), filename=str(module)) == []


@pytest.mark.parametrize(
    "module", [p for p in every_module() if p not in COMPOSITION_ROOT], ids=_name
)
def test_nothing_imports_the_composition_root(module: Path) -> None:
    imported = imported_modules(module.read_text(encoding="utf-8"), filename=str(module))
    assert (
        sorted(m for m in imported if m.split(".")[0:2] in (["bot", "main"], ["bot", "cli"])) == []
    )


@pytest.mark.parametrize("module", modules_of("adapters"), ids=_name)
def test_adapters_do_not_import_each_other(module: Path) -> None:
    own = module.relative_to(ROOT / "adapters").parts[0]
    imported = imported_modules(module.read_text(encoding="utf-8"), filename=str(module))
    others = sorted(
        m
        for m in imported
        if m.startswith("adapters.") and m.split(".")[1] not in (own, own.removesuffix(".py"))
    )
    assert others == []


@pytest.mark.parametrize("module", modules_of("storage") + modules_of("schedules"), ids=_name)
def test_storage_and_schedules_import_no_adapter(module: Path) -> None:
    imported = imported_modules(module.read_text(encoding="utf-8"), filename=str(module))
    assert sorted(m for m in imported if m.split(".")[0] == "adapters") == []


def test_the_composition_root_is_the_one_place_in_the_core_that_wires_storage() -> None:
    wired = _forbidden((CORE / "main.py").read_text(encoding="utf-8"))
    assert any(m.startswith("storage") for m in wired)


def test_a_handler_has_no_way_to_reach_a_chat_platform() -> None:
    fields = {f.name: f.type for f in dataclasses.fields(Context)}
    assert "chat" not in fields and "new_uow" not in fields
    # Only the deliverer (after commit) and the wiring around it know the chat port.
    allowed = {
        "bot/ports.py",
        "bot/routing.py",
        "bot/flow/delivery.py",
        "bot/runtime.py",
        "bot/main.py",
        "bot/lightning/card_gateway.py",  # edits a lightning card in place as it is delivered
        "bot/recognition/kudos_gateway.py",  # edits a kudos post in place when it is redrawn
        "bot/flow/passthrough.py",  # what those two pass straight through
    }
    users = {
        _name(p) for p in modules_of("bot") if ChatGateway.__name__ in p.read_text(encoding="utf-8")
    }
    assert users <= allowed, users - allowed


@pytest.mark.parametrize(
    ("source", "caught"),
    [
        ("import slack_sdk", ["slack_sdk"]),
        ("import discord.ext.commands as c", ["discord.ext.commands"]),
        ("from sqlalchemy import select", ["sqlalchemy", "sqlalchemy.select"]),
        (
            "from storage.uow import make_uow_factory",
            ["storage.uow", "storage.uow.make_uow_factory"],
        ),
        (
            "def f():\n    from adapters.console import render\n",
            ["adapters.console", "adapters.console.render"],
        ),
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
    assert _forbidden(source) == caught


def test_the_root_check_catches_a_function_level_import() -> None:
    found = imported_modules("def f():\n    from bot.main import App\n")
    assert "bot.main" in found
