"""A `bot.matching.TopicClassifier` that asks the model (opt-in), falling back to offline.

Only the question's text is sent, with the list of the taxonomy's skill names as the choices;
never who asked, where, or anything else. The answer must be a JSON list of at most three skill
names; names the taxonomy doesn't know are dropped. On a timeout, an error, or an unreadable
answer the offline reading is used, and the failure is logged without the question.
"""

from __future__ import annotations

import json
import logging

from adapters.llm.openai_compat import LlmSettings, complete
from bot.matching import OfflineClassifier, Taxonomy, TopicGuess

__all__ = ["MODEL_WEIGHT", "ModelClassifier"]

log = logging.getLogger(__name__)

MODEL_WEIGHT = 0.85  # a model's pick is "sure" (see bot/matching/understanding.py)

_SYSTEM = (
    "You route workplace mentoring questions to topics. Answer with a JSON list of at most "
    "three topics, copied exactly from this list, most fitting first; [] when none fits.\n"
    "Topics: {topics}"
)


class ModelClassifier:
    """The model's picks (weight `MODEL_WEIGHT`) beside the offline reading."""

    def __init__(
        self,
        settings: LlmSettings,
        taxonomy: Taxonomy,
        *,
        timeout: float,
        threshold: float = 85.0,
    ) -> None:
        self.settings = settings
        self.taxonomy = taxonomy
        self.timeout = timeout
        self.offline = OfflineClassifier(taxonomy, threshold=threshold)

    async def classify(self, text: str) -> list[TopicGuess]:
        offline = self.offline.guesses(text)
        messages = [
            {"role": "system", "content": _SYSTEM.format(topics=", ".join(self.taxonomy.skills()))},
            {"role": "user", "content": text},
        ]
        try:
            answer = await complete(self.settings, messages, timeout=self.timeout)
            picks = _parse(answer)
        except Exception as e:  # any failure: the offline reading stands
            log.warning("topic model unavailable, reading offline: %s", type(e).__name__)
            return offline
        known = [p for p in picks if p in self.taxonomy][:3]
        return [TopicGuess(p, MODEL_WEIGHT, "model") for p in known] + offline


def _parse(answer: str) -> list[str]:
    start, end = answer.find("["), answer.rfind("]")
    if start < 0 or end < start:
        raise ValueError("no JSON list in the answer")
    data = json.loads(answer[start : end + 1])
    if not isinstance(data, list):
        raise ValueError("not a list")
    return [str(x).strip().lower() for x in data if isinstance(x, str)]
