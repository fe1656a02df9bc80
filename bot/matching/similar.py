"""Similar resolved questions (knowledge reuse): an inverted index on topics, rapidfuzz on candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

__all__ = ["SimilarIndex", "SimilarQuestion"]


@dataclass(frozen=True, slots=True)
class SimilarQuestion:
    question_id: int
    score: float


class SimilarIndex:
    """In-memory index of resolved questions, filled at start-up and kept current."""

    def __init__(self) -> None:
        self._texts: dict[int, str] = {}
        self._topics: dict[str, set[int]] = {}

    def __len__(self) -> int:
        return len(self._texts)

    def add(self, question_id: int, text: str, topics: Sequence[str]) -> None:
        self._texts[question_id] = text.lower()
        for t in topics:
            self._topics.setdefault(t, set()).add(question_id)

    def search(
        self, text: str, topics: Sequence[str], *, limit: int = 3, min_score: float = 50.0
    ) -> list[SimilarQuestion]:
        candidates: set[int] = set()
        for t in topics:
            candidates |= self._topics.get(t, set())
        query = text.lower()
        scored = [
            SimilarQuestion(qid, fuzz.token_set_ratio(query, self._texts[qid])) for qid in candidates
        ]
        scored = [s for s in scored if s.score >= min_score]
        scored.sort(key=lambda s: (-s.score, -s.question_id))
        return scored[:limit]
