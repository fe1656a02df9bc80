"""Ranking mentors for a question: skill fit, working hours now, load, "not my area", ratings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.refs import UserRef

__all__ = ["MentorCandidate", "RankedMentor", "rank_mentors"]


@dataclass(frozen=True, slots=True)
class MentorCandidate:
    """Plain data about one mentor at the moment of ranking."""

    ref: UserRef
    skills: tuple[str, ...]
    in_hours: bool
    open_sessions: int = 0
    claims_this_week: int = 0
    capacity_per_week: int = 3
    not_my_area: tuple[str, ...] = ()
    average_rating: float | None = None


@dataclass(frozen=True, slots=True)
class RankedMentor:
    ref: UserRef
    score: float
    matched_topics: tuple[str, ...]
    factors: dict[str, float] = field(default_factory=dict)


def rank_mentors(
    topics: Sequence[str],
    candidates: Sequence[MentorCandidate],
    *,
    limit: int = 3,
    related: dict[str, set[str]] | None = None,
) -> list[RankedMentor]:
    """Mentors with any skill fit, best first: fit, then in hours, then spare capacity."""
    wanted = set(topics)
    ranked: list[RankedMentor] = []
    for c in candidates:
        matched = tuple(t for t in topics if t in c.skills)
        if not matched:
            continue
        fit = len(matched) / max(len(wanted), 1)
        spare = 1.0 - min(c.claims_this_week / max(c.capacity_per_week, 1), 1.0)
        factors = {"fit": fit, "in_hours": 1.0 if c.in_hours else 0.0, "spare_capacity": spare}
        score = fit * 100 + factors["in_hours"] * 10 + spare * 5
        ranked.append(RankedMentor(c.ref, score, matched, factors))
    ranked.sort(key=lambda r: (-r.score, r.ref.key()))
    return ranked[:limit]
