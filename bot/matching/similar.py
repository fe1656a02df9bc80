"""Similar resolved questions (knowledge reuse): an inverted index prefilter, rapidfuzz on the rest.

Each stored question is reduced to *terms*: its topics (``t:python``) and its stemmed content
words. A search scores every stored question that shares a term with the new one by the summed
IDF weight of the shared terms (topics count double), using numpy over the posting lists; the
best `candidates` of those are then compared with rapidfuzz ``token_set_ratio`` on their content
words. The reported score (0-100) is ``0.6 × text similarity + 0.4 × share of the new
question's term weight that the stored one covers``. Terms found in more than a third of all
questions are skipped in the prefilter (they say little and cost most).
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from bot.matching._text import content_terms

__all__ = ["SimilarIndex", "SimilarIndexes", "SimilarQuestion"]

K = TypeVar("K")

_TOPIC_BOOST = 2.0
_MAX_DF_SHARE = 0.33
_TEXT_WEIGHT = 0.6


@dataclass(frozen=True, slots=True)
class SimilarQuestion:
    """A stored question like the new one, with a similarity score from 0 to 100."""

    question_id: int
    score: float


class SimilarIndex:
    """In-memory index of resolved questions, filled at start-up and kept current.

    Not thread-safe (a search reuses one score buffer); the bot calls it from one event loop.
    """

    def __init__(self) -> None:
        self._ids: list[int] = []  # slot -> question id (-1 once removed)
        self._texts: list[str | None] = []  # slot -> content words for rapidfuzz
        self._slot: dict[int, int] = {}  # question id -> slot
        self._postings: dict[str, array[int]] = {}
        self._scores: npt.NDArray[np.float32] = np.zeros(0, dtype=np.float32)
        self._dead = 0
        self.last_candidates = 0  # how many stored questions the last search compared

    def __len__(self) -> int:
        return len(self._slot)

    def __contains__(self, question_id: object) -> bool:
        return question_id in self._slot

    def add(self, question_id: int, text: str, topics: Sequence[str]) -> None:
        """Store (or replace) a question under its id."""
        if question_id in self._slot:
            self.remove(question_id)
        words = content_terms(text)
        slot = len(self._ids)
        self._ids.append(question_id)
        self._texts.append(" ".join(words))
        self._slot[question_id] = slot
        for term in dict.fromkeys([*(f"t:{t}" for t in topics), *words]):
            posting = self._postings.get(term)
            if posting is None:
                posting = self._postings[term] = array("i")
            posting.append(slot)

    def add_many(self, items: Iterable[tuple[int, str, Sequence[str]]]) -> None:
        """Store many questions, e.g. all resolved ones at start-up."""
        for question_id, text, topics in items:
            self.add(question_id, text, topics)

    def remove(self, question_id: int) -> bool:
        """Forget a question (e.g. reopened or deleted); False if it was not stored."""
        slot = self._slot.pop(question_id, None)
        if slot is None:
            return False
        self._ids[slot] = -1
        self._texts[slot] = None
        self._dead += 1
        if self._dead > 1000 and self._dead * 4 > len(self._ids):
            self._compact()
        return True

    def _compact(self) -> None:
        live = [s for s, qid in enumerate(self._ids) if qid >= 0]
        remap = np.full(len(self._ids), -1, dtype=np.int64)
        remap[live] = np.arange(len(live))
        for term, posting in list(self._postings.items()):
            slots = remap[np.frombuffer(posting, dtype=np.int32)]
            kept = slots[slots >= 0]
            if kept.size:
                self._postings[term] = array("i", kept.astype(np.int32).tobytes())
            else:
                del self._postings[term]
        self._ids = [self._ids[s] for s in live]
        self._texts = [self._texts[s] for s in live]
        self._slot = {qid: i for i, qid in enumerate(self._ids)}
        self._dead = 0

    def search(
        self,
        text: str,
        topics: Sequence[str],
        *,
        limit: int = 3,
        min_score: float = 50.0,
        candidates: int = 200,
        exclude: int | None = None,
    ) -> list[SimilarQuestion]:
        """The stored questions most like `text`, best first, scoring at least `min_score`."""
        words = content_terms(text)
        total = len(self._ids)
        self.last_candidates = 0
        if total == 0 or limit <= 0:
            return []
        terms = dict.fromkeys([*(f"t:{t}" for t in topics), *words])
        weighted: list[tuple[array[int], float]] = []
        # The whole question weighs in, its words no stored question has too (at their rarest):
        # one shared common word ("tried") must not count as covering the question.
        query_weight = 0.0
        for term in terms:
            posting = self._postings.get(term)
            weight = math.log((total + 1) / ((len(posting) if posting else 0) + 0.5))
            if term.startswith("t:"):
                weight *= _TOPIC_BOOST
            query_weight += weight
            if posting is not None:
                weighted.append((posting, weight))
        query_weight = query_weight or 1.0
        usable = [(p, w) for p, w in weighted if len(p) <= _MAX_DF_SHARE * total] or weighted
        if not usable:
            return []
        if self._scores.shape[0] < total:
            self._scores = np.zeros(max(total, 2 * self._scores.shape[0]), dtype=np.float32)
        scores = self._scores
        hits = 0
        for posting, weight in usable:
            scores[np.frombuffer(posting, dtype=np.int32)] += weight
            hits += len(posting)
        touched: npt.NDArray[np.int64]
        if hits > total // 16:
            touched = np.flatnonzero(scores[:total])
        else:
            touched = np.unique(
                np.concatenate([np.frombuffer(p, dtype=np.int32) for p, _ in usable])
            ).astype(np.int64)
        values = scores[touched]
        scores[touched] = 0.0
        if touched.shape[0] > candidates:
            top = np.argpartition(-values, candidates)[:candidates]
            touched, values = touched[top], values[top]
        return self._rerank(words, touched, values, query_weight, limit, min_score, exclude)

    def _rerank(
        self,
        words: list[str],
        slots: npt.NDArray[np.int64],
        overlap: npt.NDArray[np.float32],
        query_weight: float,
        limit: int,
        min_score: float,
        exclude: int | None,
    ) -> list[SimilarQuestion]:
        query = " ".join(words)
        self.last_candidates = int(slots.shape[0])
        found: list[SimilarQuestion] = []
        for slot, weight in zip(slots.tolist(), overlap.tolist(), strict=True):
            stored = self._texts[slot]
            qid = self._ids[slot]
            if stored is None or qid == exclude:
                continue
            text_sim = fuzz.token_set_ratio(query, stored) if query else 0.0
            cover = 100.0 * min(weight / query_weight, 1.0)
            score = _TEXT_WEIGHT * text_sim + (1.0 - _TEXT_WEIGHT) * cover
            if score >= min_score:
                found.append(SimilarQuestion(qid, round(score, 1)))
        found.sort(key=lambda s: (-s.score, -s.question_id))
        return found[:limit]


class SimilarIndexes(Generic[K]):
    """One :class:`SimilarIndex` per workspace: a question is only ever compared with questions
    of its own workspace, and term weights are that workspace's."""

    def __init__(self) -> None:
        self._by: dict[K, SimilarIndex] = {}

    def of(self, key: K) -> SimilarIndex:
        """The index of one workspace (empty until something is added)."""
        index = self._by.get(key)
        if index is None:
            index = self._by[key] = SimilarIndex()
        return index

    def remove(self, key: K, question_id: int) -> bool:
        """Forget a question of one workspace (erased, reopened); False if it was not stored."""
        index = self._by.get(key)
        return index is not None and index.remove(question_id)

    def __len__(self) -> int:
        return sum(len(i) for i in self._by.values())
