"""The privacy feature's commands: leaving, export, forget, the audit trail, retention,
offboarding, dashboard links and what admins change from the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.commands import Actor, Command
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "ApplyRetention",
    "AuditRosterImport",
    "ExportMyData",
    "ExportPerson",
    "ForgetPerson",
    "LeaveProgramme",
    "ManageMentor",
    "OpenDashboard",
    "PersonBack",
    "PersonLeft",
    "ShowAudit",
    "SyncMentorGroup",
]


@dataclass(frozen=True, slots=True)
class LeaveProgramme(Command):
    """`/mentor leave`: the person's mentor profile in this workspace ends and their sessions
    there are released (mentoring in another workspace goes on)."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class ExportMyData(Command):
    """`/mentor mydata`: everything stored about the person who asks, sent to them by DM,
    their anonymous questions included (an admin's export leaves those out)."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class PersonLeft(Command):
    """The platform says someone left (a deactivated Slack user, a member who left the
    Discord server): no longer suggested, open claims released."""

    user: UserRef
    workspace: WorkspaceRef


@dataclass(frozen=True, slots=True)
class PersonBack(Command):
    """The platform says someone who had left is active again (a reactivated Slack user): they
    are no longer recorded as having left. Their mentoring stays ended (`/mentor join`)."""

    user: UserRef
    workspace: WorkspaceRef


@dataclass(frozen=True, slots=True)
class ExportPerson(Command):
    """`/mentoradmin export <person>`: a JSON file of everything stored about them."""

    actor: Actor
    person: UserRef
    name: str = ""


@dataclass(frozen=True, slots=True)
class ForgetPerson(Command):
    """`/mentoradmin forget <person> [confirm]`: without `confirmed`, only says what would go.
    An admin erases only someone whose every record is in the admin's workspace; `everywhere`
    (the operator's `micromentor people delete`) erases them wherever they are."""

    actor: Actor
    person: UserRef
    name: str = ""
    confirmed: bool = False
    everywhere: bool = False


@dataclass(frozen=True, slots=True)
class ShowAudit(Command):
    """`/mentoradmin audit`: the latest admin actions of the workspace."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class OpenDashboard(Command):
    """`/mentoradmin dashboard`: a one-time sign-in link to the web dashboard, by DM."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class ApplyRetention(Command):
    """The daily retention run: old texts removed, old logs pruned (`[privacy]`)."""

    now: datetime


@dataclass(frozen=True, slots=True)
class ManageMentor(Command):
    """An admin changes a mentor from the dashboard: ``pause``, ``resume``, ``remove`` or
    ``capacity`` (with `capacity`)."""

    actor: Actor
    mentor: UserRef
    action: str
    capacity: int | None = None


@dataclass(frozen=True, slots=True)
class AuditRosterImport(Command):
    """A roster import by the operator (`micromentor mentors import`), recorded in the same
    transaction as the mentors it registers."""

    workspace: WorkspaceRef
    mentors: int
    source: str = ""


@dataclass(frozen=True, slots=True)
class SyncMentorGroup(Command):
    """The members of the platform's mentor group (`[slack] mentor_group`) now: active mentors
    outside it leave the list; members the bot has never met are invited once."""

    workspace: WorkspaceRef
    members: tuple[UserRef, ...]
    group: str = ""
