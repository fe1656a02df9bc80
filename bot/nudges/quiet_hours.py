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


async def working_hours(
    ctx: Context, user: UserRef, nudge: Nudge
) -> tuple[WeeklyHours, str] | None:
    """A mentor's own hours and timezone (their profile in the nudge's workspace); anyone
    else: the default hours in the timezone their platform told us. None when we know neither
    (e.g. the console): then nothing waits, since guessing someone's night would only delay
    what they asked for."""
    profile = await ctx.uow.mentors.get(user, nudge.workspace)
    if profile is not None and profile.active:
        return profile.hours, profile.timezone
    person = await ctx.uow.people.get(user)
    tz = _valid_zone(person.timezone if person else None)
    if tz is None:
        return None
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
    known = await working_hours(ctx, user, nudge)
    if known is None:
        return
    hours, tz = known
    when = hours.next_start(now, tz)
    if when > now:
        raise Later(when)
