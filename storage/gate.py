"""One writer at a time, in order, for SQLite.

SQLite has one write lock. Left to its busy handler, waiting writers sleep and retry (up to
100 ms between tries), so whoever happens to try at the right moment wins: a short write (an
input stored before its acknowledgement) can wait seconds behind a stream of others. Inside one
process, writers queue here instead — first come, first served, urgent ones first — and SQLite's
own lock is only contended by other processes on the same file.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

__all__ = ["GatedSession", "WriterGate"]


class WriterGate:
    """An asyncio lock with two queues; `release` hands it straight to the next waiter."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._normal: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool = False) -> None:
        if not self._held and not self._urgent and not self._normal:
            self._held = True
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._normal).append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # it was handed to us as we were cancelled: pass it on
            else:
                for queue in (self._urgent, self._normal):
                    if waiter in queue:
                        queue.remove(waiter)
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._normal):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # stays held: handed over
                    return
        self._held = False


class GatedSession:
    """An AsyncSession whose transaction takes its turn at the gate before its first statement
    (which is when SQLite's BEGIN IMMEDIATE takes the lock) and gives it back when it ends."""

    def __init__(self, session: AsyncSession, gate: WriterGate, *, urgent: bool) -> None:
        self._session = session
        self._gate = gate
        self._urgent = urgent
        self._holding = False

    async def _turn(self) -> None:
        if not self._holding:
            await self._gate.acquire(urgent=self._urgent)
            self._holding = True

    def _done(self) -> None:
        if self._holding:
            self._holding = False
            self._gate.release()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        await self._turn()
        return await self._session.execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        await self._turn()
        return await self._session.scalar(*args, **kwargs)

    def in_transaction(self) -> bool:
        return self._session.in_transaction()

    async def commit(self) -> None:
        try:
            await self._session.commit()
        finally:
            self._done()

    async def rollback(self) -> None:
        try:
            await self._session.rollback()
        finally:
            self._done()

    async def close(self) -> None:
        try:
            await self._session.close()
        finally:
            self._done()
