"""Programme figures from plain data: counts by state, median times to claim and resolve, ratings."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain import Feedback, Question, QuestionState

__all__ = ["Figures", "compute_figures", "format_minutes"]


@dataclass(frozen=True, slots=True)
class Figures:
    asked: int
    by_state: dict[QuestionState, int]
    claimed: int
    median_minutes_to_claim: float | None
    median_minutes_to_resolve: float | None
    average_rating: float | None
    average_clarity: float | None
    ratings: int


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def compute_figures(questions: Sequence[Question], feedback: Sequence[Feedback]) -> Figures:
    """Figures over `questions` (and the feedback given on them)."""
    by_state = Counter(q.state for q in questions)
    to_claim = [
        (q.claimed_at - q.created_at).total_seconds() / 60 for q in questions if q.claimed_at
    ]
    to_resolve = [
        (q.resolved_at - q.created_at).total_seconds() / 60
        for q in questions
        if q.resolved_at and q.state is QuestionState.RESOLVED
    ]
    helpful = [f.score for f in feedback if f.role == "asker"]
    clarity = [f.score for f in feedback if f.role == "mentor"]
    claimed = sum(1 for q in questions if q.claimed_at is not None)
    return Figures(
        asked=len(questions),
        by_state={s: by_state.get(s, 0) for s in QuestionState},
        claimed=claimed,
        median_minutes_to_claim=_median(to_claim),
        median_minutes_to_resolve=_median(to_resolve),
        average_rating=statistics.fmean(helpful) if helpful else None,
        average_clarity=statistics.fmean(clarity) if clarity else None,
        ratings=len(helpful),
    )


def format_minutes(value: float | None) -> str:
    if value is None:
        return "n/a"
    if value < 90:
        return f"{value:.0f} min"
    return f"{value / 60:.1f} h"
