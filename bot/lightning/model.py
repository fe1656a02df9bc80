"""A lightning session and the people who signed up for it (plain data, no behaviour)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.refs import MessageRef, UserRef, WorkspaceRef

__all__ = ["HeldSession", "Lightning", "LightningState", "Rsvp"]


class LightningState(StrEnum):
    PROPOSED = "proposed"  # the bot asked mentors to teach it; nobody has taken it yet
    SCHEDULED = "scheduled"  # a speaker, a title and a time: announced, taking sign-ups
    HELD = "held"  # its time has passed: attendees rate it (nobody signed up: not counted held)
    CANCELLED = "cancelled"


@dataclass(slots=True)
class Lightning:
    """A short skill-sharing talk on one topic."""

    workspace: WorkspaceRef
    topic: str
    created_at: datetime
    state: LightningState = LightningState.PROPOSED
    minutes: int = 15
    title: str = ""
    speaker: UserRef | None = None
    proposed_by: UserRef | None = None  # None: the bot, from repeated questions
    starts_at: datetime | None = None
    # Proposals from demand: the questions that made it, the mentors asked, who said "not now".
    question_ids: tuple[int, ...] = ()
    invited: tuple[UserRef, ...] = ()
    declined: tuple[UserRef, ...] = ()
    # Demand proposals are unique per workspace, topic and this period (days // window_days),
    # so two questions asked at once can't both propose; people's own proposals have none.
    demand_period: int | None = None
    card: MessageRef | None = None
    held_at: datetime | None = None
    rewarded_at: datetime | None = None  # the speaker's points, given once
    # Its number in its workspace (1, 2, 3 … per workspace: migration 0021), given when stored:
    # what people see and type. The id is the bot's own (sign-ups, reminders, buttons).
    local_number: int | None = None
    id: int | None = None

    @property
    def number(self) -> int:
        """The session's number in its workspace (shown, typed)."""
        assert self.local_number is not None, "lightning session not stored yet"
        return self.local_number

    @property
    def stored_id(self) -> int:
        """The session's internal id (never shown): its sign-ups, nudges and buttons use it."""
        assert self.id is not None, "lightning session not stored yet"
        return self.id

    @property
    def ends_at(self) -> datetime | None:
        return None if self.starts_at is None else self.starts_at + timedelta(minutes=self.minutes)


@dataclass(frozen=True, slots=True)
class Rsvp:
    """Someone said "I'll join"; after the session they may rate it once."""

    lightning_id: int
    user: UserRef
    at: datetime
    score: int | None = None
    rated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HeldSession:
    """A session that took place, for the digest."""

    session: Lightning
    attendees: int
    ratings: tuple[int, ...] = field(default_factory=tuple)
