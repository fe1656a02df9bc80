"""The running core: the bus and the three leased workers behind it — the inbox (inputs to
process), the outbox (deliveries to send) and nudges (reminders that fell due)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.commands import Command
from bot.config import Config
from bot.domain import Nudge
from bot.events import Event
from bot.flow import delivery
from bot.flow import inbox as inbox_flow
from bot.flow.delivery import Deliverer
from bot.flow.inbox import Inbox, InboxItem, InboxProcessor
from bot.flow.intake import Intake
from bot.flow.outbox import OutboxItem, routed
from bot.flow.worker import LeasedWorker, WorkerSettings
from bot.handlers import COMMAND_HANDLERS, EVENT_HANDLERS
from bot.messagebus import EventHandler, Handler, MessageBus, Services
from bot.nudges import sweep
from bot.nudges.sweep import NudgeSweep
from bot.ports import ChatGateway, Clock, UnitOfWork, UnitOfWorkFactory
from bot.questions.cards import card_view

__all__ = ["Runtime", "build_runtime"]

log = logging.getLogger(__name__)

# After the workers were stopped, how long their loops get to end by themselves (what was in
# flight is finished, handed back or cancelled by then: only a last database call may be left).
SETTLE_SECONDS = 1.0


@dataclass
class Runtime:
    bus: MessageBus
    inbox: Inbox
    processor: InboxProcessor
    inbox_worker: LeasedWorker[InboxItem]
    outbox_worker: LeasedWorker[OutboxItem]
    nudge_worker: LeasedWorker[Nudge]
    uow_factory: UnitOfWorkFactory
    config: Config
    running: bool = False
    _task: asyncio.Task[None] | None = None
    # Set once the workers have stopped: platforms close their clients after this.
    stopped: asyncio.Event = field(default_factory=asyncio.Event)
    # One drain at a time: a second one finds the rows the first has leased taken and would
    # return before they are done (the console would read its next line too early).
    _draining: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def workers(self) -> tuple[LeasedWorker[Any], ...]:
        return (self.inbox_worker, self.nudge_worker, self.outbox_worker)

    def wake(self) -> None:
        """Look for due work now (the scheduler's tick; also picks up what other replicas or a
        crashed process left behind once its lease ran out)."""
        for worker in self.workers:
            worker.wake()

    async def drain(self) -> None:
        """Process everything due, then deliver everything said (the console and tests); after
        a drain already under way (the scheduler's tick) has ended, so that what it took is
        done when this returns."""
        async with self._draining:
            while True:
                taken = await self.inbox_worker.drain()
                taken += await self.nudge_worker.drain()
                taken += await self.outbox_worker.drain()
                if not taken:
                    return

    async def tick(self) -> None:
        """The scheduler's tick: wake the workers when they run, else work through what is due
        here (the interactive console has no worker tasks)."""
        if self.running:
            self.wake()
        elif not self._draining.locked():  # else the drain under way does it
            await self.drain()

    async def run(self) -> None:
        """Run the workers until cancelled or stopped."""
        self.running = True
        try:
            await asyncio.gather(*(w.run() for w in self.workers))
        finally:
            self.running = False

    def start(self) -> asyncio.Task[None]:
        """Run the workers in the background (see :meth:`shutdown`)."""
        self._task = asyncio.create_task(self.run(), name="workers")
        return self._task

    async def shutdown(self, *, grace: float) -> None:
        """Stop (see :meth:`stop`) within `grace` seconds, then wait a moment for the workers
        to end by themselves: cancelling one in the middle of a database call would leave its
        connection to be cleaned up after the event loop is gone."""
        await self.stop(grace=grace)
        task, self._task = self._task, None
        if task is None:
            return
        try:
            async with asyncio.timeout(SETTLE_SECONDS):
                await asyncio.shield(task)
        except TimeoutError:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def stop(self, *, grace: float) -> None:
        """Stop taking input first, then finish (or hand back) what is in flight: the three
        workers share `grace` seconds (inputs first: the messages their decisions write can
        still go out while the outbox worker runs)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        for worker in (self.inbox_worker, self.nudge_worker, self.outbox_worker):
            await worker.stop(grace=max(deadline - loop.time(), 0.0))
        self.stopped.set()

    async def prune(self, now: datetime) -> int:
        """Forget processed inputs and sent deliveries after ``[flow] keep_hours`` (never later
        than ``[privacy] keep_log_days`` or, since they hold what people wrote,
        ``keep_text_days``), and limited actions once no window can count them."""
        keep = min(
            timedelta(hours=self.config.flow.keep_hours),
            timedelta(days=self.config.privacy.keep_log_days),
            timedelta(days=self.config.privacy.keep_text_days),
        )
        before = now - keep
        longest = timedelta(minutes=self.config.limits.longest_window_minutes())
        async with self.uow_factory() as uow:
            gone = await uow.inbox.prune(before) + await uow.outbox.prune(before)
            gone += await uow.rate_events.prune(now - longest)
            await uow.commit()
        if gone:
            log.info("forgot %d processed inputs and sent messages", gone)
        return gone


def _inbox(uow: UnitOfWork) -> Any:
    return uow.inbox


def _outbox(uow: UnitOfWork) -> Any:
    return uow.outbox


def _nudges(uow: UnitOfWork) -> Any:
    return uow.nudges


def build_runtime(
    *,
    uow_factory: UnitOfWorkFactory,
    chat: ChatGateway,
    clock: Clock,
    config: Config,
    services: Services,
    deliver_now: bool = False,
    handlers: Mapping[type[Command], Handler] = COMMAND_HANDLERS,
    event_handlers: Mapping[type[Event], Sequence[EventHandler]] = EVENT_HANDLERS,
) -> Runtime:
    """Wire the bus and its workers. `deliver_now` (the console, tests) processes and delivers
    within the call that caused it, one at a time, so output reads as a conversation."""
    flow = config.flow
    nudges = config.nudges
    bus = MessageBus(
        uow_factory=uow_factory,
        clock=clock,
        config=config,
        services=services,
        handlers=handlers,
        event_handlers=event_handlers,
    )
    concurrency = 1 if deliver_now else flow.concurrency
    intake = Intake()
    # Inputs being taken in go first (see bot.flow.intake); the console decides within the
    # call that took its line in, so it has nobody to wait for.
    turn = None if deliver_now else intake.turn
    deliverer = Deliverer(
        uow_factory=uow_factory,
        chat=chat,
        clock=clock,
        card_view=lambda uow, q: card_view(uow, q, config),
        refused=lambda command, key: inbox.receive_command(command, key=key),
        # A send ends this long before its lease would run out (see Deliverer._time_left).
        lease_margin=timedelta(seconds=flow.lease_seconds / 10),
    )
    outbox_worker: LeasedWorker[OutboxItem] = LeasedWorker(
        name="outbox",
        uow_factory=uow_factory,
        queue=_outbox,
        # Each row's workspace is known to the gateway while it is sent (`routed`).
        process=routed(deliverer),
        clock=clock,
        settings=WorkerSettings(
            lease_seconds=flow.lease_seconds,
            batch=200,
            concurrency=concurrency,
            max_attempts=flow.max_attempts,
            retry_base_seconds=flow.retry_base_seconds,
            retry_max_seconds=flow.retry_max_seconds,
            give_up_after_seconds=flow.give_up_after_minutes * 60,
        ),
        on_give_up=deliverer.gave_up,
        describe=delivery.describe,
        turn=turn,
    )
    processor = InboxProcessor(bus)
    inbox_worker: LeasedWorker[InboxItem] = LeasedWorker(
        name="inbox",
        uow_factory=uow_factory,
        queue=_inbox,
        process=processor,
        clock=clock,
        settings=WorkerSettings(
            lease_seconds=flow.lease_seconds,
            batch=200,
            concurrency=1 if deliver_now else flow.decide_concurrency,
            max_attempts=1 if deliver_now else flow.inbox_attempts,
            retry_base_seconds=1.0,
            retry_max_seconds=30.0,
        ),
        on_give_up=processor.give_up,
        describe=inbox_flow.describe,
        turn=turn,
    )
    nudge_worker: LeasedWorker[Nudge] = LeasedWorker(
        name="nudges",
        uow_factory=uow_factory,
        queue=_nudges,
        process=NudgeSweep(bus, lease=timedelta(seconds=nudges.lease_seconds)),
        clock=clock,
        settings=WorkerSettings(
            lease_seconds=nudges.lease_seconds,
            batch=nudges.batch_size,
            concurrency=1 if deliver_now else nudges.send_concurrency,
            max_attempts=nudges.max_attempts,
            retry_base_seconds=nudges.retry_base_seconds,
        ),
        describe=sweep.describe,
        turn=turn,
    )

    async def committed() -> None:
        if deliver_now:
            await outbox_worker.drain()
        else:
            outbox_worker.wake()

    async def nudged() -> None:
        if deliver_now:
            await nudge_worker.drain()
        else:
            nudge_worker.wake()

    bus.committed = committed
    bus.nudged = nudged
    inbox = Inbox(uow_factory=uow_factory, clock=clock, received=inbox_worker.wake, intake=intake)
    return Runtime(
        bus=bus,
        inbox=inbox,
        processor=processor,
        inbox_worker=inbox_worker,
        outbox_worker=outbox_worker,
        nudge_worker=nudge_worker,
        uow_factory=uow_factory,
        config=config,
    )
