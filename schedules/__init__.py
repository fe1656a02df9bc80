"""APScheduler wiring: it only ticks. Every few seconds the workers look for due work (nudges,
retries, what a crashed process left), the digest runs on a cron, old queue rows are pruned,
and once a day the retention run (`[privacy]`) is queued.

No job state lives in the scheduler: inputs, deliveries, nudges and digest runs are rows in the
database, so any number of replicas can tick at once and overdue work runs at the first tick
after start-up.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.executors.asyncio import AsyncIOExecutor
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.commands import SendDigest
from bot.digest.handler import workspace_timezone
from bot.privacy.commands import ApplyRetention
from bot.privacy.retention import retention_key
from bot.refs import WorkspaceRef
from storage.ops import optimize

if TYPE_CHECKING:
    from bot.app import App

__all__ = [
    "DIGEST_PLAN_SECONDS",
    "PRUNE_SECONDS",
    "Ticker",
    "digest_trigger",
    "queue_retention",
    "start_scheduler",
]

log = logging.getLogger(__name__)

DIGEST_PLAN_SECONDS = 60  # how soon a newly registered workspace gets its digest job
PRUNE_SECONDS = 3600  # how often processed inputs and sent messages past [flow] keep_hours go
STOP_GRACE_SECONDS = 10.0  # stopping, a tick in flight gets this long to finish


class _FinishingExecutor(AsyncIOExecutor):  # type: ignore[misc]
    """APScheduler's asyncio executor cancels the jobs still running when the scheduler shuts
    down (a `CancelledError` traceback at every exit); this one lets them finish instead."""

    def shutdown(self, wait: bool = True) -> None:
        pass  # `Ticker.stop` waits for what is running

    async def finish(self, grace: float) -> None:
        running = [f for f in self._pending_futures if not f.done()]
        if not running:
            return
        _, late = await asyncio.wait(running, timeout=grace)
        for f in late:  # a tick stuck past the grace: it is one transaction, rolled back
            f.cancel()
        if late:
            await asyncio.wait(late)


class Ticker(AsyncIOScheduler):  # type: ignore[misc]
    """An `AsyncIOScheduler` that lets the ticks still running finish when it stops."""

    def __init__(self, **options: Any) -> None:
        self._ticks = _FinishingExecutor()
        super().__init__(executors={"default": self._ticks}, **options)

    async def stop(self, *, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop ticking and let the ticks in flight finish (each is one short transaction)."""
        if self.running:
            self.shutdown(wait=False)
        await self._ticks.finish(grace)


def digest_trigger(app: App, timezone: str) -> CronTrigger:
    """``[digest] weekday`` at ``[digest] time`` in the workspace's timezone."""
    hour, minute = (int(p) for p in app.config.digest.time.split(":"))
    return CronTrigger(
        day_of_week=app.config.digest.weekday, hour=hour % 24, minute=minute, timezone=timezone
    )


async def _sweep(app: App) -> None:
    await app.runtime.tick()


async def _prune(app: App) -> None:
    await app.runtime.prune(app.clock.now())
    await queue_retention(app)
    await optimize(app.engine)


async def queue_retention(app: App) -> bool:
    """Store today's retention run in the inbox under the day's key: every replica tries each
    hour, the key lets exactly one in, and a leased worker runs it (retried if it fails)."""
    now = app.clock.now()
    return await app.inbox.receive_command(ApplyRetention(now), key=retention_key(now))


async def _digest(app: App, scheduler: Ticker, workspace_key: str) -> None:
    """The cron slot of one workspace. Should deciding fail (the database away for a moment),
    the job goes, so the next plan tick adds it again and catches the digest up (the unique
    digest_run row keeps that to once), instead of waiting for next week's slot."""
    try:
        await app.bus.handle(
            SendDigest(app.clock.now(), workspace=WorkspaceRef.from_key(workspace_key))
        )
    except Exception:
        log.exception("weekly digest for %s failed; trying again shortly", workspace_key)
        job = scheduler.get_job(f"digest:{workspace_key}")
        if job is not None:
            job.remove()


async def _plan_digests(app: App, scheduler: Ticker) -> None:
    """One cron job per workspace in its timezone; a new workspace's overdue digest runs now."""
    async with app.uow_factory(read_only=True) as uow:
        workspaces = await uow.workspaces.all()
    for ws in workspaces:
        job_id = f"digest:{ws.ref.key()}"
        tz = workspace_timezone(ws, app.config)
        job = scheduler.get_job(job_id)
        if job is not None and str(job.trigger.timezone) == tz:
            continue
        scheduler.add_job(
            _digest,
            digest_trigger(app, tz),
            args=[app, scheduler, ws.ref.key()],
            id=job_id,
            replace_existing=True,
            misfire_grace_time=3600,
        )
        log.info("weekly digest for %s scheduled: %s", ws.ref, digest_trigger(app, tz))
        if job is None:  # catch up: this week's slot may have passed while we were down
            await _digest(app, scheduler, ws.ref.key())


def start_scheduler(app: App) -> Ticker:
    """Start ticking on the running event loop; stop with ``await scheduler.stop()``."""
    scheduler = Ticker(timezone=UTC, job_defaults={"coalesce": True, "max_instances": 1})
    first = datetime.now(UTC)
    scheduler.add_job(
        _sweep,
        IntervalTrigger(seconds=app.config.nudges.sweep_seconds),
        args=[app],
        id="nudge-sweep",
        next_run_time=first,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        _plan_digests,
        IntervalTrigger(seconds=DIGEST_PLAN_SECONDS),
        args=[app, scheduler],
        id="digest-plan",
        next_run_time=first,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        _prune,
        IntervalTrigger(seconds=PRUNE_SECONDS),
        args=[app],
        id="prune",
        next_run_time=first,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
