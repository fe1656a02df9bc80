"""Driving the console in-process: feed lines, get back what they printed, message by message.

``await console("as bob", "/mentor join python")`` returns an :class:`Output`: one :class:`Said`
per printed message (the ``[where]`` head line plus its indented continuation lines).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.console import ConsoleSession
from bot.app import App

__all__ = [
    "DONE_WHEN_SCRIPT",
    "START",
    "ConsoleDriver",
    "ConsoleFactory",
    "Output",
    "Said",
    "group",
]

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
DONE_WHEN_SCRIPT = """\
as bob
/mentor join python, pandas
as alice
/askmentor How do I group a pandas DataFrame by two columns and sum one of them?
as bob
react ✋ 1
say 1 Use df.groupby(["a", "b"])["c"].sum()
as alice
click resolve 1
click rate:5 1
"""
# The ``configured`` fixture: ``await configured(session={...})`` → a ConsoleDriver.
ConsoleFactory = Callable[..., Any]
_HEAD = re.compile(r"^\[(?P<where>[^\]]+)\] ?(?P<first>.*)$")


@dataclass(frozen=True, slots=True)
class Said:
    """One printed message: where it went (``#mentoring``, ``thread #1``, ``only alice sees``…)."""

    where: str
    lines: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def __contains__(self, part: str) -> bool:
        return part in self.text


class Output(list[Said]):
    """What some console lines printed."""

    def to(self, where: str) -> list[Said]:
        return [s for s in self if s.where == where]

    def one(self, where: str, containing: str = "") -> Said:
        found = [s for s in self.to(where) if containing in s]
        assert len(found) == 1, f"expected one [{where}] message with {containing!r}:\n{self}"
        return found[0]

    @property
    def text(self) -> str:
        return "\n".join(f"[{s.where}] {s.text}" for s in self)

    def __str__(self) -> str:
        return self.text


def group(lines: Iterable[str]) -> Output:
    """Printed lines → messages (continuation lines start with four spaces)."""
    out = Output()
    for line in lines:
        head = _HEAD.match(line)
        if head is None:
            assert out, f"continuation line before any message: {line!r}"
            out[-1] = Said(out[-1].where, (*out[-1].lines, line.removeprefix("    ")))
        else:
            out.append(Said(head["where"], (head["first"],)))
    return out


class ConsoleDriver:
    """Feeds console lines to a live session and returns what each batch printed."""

    def __init__(self, session: ConsoleSession, printed: list[str], app: App) -> None:
        self.session = session
        self.printed = printed
        self.app = app

    async def __call__(self, *lines: str) -> Output:
        start = len(self.printed)
        for chunk in lines:
            for line in chunk.splitlines():
                await self.session.feed(line)
        return group(self.printed[start:])

    @property
    def all(self) -> Output:
        return group(self.printed)
