"""The domain model: questions and their lifecycle, people, mentor profiles, feedback, points, nudges."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.hours import WeeklyHours
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef

__all__ = [
    "Feedback",
    "IllegalTransition",
    "MentorProfile",
    "Nudge",
    "NudgeKind",
    "NudgeState",
    "Person",
    "PointsEntry",
    "Question",
    "QuestionState",
    "Transition",
    "Workspace",
    "next_state",
]


class QuestionState(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    RESOLVED = "resolved"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    UNANSWERED = "unanswered"

    @property
    def is_final(self) -> bool:
        return self in _FINAL


_FINAL = frozenset(
    {
        QuestionState.RESOLVED,
        QuestionState.EXPIRED,
        QuestionState.CANCELLED,
        QuestionState.UNANSWERED,
    }
)


class Transition(StrEnum):
    CLAIM = "claim"
    RELEASE = "release"
    RESOLVE = "resolve"
    EXPIRE = "expire"
    CANCEL = "cancel"
    GIVE_UP = "give_up"


# The whole lifecycle in one table: (from, move) -> to.
_MOVES: dict[tuple[QuestionState, Transition], QuestionState] = {
    (QuestionState.OPEN, Transition.CLAIM): QuestionState.CLAIMED,
    (QuestionState.OPEN, Transition.CANCEL): QuestionState.CANCELLED,
    (QuestionState.OPEN, Transition.GIVE_UP): QuestionState.UNANSWERED,
    (QuestionState.CLAIMED, Transition.RELEASE): QuestionState.OPEN,
    (QuestionState.CLAIMED, Transition.RESOLVE): QuestionState.RESOLVED,
    (QuestionState.CLAIMED, Transition.EXPIRE): QuestionState.EXPIRED,
    (QuestionState.CLAIMED, Transition.CANCEL): QuestionState.CANCELLED,
    # A session closed by its time box may still have helped: its asker or mentor can mark it
    # resolved for a while afterwards (`bot.questions.sessions.LATE_RESOLVE`), so the mentor
    # gets the credit and the asker can rate it. The only move out of a final state.
    (QuestionState.EXPIRED, Transition.RESOLVE): QuestionState.RESOLVED,
}


class IllegalTransition(Exception):
    """A move the lifecycle does not allow from the question's current state."""

    def __init__(self, state: QuestionState, move: Transition) -> None:
        super().__init__(f"cannot {move.value} a question that is {state.value}")
        self.state = state
        self.move = move


def next_state(state: QuestionState, move: Transition) -> QuestionState:
    """The state after `move`, or :class:`IllegalTransition`."""
    try:
        return _MOVES[(state, move)]
    except KeyError:
        raise IllegalTransition(state, move) from None


@dataclass(slots=True)
class Question:
    """One question and where it stands."""

    workspace: WorkspaceRef
    asker: UserRef
    text: str
    created_at: datetime
    anonymous: bool = False
    topics: tuple[str, ...] = ()
    state: QuestionState = QuestionState.OPEN
    id: int | None = None
    mentor: UserRef | None = None
    suggested: tuple[UserRef, ...] = ()
    card: MessageRef | None = None
    thread: ThreadRef | None = None
    claimed_at: datetime | None = None
    resolved_at: datetime | None = None
    # When Resolve was pressed: what follows a resolve (the rating request, the follow-up, next
    # steps) is due from it. Apart from `resolved_at` only for a late resolve, which is stamped
    # when the time box ran out (`bot.questions.sessions.resolve_question`).
    resolve_pressed_at: datetime | None = None
    # Who marked it resolved (asker, mentor or an admin), or who cancelled it (asker or admin).
    resolved_by: UserRef | None = None
    closed_at: datetime | None = None
    timebox_ends_at: datetime | None = None
    last_activity_at: datetime | None = None
    extensions: int = 0
    claims: int = 0
    # The number people see and type: #1 is each workspace's first question.
    local_number: int | None = None
    released_by: tuple[UserRef, ...] = ()  # who released it: they can't claim it again
    notified: tuple[UserRef, ...] = ()  # mentors already told about it by DM
    handover_to: UserRef | None = None  # a hand-over waiting for this person's Accept
    handover_by: UserRef | None = None  # who asked for it: the mentor or an admin
    # The career stage the asker asked for (`/askmentor --senior`), if any.
    wanted_stage: str | None = None
    # Whether any mentor of the workspace was in working hours when it was asked (the digest's
    # coverage by hour); None for questions asked before this was recorded.
    mentor_at_work: bool | None = None
    # The stored row's version, for optimistic concurrency: an update writes only over the
    # version it read (else it is refused, as when the state moved on), and bumps it.
    version: int = 0

    def moved(self, move: Transition, **changes: Any) -> Question:
        """A copy in the state after `move` (raises :class:`IllegalTransition`). A hand-over
        offer is about the session it was made in: any move ends it (an Accept after a release
        and someone else's claim would take their session)."""
        ended = {"handover_to": None, "handover_by": None}
        return replace(self, state=next_state(self.state, move), **(ended | changes))

    @property
    def pk(self) -> int:
        """The internal id: what other rows, events and deliveries refer to."""
        assert self.id is not None, "question not stored yet"
        return self.id

    @property
    def number(self) -> int:
        """The question's number in its workspace (shown, typed, on buttons)."""
        assert self.local_number is not None, "question not stored yet"
        return self.local_number


@dataclass(slots=True)
class Person:
    """Anyone the bot has seen: asker, mentor or admin. Whether they are an admin is per
    workspace, not theirs: `PersonRepository.admin_of`."""

    ref: UserRef
    name: str
    timezone: str | None = None
    # When the platform said they left the workspace (offboarding); None while they are here.
    # Only storage sets it (`PrivacyRepository.mark_left`/`mark_back`): saving a person never
    # changes it.
    left_at: datetime | None = None


@dataclass(slots=True)
class MentorProfile:
    """A volunteer's skills, hours and capacity."""

    ref: UserRef
    workspace: WorkspaceRef
    skills: tuple[str, ...]
    timezone: str = "UTC"
    hours: WeeklyHours = field(default_factory=lambda: WeeklyHours.parse("Mon-Fri 09:00-17:00"))
    capacity_per_week: int = 3
    paused_until: datetime | None = None
    joined_at: datetime | None = None
    active: bool = True
    about: str = ""  # the mentor's own words: "I can help with…"
    # Career stage (early, mid, senior, lead, executive) and a free-text region, both optional.
    stage: str | None = None
    region: str = ""

    def is_paused(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now


@dataclass(frozen=True, slots=True)
class Workspace:
    """A Slack workspace, Discord guild or the console, with where the bot posts."""

    ref: WorkspaceRef
    mentoring_channel: ChannelRef
    admin_channel: ChannelRef
    timezone: str = "UTC"
    name: str = ""
    escalation_channel: ChannelRef | None = None
    # When the app was removed from it (uninstalled from Slack, removed from a Discord server);
    # None while it is there. A registration (installed again) clears it.
    removed_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Feedback:
    """A rating: `role` is ``asker`` (how helpful) or ``mentor`` (how clear the question was)."""

    question_id: int
    rater: UserRef
    role: str
    score: int
    created_at: datetime
    comment: str = ""


@dataclass(frozen=True, slots=True)
class PointsEntry:
    """Recognition points, capped per day so they stay a thank-you and not a score to game."""

    workspace: WorkspaceRef
    user: UserRef
    points: int
    reason: str
    at: datetime
    question_id: int | None = None


class NudgeKind(StrEnum):
    ESCALATE = "escalate"
    WRAP_UP = "wrap_up"
    EXPIRE = "expire"
    STALE = "stale"
    FEEDBACK = "feedback"
    FOLLOW_UP = "follow_up"
    PAUSE_END = "pause_end"
    LIGHTNING = "lightning"  # a lightning session's reminders and wrap-up (step: which)
    # Whether a question's topics now call for a lightning session (question_id)
    LIGHTNING_DEMAND = "lightning_demand"
    BADGES = "badges"  # the day's badge DM to `target`
    STREAK = "streak"  # a "keep it going" look at `target`'s helping streak
    LESSON = "lesson"  # the next lesson of a course (target: the learner; step: which)
    NEXT_STEPS = "next_steps"  # follow-up suggestions after a resolved session
    FAQ_VERIFY = "faq_verify"  # "still accurate?" to an FAQ entry's author (step: the entry)
    # Whether a rating is low, once it can no longer be changed (target: the rater; step: 0 for
    # the asker's rating, 1 for the mentor's)
    LOW_RATING = "low_rating"


class NudgeState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(slots=True)
class Nudge:
    """A reminder due at a time; a sweep sends it exactly once."""

    kind: NudgeKind
    workspace: WorkspaceRef
    due_at: datetime
    question_id: int | None = None
    target: UserRef | None = None
    step: int = 0
    state: NudgeState = NudgeState.PENDING
    attempts: int = 0
    id: int | None = None
    lease_until: datetime | None = None
    sent_at: datetime | None = None
    last_error: str = ""
    # What a nudge not about a question is about: a lightning session's id, an FAQ entry's number.
    subject_id: int | None = None
