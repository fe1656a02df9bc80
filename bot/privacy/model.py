"""The privacy feature's plain data: audit entries, dashboard sign-ins, one person's stored data."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "TOMBSTONE_KEYS",
    "AuditEntry",
    "DashboardGrant",
    "PastCards",
    "PersonData",
    "RetentionResult",
    "anyone_forgotten",
    "is_tombstone",
    "new_tombstone",
]

# The id forgetting gives someone's kept rows (`slack:forgotten-1a2b3c4d`): the core makes it,
# so the core may read it back (no platform id starts so).
_TOMBSTONE = "forgotten-"


# The keys of tombstones (`UserRef.key()`), as an SQL LIKE pattern: rankings leave them out.
TOMBSTONE_KEYS = f"%:{_TOMBSTONE}%"


def new_tombstone(platform: str) -> UserRef:
    """A new anonymous id for what a forgotten person leaves (figures, attributed to nobody)."""
    return UserRef(platform, f"{_TOMBSTONE}{secrets.token_hex(4)}")


def is_tombstone(user: UserRef) -> bool:
    """Whether `user` is what is left of someone forgotten: nobody to tell anything."""
    return user.id.startswith(_TOMBSTONE)


def anyone_forgotten(*people: UserRef | None) -> bool:
    """Whether any of `people` (a session's asker and mentor, say) was forgotten since."""
    return any(is_tombstone(who) for who in people if who is not None)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One admin action: who did what to which question or person, when."""

    workspace: WorkspaceRef
    actor: UserRef
    action: str  # stats, digest, export, forget, dashboard, roster, handover, resolve, ...
    at: datetime
    actor_name: str = ""
    subject: str = ""  # "#3" for a question, a person's platform id, or ""
    detail: str = ""
    id: int | None = None


@dataclass(frozen=True, slots=True)
class DashboardGrant:
    """A sign-in link or a session: which admin, for which workspaces, until when."""

    admin: UserRef
    admin_name: str
    workspaces: tuple[WorkspaceRef, ...]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class PersonData:
    """Everything stored about one person (what `/mentoradmin export` sends), as JSON-ready dicts."""

    user: UserRef
    sections: dict[str, Any] = field(default_factory=dict)
    # The one workspace it covers (an admin's export), or None: everywhere (the operator's).
    workspace: WorkspaceRef | None = None

    def found(self) -> bool:
        """Anything stored; in one workspace's data, anything besides the person row (their
        name is not a record of that workspace)."""
        return any(
            bool(v) for k, v in self.sections.items() if self.workspace is None or k != "person"
        )


@dataclass(frozen=True, slots=True)
class PastCards:
    """The cards the bot posted that name someone on what is over (nothing redraws them on its
    own): redrawn when that someone is forgotten."""

    # Resolved questions they mentored ("helped by" them) and closed ones they asked by name
    # ("Asked by" them).
    questions: tuple[int, ...] = ()
    lightning: tuple[int, ...] = ()  # held or cancelled sessions they gave: "Speaker", "Thank you"
    kudos: tuple[int, ...] = ()  # public kudos they gave or received: both named, words quoted


@dataclass(frozen=True, slots=True)
class RetentionResult:
    """What one retention run did."""

    texts_removed: int = 0
    comments_removed: int = 0
    log_rows_pruned: int = 0
