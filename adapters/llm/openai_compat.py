"""A client for any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI behind a
compatible gateway, Ollama, vLLM, LM Studio, …), used by optional AI features: settings from
``MICROMENTOR_LLM_URL`` / ``MICROMENTOR_LLM_API_KEY`` / ``MICROMENTOR_LLM_MODEL``.

The API key is sent only in the ``Authorization`` header and never appears in a log line, an
error message or a repr; errors name the HTTP status or the kind of failure, never the URL's
query, the request or the response body."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp

__all__ = ["LlmError", "LlmSettings", "complete"]

_PATH = "/chat/completions"


class LlmError(Exception):
    """The endpoint could not give an answer (status, timeout, connection, malformed reply)."""


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """Where the endpoint is (a base URL like ``https://api.openai.com/v1``, or the full
    ``…/chat/completions`` URL), its key (may be empty for local servers) and the model."""

    url: str
    api_key: str = field(default="", repr=False)
    model: str = ""

    @property
    def endpoint(self) -> str:
        base = self.url.rstrip("/")
        return base if base.endswith(_PATH) else base + _PATH

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> LlmSettings | None:
        """The settings, or None when ``MICROMENTOR_LLM_URL`` is not set (the feature is off)."""
        url = (env.get("MICROMENTOR_LLM_URL") or "").strip()
        if not url:
            return None
        return cls(
            url=url,
            api_key=(env.get("MICROMENTOR_LLM_API_KEY") or "").strip(),
            model=(env.get("MICROMENTOR_LLM_MODEL") or "").strip(),
        )


def _content(reply: Any) -> str:
    try:
        content = reply["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise LlmError("the reply has no choices[0].message.content") from None
    if not isinstance(content, str) or not content.strip():
        raise LlmError("the reply's message is empty")
    return content


# The timeout is part of this shared signature (other AI features call it the same way); it bounds
# the whole exchange through aiohttp's ClientTimeout.
async def complete(settings: LlmSettings, messages: list[dict[str, str]], *, timeout: float) -> str:  # noqa: ASYNC109
    """Send chat `messages` (``role`` and ``content`` each) and return the reply's text, within
    `timeout` seconds in all; raises :class:`LlmError` on any failure."""
    headers = {"Content-Type": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    body: dict[str, Any] = {"messages": messages, "temperature": 0.2}
    if settings.model:
        body["model"] = settings.model
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session,
            session.post(settings.endpoint, json=body, headers=headers) as response,
        ):
            if response.status != 200:
                raise LlmError(f"HTTP {response.status}")
            reply = await response.json(content_type=None)
    except TimeoutError:
        raise LlmError(f"no answer within {timeout:g} s") from None
    except aiohttp.ClientError as e:
        raise LlmError(type(e).__name__) from None
    except ValueError:
        raise LlmError("the reply is not JSON") from None
    return _content(reply)
