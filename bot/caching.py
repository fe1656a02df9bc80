"""Short-lived, per-process memos of figures that may be a few seconds old without harm (mentor
load for ranking, the usual wait for a claim): computing them on every question would cost more
than everything else an ask does."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime, timedelta
from typing import Any

__all__ = ["Memo"]


class Memo:
    """Values by key, kept for `ttl_seconds`; one load at a time per key; `forget` after a local
    write that changes them (other replicas see it once the ttl passed).

    A value is kept for `ttl_seconds` of the process's own time *and* of the business clock
    (`now`, the injected clock the figures are about): a clock moved on — the console's
    `clock +15d`, a test's — loads them again, as the real passing of those days would."""

    def __init__(
        self, *, ttl_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._kept: dict[Hashable, tuple[float, datetime | None, Any]] = {}
        self._loading: dict[Hashable, asyncio.Lock] = {}
        # Loads going on in the background for `get(..., within=)` (held: a task nobody holds
        # may be collected before it ends).
        self._background: dict[Hashable, asyncio.Task[Any]] = {}
        # Bumped by `forget` (per key; `_epoch` for all): a load that began before is returned
        # to its caller but not kept, since it may have read what the forgotten write changed.
        self._generation: dict[Hashable, int] = {}
        self._epoch = 0

    def _version(self, key: Hashable) -> tuple[int, int]:
        return self._epoch, self._generation.get(key, 0)

    def _hit(self, key: Hashable, now: datetime | None) -> tuple[bool, Any]:
        found = self._kept.get(key)
        if found is None or found[0] <= self._monotonic():
            return False, None
        loaded_at = found[1]
        if now is not None and loaded_at is not None:
            if not loaded_at <= now < loaded_at + timedelta(seconds=self._ttl):
                return False, None
        return True, found[2]

    async def get(
        self,
        key: Hashable,
        load: Callable[[], Awaitable[Any]],
        *,
        now: datetime | None = None,
        within: float | None = None,
    ) -> Any:
        """`key`'s value, loaded when not kept. With `within`: waits at most that many seconds
        (else `TimeoutError`) for a load that goes on in the background, one per key, and that a
        later call finds; a value still kept costs no task at all."""
        if within is None:
            return await self._get(key, load, now)
        hit, value = self.peek(key, now=now)
        if hit:
            return value
        loading = self._background.get(key)
        if loading is None:
            loading = asyncio.ensure_future(self._get(key, load, now))
            self._background[key] = loading
            loading.add_done_callback(lambda done: self._loaded(key, done))
        return await asyncio.wait_for(asyncio.shield(loading), within)

    def _loaded(self, key: Hashable, done: asyncio.Task[Any]) -> None:
        if self._background.get(key) is done:
            del self._background[key]
        if not done.cancelled():
            done.exception()  # retrieved: a failure nobody waited for is not logged as lost

    async def _get(
        self, key: Hashable, load: Callable[[], Awaitable[Any]], now: datetime | None
    ) -> Any:
        if self._ttl <= 0:
            return await load()
        hit, value = self._hit(key, now)
        if hit:
            return value
        async with self._loading.setdefault(key, asyncio.Lock()):
            hit, value = self._hit(key, now)
            if hit:
                return value
            began = self._version(key)
            value = await load()
            if self._version(key) == began:
                self._kept[key] = (self._monotonic() + self._ttl, now, value)
            return value

    def peek(self, key: Hashable, *, now: datetime | None = None) -> tuple[bool, Any]:
        """(kept, value) without loading: whether `key`'s value is still kept, and it."""
        return self._hit(key, now) if self._ttl > 0 else (False, None)

    def forget(self, match: Callable[[Hashable], bool] | None = None) -> None:
        """Drop every value (or those whose key matches), and what loads begun before this
        would keep: the next `get` reads again."""
        if match is None:
            self._epoch += 1
            self._kept.clear()
            self._background.clear()
            return
        for key in [k for k in {*self._kept, *self._loading} if match(k)]:
            self._generation[key] = self._generation.get(key, 0) + 1
            self._kept.pop(key, None)
            self._background.pop(key, None)
