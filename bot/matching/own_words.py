"""Mentors' own words: their "I can help with…" text, indexed with BM25 for one workspace.

A question's match with a mentor's words is a share (0-1): the BM25 score as a share of what a
text holding every question word that any mentor used would score (``best``), damped when few
of the question's words are known to any mentor at all (a question of twenty words that meets
one word of someone's text is a weaker match than a question of three that meets it).
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.matching._text import content_terms
from bot.matching.bm25 import Bm25Index
from bot.refs import UserRef

__all__ = ["MentorWords"]

# Below this share a match is noise (one common word in a long text).
_MIN_SHARE = 0.15


class MentorWords:
    """The own words of a workspace's mentors."""

    def __init__(self, texts: Iterable[tuple[UserRef, str]] = ()) -> None:
        self._index: Bm25Index[UserRef] = Bm25Index()
        for ref, text in texts:
            self.add(ref, text)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, ref: UserRef, text: str) -> None:
        self._index.add(ref, text)

    def match(self, question: str) -> dict[UserRef, float]:
        """Mentors whose own words meet `question`, each with a 0-1 share."""
        if not len(self._index):
            return {}
        terms = content_terms(question)
        known = [t for t in terms if t in self._index.terms]
        if not known:
            return {}
        best = sum(self._index.idf(t) for t in known)
        coverage = (len(known) / len(terms)) ** 0.5
        out: dict[UserRef, float] = {}
        for ref, score in self._index.scores(known).items():
            share = min(score / best, 1.0) * coverage
            if share >= _MIN_SHARE:
                out[ref] = round(share, 4)
        return out
