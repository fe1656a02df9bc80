"""Work started after Slack's acknowledgement: Bolt answers Slack only once a listener (and the
middleware before it) returned (``process_before_response``), so what may be slow and stores
nothing Slack was promised runs as a task of its own, kept referenced until it ends."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Coroutine
from typing import Any

__all__ = ["Background"]

log = logging.getLogger(__name__)


class Background:
    """Tasks kept referenced (asyncio holds only weak ones) and at most one running per key; a
    failure is logged as `what` and the exception's type (no ids or tokens)."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[None]] = set()
        self._keyed: dict[str, asyncio.Task[None]] = {}

    def start(self, work: Coroutine[Any, Any, None], *, what: str, key: str = "") -> bool:
        """Run `work` on its own; False (and `work` dropped) while one with `key` still runs."""
        if key and key in self._keyed:
            work.close()
            return False
        task = asyncio.create_task(self._logged(work, what))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        if key:
            self._keyed[key] = task
            task.add_done_callback(lambda _: self._keyed.pop(key, None))
        return True

    async def first(self, work: Awaitable[None], *, within: float, what: str) -> None:
        """`work` awaited for at most `within` seconds, its failure raised (a write Slack must
        send again if it fails: not acknowledged); still running then, it goes on by itself (as
        `start`; the shutdown's `drain` does not stop it) and the caller may acknowledge."""
        task = asyncio.ensure_future(work)
        done, _ = await asyncio.wait({task}, timeout=max(within, 0.0))
        if done:
            task.result()
            return
        log.warning("Slack: %s is slow; acknowledged meanwhile", what)
        self.start(_shielded(task), what=what)

    async def finished(self, key: str, *, within: float) -> None:
        """Until the task with `key` (if one runs) has ended, for at most `within` seconds."""
        task = self._keyed.get(key)
        if task is not None:
            await asyncio.wait({task}, timeout=within)

    async def wait(self) -> None:
        """Until every task started so far has ended (tests)."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def drain(self, *, within: float) -> None:
        """At shutdown, before the Slack client closes: let what runs end (a form being opened
        on a trigger Slack honours for 3 s) for at most `within` seconds, then cancel the rest."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=within)
        left = set(self._tasks)
        for task in left:
            task.cancel()
        if left:
            await asyncio.gather(*left, return_exceptions=True)

    @staticmethod
    async def _logged(work: Coroutine[Any, Any, None], what: str) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.error("Slack: %s failed (%s)", what, type(e).__name__)


async def _shielded(task: asyncio.Future[None]) -> None:
    await asyncio.shield(task)
