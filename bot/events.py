"""Events: past-tense facts that handlers record and other handlers react to, in the same
transaction (the card, the thread, notes, points and nudges are reactions to these)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.refs import ThreadRef, UserRef, WorkspaceRef

__all__ = [
    "Event",
    "MentorPaused",
    "MentorRegistered",
    "MentorResumed",
    "QuestionAsked",
    "QuestionCancelled",
    "QuestionClaimed",
    "QuestionExpired",
    "QuestionHandedOver",
    "QuestionReleased",
    "QuestionResolved",
    "QuestionUnanswered",
    "SessionCommented",
    "SessionRated",
    "SuggestionsChanged",
    "TimeboxExtended",
]


@dataclass(frozen=True, slots=True)
class Event:
    """Base of all events."""


@dataclass(frozen=True, slots=True)
class QuestionAsked(Event):
    question_id: int


@dataclass(frozen=True, slots=True)
class QuestionClaimed(Event):
    question_id: int
    mentor: UserRef


@dataclass(frozen=True, slots=True)
class QuestionReleased(Event):
    question_id: int
    mentor: UserRef
    by: UserRef
    by_name: str
    notify: tuple[UserRef, ...] = ()  # suggested mentors not told about it before
    why: str = ""  # "has left mentoring": what the asker is told (default: had to let it go)


@dataclass(frozen=True, slots=True)
class QuestionResolved(Event):
    question_id: int
    by: UserRef
    by_name: str


@dataclass(frozen=True, slots=True)
class QuestionCancelled(Event):
    question_id: int
    by: UserRef
    by_name: str
    by_admin: bool = False


@dataclass(frozen=True, slots=True)
class QuestionExpired(Event):
    question_id: int
    # True when people were still writing but every extension was used up.
    still_talking: bool = False


@dataclass(frozen=True, slots=True)
class QuestionUnanswered(Event):
    question_id: int


@dataclass(frozen=True, slots=True)
class TimeboxExtended(Event):
    question_id: int
    # True when the bot extended it because people kept writing after the wrap-up.
    automatic: bool = False


@dataclass(frozen=True, slots=True)
class QuestionHandedOver(Event):
    question_id: int
    previous: UserRef
    mentor: UserRef
    old_thread: ThreadRef | None
    # True when an admin (not the session's mentor) asked for the hand-over.
    by_admin: bool = False


@dataclass(frozen=True, slots=True)
class SuggestionsChanged(Event):
    """The suggested mentors of an open question changed ("not my area")."""

    question_id: int


@dataclass(frozen=True, slots=True)
class SessionRated(Event):
    question_id: int
    rater: UserRef
    role: str
    score: int
    previous: int | None = None  # a changed rating: what it was before


@dataclass(frozen=True, slots=True)
class SessionCommented(Event):
    """A comment was added to a rating after it was given."""

    question_id: int
    rater: UserRef
    role: str


@dataclass(frozen=True, slots=True)
class MentorRegistered(Event):
    mentor: UserRef
    workspace: WorkspaceRef


@dataclass(frozen=True, slots=True)
class MentorPaused(Event):
    """A mentor paused in `workspace` from `since` until `until` (far ahead for "until I
    resume"); their profiles in other workspaces are not paused."""

    mentor: UserRef
    since: datetime
    until: datetime
    workspace: WorkspaceRef | None = None


@dataclass(frozen=True, slots=True)
class MentorResumed(Event):
    """A mentor resumed in `workspace` (their pauses elsewhere go on)."""

    mentor: UserRef
    at: datetime
    workspace: WorkspaceRef | None = None
