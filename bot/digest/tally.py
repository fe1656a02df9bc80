"""A week's tally: the plain figures a unit of work computes for the digest (and `bot.ports`
promises), apart from the digest's text so the ports need nothing else of the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.refs import UserRef

__all__ = ["WeekTally"]


@dataclass(frozen=True, slots=True)
class WeekTally:
    """What became of the questions asked in one week (its cohort), plus the week's points."""

    asked: int = 0
    claimed: int = 0
    resolved: int = 0
    unanswered: int = 0
    expired: int = 0
    cancelled: int = 0
    still_open: int = 0
    in_session: int = 0  # of the still open ones, those claimed (a session running)
    median_minutes_to_claim: float | None = None
    median_minutes_to_resolve: float | None = None
    average_rating: float | None = None
    ratings: int = 0
    average_clarity: float | None = None
    clarity_ratings: int = 0
    topics: tuple[tuple[str, int], ...] = ()
    top_mentors: tuple[tuple[UserRef, int], ...] = ()
    # Questions asked per minute (the minute's start, UTC) and whether a mentor was at work
    # then (None: not recorded, asked before migration 0025), for coverage by local time of
    # day: a minute, unlike an hour, stays whole in every timezone (+05:30, +05:45, −03:30 too).
    asked_by_minute: tuple[tuple[datetime, bool | None, int], ...] = ()
