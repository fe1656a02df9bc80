"""A `bot.matching.TopicClassifier` that asks the model (opt-in), falling back to offline.

Only the question's text is sent, with the list of the taxonomy's skill names as the choices;
never who asked, where, or anything else. The answer must be a JSON list of at most three skill
names; it is found wherever it is in the reply (inside ```json fences, after a reasoning model's
``<think>`` block, amid prose, or as ``{"topics": [...]}``), and only names the taxonomy knows
(compared ignoring case and spacing) are kept, each once, at most three. So whatever the question
says to the model, what comes back is a few of our own skill names, never the model's text. On a
timeout, an error, or an unreadable answer the offline reading is used, and the failure is logged
without the question.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from adapters.llm.openai_compat import LlmSettings, complete
from bot.matching import OfflineClassifier, Taxonomy, TopicGuess

__all__ = ["MODEL_WEIGHT", "ModelClassifier"]

log = logging.getLogger(__name__)

MAX_PICKS = 3
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
        known = list(dict.fromkeys(p for p in picks if p in self.taxonomy))[:MAX_PICKS]
        return [TopicGuess(p, MODEL_WEIGHT, "model") for p in known] + offline


_READ_CHARS = 4000  # an answer of three names is short: no more than this is searched
_TRIES = 50  # nor more brackets than this tried (a hostile answer may be all brackets)
_THINKING = re.compile(r"<think>.*?(?:</think>|$)", re.DOTALL | re.IGNORECASE)


def _names(data: Any) -> list[str] | None:
    """The skill names in a decoded answer: a list of strings or ``{"topics": [...]}``."""
    if isinstance(data, dict):
        data = data.get("topics")
    if not isinstance(data, list):
        return None
    return [" ".join(x.split()).lower() for x in data if isinstance(x, str)]


def _parse(answer: str) -> list[str]:
    """The first JSON list of names (or object with ``topics``) in the answer."""
    answer = _THINKING.sub("", answer)[:_READ_CHARS]
    decoder = json.JSONDecoder()
    for n, found in enumerate(re.finditer(r"[\[{]", answer)):
        if n == _TRIES:
            break
        try:
            data, _ = decoder.raw_decode(answer, found.start())
        except (ValueError, RecursionError):  # not JSON there, or nested past all reason
            continue
        names = _names(data)
        if names is not None:
            return names
    raise ValueError("no JSON list in the answer")
