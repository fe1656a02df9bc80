"""Lightning commands: propose, accept (with a title and a time), decline, join, leave, rate, list,
and the speaker's (or an admin's) cancel and move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands import Actor, Command

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
    "lightning_button",
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
    lightning_id: int
    starts_at: datetime
    title: str


@dataclass(frozen=True, slots=True)
class DeclineLightning(Command):
    """ "Not now" on a proposal."""

    actor: Actor
    lightning_id: int


@dataclass(frozen=True, slots=True)
class JoinLightning(Command):
    """ "I'll join": sign up for reminders (and to rate it afterwards)."""

    actor: Actor
    lightning_id: int


@dataclass(frozen=True, slots=True)
class LeaveLightning(Command):
    """ "Leave": off the list of a coming session (no reminders, no rating prompt)."""

    actor: Actor
    lightning_id: int


@dataclass(frozen=True, slots=True)
class RateLightning(Command):
    actor: Actor
    lightning_id: int
    score: int


@dataclass(frozen=True, slots=True)
class CancelLightning(Command):
    """The speaker (or an admin) calls off a scheduled session that has not started."""

    actor: Actor
    lightning_id: int


@dataclass(frozen=True, slots=True)
class MoveLightning(Command):
    """The speaker (or an admin) gives a scheduled session a new time (as for accept)."""

    actor: Actor
    lightning_id: int
    starts_at: datetime


@dataclass(frozen=True, slots=True)
class ListLightning(Command):
    """What is coming up in the actor's workspace."""

    actor: Actor


def lightning_button(actor: Actor, action: str, lightning_id: int) -> Command | None:
    """The lightning buttons: ``join``, ``leave``, ``notnow``, ``lrate:1``..``lrate:5``; None
    otherwise (``teach`` opens a form first)."""
    if action == "join":
        return JoinLightning(actor, lightning_id)
    if action == "leave":
        return LeaveLightning(actor, lightning_id)
    if action == "notnow":
        return DeclineLightning(actor, lightning_id)
    kind, _, score = action.partition(":")
    if kind == "lrate" and score.isdigit():
        return RateLightning(actor, lightning_id, int(score))
    return None
