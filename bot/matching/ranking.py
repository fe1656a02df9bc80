"""Ranking mentors for a question: a documented list of factors, each a small function.

The score (points; higher is better) is the sum of the factors in `FACTORS`, each returned in
``RankedMentor.factors`` so ``/mentor why <n>`` can show it. With the default `ScoreWeights`:

==================  =========================================================================
factor              points
==================  =========================================================================
``skill_fit``       ``100 × (top + 0.5 × (Σ − top)) / max(Σ weight(t), 1)``, where Σ sums
                    ``weight(t) × fit(t)`` over the question's topics and ``top`` is its largest
                    term: the strongest topic a mentor covers counts fully, each further one
                    half (``more_fit``), so two guesses drawn from one clue (containers:
                    kubernetes, docker) don't outweigh a mentor of the strongest guess. Fit is 1
                    for a skill the mentor has, 0.5 for a *related* skill, 0 otherwise; a
                    topic's weight is 1 when the question names it and 0-1 for a guess (see
                    `bot.matching.understanding`)
``own_words``       ``+40 × share``: how well the mentor's own "I can help with…" words match
                    the question (BM25, as a share of the best possible match, 0-1)
``helped_similar``  ``+60 × likeness``: the mentor helped with similar questions here before and
                    was rated well (nearest resolved questions, 0-1; `bot.matching.learned`)
``not_my_area``     ``−100 × (0.8 × the fit of topics)`` the mentor recently answered "not my
                    area" for (such a topic keeps only 20 % of its fit)
``in_hours``        ``+20`` when it is inside the mentor's working hours now
``load``            ``−15 × min(claims this week / weekly capacity, 1)``
``open_threads``    ``−5`` per open session, at most ``−15``
``over_capacity``   ``−40`` once claims this week reach the weekly capacity
``rating``          ``+5 × (average rating − 3) / 2`` (−5 … +5; 0 when unrated)
``stage``           only when the asker asked for a career stage: see `bot.matching.perspectives`
``variety``         only for people who ask often: see `bot.matching.perspectives`
==================  =========================================================================

Mentors with no fit, no matching words of their own and no similar help are left out. Full
fit outweighs any load short of the mentor's own capacity; a mentor at capacity drops below
free mentors with a related skill. Equal scores are broken towards the less loaded mentor (lower
share of weekly capacity used, then fewer open sessions), then by a hash of ``seed`` and the
mentor, so identical experts take turns across questions instead of one always coming first.

Adding a factor: write ``def my_factor(pool: Pool, w: ScoreWeights) -> Column`` returning one
value per mentor in ``pool`` (use ``pool.column("field")`` for a `MentorCandidate` field), give it
a weight in `ScoreWeights`, append ``("my_factor", my_factor)`` to `FACTORS` and a row above.
Factors work on whole columns (numpy), so a factor costs microseconds even for 10,000 mentors.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.matching.perspectives import AskerView, perspective_factors
from bot.refs import UserRef

__all__ = [
    "FACTORS",
    "Column",
    "Factor",
    "MentorCandidate",
    "Pool",
    "RankedMentor",
    "ScoreWeights",
    "rank_mentors",
]

Column = npt.NDArray[np.float64]


@dataclass(slots=True)  # not frozen: one per mentor per ask, and frozen __init__ is 5x slower
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
    stage: str | None = None  # career stage, for the ``stage`` factor


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
    more_fit: float = 0.5
    own_words: float = 40.0
    helped_similar: float = 60.0
    not_my_area_keep: float = 0.2
    in_hours: float = 20.0
    load: float = 15.0
    open_thread: float = 5.0
    max_open_threads: int = 3
    over_capacity: float = 40.0
    rating: float = 5.0


class Pool:
    """The mentors still in the running, with what the question asks of them, as columns."""

    def __init__(
        self,
        candidates: Sequence[MentorCandidate],
        *,
        fit: Column,
        lost: Column,
        own_words: Column,
        helped: Column,
        asker: AskerView | None = None,
    ) -> None:
        self.candidates = candidates
        self.asker = asker  # who asks: the stage they want, whom they met (or None)
        self.fit = fit  # 0-1: weighted skill fit
        self.lost = lost  # 0-1: the part of `fit` on topics the mentor said aren't theirs
        self.own_words = own_words  # 0-1
        self.helped = helped  # 0-1
        self._columns: dict[str, Column] = {}

    def __len__(self) -> int:
        return len(self.candidates)

    def column(self, name: str, default: float = 0.0) -> Column:
        """A `MentorCandidate` field for every mentor (None becomes `default`), computed once."""
        col = self._columns.get(name)
        if col is None:
            values = list(map(attrgetter(name), self.candidates))
            col = np.array(values, dtype=np.float64)  # None becomes NaN
            col[np.isnan(col)] = default
            self._columns[name] = col
        return col

    def share(self) -> Column:
        """Claims this week as a share of weekly capacity."""
        return self.column("claims_this_week") / np.maximum(self.column("capacity_per_week"), 1.0)


Factor = Callable[[Pool, ScoreWeights], Column | None]


def skill_fit(pool: Pool, w: ScoreWeights) -> Column:
    return w.skill_fit * pool.fit


def own_words(pool: Pool, w: ScoreWeights) -> Column:
    return w.own_words * pool.own_words


def helped_similar(pool: Pool, w: ScoreWeights) -> Column:
    return w.helped_similar * pool.helped


def not_my_area(pool: Pool, w: ScoreWeights) -> Column:
    return -w.skill_fit * (1.0 - w.not_my_area_keep) * pool.lost


def in_hours(pool: Pool, w: ScoreWeights) -> Column:
    return w.in_hours * pool.column("in_hours")


def load(pool: Pool, w: ScoreWeights) -> Column:
    return -w.load * np.minimum(pool.share(), 1.0)


def open_threads(pool: Pool, w: ScoreWeights) -> Column:
    return -w.open_thread * np.minimum(pool.column("open_sessions"), w.max_open_threads)


def over_capacity(pool: Pool, w: ScoreWeights) -> Column:
    return np.where(pool.share() >= 1.0, -w.over_capacity, 0.0)


def rating(pool: Pool, w: ScoreWeights) -> Column:
    avg = np.clip(pool.column("average_rating", default=3.0), 1.0, 5.0)
    return w.rating * (avg - 3.0) / 2.0


def _perspective(pool: Pool, name: str) -> Column | None:
    asker = pool.asker
    if asker is None:
        return None
    values = [perspective_factors(c.ref, c.stage, asker).get(name) for c in pool.candidates]
    if not values or values[0] is None:
        return None  # the factor does not apply to this asker
    return np.asarray(values, dtype=np.float64)


def stage(pool: Pool, w: ScoreWeights) -> Column | None:
    """Only when the asker asked for a career stage (`bot.matching.perspectives`)."""
    return _perspective(pool, "stage")


def variety(pool: Pool, w: ScoreWeights) -> Column | None:
    """Only for an asker with many recent sessions (`bot.matching.perspectives`)."""
    return _perspective(pool, "variety")


# The factors of the score, in the order `/mentor why` lists them. A factor returning None
# does not apply to this question and is left out.
FACTORS: list[tuple[str, Factor]] = [
    ("skill_fit", skill_fit),
    ("own_words", own_words),
    ("helped_similar", helped_similar),
    ("not_my_area", not_my_area),
    ("in_hours", in_hours),
    ("load", load),
    ("open_threads", open_threads),
    ("over_capacity", over_capacity),
    ("rating", rating),
    ("stage", stage),
    ("variety", variety),
]

_DEFAULT = ScoreWeights()
_NO_RELATED: Mapping[str, Set[str]] = {}
_NOTHING: Mapping[UserRef, float] = {}


def _tiebreak(seed: str, ref: UserRef) -> int:
    return zlib.crc32(f"{seed}|{ref.platform}:{ref.id}".encode())


def _weighted(topics: Sequence[str] | Mapping[str, float]) -> dict[str, float]:
    if isinstance(topics, Mapping):
        return {t: float(v) for t, v in topics.items() if v > 0}
    return dict.fromkeys(topics, 1.0)


def rank_mentors(
    topics: Sequence[str] | Mapping[str, float],
    candidates: Sequence[MentorCandidate],
    *,
    limit: int = 3,
    related: Mapping[str, Set[str]] | None = None,
    weights: ScoreWeights | None = None,
    seed: str | int = "",
    own_words: Mapping[UserRef, float] | None = None,
    helped: Mapping[UserRef, float] | None = None,
    asker: AskerView | None = None,
) -> list[RankedMentor]:
    """The `limit` best mentors for a question, best first (see the module docstring).

    `topics` are the question's topics (each weighing 1) or a topic → weight (0-1) mapping;
    `related` maps a skill to its related skills (``taxonomy.related``); `own_words` and `helped`
    give mentors' 0-1 matches of their own words and of similar past help; `seed` (e.g. the
    question) varies the order among mentors whose score and load are exactly equal; `asker`
    adds the ``stage`` and ``variety`` factors that apply to them.
    """
    wanted = _weighted(topics)
    words = own_words or _NOTHING
    past = helped or _NOTHING
    if limit <= 0 or not (wanted or words or past):
        return []
    w = weights or _DEFAULT
    rel = related if related is not None else _NO_RELATED
    # skill -> (topic, weight) it fits fully / partly; one dict lookup per mentor skill
    exact = wanted
    partial: dict[str, list[tuple[str, float]]] = {}
    for t, weight in wanted.items():
        for r in rel.get(t, ()):
            partial.setdefault(r, []).append((t, weight * w.related_fit))
    relevant = exact.keys() | partial.keys()
    total = max(sum(wanted.values()), 1.0)
    extra = words.keys() | past.keys()
    kept: list[MentorCandidate] = []
    fits: list[float] = []
    lost: list[float] = []
    for c in candidates:
        if relevant.isdisjoint(c.skills):
            if extra and c.ref in extra:
                kept.append(c)
                fits.append(0.0)
                lost.append(0.0)
            continue
        got: dict[str, float] = {}
        for s in c.skills:
            full = exact.get(s)
            if full is not None:
                got[s] = full
        for s in c.skills:
            for t, part in partial.get(s, ()):
                if part > got.get(t, 0.0):
                    got[t] = part
        kept.append(c)
        whole = fit = sum(got.values())
        if len(got) > 1:  # the strongest topic fully, each further one `more_fit` of its weight
            top = max(got.values())
            fit = top + w.more_fit * (whole - top)
        fits.append(fit / total)
        if c.not_my_area and whole:  # the part of the fit on those topics
            lost.append(fit * sum(v for t, v in got.items() if t in c.not_my_area) / whole / total)
        else:
            lost.append(0.0)
    if not kept:
        return []
    pool = Pool(
        kept,
        fit=np.asarray(fits, dtype=np.float64),
        lost=np.asarray(lost, dtype=np.float64),
        own_words=_lookup(kept, words),
        helped=_lookup(kept, past),
        asker=asker,
    )
    columns = [(name, col) for name, factor in FACTORS if (col := factor(pool, w)) is not None]
    score = np.round(np.sum([col for _, col in columns], axis=0), 6)
    order = _best(pool, score, limit, str(seed))
    return [_ranked(pool, i, columns, score, wanted, rel) for i in order]


def _lookup(kept: Sequence[MentorCandidate], values: Mapping[UserRef, float]) -> Column:
    if not values:
        return np.zeros(len(kept), dtype=np.float64)
    return np.fromiter((values.get(c.ref, 0.0) for c in kept), dtype=np.float64, count=len(kept))


def _best(pool: Pool, score: Column, limit: int, seed: str) -> list[int]:
    """Indexes of the `limit` best mentors: score, then lower load share, fewer open sessions,
    then the seeded hash (computed only for the few mentors that can still make the cut)."""
    share = pool.share()
    open_ = pool.column("open_sessions")
    order = np.lexsort((np.arange(len(score)), open_, share, -score))
    if not seed:
        return [int(i) for i in order[:limit]]
    cut = order[min(limit, len(order)) - 1]
    tied = (score == score[cut]) & (share == share[cut]) & (open_ == open_[cut])
    chosen = {int(i) for i in order[:limit]} | {int(i) for i in np.flatnonzero(tied)}
    refs = pool.candidates

    def key(i: int) -> tuple[float, float, float, int, int]:
        return (-score[i], share[i], open_[i], _tiebreak(seed, refs[i].ref), i)

    return sorted(chosen, key=key)[:limit]


def _ranked(
    pool: Pool,
    i: int,
    columns: list[tuple[str, Column]],
    score: Column,
    wanted: Mapping[str, float],
    rel: Mapping[str, Set[str]],
) -> RankedMentor:
    c = pool.candidates[i]
    skills = set(c.skills)
    factors: dict[str, Any] = {name: round(float(col[i]), 2) + 0.0 for name, col in columns}
    matched = tuple(t for t in wanted if t in skills)
    partly = tuple(t for t in wanted if t not in skills and skills & rel.get(t, set()))
    return RankedMentor(c.ref, round(float(score[i]), 2), matched, factors, partly)
