"""A client for any OpenAI-compatible chat-completions endpoint (OpenAI, Azure OpenAI behind a
compatible gateway, Ollama, vLLM, LM Studio, …), used by optional AI features: settings from
``MICROMENTOR_LLM_URL`` / ``MICROMENTOR_LLM_API_KEY`` / ``MICROMENTOR_LLM_MODEL``.

The API key is sent only in the ``Authorization`` header and never appears in a log line, an
error message or a repr; errors name the HTTP status or the kind of failure, never the URL's
query, the request or the response body.

Against a hostile or broken endpoint: the timeout bounds the whole call (waiting for a free slot,
connecting, and reading the body however slowly it trickles in); a reply over `MAX_REPLY_BYTES`
is abandoned, not read whole; redirects are not followed (the key and the question go only to
the configured URL); at most `MAX_CONCURRENT` calls are in flight per event loop, each in its
own session that is closed when the call ends (so nothing is left open at shutdown); and after a
429 or 503 with ``Retry-After`` no call is made to that endpoint until then (at most
`MAX_COOL_DOWN` seconds)."""

from __future__ import annotations

import asyncio
import email.utils
import json
import os
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from yarl import URL

__all__ = ["MAX_CONCURRENT", "MAX_REPLY_BYTES", "LlmError", "LlmSettings", "complete"]

_PATH = "/chat/completions"
MAX_REPLY_BYTES = 1 << 20  # a chat completion is a few kB; anything past 1 MiB is not read
MAX_CONCURRENT = 4  # calls in flight at once (per event loop); the rest wait within their timeout
MAX_COOL_DOWN = 300.0  # the longest Retry-After honoured, in seconds

_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)
_cool_down_until: dict[str, float] = {}  # endpoint → time.monotonic() before which no call


class LlmError(Exception):
    """The endpoint could not give an answer (status, timeout, connection, malformed reply)."""


@dataclass(frozen=True, slots=True)
class LlmSettings:
    """Where the endpoint is (a base URL like ``https://api.openai.com/v1``, a bare host like
    ``http://localhost:11434`` meaning its ``/v1``, or the full ``…/chat/completions`` URL, a
    query such as ``?api-version=…`` kept), its key (may be empty for local servers) and the
    model."""

    url: str
    api_key: str = field(default="", repr=False)
    model: str = ""

    @property
    def endpoint(self) -> str:
        url = URL(self.url)
        path = url.path.rstrip("/")
        if not path:
            path = "/v1"  # every OpenAI-compatible server serves the API under /v1
        if not path.endswith(_PATH):
            path += _PATH
        return str(url.with_path(path, keep_query=True, keep_fragment=False))

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


def _slot() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slot = _slots.get(loop)
    if slot is None:
        slot = _slots[loop] = asyncio.Semaphore(MAX_CONCURRENT)
    return slot


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), MAX_COOL_DOWN)


async def _read_capped(response: aiohttp.ClientResponse) -> bytes:
    if (response.content_length or 0) > MAX_REPLY_BYTES:
        raise LlmError("the reply is too large")
    data = bytearray()
    while chunk := await response.content.read(65536):
        data += chunk
        if len(data) > MAX_REPLY_BYTES:
            raise LlmError("the reply is too large")
    return bytes(data)


async def _post(
    endpoint: str, body: dict[str, Any], headers: dict[str, str], seconds: float
) -> bytes:
    async with (
        _slot(),
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=seconds)) as session,
        # Never follow a redirect: it would take the key and the question somewhere else.
        session.post(endpoint, json=body, headers=headers, allow_redirects=False) as response,
    ):
        if response.status != 200:
            if response.status in (429, 503):
                wait = _retry_after(response.headers.get("Retry-After"))
                if wait:
                    _cool_down_until[endpoint] = time.monotonic() + wait
            raise LlmError(f"HTTP {response.status}")
        return await _read_capped(response)


# The timeout is part of this shared signature (other AI features call it the same way); it bounds
# the whole exchange: asyncio.timeout around everything, and aiohttp's ClientTimeout besides.
async def complete(settings: LlmSettings, messages: list[dict[str, str]], *, timeout: float) -> str:  # noqa: ASYNC109
    """Send chat `messages` (``role`` and ``content`` each) and return the reply's text, within
    `timeout` seconds in all; raises :class:`LlmError` on any failure."""
    try:
        endpoint = settings.endpoint
    except ValueError:  # its text would show the URL, which may hold a key in its query
        raise LlmError("MICROMENTOR_LLM_URL is not a valid URL") from None
    until = _cool_down_until.get(endpoint)
    if until is not None:
        if time.monotonic() < until:
            raise LlmError("rate limited: waiting for the endpoint's Retry-After")
        _cool_down_until.pop(endpoint, None)
    headers = {"Content-Type": "application/json"}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    body: dict[str, Any] = {"messages": messages, "temperature": 0.2, "stream": False}
    if settings.model:
        body["model"] = settings.model
    try:
        async with asyncio.timeout(timeout):
            raw = await _post(endpoint, body, headers, timeout)
    except TimeoutError:
        raise LlmError(f"no answer within {timeout:g} s") from None
    except aiohttp.ClientError as e:
        raise LlmError(type(e).__name__) from None
    except ValueError:  # e.g. a key that cannot be a header value; its text may show the key
        raise LlmError("the request could not be sent") from None
    try:
        reply = json.loads(raw)
    except ValueError:  # not JSON, or not UTF-8
        raise LlmError("the reply is not JSON") from None
    return _content(reply)
