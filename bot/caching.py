"""Short-lived, per-process memos of figures that may be a few seconds old without harm (mentor
load for ranking, the usual wait for a claim): computing them on every question would cost more
than everything else an ask does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

__all__ = ["Memo"]


class Memo:
    """Values by key, kept for `ttl_seconds`; one load at a time per key; `forget` after a local
    write that changes them (other replicas see it once the ttl passed)."""

    def __init__(
        self, *, ttl_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._kept: dict[Hashable, tuple[float, Any]] = {}
        self._loading: dict[Hashable, asyncio.Lock] = {}

    async def get(self, key: Hashable, load: Callable[[], Awaitable[Any]]) -> Any:
        if self._ttl <= 0:
            return await load()
        hit = self._kept.get(key)
        if hit is not None and hit[0] > self._monotonic():
            return hit[1]
        async with self._loading.setdefault(key, asyncio.Lock()):
            hit = self._kept.get(key)
            if hit is not None and hit[0] > self._monotonic():
                return hit[1]
            value = await load()
            self._kept[key] = (self._monotonic() + self._ttl, value)
            return value

    def forget(self, match: Callable[[Hashable], bool] | None = None) -> None:
        """Drop every value (or those whose key matches)."""
        if match is None:
            self._kept.clear()
        else:
            for key in [k for k in self._kept if match(k)]:
                del self._kept[key]
