"""The topic classifier port and its offline default (the taxonomy's words plus situations).

A `TopicClassifier` reads a question's text and returns topic guesses; `OfflineClassifier` needs
nothing outside this package. An adapter may offer a model behind the same port (see
``adapters/llm/topics.py``); it must fall back to the offline reading on any failure.
"""

from __future__ import annotations

from typing import Protocol

from bot.matching.situations import SituationBook, TopicGuess, default_situations
from bot.matching.taxonomy import Taxonomy
from bot.matching.topics import extract_topics

__all__ = ["OfflineClassifier", "TopicClassifier"]


class TopicClassifier(Protocol):
    """Reads a question and guesses its topics (canonical skills of the taxonomy)."""

    async def classify(self, text: str) -> list[TopicGuess]: ...


class OfflineClassifier:
    """Named topics (weight 1) and the situations the question describes (their weights)."""

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
        named = extract_topics(text, self.taxonomy, threshold=self.threshold)
        found = [TopicGuess(t, 1.0, "named") for t in named]
        return found + [g for g in self.situations.guess(text) if g.skill in self.taxonomy]

    async def classify(self, text: str) -> list[TopicGuess]:
        return self.guesses(text)
