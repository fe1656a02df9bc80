"""Events: past-tense facts that handlers record and other handlers react to."""

from __future__ import annotations

from dataclasses import dataclass

from bot.refs import UserRef

__all__ = [
    "Event",
    "MentorRegistered",
    "QuestionAsked",
    "QuestionCancelled",
    "QuestionClaimed",
    "QuestionExpired",
    "QuestionReleased",
    "QuestionResolved",
    "QuestionUnanswered",
    "SessionRated",
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


@dataclass(frozen=True, slots=True)
class QuestionResolved(Event):
    question_id: int
    by: UserRef


@dataclass(frozen=True, slots=True)
class QuestionCancelled(Event):
    question_id: int


@dataclass(frozen=True, slots=True)
class QuestionExpired(Event):
    question_id: int


@dataclass(frozen=True, slots=True)
class QuestionUnanswered(Event):
    question_id: int


@dataclass(frozen=True, slots=True)
class TimeboxExtended(Event):
    question_id: int


@dataclass(frozen=True, slots=True)
class SessionRated(Event):
    question_id: int
    rater: UserRef
    role: str
    score: int


@dataclass(frozen=True, slots=True)
class MentorRegistered(Event):
    mentor: UserRef
