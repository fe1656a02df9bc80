"""Ranking mentors for a question: skill fit, working hours now, load, "not my area", ratings.

The score (points; higher is better) is a sum of named factors, each returned in
``RankedMentor.factors`` so ``/mentor why <n>`` can show it. With the default `ScoreWeights`:

=================  ==========================================================================
factor             points
=================  ==========================================================================
``skill_fit``      ``100 × mean over the question's topics of fit(topic)`` where fit is 1 for a
                   skill the mentor has, 0.5 for a *related* skill, 0 otherwise
``not_my_area``    ``−100 × mean of (0.8 × fit(topic))`` over topics the mentor recently
                   answered "not my area" for (so such a topic keeps only 20 % of its fit)
``in_hours``       ``+20`` when it is inside the mentor's working hours now
``load``           ``−15 × min(claims this week / weekly capacity, 1)``
``open_threads``   ``−5`` per open session, at most ``−15``
``over_capacity``  ``−40`` once claims this week reach the weekly capacity
``rating``         ``+5 × (average rating − 3) / 2`` (−5 … +5; 0 when unrated)
=================  ==========================================================================

``score`` is the sum. Mentors with no fit at all are left out. Full fit outweighs any load
short of the mentor's own capacity; a mentor at capacity drops below free mentors with a
related skill. Equal scores are broken towards the less loaded mentor (lower share of weekly
capacity used, then fewer open sessions), then by a hash of ``seed`` and the mentor, so
identical experts take turns across questions instead of one always coming first.
"""

from __future__ import annotations

import heapq
import zlib
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field

from bot.refs import UserRef

__all__ = ["MentorCandidate", "RankedMentor", "ScoreWeights", "rank_mentors"]


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
    """A suggested mentor: total score, the topics they cover and each factor of the score."""

    ref: UserRef
    score: float
    matched_topics: tuple[str, ...]
    factors: dict[str, float] = field(default_factory=dict)
    related_topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ScoreWeights:
    """The constants of the score formula (see the module docstring)."""

    skill_fit: float = 100.0
    related_fit: float = 0.5
    not_my_area_keep: float = 0.2
    in_hours: float = 20.0
    load: float = 15.0
    open_thread: float = 5.0
    max_open_threads: int = 3
    over_capacity: float = 40.0
    rating: float = 5.0


_DEFAULT = ScoreWeights()
_NO_RELATED: Mapping[str, Set[str]] = {}


def _tiebreak(seed: str, ref: UserRef) -> int:
    return zlib.crc32(f"{seed}|{ref.platform}:{ref.id}".encode())


def _load_share(c: MentorCandidate) -> float:
    return c.claims_this_week / max(c.capacity_per_week, 1)


def rank_mentors(
    topics: Sequence[str],
    candidates: Sequence[MentorCandidate],
    *,
    limit: int = 3,
    related: Mapping[str, Set[str]] | None = None,
    weights: ScoreWeights | None = None,
    seed: str | int = "",
) -> list[RankedMentor]:
    """The `limit` best mentors for a question's topics, best first (see the module docstring).

    `related` maps a skill to its related skills (``taxonomy.related``); `seed` (e.g. the
    question id) varies the order among mentors whose score and load are exactly equal.
    """
    wanted = list(dict.fromkeys(topics))
    if not wanted or limit <= 0:
        return []
    w = weights or _DEFAULT
    rel = related if related is not None else _NO_RELATED
    # skill -> indexes of the topics it fits fully / partly; one dict lookup per mentor skill
    exact: dict[str, int] = {t: k for k, t in enumerate(wanted)}
    partial: dict[str, list[int]] = {}
    for k, t in enumerate(wanted):
        for r in rel.get(t, ()):
            if r not in exact:
                partial.setdefault(r, []).append(k)
    relevant = exact.keys() | partial.keys()
    n = len(wanted)
    seed_text = str(seed)
    scored: list[tuple[float, float, int, int, int]] = []
    for idx, c in enumerate(candidates):
        if relevant.isdisjoint(c.skills):
            continue
        fit = [0.0] * n
        for s in c.skills:
            i = exact.get(s)
            if i is not None:
                fit[i] = 1.0
            else:
                for j in partial.get(s, ()):
                    fit[j] = max(fit[j], w.related_fit)
        # the same sum as _score_factors, inlined: this loop runs for every fitting mentor
        share = c.claims_this_week / (c.capacity_per_week if c.capacity_per_week > 0 else 1)
        fit_sum = sum(fit)
        if c.not_my_area:
            nma = sum(f for t, f in zip(wanted, fit, strict=True) if f and t in c.not_my_area)
            fit_sum -= nma * (1.0 - w.not_my_area_keep)
        score = w.skill_fit * fit_sum / n - w.load * (share if share < 1.0 else 1.0)
        score -= w.open_thread * min(c.open_sessions, w.max_open_threads)
        if c.in_hours:
            score += w.in_hours
        if share >= 1.0:
            score -= w.over_capacity
        if c.average_rating is not None:
            score += w.rating * (min(max(c.average_rating, 1.0), 5.0) - 3.0) / 2.0
        tie = _tiebreak(seed_text, c.ref) if seed_text else 0
        scored.append((round(score, 6), -share, -c.open_sessions, -tie, -idx))
    best = heapq.nlargest(limit, scored)
    return [_ranked(wanted, candidates[-entry[4]], rel, w) for entry in best]


def _score_factors(
    topics: Sequence[str], fit: Sequence[float], c: MentorCandidate, w: ScoreWeights
) -> dict[str, float]:
    """Each factor's points (unrounded); the score is their sum."""
    n = len(topics)
    lost = 0.0
    if c.not_my_area:
        lost = sum(f for t, f in zip(topics, fit, strict=True) if f and t in c.not_my_area)
        lost *= (1.0 - w.not_my_area_keep) / n
    share = _load_share(c)
    rating = 0.0
    if c.average_rating is not None:
        rating = w.rating * (min(max(c.average_rating, 1.0), 5.0) - 3.0) / 2.0
    return {
        "skill_fit": w.skill_fit * sum(fit) / n,
        "not_my_area": -w.skill_fit * lost,
        "in_hours": w.in_hours if c.in_hours else 0.0,
        "load": -w.load * min(share, 1.0),
        "open_threads": -w.open_thread * min(c.open_sessions, w.max_open_threads),
        "over_capacity": -w.over_capacity if share >= 1.0 else 0.0,
        "rating": rating,
    }


def _ranked(
    topics: Sequence[str], c: MentorCandidate, rel: Mapping[str, Set[str]], w: ScoreWeights
) -> RankedMentor:
    skills = set(c.skills)
    fit = [
        1.0 if t in skills else (w.related_fit if skills & rel.get(t, set()) else 0.0)
        for t in topics
    ]
    factors = _score_factors(topics, fit, c, w)
    score = round(sum(factors.values()), 2)
    factors = {k: round(v, 2) + 0.0 for k, v in factors.items()}
    matched = tuple(t for t, f in zip(topics, fit, strict=True) if f == 1.0)
    partly = tuple(t for t, f in zip(topics, fit, strict=True) if 0.0 < f < 1.0)
    return RankedMentor(c.ref, score, matched, factors, partly)
