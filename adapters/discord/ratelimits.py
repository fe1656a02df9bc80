"""What the adapter adds to discord.py's rate limit handling: a global limit too long to wait out
inside one call holds every request back, and a 429 that is not Discord's is waited by its
``Retry-After``.

discord.py waits out per-route limits, and a *global* 429 no longer than its
``max_ratelimit_timeout``, by itself (that wait is shared: every request waits for it). A longer
one only raises :class:`discord.RateLimited` in the call that met it, and the others keep
asking, each earning a 429 of its own (counted towards Cloudflare's ban on invalid requests).
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import aiohttp
import discord

__all__ = ["NOT_DISCORDS_BACKOFF_SECONDS", "GlobalLimit", "retry_after_seconds"]

# A 429 without Discord's JSON body and without Retry-After (Cloudflare, a proxy): a short wait,
# then the outbox tries again (and backs off further if it keeps happening).
NOT_DISCORDS_BACKOFF_SECONDS = 5.0


def _seconds(raw: str | None) -> float | None:
    """A header's number of seconds (None when absent or not a finite, non-negative number)."""
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        return None
    return value if math.isfinite(value) and value >= 0 else None


def retry_after_seconds(e: discord.HTTPException) -> float:
    """How long to wait after a 429 discord.py did not handle (not Discord's: HTML or no body):
    its ``Retry-After`` (seconds, as Discord and Cloudflare send it), else a short back-off."""
    response = getattr(e, "response", None)
    headers = getattr(response, "headers", None) or {}
    seconds = _seconds(headers.get("Retry-After"))
    return seconds if seconds is not None else NOT_DISCORDS_BACKOFF_SECONDS


class GlobalLimit:
    """Discord's global rate limit, shared by every request of one client.

    :attr:`trace` (given to the client as ``http_trace``) sees each 429 as it arrives; a global
    one (``X-RateLimit-Global``, or ``X-RateLimit-Scope: global``) longer than `longest_wait()`
    is remembered. :meth:`before_request` then holds every request until it ends: it sleeps a
    wait no longer than that, and raises :class:`discord.RateLimited` for a longer one (a
    delivery turns that into a retry when the limit ends)."""

    def __init__(
        self,
        *,
        longest_wait: Callable[[], float | None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._longest_wait = longest_wait
        self._clock = clock
        self._until = 0.0
        self.trace = aiohttp.TraceConfig()
        self.trace.on_request_end.append(self._on_request_end)

    async def _on_request_end(
        self, session: aiohttp.ClientSession, context: SimpleNamespace, params: Any
    ) -> None:
        response = params.response
        if response.status != 429:
            return
        headers = response.headers
        is_global = headers.get("X-RateLimit-Global", "").lower() == "true"
        if not (is_global or headers.get("X-RateLimit-Scope", "").lower() == "global"):
            return
        seconds = _seconds(headers.get("Retry-After"))
        longest = self._longest_wait()
        if seconds is not None and longest is not None and seconds > longest:
            self._until = max(self._until, self._clock() + seconds)

    def remaining(self) -> float:
        """Seconds until the global limit ends (0 when there is none)."""
        return max(self._until - self._clock(), 0.0)

    async def before_request(self) -> None:
        left = self.remaining()
        if not left:
            return
        longest = self._longest_wait()
        if longest is not None and left > longest:
            raise discord.RateLimited(left)
        await asyncio.sleep(left)
