"""Leases are a promise between workers (replicas, or one slow process and itself): a row is
worked on by the worker that holds its lease and by nobody else. A worker that outlived its
lease changes nothing when it ends its attempt; a row that waited its turn late in a batch has
its lease renewed before it is worked on (or is left alone when another worker took it
meanwhile); a send never outlasts its lease; a rate limit is not counted as an attempt; rows
leased while stopping are handed back at once; and a shutdown's grace is shared, not
multiplied by the number of workers."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.clock import ManualClock
from bot.config import Config
from bot.flow.delivery import Deliverer
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.flow.worker import LeasedWorker, WorkerSettings
from bot.main import build_app
from bot.messages import ChatMessage, text
from bot.ports import RetryAfter
from bot.refs import UserRef
from storage.uow import SqlUnitOfWork
from tests.unit.fake_chat import FakeChat

UowFactory = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def _dm(user: str) -> OutboxItem:
    to = UserRef("slack", user)
    return OutboxItem(
        delivery=Delivery(Op.DM, f"u:{to.key()}", message=ChatMessage(body=text("hi")), user=to),
        key=new_key(),
        due_at=T0,
    )


async def _add(uow_factory: UowFactory, *rows: OutboxItem) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add_many(list(rows))
        await uow.commit()


async def test_a_worker_that_outlived_its_lease_changes_nothing_ending_its_attempt(
    uow_factory: UowFactory,
) -> None:
    await _add(uow_factory, _dm("U1"))
    async with uow_factory() as uow:
        [mine] = await uow.outbox.lease(T0, lease=LEASE, limit=1)
        await uow.commit()
    later = T0 + LEASE + timedelta(seconds=1)  # ours ran out; another worker takes the row
    async with uow_factory() as uow:
        [theirs] = await uow.outbox.lease(later, lease=LEASE, limit=1)
        await uow.commit()
    assert mine.id == theirs.id and mine.lease_until != theirs.lease_until
    row_id = mine.id or 0
    async with uow_factory() as uow:  # the late worker ends its attempt every way it can
        await uow.outbox.retry(row_id, due_at=later, error="late", lease_until=mine.lease_until)
        await uow.outbox.fail(row_id, error="late", lease_until=mine.lease_until)
        await uow.outbox.postpone(row_id, due_at=later, lease_until=mine.lease_until)
        await uow.outbox.release([row_id], lease_until=mine.lease_until)
        assert not await uow.outbox.hold(
            row_id, lease_until=mine.lease_until or T0, until=later + LEASE
        )
        await uow.commit()
    async with uow_factory() as uow:
        # Still leased by the other worker, as it leased it: nobody else can take it.
        assert await uow.outbox.lease(later + timedelta(seconds=5), lease=LEASE, limit=9) == []
        await uow.outbox.fail(row_id, error="refused", lease_until=theirs.lease_until)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.pending() == 0  # the holder's own ending took


def _worker(
    uow_factory: UowFactory,
    clock: ManualClock,
    process: Callable[[OutboxItem], Any],
    **settings: Any,
) -> LeasedWorker[OutboxItem]:
    return LeasedWorker(
        name="outbox",
        uow_factory=uow_factory,
        queue=lambda uow: uow.outbox,
        process=process,
        clock=clock,
        settings=WorkerSettings(lease_seconds=LEASE.total_seconds(), **settings),
    )


async def test_a_row_late_in_its_batch_gets_a_fresh_lease_before_it_is_worked_on(
    uow_factory: UowFactory,
) -> None:
    clock = ManualClock(T0)
    await _add(uow_factory, _dm("U1"), _dm("U2"))
    seen: list[tuple[int | None, datetime | None]] = []

    async def process(item: OutboxItem) -> None:
        seen.append((item.id, item.lease_until))
        clock.advance(timedelta(seconds=20))  # a slow first row: the second waits its turn
        async with uow_factory() as uow:
            await uow.outbox.sent(item.id or 0, at=clock.now(), result=None)
            await uow.commit()

    assert await _worker(uow_factory, clock, process).drain() == 2
    [first_lease, second_lease] = [lease for _, lease in seen]
    assert first_lease == T0 + LEASE
    # The second started at T0 + 20 s with 10 s of its lease left: renewed to a whole one.
    assert second_lease == T0 + timedelta(seconds=20) + LEASE


async def test_a_row_taken_by_another_worker_while_it_waited_is_left_to_them(
    uow_factory: UowFactory,
) -> None:
    clock = ManualClock(T0)
    await _add(uow_factory, _dm("U1"), _dm("U2"))
    worked: list[int | None] = []
    theirs: list[OutboxItem] = []

    async def process(item: OutboxItem) -> None:
        worked.append(item.id)
        if len(worked) == 1:
            clock.advance(LEASE + timedelta(seconds=5))  # so slow that our leases ran out
            async with uow_factory() as uow:  # and another replica took the second row
                theirs.extend(await uow.outbox.lease(clock.now(), lease=LEASE, limit=9))
                await uow.commit()
            async with uow_factory() as uow:
                await uow.outbox.sent(item.id or 0, at=clock.now(), result=None)
                await uow.commit()

    await _worker(uow_factory, clock, process).drain()
    assert [r.id for r in theirs if r.id != worked[0]]  # the second row is theirs now
    assert len(worked) == 1  # and was not worked on by us
    async with uow_factory() as uow:  # their lease stands: we neither ended nor freed it
        assert await uow.outbox.lease(clock.now(), lease=LEASE, limit=9) == []
        assert await uow.outbox.pending() == 1


async def test_a_rate_limit_is_not_counted_as_an_attempt(uow_factory: UowFactory) -> None:
    clock = ManualClock(T0)
    await _add(uow_factory, _dm("U1"))
    attempts: list[int] = []

    async def process(item: OutboxItem) -> None:
        attempts.append(item.attempts)
        raise RetryAfter(40)

    worker = _worker(uow_factory, clock, process, max_attempts=2)
    for _ in range(4):
        await worker.drain()
        clock.advance(timedelta(seconds=41))
    # Four rate limits in a row: each attempt is still the first (a 5xx would have given up
    # after two), so the next one does not look for an earlier send that never happened.
    assert attempts == [1, 1, 1, 1]
    async with uow_factory() as uow:
        assert await uow.outbox.pending() == 1


async def test_rows_leased_while_the_worker_stops_are_handed_back_at_once(
    uow_factory: UowFactory,
) -> None:
    clock = ManualClock(T0)
    await _add(uow_factory, _dm("U1"), _dm("U2"), _dm("U3"))
    leasing, go_on = asyncio.Event(), asyncio.Event()

    class SlowLease:
        def __init__(self, uow: SqlUnitOfWork) -> None:
            self._outbox = uow.outbox

        def __getattr__(self, name: str) -> Any:
            return getattr(self._outbox, name)

        async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> Any:
            leasing.set()
            await go_on.wait()  # SIGTERM arrives while the database answers
            return await self._outbox.lease(now, lease=lease, limit=limit)

    worked: list[OutboxItem] = []

    async def process(item: OutboxItem) -> None:
        worked.append(item)

    worker: LeasedWorker[OutboxItem] = LeasedWorker(
        name="outbox",
        uow_factory=uow_factory,
        queue=SlowLease,  # type: ignore[arg-type]
        process=process,
        clock=clock,
        settings=WorkerSettings(lease_seconds=LEASE.total_seconds()),
    )
    draining = asyncio.create_task(worker.drain())
    await leasing.wait()
    await worker.stop(grace=1)
    go_on.set()
    await draining
    assert worked == []
    async with uow_factory() as uow:  # another worker takes all three at once, uncounted
        again = await uow.outbox.lease(T0 + timedelta(seconds=1), lease=LEASE, limit=9)
    assert len(again) == 3 and {r.attempts for r in again} == {1}


class _SlowChat(FakeChat):
    async def send_dm(self, user: UserRef, message: ChatMessage, **kwargs: Any) -> Any:
        await asyncio.sleep(30)  # a platform that never answers


async def test_a_send_is_cut_before_its_lease_runs_out(uow_factory: UowFactory) -> None:
    clock = ManualClock(T0)
    deliverer = Deliverer(
        uow_factory=uow_factory,
        chat=_SlowChat(platform="slack"),
        clock=clock,
        card_view=lambda uow, q: None,  # type: ignore[arg-type,return-value]
        lease_margin=timedelta(seconds=0.1),
    )
    row = _dm("U1")
    row.id, row.attempts, row.lease_until = 1, 1, T0 + timedelta(seconds=0.4)
    started = time.monotonic()
    with pytest.raises(TimeoutError):  # the worker retries it, looking for it first
        await deliverer(row)
    assert time.monotonic() - started < 1.0


async def test_the_workers_share_one_shutdown_grace(sqlite_url: str) -> None:
    app = await build_app(
        Config(),
        clock=ManualClock(T0),
        gateways={"test": FakeChat(platform="test")},
        database_url=sqlite_url,
    )
    given: list[float] = []

    def slow_stop(worker: LeasedWorker[Any]) -> Callable[..., Any]:
        async def stop(*, grace: float) -> None:
            given.append(grace)
            await asyncio.sleep(grace)  # work in flight takes all the time it is given

        return stop

    try:
        for worker in app.runtime.workers:
            worker.stop = slow_stop(worker)  # type: ignore[method-assign]
        started = time.monotonic()
        await app.runtime.shutdown(grace=0.6)
        took = time.monotonic() - started
    finally:
        await app.dispose()
    assert len(given) == 3 and given[0] == pytest.approx(0.6, abs=0.05)
    assert sum(given) < 0.7 and took < 1.0  # not 3 × 0.6


async def test_a_worker_that_lost_the_row_does_not_give_up_on_it(
    uow_factory: UowFactory,
) -> None:
    """The last attempt outlives its lease and fails; another replica has the row by then:
    it is theirs to finish, so nobody is told "something went wrong" and it stays pending."""
    clock = ManualClock(T0)
    await _add(uow_factory, _dm("U1"))
    gave_up: list[int | None] = []

    async def process(item: OutboxItem) -> None:
        clock.advance(LEASE + timedelta(seconds=5))
        async with uow_factory() as uow:  # the other replica takes it meanwhile
            assert await uow.outbox.lease(clock.now(), lease=LEASE, limit=9)
            await uow.commit()
        raise RuntimeError("the platform failed")

    async def give_up(item: OutboxItem, error: str) -> None:
        gave_up.append(item.id)

    worker: LeasedWorker[OutboxItem] = LeasedWorker(
        name="outbox",
        uow_factory=uow_factory,
        queue=lambda uow: uow.outbox,
        process=process,
        clock=clock,
        settings=WorkerSettings(lease_seconds=LEASE.total_seconds(), max_attempts=1),
        on_give_up=give_up,
    )
    await worker.drain()
    assert gave_up == []
    async with uow_factory() as uow:
        assert await uow.outbox.pending() == 1
        assert await uow.outbox.lease(clock.now(), lease=LEASE, limit=9) == []  # still theirs


class _Recorder(FakeChat):
    def __init__(self) -> None:
        super().__init__(platform="slack")
        self.retries: list[bool] = []

    async def send_dm(self, user: UserRef, message: ChatMessage, **kwargs: Any) -> Any:
        self.retries.append(bool(kwargs.get("retry")))
        return None


async def test_a_row_that_met_an_error_before_looks_before_sending_again(
    uow_factory: UowFactory,
) -> None:
    """A rate limit is not counted as an attempt, but the attempt it cut may have done part of
    the work (a thread opened before a member was refused): the next one looks first."""
    chat = _Recorder()
    deliverer = Deliverer(
        uow_factory=uow_factory,
        chat=chat,
        clock=ManualClock(T0),
        card_view=lambda uow, q: None,  # type: ignore[arg-type,return-value]
    )
    await _add(uow_factory, _dm("U1"), _dm("U2"))
    async with uow_factory() as uow:
        fresh, limited = await uow.outbox.lease(T0, lease=LEASE, limit=9)
        await uow.commit()
    limited.last_error = "RetryAfter: retry after 40 s"
    await deliverer(fresh)
    await deliverer(limited)
    assert (fresh.attempts, limited.attempts) == (1, 1)
    assert chat.retries == [False, True]
