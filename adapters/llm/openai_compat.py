"""A minimal client for an OpenAI-compatible chat completions endpoint (``MICROMENTOR_LLM_URL``).

``POST {url}/chat/completions`` with ``{"model", "messages", "temperature": 0}``; the API key,
when set, goes in an ``Authorization: Bearer`` header and is never logged.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import aiohttp

__all__ = ["LlmError", "LlmSettings", "complete"]


class LlmError(Exception):
    """The endpoint failed, timed out or answered something unreadable."""


DEFAULT_MODEL = "gpt-4o-mini"


@dataclass(frozen=True, slots=True)
class LlmSettings:
    url: str
    model: str = DEFAULT_MODEL
    api_key: str = field(default="", repr=False)

    @classmethod
    def from_env(cls) -> LlmSettings | None:
        """From ``MICROMENTOR_LLM_URL`` / ``_API_KEY`` / ``_MODEL``; None when no URL is set."""
        url = os.environ.get("MICROMENTOR_LLM_URL", "").strip()
        if not url:
            return None
        model = os.environ.get("MICROMENTOR_LLM_MODEL", "").strip() or DEFAULT_MODEL
        return cls(url=url, model=model, api_key=os.environ.get("MICROMENTOR_LLM_API_KEY", ""))


# The shared signature takes a total time limit per call.
async def complete(
    settings: LlmSettings,
    messages: list[dict[str, str]],
    *,
    timeout: float,  # noqa: ASYNC109
) -> str:
    """The model's answer to `messages`; raises `LlmError` on any failure."""
    headers = {"Content-Type": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    body = {"model": settings.model, "messages": messages, "temperature": 0}
    url = settings.url.rstrip("/") + "/chat/completions"
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(url, json=body, headers=headers) as response,
        ):
            if response.status != 200:
                raise LlmError(f"the model endpoint answered HTTP {response.status}")
            data = await response.json(content_type=None)
        content = data["choices"][0]["message"]["content"]
    except LlmError:
        raise
    except (TimeoutError, aiohttp.ClientError, ValueError, KeyError, IndexError, TypeError) as e:
        raise LlmError(f"the model endpoint failed: {type(e).__name__}") from None
    if not isinstance(content, str):
        raise LlmError("the model endpoint answered without text")
    return content
