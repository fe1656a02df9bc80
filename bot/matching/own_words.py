"""Mentors' own words: their "I can help with…" text, indexed with BM25 for one workspace.

A question's match with a mentor's words is a share (0-1): the BM25 score as a share of what a
text holding every question word that any mentor used would score (``best``), damped when few
of the question's words are known to any mentor at all (a question of twenty words that meets
one word of someone's text is a weaker match than a question of three that meets it).

Words are not the only way to meet: a mentor who wrote "overload, feeling drained" and an asker
who writes "I'm swamped and exhausted" share no word but two *ideas* of
`bot.matching.situations` (overload, tired). The ideas of a question a mentor's text also holds,
each weighted by how rare it is among the mentors' texts (BM25's IDF), give a second share;
the match is the word share plus `_IDEA_SHARE` × the idea share, at most 1. The question is read
as `bot.matching.situations.plain_question` leaves it (no Slack markup, nothing it says it is not
about: "not a backend issue" meets no backend person).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from bot.matching._text import content_terms
from bot.matching.bm25 import Bm25Index
from bot.matching.situations import SituationBook, default_situations, plain_question
from bot.refs import UserRef

__all__ = ["MentorWords"]

# Below this share a match is noise (one common word in a long text).
_MIN_SHARE = 0.15
# How much an idea share counts against a word share (the same words are stronger evidence).
_IDEA_SHARE = 0.6


class MentorWords:
    """The own words of a workspace's mentors."""

    def __init__(
        self, texts: Iterable[tuple[UserRef, str]] = (), *, situations: SituationBook | None = None
    ) -> None:
        self._index: Bm25Index[UserRef] = Bm25Index()
        self._book = situations or default_situations()
        self._ideas: dict[UserRef, frozenset[str]] = {}  # mentor -> ideas of their text
        self._holders: dict[str, set[UserRef]] = {}  # idea -> mentors whose text holds it
        for ref, text in texts:
            self.add(ref, text)

    def __len__(self) -> int:
        return len(self._index)

    def add(self, ref: UserRef, text: str) -> None:
        self._index.add(ref, text)
        for idea in self._ideas.pop(ref, frozenset()):
            holders = self._holders[idea]
            holders.discard(ref)
            if not holders:
                del self._holders[idea]
        ideas = frozenset(self._book.ideas_in(text)) if ref in self._index else frozenset()
        if ideas:
            self._ideas[ref] = ideas
            for idea in ideas:
                self._holders.setdefault(idea, set()).add(ref)

    def _idea_weight(self, idea: str) -> float:
        n = len(self._ideas)
        df = len(self._holders.get(idea, ()))
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def match(self, question: str) -> dict[UserRef, float]:
        """Mentors whose own words meet `question`, each with a 0-1 share."""
        if not len(self._index):
            return {}
        question = plain_question(question)
        shares = self._idea_shares(question)
        terms = content_terms(question)
        known = [t for t in terms if t in self._index.terms]
        if known:
            best = sum(self._index.idf(t) for t in known)
            coverage = (len(known) / len(terms)) ** 0.5
            for ref, score in self._index.scores(known).items():
                share = min(score / best, 1.0) * coverage
                shares[ref] = min(share + shares.get(ref, 0.0), 1.0)
        return {ref: round(share, 4) for ref, share in shares.items() if share >= _MIN_SHARE}

    def _idea_shares(self, question: str) -> dict[UserRef, float]:
        """`_IDEA_SHARE` × the rarity-weighted share of the question's ideas each text holds."""
        if not self._ideas:
            return {}
        asked = {i: self._idea_weight(i) for i in self._book.ideas_in(question)}
        total = sum(asked.values())
        if not total:
            return {}
        out: dict[UserRef, float] = {}
        for idea, weight in asked.items():
            for ref in self._holders.get(idea, ()):
                out[ref] = out.get(ref, 0.0) + _IDEA_SHARE * weight / total
        return out
