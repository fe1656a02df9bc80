"""Suggesters of next steps behind the `bot.ports.Suggester` port: the offline one (related
skills from the taxonomy, curated resources from ``bot/matching/resources.toml`` and ``[resources]``
in bot.toml), an optional one over any OpenAI-compatible chat endpoint (the composition root
passes in the adapter's `complete`), and `suggest_next_steps`, which gives the language model
``[followup] llm_timeout_seconds`` and falls back to the offline one on any failure."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import tomllib
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cache
from importlib import resources as package_files
from itertools import zip_longest
from typing import Any

from bot.config import Config
from bot.learning.model import NextSteps, Resource, SuggestionRequest
from bot.matching import Taxonomy
from bot.messagebus import Services
from bot.ports import Suggester

__all__ = [
    "Complete",
    "LlmSuggester",
    "OfflineSuggester",
    "curated_resources",
    "suggest_next_steps",
]

log = logging.getLogger(__name__)

Complete = Callable[[list[dict[str, str]]], Awaitable[str]]
"""Chat messages (``role``, ``content``) in, the model's reply text out."""

MAX_TOPICS = 3
MAX_RESOURCES = 3


def configured_suggester(services: Services) -> Suggester | None:
    """The language-model suggester the composition root wired in, if any."""
    return services.suggester


@cache
def _shipped() -> dict[str, tuple[Resource, ...]]:
    raw = package_files.files("bot.matching").joinpath("resources.toml").read_text("utf-8")
    return {
        skill: tuple(Resource(str(r["title"]), str(r.get("url", ""))) for r in entries)
        for skill, entries in tomllib.loads(raw).items()
    }


def _same(r: Resource) -> str:
    """What makes two resources one: the link without scheme, ``www.``, fragment and trailing
    slash (an admin's "Pandas docs" and the shipped "pandas user guide" may be one page), or
    for a practice idea its words."""
    if r.url:
        url = re.sub(r"^https?://(www\.)?", "", r.url.strip().lower()).split("#", 1)[0]
        return "url:" + url.rstrip("/")
    return "idea:" + " ".join(r.title.lower().split())


def _distinct(resources: Sequence[Resource]) -> tuple[Resource, ...]:
    """Each resource once (the first of those that are the same), in order."""
    seen: set[str] = set()
    out: list[Resource] = []
    for r in resources:
        if _same(r) not in seen:
            seen.add(_same(r))
            out.append(r)
    return tuple(out)


def curated_resources(config: Config, taxonomy: Taxonomy) -> dict[str, tuple[Resource, ...]]:
    """Per skill: the admin's resources (``[resources]``, keys mapped onto the taxonomy) first,
    then the shipped ones."""
    merged = dict(_shipped())
    for key, entries in config.resources.items():
        skill = taxonomy.canonical(key) or key.strip().lower()
        own = tuple(Resource(r.title, r.url) for r in entries)
        merged[skill] = _distinct(own + merged.get(skill, ()))
    return merged


class OfflineSuggester:
    """Related skills to explore next (the ones most of the question's topics point to), and
    resources for the question's topics (for the likeliest related skill only when they have
    none)."""

    shares_text = False

    def __init__(self, taxonomy: Taxonomy, resources: Mapping[str, Sequence[Resource]]) -> None:
        self._taxonomy = taxonomy
        self._resources = resources

    async def suggest(self, request: SuggestionRequest) -> NextSteps:
        own = set(request.topics)
        related: Counter[str] = Counter()
        for topic in request.topics:
            related.update(r for r in self._taxonomy.related_to(topic) if r not in own)
        explore = sorted(related, key=lambda s: (-related[s], s not in self._resources, s))
        # The question's own topics' resources, in turns (each topic's first, then each one's
        # second, …): a related skill's practice idea reads as advice on the question asked,
        # so one is offered only when the topics themselves have none.
        own_lists = [_distinct(self._resources.get(t, ())) for t in request.topics]
        picked = [r for turn in zip_longest(*own_lists) for r in turn if r is not None]
        if not picked:
            for skill in explore:
                if found := _distinct(self._resources.get(skill, ())):
                    picked = list(found[:2])
                    break
        return NextSteps(
            topics=tuple(explore[:MAX_TOPICS]),
            resources=_distinct(picked)[:MAX_RESOURCES],
            source="offline",
        )


_SYSTEM = (
    "You help after a short workplace mentoring session. Suggest what the person who asked "
    "could explore or practise next. Reply with JSON only, no prose: "
    '{"topics": ["2 or 3 short related topics to explore next"], '
    '"resources": [{"title": "a well-known, stable resource or a concrete practice idea", '
    '"url": "https://... or an empty string for a practice idea"}]} '
    "with at most 3 resources. Never invent URLs you are not sure of; use an empty url then."
)


def prompt_for(request: SuggestionRequest) -> list[dict[str, str]]:
    """The chat messages for one session: the question, its topics and (only if both people
    agreed) the mentor's short summary. Nothing else about the session is ever sent."""
    parts = [f"Question: {request.question}"]
    parts.append(f"Topics: {', '.join(request.topics) if request.topics else '(none recognised)'}")
    if request.summary:
        parts.append(f"Mentor's short summary of the answer: {request.summary}")
    return [
        {"role": "system", "content": _SYSTEM},
        {"role": "user", "content": "\n".join(parts)},
    ]


def _clip(value: Any, limit: int) -> str:
    return " ".join(str(value).split())[:limit] if isinstance(value, str) else ""


def parse_reply(reply: str) -> NextSteps:
    """The model's JSON → next steps; ValueError when there is nothing usable in it."""
    data = _first_object(reply)
    topics = [t for t in (_clip(v, 60) for v in data.get("topics") or []) if t]
    resources: list[Resource] = []
    for item in data.get("resources") or []:
        if not isinstance(item, dict):
            continue
        title = _clip(item.get("title"), 150)
        url = _clip(item.get("url"), 300)
        if title:
            resources.append(Resource(title, url if url.startswith("https://") else ""))
    if not topics and not resources:
        raise ValueError("the reply suggests nothing")
    topics = [t for i, t in enumerate(topics) if t.lower() not in {u.lower() for u in topics[:i]}]
    return NextSteps(tuple(topics[:MAX_TOPICS]), _distinct(resources)[:MAX_RESOURCES], source="llm")


def _first_object(reply: str) -> dict[str, Any]:
    """The first JSON object in `reply` that has what was asked for (models wrap it in prose or
    a code fence, and may add more braces after it)."""
    decoder = json.JSONDecoder()
    start = reply.find("{")
    while start != -1:
        try:
            data, _ = decoder.raw_decode(reply, start)
        except ValueError:
            data = None
        if isinstance(data, dict) and ("topics" in data or "resources" in data):
            return data
        start = reply.find("{", start + 1)
    raise ValueError("no JSON object with topics or resources in the reply")


class LlmSuggester:
    """Asks a language model through `complete` (an OpenAI-compatible chat endpoint)."""

    shares_text = True

    def __init__(self, complete: Complete) -> None:
        self._complete = complete

    async def suggest(self, request: SuggestionRequest) -> NextSteps:
        return parse_reply(await self._complete(prompt_for(request)))


async def suggest_next_steps(
    request: SuggestionRequest, *, services: Services, config: Config
) -> NextSteps:
    """The language model's suggestions within ``[followup] llm_timeout_seconds``, else (or
    without one) the offline suggester's."""
    offline = OfflineSuggester(services.taxonomy, curated_resources(config, services.taxonomy))
    model = configured_suggester(services)
    if model is not None:
        try:
            async with asyncio.timeout(config.followup.llm_timeout_seconds):
                return await model.suggest(request)
        except Exception as e:  # any failure at all: the offline suggester answers
            # The type only: messages of HTTP errors may echo the endpoint or the request.
            log.warning(
                "the LLM suggester failed (%s); offline next steps instead", type(e).__name__
            )
    return await offline.suggest(request)
