"""Lightning commands: propose, accept (with a title and a time), decline, join, leave, rate, list,
and the speaker's (or an admin's) cancel and move.

A session is named by its number in the actor's workspace (`number`: what people see and type);
a button names it by its internal id instead (`by_id`: the ids on buttons already posted stay
valid), and a session of another workspace is refused either way."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeAlias, get_args

from bot.commands import Actor, Command
from bot.flow.codec import read_older

__all__ = [
    "AcceptLightning",
    "CancelLightning",
    "DeclineLightning",
    "JoinLightning",
    "LeaveLightning",
    "ListLightning",
    "MoveLightning",
    "ProposeLightning",
    "RateLightning",
    "SessionCommand",
    "lightning_button",
    "typed",
]


@dataclass(frozen=True, slots=True)
class ProposeLightning(Command):
    """Anyone offers a short talk on `topic`: they are its speaker.

    A naive `starts_at` is wall time in the actor's own timezone (the platform's, their mentor
    profile's, else UTC); an aware one is taken as is (Slack's date-time picker)."""

    actor: Actor
    topic: str
    starts_at: datetime
    title: str


@dataclass(frozen=True, slots=True)
class AcceptLightning(Command):
    """A mentor takes a proposed session ("I'll teach it"): its title and time (as above)."""

    actor: Actor
    number: int
    starts_at: datetime
    title: str
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class DeclineLightning(Command):
    """ "Not now" on a proposal."""

    actor: Actor
    number: int
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class JoinLightning(Command):
    """ "I'll join": sign up for reminders (and to rate it afterwards)."""

    actor: Actor
    number: int
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class LeaveLightning(Command):
    """ "Leave": off the list of a coming session (no reminders, no rating prompt)."""

    actor: Actor
    number: int
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class RateLightning(Command):
    actor: Actor
    number: int
    score: int
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class CancelLightning(Command):
    """The speaker (or an admin) calls off a scheduled session that has not started."""

    actor: Actor
    number: int
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class MoveLightning(Command):
    """The speaker (or an admin) gives a scheduled session a new time (as for accept)."""

    actor: Actor
    number: int
    starts_at: datetime
    by_id: bool = False


@dataclass(frozen=True, slots=True)
class ListLightning(Command):
    """What is coming up in the actor's workspace."""

    actor: Actor


def lightning_button(actor: Actor, action: str, lightning_id: int) -> Command | None:
    """The lightning buttons: ``join``, ``leave``, ``notnow``, ``lrate:1``..``lrate:5``, on the
    session's internal id; None otherwise (``teach`` opens a form first)."""
    if action == "join":
        return JoinLightning(actor, lightning_id, by_id=True)
    if action == "leave":
        return LeaveLightning(actor, lightning_id, by_id=True)
    if action == "notnow":
        return DeclineLightning(actor, lightning_id, by_id=True)
    kind, _, score = action.partition(":")
    if kind == "lrate" and score.isdigit():
        return RateLightning(actor, lightning_id, int(score), by_id=True)
    return None


# The commands that name one session (`number`, `by_id`).
SessionCommand: TypeAlias = (
    AcceptLightning
    | CancelLightning
    | DeclineLightning
    | JoinLightning
    | LeaveLightning
    | MoveLightning
    | RateLightning
)


def typed(command: Command) -> Command:
    """A button's lightning command as if typed: the number is the one the person read on the
    session (the console, where a click is typed as `click join 1`)."""
    if isinstance(command, SessionCommand) and command.by_id:
        return replace(command, by_id=False)
    return command


def _by_id_before_0021(data: dict[str, Any]) -> dict[str, Any]:
    """Stored before sessions were numbered per workspace (migration 0021), a command named its
    session by the internal id (`lightning_id`): a row still waiting in the inbox across the
    upgrade (or written by a replica not upgraded yet) is read so, by id."""
    if "lightning_id" not in data or "number" in data:
        return data
    rest = {k: v for k, v in data.items() if k != "lightning_id"}
    return {**rest, "number": data["lightning_id"], "by_id": True}


for _named in get_args(SessionCommand):
    read_older(_named, _by_id_before_0021)
