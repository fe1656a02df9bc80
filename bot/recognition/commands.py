"""Recognition commands: kudos from one person to another."""

from __future__ import annotations

from dataclasses import dataclass

from bot.commands import Actor, Command
from bot.refs import UserRef

__all__ = ["GiveKudos"]


@dataclass(frozen=True, slots=True)
class GiveKudos(Command):
    """Thank `to` for `why`: posted in the mentoring channel, or only to them when `private`.
    `to_bot` is set by adapters that know the receiver is a bot (or this app): refused."""

    actor: Actor
    to: UserRef
    to_name: str
    why: str
    private: bool = False
    to_bot: bool = False
