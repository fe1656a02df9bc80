"""Quiet hours: a nudge to someone outside their working hours waits for their next working time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain import Nudge
from bot.hours import WeeklyHours
from bot.messagebus import Context
from bot.refs import UserRef

__all__ = ["Later", "wait_for_working_hours", "working_hours"]


class Later(Exception):
    """Not now: send at `when` instead. The sweep postpones the row; it is not an attempt."""

    def __init__(self, when: datetime) -> None:
        super().__init__(when.isoformat())
        self.when = when


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, KeyError):
        return None
    return name


async def working_hours(ctx: Context, user: UserRef, nudge: Nudge) -> tuple[WeeklyHours, str]:
    """A mentor's own hours and timezone; anyone else: the default hours in their timezone.

    Their timezone is what the platform told us, else the workspace's, else ``[bot] timezone``.
    """
    profile = await ctx.uow.mentors.get(user)
    if profile is not None and profile.active:
        return profile.hours, profile.timezone
    person = await ctx.uow.people.get(user)
    tz = _valid_zone(person.timezone if person else None)
    if tz is None:
        ws = await ctx.uow.workspaces.get(nudge.workspace)
        tz = _valid_zone(ws.timezone if ws else None) or ctx.config.bot.timezone
    return WeeklyHours.parse(ctx.config.mentors.default_hours), tz


async def wait_for_working_hours(
    ctx: Context,
    nudge: Nudge,
    user: UserRef,
    now: datetime,
    *,
    triggered_at: datetime | None = None,
) -> None:
    """Raise :class:`Later` when `user` is outside working hours at `now`.

    `triggered_at` is when the asker did what this nudge follows up on; within
    ``[nudges] recent_action_minutes`` of it the asker is evidently around, so it goes now.
    """
    cfg = ctx.config.nudges
    if not cfg.quiet_hours:
        return
    if triggered_at is not None and now - triggered_at <= timedelta(
        minutes=cfg.recent_action_minutes
    ):
        return
    hours, tz = await working_hours(ctx, user, nudge)
    when = hours.next_start(now, tz)
    if when > now:
        raise Later(when)
