"""The nudge sweep: each leased, due nudge is decided in its own transaction (renewing our
lease first), which also marks it sent; quiet hours move it instead."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.actors import remembered_workspace
from bot.domain import Nudge, NudgeKind, Workspace
from bot.flow.worker import LeaseLost
from bot.messagebus import Context, MessageBus
from bot.nudges.kinds import PREPARERS, SENDERS
from bot.nudges.quiet_hours import Later

__all__ = ["NudgeSweep", "describe"]

log = logging.getLogger(__name__)

# A nudge of a workspace the app was removed from is not leased at all (`NudgeRepository.lease`);
# one leased in the instant before the removal is handed back as it was (its due time kept, so
# that its lateness is judged from it once the workspace is back).

# A session's after-care ("how helpful was it?", the check-in, next steps) is not sent this
# long after it was due (the bot was down, the app removed from the workspace for weeks): by
# then it reads as a bot gone wrong. What changes state (escalation, wrap-up, expiry, a pause's
# end) always runs; lightning reminders and streak notes skip themselves once their moment
# has passed; a lesson or a badge is still worth its DM late.
TOO_LATE = timedelta(days=7)
AFTER_CARE = frozenset({NudgeKind.FEEDBACK, NudgeKind.FOLLOW_UP, NudgeKind.NEXT_STEPS})


class NudgeSweep:
    """`process` of the nudge worker."""

    def __init__(self, bus: MessageBus, *, lease: timedelta) -> None:
        self._bus = bus
        self._lease = lease

    async def __call__(self, nudge: Nudge) -> None:
        assert nudge.id is not None and nudge.lease_until is not None
        now = self._bus.clock.now()
        lease_until, nudge_id = nudge.lease_until, nudge.id
        if await self._removed(nudge):  # nobody there to tell: it waits for the app's return
            await self._postpone(nudge_id, nudge.due_at, lease_until)
            log.debug("%s waits: the app was removed from its workspace", describe(nudge))
            return
        too_late = nudge.kind in AFTER_CARE and now - nudge.due_at > TOO_LATE
        # Slow I/O (a language model) happens here, with no transaction open.
        prepare = PREPARERS.get(nudge.kind)
        prepared = (
            await prepare(self._bus, nudge, now) if prepare is not None and not too_late else None
        )

        async def decide(ctx: Context) -> None:
            if too_late:
                log.info("%s was due %s: too late to send, dropped", describe(nudge), nudge.due_at)
            elif prepared is not None:
                await prepared(ctx)
            else:
                await SENDERS[nudge.kind](ctx, nudge, now)
            # Last, as the inbox does: what a sender reads from the read snapshot comes before
            # SQLite's write lock is taken; a lease lost meanwhile undoes the whole decision.
            if not await ctx.uow.nudges.hold(
                nudge_id, lease_until=lease_until, until=now + self._lease
            ):
                raise LeaseLost()
            await ctx.uow.nudges.mark_sent(nudge_id, now)

        try:
            # What it says is said for the nudge's workspace (a mentor in two workspaces hears
            # each one's nudges from that workspace).
            await self._bus.decide(decide, workspace=nudge.workspace)
        except Later as later:
            await self._postpone(nudge_id, later.when, lease_until)
            log.debug("nudge %s (%s) waits until %s", nudge_id, nudge.kind, later.when)

    async def _removed(self, nudge: Nudge) -> bool:
        """Whether the app was removed from the nudge's workspace, from the settings memo that
        `bot.actors.workspace_of` keeps (no read of its own while it is fresh): asked before a
        preparer's language model is, and before anything is decided."""

        async def load() -> Workspace | None:
            async with self._bus.uow_factory(read_only=True) as uow:
                return await uow.workspaces.get(nudge.workspace)

        figures, now = self._bus.services.figures, self._bus.clock.now()
        ws = await remembered_workspace(figures, nudge.workspace, load, now=now)
        return ws is not None and ws.removed_at is not None

    async def _postpone(self, nudge_id: int, due: datetime, lease_until: datetime) -> None:
        async with self._bus.uow_factory() as uow:
            await uow.nudges.postpone(nudge_id, due_at=due, lease_until=lease_until)
            await uow.commit()


def describe(nudge: Nudge) -> str:
    return f"nudge {nudge.id} ({nudge.kind.value})"
