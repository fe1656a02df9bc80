"""The topic classifier port and its offline default (the taxonomy's words plus situations).

A `TopicClassifier` reads a question's text and returns topic guesses; `OfflineClassifier` needs
nothing outside this package. An adapter may offer a model behind the same port (see
``adapters/llm/topics.py``); it must fall back to the offline reading on any failure.
"""

from __future__ import annotations

from typing import Protocol

from bot.matching.situations import SituationBook, TopicGuess, default_situations
from bot.matching.taxonomy import Taxonomy
from bot.matching.topics import find_topics

__all__ = ["TENTATIVE", "OfflineClassifier", "TopicClassifier"]

# The weight of a topic named only loosely ("renewal", "retries" with nothing to support them):
# under `bot.matching.understanding.SURE`, so such a question asks its asker to pick.
TENTATIVE = 0.6


class TopicClassifier(Protocol):
    """Reads a question and guesses its topics (canonical skills of the taxonomy)."""

    async def classify(self, text: str) -> list[TopicGuess]: ...


class OfflineClassifier:
    """Named topics (weight 1), loosely named ones (`TENTATIVE`: a guess for the asker to
    confirm, see `bot.matching.topics`) and the situations the question describes (their
    weights)."""

    def __init__(
        self,
        taxonomy: Taxonomy,
        *,
        situations: SituationBook | None = None,
        threshold: float = 85.0,
    ) -> None:
        self.taxonomy = taxonomy
        self.situations = situations or default_situations()
        self.threshold = threshold

    def guesses(self, text: str) -> list[TopicGuess]:
        matches = find_topics(text, self.taxonomy, threshold=self.threshold)
        named = list(dict.fromkeys(m.skill for m in matches if m.sure))
        loose = [s for s in dict.fromkeys(m.skill for m in matches if not m.sure) if s not in named]
        found = [TopicGuess(t, 1.0, "named") for t in named]
        found += [TopicGuess(t, TENTATIVE, "tentative") for t in loose]
        return found + [g for g in self.situations.guess(text) if g.skill in self.taxonomy]

    async def classify(self, text: str) -> list[TopicGuess]:
        return self.guesses(text)
