"""Recognition commands: kudos from one person to another."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Actor, Command
from bot.refs import UserRef

__all__ = ["GiveKudos"]


@dataclass(frozen=True, slots=True)
class GiveKudos(Command):
    """Thank `to` for `why`: posted in the mentoring channel, or only to them when `private`."""

    actor: Actor
    to: UserRef
    to_name: str
    why: str
    private: bool = False
