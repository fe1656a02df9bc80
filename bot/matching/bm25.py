"""Okapi BM25 over short texts (mentors' own words, resolved questions), keyed by anything hashable.

Texts are reduced to the stemmed content words of `bot.matching._text.content_terms`, so
"negotiating an offer" meets "offer negotiation". Scores use the usual parameters (k1 = 1.2,
b = 0.75) and the non-negative IDF ``log(1 + (N - df + 0.5) / (df + 0.5))``. Adding and removing
a text is O(its words); a search walks only the posting lists of the query's words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from typing import Generic, TypeVar

from bot.matching._text import content_terms

__all__ = ["Bm25Index"]

K = TypeVar("K", bound=Hashable)

_K1 = 1.2
_B = 0.75


class Bm25Index(Generic[K]):
    """Texts under keys; `scores` ranks them against a query."""

    def __init__(self) -> None:
        self._docs: dict[K, Counter[str]] = {}
        self._lengths: dict[K, int] = {}
        self._postings: dict[str, dict[K, int]] = {}
        self._total_length = 0

    def __len__(self) -> int:
        return len(self._docs)

    def __contains__(self, key: object) -> bool:
        return key in self._docs

    def add(self, key: K, text: str) -> None:
        """Store (or replace) the text under `key`; an empty text is not stored."""
        self.remove(key)
        terms = Counter(_terms(text))
        if not terms:
            return
        self._docs[key] = terms
        length = sum(terms.values())
        self._lengths[key] = length
        self._total_length += length
        for term, count in terms.items():
            self._postings.setdefault(term, {})[key] = count

    def remove(self, key: K) -> bool:
        terms = self._docs.pop(key, None)
        if terms is None:
            return False
        self._total_length -= self._lengths.pop(key)
        for term in terms:
            posting = self._postings[term]
            del posting[key]
            if not posting:
                del self._postings[term]
        return True

    @property
    def terms(self) -> Mapping[str, object]:
        """Every indexed word (for membership tests)."""
        return self._postings

    def idf(self, term: str) -> float:
        df = len(self._postings.get(term, ()))
        n = len(self._docs)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def scores(self, query: str | Iterable[str]) -> dict[K, float]:
        """Every stored text sharing a word with `query` (text, or stemmed terms), with its score."""
        terms = _terms(query) if isinstance(query, str) else list(dict.fromkeys(query))
        if not self._docs or not terms:
            return {}
        avg = self._total_length / len(self._docs)
        out: dict[K, float] = {}
        for term in terms:
            posting = self._postings.get(term)
            if not posting:
                continue
            idf = self.idf(term)
            for key, tf in posting.items():
                norm = _K1 * (1.0 - _B + _B * self._lengths[key] / avg)
                out[key] = out.get(key, 0.0) + idf * tf * (_K1 + 1.0) / (tf + norm)
        return out

    def smooth_idf(self, term: str) -> float:
        """``ln((N + 1) / (df + 1)) + 1``: never near zero, so a word every text shares still
        counts (used for likeness, where BM25's IDF would erase a workspace's common theme)."""
        df = len(self._postings.get(term, ()))
        return math.log((len(self._docs) + 1) / (df + 1)) + 1.0

    def coverage(self, query: str | Iterable[str]) -> dict[K, float]:
        """Per stored text sharing a word with `query`: the share (0-1) of the query's words,
        weighted by `smooth_idf`, that the text holds."""
        terms = _terms(query) if isinstance(query, str) else list(dict.fromkeys(query))
        weights = {t: self.smooth_idf(t) for t in terms}
        total = sum(weights.values())
        out: dict[K, float] = {}
        for term, weight in weights.items():
            for key in self._postings.get(term, ()):
                out[key] = out.get(key, 0.0) + weight
        return {k: v / total for k, v in out.items()} if total else {}

    def best_possible(self, query: str | Iterable[str]) -> float:
        """The score a text holding each query word once, of average length, would get: a scale
        for turning raw scores into shares (0 when no query word is known)."""
        terms = _terms(query) if isinstance(query, str) else list(dict.fromkeys(query))
        return sum(self.idf(t) for t in terms if t in self._postings)


def _terms(text: str) -> list[str]:
    return content_terms(text)
