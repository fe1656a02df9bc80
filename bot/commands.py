"""Commands: what someone (or the clock) asks the bot to do. Every entry point builds one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef

__all__ = [
    "MAX_CAPACITY_PER_WEEK",
    "AcceptHandOver",
    "Actor",
    "AskQuestion",
    "CancelQuestion",
    "ClaimQuestion",
    "Command",
    "CommentOnSession",
    "DeclineHandOver",
    "ExplainMatch",
    "ExtendTimebox",
    "HandOverQuestion",
    "HandOverUnreachable",
    "HandleReaction",
    "ListMentors",
    "MarkNotMyArea",
    "PauseMentor",
    "PickTopic",
    "RateSession",
    "RecordThreadActivity",
    "RegisterMentor",
    "RegisterWorkspace",
    "ReleaseQuestion",
    "ResolveQuestion",
    "ResumeMentor",
    "SendDigest",
    "SetMentorAbout",
    "SetMentorCapacity",
    "SetMentorHours",
    "SetMentorTimezone",
    "ShowHome",
    "ShowLeaderboard",
    "ShowMentorProfile",
    "ShowStats",
    "UpdateMentorSkills",
    "button_command",
]


@dataclass(frozen=True, slots=True)
class Actor:
    """Who issued a command, as the platform told us."""

    user: UserRef
    name: str
    workspace: WorkspaceRef
    # The platform's admin role in `workspace`, as the input read it; None when the input
    # carries no reading for it (a Discord DM: no server, no permissions; a roster row; a
    # Slack look-up that failed), so what the bot knows of them there stays as it is.
    platform_admin: bool | None = None
    timezone: str | None = None


@dataclass(frozen=True, slots=True)
class Command:
    """Base of all commands."""


@dataclass(frozen=True, slots=True)
class RegisterWorkspace(Command):
    workspace: WorkspaceRef
    mentoring_channel: ChannelRef
    admin_channel: ChannelRef
    timezone: str = "UTC"
    name: str = ""
    escalation_channel: ChannelRef | None = None


@dataclass(frozen=True, slots=True)
class RemoveWorkspace(Command):
    """The app was removed from `workspace` (uninstalled from Slack, removed from a Discord
    server): its nudges wait and no digest is made until it is registered again."""

    workspace: WorkspaceRef


@dataclass(frozen=True, slots=True)
class RestoreWorkspace(Command):
    """The app is back in `workspace` (installed again, invited again), whether or not its
    channels are found yet: what waited goes on. (A registration does it too.)"""

    workspace: WorkspaceRef


@dataclass(frozen=True, slots=True)
class AskQuestion(Command):
    actor: Actor
    text: str
    anonymous: bool = False
    stage: str | None = None  # the career stage asked for (`--senior`), if any
    coached: bool = False  # posted as is after coaching: not coached again
    draft_id: int | None = None  # an edited coached draft this question replaces


@dataclass(frozen=True, slots=True)
class ClaimQuestion(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class HandleReaction(Command):
    """An emoji added to a message: a claim on a card, a resolve in a thread, or nothing."""

    actor: Actor
    message: MessageRef
    emoji: str
    thread: ThreadRef | None = None


@dataclass(frozen=True, slots=True)
class ReleaseQuestion(Command):
    actor: Actor
    question_id: int
    why: str = ""  # what the asker is told happened to their mentor (default: let it go)


@dataclass(frozen=True, slots=True)
class ResolveQuestion(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class CancelQuestion(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class ExtendTimebox(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class HandOverQuestion(Command):
    """The mentor (or an admin) asks another mentor to take a running session over."""

    actor: Actor
    question_id: int
    to: UserRef


@dataclass(frozen=True, slots=True)
class AcceptHandOver(Command):
    """The mentor asked to take a session over agrees: the session moves to them."""

    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class DeclineHandOver(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class HandOverUnreachable(Command):
    """The bot's own: the offer to take over question `question_id` (its internal id) could not
    be sent to `user` (their direct messages are closed), so they will never answer it."""

    question_id: int
    user: UserRef


@dataclass(frozen=True, slots=True)
class MarkNotMyArea(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class PickTopic(Command):
    """The asker says which topic their question is about (``topic`` "other": none of those)."""

    actor: Actor
    question_id: int
    topic: str


@dataclass(frozen=True, slots=True)
class RateSession(Command):
    """The asker rates the help (or the mentor rates the question's clarity), 1 to 5.

    `role` is whose prompt the button was on (``rate:N`` the asker's, ``clarity:N`` the
    mentor's); None means the rater's own side."""

    actor: Actor
    question_id: int
    score: int
    comment: str = ""
    role: str | None = None


@dataclass(frozen=True, slots=True)
class CommentOnSession(Command):
    actor: Actor
    question_id: int
    comment: str


@dataclass(frozen=True, slots=True)
class RecordThreadActivity(Command):
    """Someone wrote in a session's thread; only the time is kept, never the text."""

    actor: Actor
    thread: ThreadRef | None = None
    question_id: int | None = None


# The most sessions a week a mentor may take (`/mentor capacity`, `/mentor join`, a roster sheet).
MAX_CAPACITY_PER_WEEK = 100


@dataclass(frozen=True, slots=True)
class RegisterMentor(Command):
    actor: Actor
    skills: tuple[str, ...]
    hours: str | None = None
    timezone: str | None = None
    capacity_per_week: int | None = None
    about: str = ""  # "I can help with…" in the mentor's own words (optional)
    stage: str | None = None
    region: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateMentorSkills(Command):
    actor: Actor
    skills: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SetMentorAbout(Command):
    """The mentor's own words: "I can help with…" (``clear`` clears them; empty is refused)."""

    actor: Actor
    text: str


@dataclass(frozen=True, slots=True)
class SetMentorHours(Command):
    actor: Actor
    hours: str


@dataclass(frozen=True, slots=True)
class SetMentorCapacity(Command):
    """How many sessions a week the mentor takes (`/mentor capacity 5`)."""

    actor: Actor
    capacity_per_week: int


@dataclass(frozen=True, slots=True)
class SetMentorTimezone(Command):
    actor: Actor
    timezone: str


@dataclass(frozen=True, slots=True)
class PauseMentor(Command):
    actor: Actor
    duration: timedelta | None = None


@dataclass(frozen=True, slots=True)
class ResumeMentor(Command):
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowMentorProfile(Command):
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowLeaderboard(Command):
    """``month`` (this calendar month, the default) or ``all`` (all time)."""

    actor: Actor
    period: str = "month"


@dataclass(frozen=True, slots=True)
class ListMentors(Command):
    actor: Actor
    skill: str = ""


@dataclass(frozen=True, slots=True)
class ExplainMatch(Command):
    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class ShowStats(Command):
    actor: Actor


@dataclass(frozen=True, slots=True)
class ShowHome(Command):
    """The user's own overview (Slack App Home): open questions, profile, leaderboard."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class SendDigest(Command):
    """Post the weekly digest: on the clock (`actor` None) or on demand."""

    now: datetime
    workspace: WorkspaceRef | None = None
    actor: Actor | None = None
    week: str | None = None


_QUESTION_BUTTONS: dict[str, Callable[[Actor, int], Command]] = {
    "claim": ClaimQuestion,
    "release": ReleaseQuestion,
    "resolve": ResolveQuestion,
    "extend": ExtendTimebox,
    "cancel": CancelQuestion,
    "notmine": MarkNotMyArea,
    "accept": AcceptHandOver,
    "decline": DeclineHandOver,
}


def _open_dashboard(actor: Actor) -> Command:
    from bot.privacy.commands import OpenDashboard  # a feature's command, defined beside it

    return OpenDashboard(actor)


# The home view's buttons (no question: their number is 0).
_HOME_BUTTONS: dict[str, Callable[[Actor], Command]] = {
    "pause": lambda actor: PauseMentor(actor),
    "resume": ResumeMentor,
    "dashboard": _open_dashboard,
}


def button_command(actor: Actor, action: str, question_id: int) -> Command | None:
    """The command behind a `bot.messages.Action` id (``claim``, ``rate:4``, ``topic:git`` ...);
    lightning sessions' buttons (``join``, ``leave``, ``notnow``, ``lrate:4``) carry the session's
    id instead.

    None for ``comment``, ``teach``, ``ask`` and ``skills`` (each platform answers them with its
    own form) and for unknown ids. The home view's ``pause``, ``resume`` and ``dashboard`` carry
    no question.
    """
    if action in _QUESTION_BUTTONS:
        return _QUESTION_BUTTONS[action](actor, question_id)
    kind, _, rest = action.partition(":")
    if kind in ("rate", "clarity") and rest.isdigit():
        role = "asker" if kind == "rate" else "mentor"
        return RateSession(actor, question_id, int(rest), role=role)
    if kind == "topic" and rest.strip():
        return PickTopic(actor, question_id, rest.strip().lower())
    if action in _HOME_BUTTONS:
        return _HOME_BUTTONS[action](actor)
    # Imported here: these features' commands subclass Command from this module.
    from bot.learning.commands import learning_button
    from bot.lightning.commands import lightning_button

    return lightning_button(actor, action, question_id) or learning_button(
        actor, action, question_id
    )
