"""Perspectives in ranking (pure): the career stage an asker asked for, and variety for people
who ask often, as two named factors of the score; and whether a mentor is in another region.

``stage`` (only when the asker asked for a stage, e.g. ``/askmentor --senior``):

====================================  ======
the mentor's stage                    points
====================================  ======
the one asked for                     ``+25``
above it (more experienced)           ``+15``
one below it                          ``−10``
two or more below it                  ``−25``
not given                             ``0``
====================================  ======

``variety`` (only for an asker with at least ``[matching] variety_after_sessions`` sessions in
the last ``variety_days``): ``+10`` for a mentor they have not had a session with yet, so people
who ask often hear different perspectives. Both are smaller than a skill's fit (100), so they
choose between fitting mentors and never put a mentor without the skill first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.refs import UserRef

__all__ = [
    "STAGES",
    "STAGE_ALIASES",
    "AskerView",
    "Place",
    "cross_region",
    "perspective_factors",
    "stage_points",
]

# From the first job to the top.
STAGES = ("early", "mid", "senior", "lead", "executive")
# Everyday words for a stage: `/mentor stage junior` and `/askmentor --junior …` mean early.
STAGE_ALIASES = {
    "junior": "early",
    "entry": "early",
    "graduate": "early",
    "intermediate": "mid",
    "middle": "mid",
    "mid-level": "mid",
    "experienced": "senior",
    "staff": "lead",
    "principal": "lead",
    "manager": "lead",
    "exec": "executive",
    "director": "executive",
    "vp": "executive",
}

STAGE_MATCH = 25.0
STAGE_ABOVE = 15.0
STAGE_ONE_BELOW = -10.0
STAGE_FAR_BELOW = -25.0
VARIETY = 10.0
CROSS_REGION_HOURS = 3  # timezones this far apart count as another region


@dataclass(frozen=True, slots=True)
class AskerView:
    """What ranking knows about the asker: the stage they asked for, whether they ask often,
    and the mentors they have met."""

    wanted_stage: str | None = None
    frequent: bool = False
    met: frozenset[UserRef] = field(default_factory=frozenset)


def stage_points(mentor_stage: str | None, wanted: str | None) -> float:
    """The ``stage`` factor (see the module docstring)."""
    if wanted not in STAGES or mentor_stage not in STAGES:
        return 0.0
    gap = STAGES.index(mentor_stage) - STAGES.index(wanted)
    if gap == 0:
        return STAGE_MATCH
    if gap > 0:
        return STAGE_ABOVE
    return STAGE_ONE_BELOW if gap == -1 else STAGE_FAR_BELOW


def perspective_factors(
    mentor: UserRef, mentor_stage: str | None, asker: AskerView
) -> dict[str, float]:
    """The ``stage`` and ``variety`` factors that apply to this asker (none if neither does)."""
    found: dict[str, float] = {}
    if asker.wanted_stage:
        found["stage"] = stage_points(mentor_stage, asker.wanted_stage)
    if asker.frequent:
        found["variety"] = 0.0 if mentor in asker.met else VARIETY
    return found


@dataclass(frozen=True, slots=True)
class Place:
    """Where someone works, as far as we know: a region they typed and/or a timezone."""

    region: str = ""
    timezone: str | None = None


def _offset_hours(tz: str, at: datetime) -> float | None:
    try:
        offset = at.astimezone(ZoneInfo(tz)).utcoffset()
    except (ValueError, KeyError):
        return None
    return None if offset is None else offset.total_seconds() / 3600


def cross_region(asker: Place, mentor: Place, *, at: datetime) -> bool:
    """Whether the mentor works somewhere else: another region when both typed one, else
    timezones at least three hours apart; unknown places are never "cross-region"."""
    if asker.region.strip() and mentor.region.strip():
        return asker.region.strip().casefold() != mentor.region.strip().casefold()
    if asker.timezone and mentor.timezone:
        a, m = _offset_hours(asker.timezone, at), _offset_hours(mentor.timezone, at)
        return a is not None and m is not None and abs(a - m) >= CROSS_REGION_HOURS
    return False
