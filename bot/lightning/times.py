"""How lightning times are shown and read: one function for every reader, and whose zone a time
someone typed is in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import Actor
from bot.hours import first_instant_at
from bot.messagebus import Context
from bot.messages import known_zone as _zone
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "actor_timezone",
    "day_before",
    "day_word",
    "reader_timezone",
    "to_utc",
]


def day_word(when: datetime, now: datetime, tz: str | None) -> str:
    """ "today", "tomorrow" or "on Wed" as the reader counts days (their zone, else UTC): a day
    reminder sent late, after a restart, must not say "tomorrow" on the day itself."""
    zone = _zone(tz) or UTC
    days = (when.astimezone(zone).date() - now.astimezone(zone).date()).days
    if days <= 0:
        return "today"
    return "tomorrow" if days == 1 else f"on {when.astimezone(zone):%a}"


async def reader_timezone(ctx: Context, user: UserRef, workspace: WorkspaceRef) -> str | None:
    """The zone a person reads times in: their mentor profile's in `workspace`, else what their
    platform told us; None when unknown."""
    reads = await ctx.reads()
    profile = await reads.mentors.get(user, workspace)
    if profile is not None and profile.active and _zone(profile.timezone) is not None:
        return profile.timezone
    person = await reads.people.get(user)
    tz = person.timezone if person is not None else None
    return tz if _zone(tz) is not None else None


async def actor_timezone(ctx: Context, actor: Actor) -> str:
    """The zone a time `actor` typed is in: their platform's, their profile's, else UTC."""
    if _zone(actor.timezone) is not None:
        assert actor.timezone is not None
        return actor.timezone
    return await reader_timezone(ctx, actor.user, actor.workspace) or "UTC"


def to_utc(when: datetime, tz: str) -> datetime:
    """A naive wall time in `tz` (or an aware time) as aware UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=_zone(tz) or UTC)
    return when.astimezone(UTC)


def day_before(starts_at: datetime, tz: str) -> datetime:
    """The same wall-clock time the day before in `tz` (the zone the time was given in), as
    aware UTC: across a DST change "a day before" keeps the session's hour; 24 hours would not."""
    zone = _zone(tz)
    if zone is None:
        return starts_at - timedelta(days=1)
    local = starts_at.astimezone(zone).replace(tzinfo=None)
    return first_instant_at(local - timedelta(days=1), tz)
