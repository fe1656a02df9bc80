"""Demand for a lightning session: enough questions on one topic within the window, from enough
different people (one person asking again and again is not a crowd), and no session on it
proposed in that window yet (pure; the reaction that acts on it is in `proposals`)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain import Question, QuestionState

__all__ = ["Demand", "demand_period", "find_demand"]


@dataclass(frozen=True, slots=True)
class Demand:
    """A topic asked about often enough: which questions, and by how many people."""

    topic: str
    question_ids: tuple[int, ...]
    # Different named askers, plus each anonymous question as someone of its own: counted by
    # who asked it, an anonymous question would tell, by a proposal sent or not, whether its
    # asker is one of the names on the other cards.
    people: int


def find_demand(
    questions: Iterable[Question],
    *,
    now: datetime,
    min_questions: int,
    min_askers: int,
    window_days: int,
    proposed: Collection[str] = (),
    topics: Collection[str] | None = None,
) -> list[Demand]:
    """Topics (of `topics`, or all) with at least `min_questions` questions asked by at least
    `min_askers` different people in the `window_days` up to `now`, cancelled ones aside,
    leaving out topics in `proposed` (a session on them was proposed in the window already).
    Most asked first."""
    since = now - timedelta(days=window_days)
    per_topic: dict[str, list[Question]] = {}
    for q in questions:
        if q.state is QuestionState.CANCELLED or not since <= q.created_at <= now:
            continue
        for topic in dict.fromkeys(q.topics):
            if (topics is None or topic in topics) and topic not in proposed:
                per_topic.setdefault(topic, []).append(q)
    found = [
        Demand(
            topic=topic,
            question_ids=tuple(q.pk for q in sorted(qs, key=lambda q: (q.created_at, q.pk))),
            people=len({q.asker for q in qs if not q.anonymous}) + sum(q.anonymous for q in qs),
        )
        for topic, qs in per_topic.items()
        if len(qs) >= min_questions
    ]
    found = [d for d in found if d.people >= min_askers]
    return sorted(found, key=lambda d: (-len(d.question_ids), d.topic))


def demand_period(now: datetime, window_days: int) -> int:
    """Which window `now` falls in, counted from the epoch: at most one demand proposal per
    workspace, topic and period, even when two questions are asked at the same moment."""
    return int(now.timestamp() // 86_400) // window_days
