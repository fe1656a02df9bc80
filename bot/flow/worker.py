"""The one leased-work loop behind the inbox, the outbox and nudges: lease what is due, process
each row, retry failures with back-off, hand leases back on shutdown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, Protocol, TypeVar

from bot.ports import (
    Clock,
    DeliveryRefused,
    LeasedQueue,
    RetryAfter,
    Unavailable,
    UnitOfWork,
    UnitOfWorkFactory,
)

__all__ = ["LeaseLost", "LeasedWorker", "NotMine", "NotYet", "WorkerSettings"]

log = logging.getLogger(__name__)


class Leased(Protocol):
    id: int | None
    attempts: int
    lease_until: datetime | None


T = TypeVar("T", bound=Leased)


class LeaseLost(Exception):
    """Our lease ran out and another worker has the row: leave it to them."""


class NotMine(Exception):
    """This process can't do this row (its platform runs elsewhere, or has not connected yet):
    hand it back for a few seconds, not counted as an attempt."""

    SECONDS = 2.0


class NotYet(Exception):
    """The input refers to something whose platform ref is not recorded yet (a reaction on a
    card a moment after it was posted): try again shortly; after a few tries, drop it quietly
    (it was on something that is not ours)."""

    ATTEMPTS = 5


def _unavailable(e: BaseException) -> bool:
    # A `TimeoutError` counts too: the deliverer cuts a send that outlasts its lease.
    return isinstance(e, Unavailable | TimeoutError)


@dataclass(frozen=True, slots=True)
class WorkerSettings:
    lease_seconds: float = 60.0
    batch: int = 100
    concurrency: int = 1  # 1 keeps rows in lease order (the console; SQLite has one writer)
    max_attempts: int = 5
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 600.0
    # A platform that is unavailable (`Unavailable`) is waited for this long (at least
    # `max_attempts` times); any other failure gives the row up after `max_attempts`. Only the
    # outbox waits an outage out ([flow] give_up_after_minutes): an input or a nudge that meets
    # one is someone waiting for an answer, told after its attempts as before.
    give_up_after_seconds: float = 0.0

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.retry_base_seconds * 2 ** max(attempts - 1, 0)
        return timedelta(seconds=min(seconds, self.retry_max_seconds))

    def waited(self, attempts: int) -> timedelta:
        """The back-off between `attempts` attempts in a row (the time a row that failed on
        each of them has been retried for, at least: no clock or restart shortens it)."""
        total = timedelta()
        for n in range(1, attempts):
            total += self.backoff(n)
            if total.total_seconds() >= self.give_up_after_seconds:
                break  # enough to know: the sum only grows
        return total

    def spent(self, attempts: int, *, unavailable: bool) -> bool:
        """Whether a row that just failed its `attempts`-th attempt is given up."""
        if attempts < self.max_attempts:
            return False
        return not unavailable or (
            self.waited(attempts).total_seconds() >= self.give_up_after_seconds
        )


async def _no_wait() -> None:
    return None


def _error(e: BaseException) -> str:
    """What went wrong, for the row and the log: the type and the platform's message, cut short.
    (Database errors never carry bound values: the engine hides them.)"""
    return f"{type(e).__name__}: {e}"[:500]


class LeasedWorker(Generic[T]):
    """Processes one queue. `process` does the work of one row and marks it done in its own
    transaction; raising :class:`RetryAfter`, :class:`DeliveryRefused`, :class:`LeaseLost` or
    anything else decides what happens to the row.

    `drain()` works until nothing is due (the console and tests call it; so does every wake-up).
    `run()` drains whenever `wake()` is called, until `stop()`.
    """

    def __init__(
        self,
        *,
        name: str,
        uow_factory: UnitOfWorkFactory,
        queue: Callable[[UnitOfWork], LeasedQueue[T]],
        process: Callable[[T], Awaitable[None]],
        clock: Clock,
        settings: WorkerSettings,
        on_give_up: Callable[[T, str], Awaitable[None]] | None = None,
        describe: Callable[[T], str] = lambda item: str(item.id),
        turn: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self.name = name
        self._uow_factory = uow_factory
        self._queue = queue
        self._process = process
        self._clock = clock
        self.settings = settings
        self._on_give_up = on_give_up
        self._describe = describe
        self._turn = turn or _no_wait  # awaited before each row: inputs being taken in go first
        self._wake = asyncio.Event()
        self._stopping = False
        self._gate = asyncio.Semaphore(settings.concurrency)
        self._in_flight: set[asyncio.Task[None]] = set()
        self._not_started: dict[int, T] = {}
        self._timers: list[asyncio.TimerHandle] = []
        self.processed = 0

    def wake(self) -> None:
        """Something may be due now: drain soon (cheap; safe to call from anywhere)."""
        self._wake.set()

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.settings.lease_seconds)

    async def _lease(self) -> list[T]:
        async with self._uow_factory() as uow:
            leased = await self._queue(uow).lease(
                self._clock.now(), lease=self.lease, limit=self.settings.batch
            )
            await uow.commit()
        return leased

    async def drain(self) -> int:
        """Process everything due now; returns how many rows were taken."""
        taken = 0
        while not self._stopping:
            batch = await self._lease()
            if not batch:
                break
            if self._stopping:  # stopped while leasing: hand the batch back at once
                await self._release(batch)
                break
            taken += len(batch)
            for item in batch:
                assert item.id is not None
                self._not_started[item.id] = item
            if self.settings.concurrency == 1:
                for item in batch:
                    await self._turn()
                    if self._stopping:
                        break
                    await self._one(item)
            else:
                await asyncio.gather(*(self._guarded(item) for item in batch))
            # Rows behind these in their lanes may be due now: lease again until none is.
        return taken

    async def _guarded(self, item: T) -> None:
        async with self._gate:
            await self._turn()
            if not self._stopping:
                await self._one(item)

    async def _one(self, item: T) -> None:
        """One attempt, as its own task: a shutdown that runs out of patience cancels just
        that (its lease runs out and another start takes the row), not the loop around it."""
        assert item.id is not None
        self._not_started.pop(item.id, None)
        task = asyncio.ensure_future(self._attempt(item))
        self._in_flight.add(task)
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            if not task.cancelled():
                raise  # we were cancelled, not the attempt
        finally:
            if task.done():
                self._in_flight.discard(task)
            else:
                task.add_done_callback(self._in_flight.discard)

    async def _fresh(self, item: T) -> bool:
        """Renew the lease of a row that waited its turn (late in a batch) until less than half
        of it is left, so no other worker takes it while it is processed; False if it is lost."""
        now = self._clock.now()
        if item.lease_until is None or item.lease_until - now >= self.lease / 2:
            return True
        return await self._hold(item)

    async def _hold(self, item: T) -> bool:
        """Renew the row's lease to a whole one from now; False if another worker has it."""
        assert item.id is not None
        if item.lease_until is None:
            return True
        until = self._clock.now() + self.lease
        async with self._uow_factory() as uow:
            held = await self._queue(uow).hold(item.id, lease_until=item.lease_until, until=until)
            await uow.commit()
        if held:
            item.lease_until = until
        return held

    async def _attempt(self, item: T) -> None:
        assert item.id is not None
        try:
            if not await self._fresh(item):
                raise LeaseLost()
            await self._process(item)
            self.processed += 1
            return
        except LeaseLost:
            log.info("%s %s: lease lost, left to the worker that holds it", self.name, item.id)
            return
        except NotMine as e:
            due = self._clock.now() + timedelta(seconds=NotMine.SECONDS)
            await self._postpone(item, due)
            log.debug("%s %s handed back: %s", self.name, item.id, e)
            return
        except NotYet as e:
            if item.attempts >= NotYet.ATTEMPTS:
                await self._settle(item, retry_at=None, error=_error(e))
                log.info("%s %s dropped: %s", self.name, self._describe(item), e)
            else:
                due = self._clock.now() + timedelta(seconds=0.5 * 2 ** (item.attempts - 1))
                await self._settle(item, retry_at=due, error=_error(e))
            return
        except RetryAfter as e:
            # Not counted as an attempt: a platform's rate limit says nothing about the row,
            # and nothing was sent (so the next attempt need not look for an earlier send).
            due = self._clock.now() + max(
                timedelta(seconds=e.seconds), self.settings.backoff(1) / 2
            )
            await self._postpone(item, due, error=_error(e))
            log.info("%s %s: %s, retrying in %.1f s", self.name, item.id, e.reason, e.seconds)
            return
        except DeliveryRefused as e:
            # One recipient that can't be reached: skipped, logged without ids, nobody held up.
            await self._settle(item, retry_at=None, error=_error(e))
            log.warning("%s %s skipped: %s", self.name, self._describe(item), e)
            return
        except asyncio.CancelledError:
            raise
        except Exception as e:
            error = _error(e)
            unavailable = _unavailable(e)
            if self.settings.spent(item.attempts, unavailable=unavailable):
                await self._give_up(item, e, unavailable=unavailable)
                return
            backoff = self.settings.backoff(item.attempts)
            log.warning(
                "%s %s failed on attempt %d, retrying in %ds: %s",
                self.name,
                self._describe(item),
                item.attempts,
                backoff.total_seconds(),
                error,
            )
            await self._settle(item, retry_at=self._clock.now() + backoff, error=error)

    async def _give_up(self, item: T, e: Exception, *, unavailable: bool) -> None:
        """Fail the row for good — after `on_give_up` reported it (a delivery someone waits on
        is reported as refused): reported first and settled second, like a refusal, so that a
        crash in between, or a report that fails (the inbox closed by a shutdown, a database
        error), leaves the row pending and its next attempt reports again. Both reports are
        idempotent: the outbox's by its inbox key (`refused_key`), the inbox's apology by its
        outbox key (`giveup_key`): each is stored once however often it is made."""
        error = _error(e)
        if self._on_give_up is not None:
            if not await self._hold(item):  # ours still? (else theirs to finish or give up)
                log.info("%s %s: lease lost, left to the worker that holds it", self.name, item.id)
                return
            try:
                await self._on_give_up(item, error)
            except asyncio.CancelledError:
                raise
            except Exception as report:
                backoff = self.settings.backoff(item.attempts)
                log.warning(
                    "%s %s: giving up after %d attempts, but reporting it failed (%s); "
                    "trying again in %ds",
                    self.name,
                    self._describe(item),
                    item.attempts,
                    _error(report),
                    backoff.total_seconds(),
                )
                await self._settle(item, retry_at=self._clock.now() + backoff, error=error)
                return
        if not await self._settle(item, retry_at=None, error=error):
            return  # another worker holds it now: theirs to finish (or give up)
        waited = self.settings.waited(item.attempts)
        log.error(
            "%s %s gave up after %d attempts%s: %s",
            self.name,
            self._describe(item),
            item.attempts,
            f" over {waited} of the platform being unavailable" if unavailable else "",
            error,
            exc_info=None if unavailable or isinstance(e, ConnectionError | OSError) else e,
        )

    async def _settle(self, item: T, *, retry_at: datetime | None, error: str) -> bool:
        """End the attempt with a retry at `retry_at` (None: failed for good) — while the lease
        is still ours: a worker that outlived its lease leaves the row to its new holder (and
        gets False)."""
        assert item.id is not None
        async with self._uow_factory() as uow:
            queue = self._queue(uow)
            if retry_at is None:
                ours = await queue.fail(item.id, error=error, lease_until=item.lease_until)
            else:
                ours = await queue.retry(
                    item.id, due_at=retry_at, error=error, lease_until=item.lease_until
                )
            await uow.commit()
        if not ours:
            log.info("%s %s: lease lost, left to the worker that holds it", self.name, item.id)
        elif retry_at is not None:
            self._wake_at(retry_at)
        return ours

    async def _postpone(self, item: T, due: datetime, *, error: str | None = None) -> None:
        """Hand the row back until `due`, not counted as an attempt (while the lease is ours)."""
        assert item.id is not None
        async with self._uow_factory() as uow:
            await self._queue(uow).postpone(
                item.id, due_at=due, lease_until=item.lease_until, error=error
            )
            await uow.commit()
        self._wake_at(due)

    async def _release(self, items: list[T]) -> None:
        """Hand leases back untouched (each batch was leased in one statement, so its rows
        share one lease time), so that another worker takes the rows at once."""
        batches: dict[datetime | None, list[int]] = {}
        for item in items:
            assert item.id is not None
            batches.setdefault(item.lease_until, []).append(item.id)
        try:
            async with self._uow_factory() as uow:
                for lease_until, ids in batches.items():
                    await self._queue(uow).release(ids, lease_until=lease_until)
                await uow.commit()
        except Exception as e:
            # Their leases run out instead and another worker takes them then.
            log.warning("%s: %d leases not handed back: %s", self.name, len(items), _error(e))

    def _wake_at(self, when: datetime) -> None:
        """Come back for a retry on time, not only at the scheduler's next tick."""
        loop = asyncio.get_running_loop()
        delay = max((when - self._clock.now()).total_seconds(), 0.0)
        self._timers = [t for t in self._timers if t.when() > loop.time()]
        self._timers.append(loop.call_later(delay, self.wake))

    async def run(self) -> None:
        """Drain at every wake-up until stopped (a failing drain is logged and tried again)."""
        while not self._stopping:
            await self._wake.wait()
            self._wake.clear()
            try:
                await self.drain()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: draining failed; trying again at the next wake-up", self.name)
                await asyncio.sleep(1)

    async def stop(self, *, grace: float) -> None:
        """Take nothing new; let rows in flight finish for up to `grace` seconds; hand the
        leases of rows not started yet back, so another worker takes them at once."""
        self._stopping = True
        self._wake.set()
        for timer in self._timers:
            timer.cancel()
        if self._in_flight:
            _, late = await asyncio.wait(set(self._in_flight), timeout=grace)
            for task in late:  # their leases run out and another start takes them
                task.cancel()
        if self._not_started:
            items = list(self._not_started.values())
            self._not_started.clear()
            await self._release(items)
