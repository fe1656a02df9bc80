"""The unclaimed ladder's clock: its minutes are minutes in which a mentor who fits is at work.

A question asked on Friday evening, when the only mentors for it work Mon-Fri 09:00-17:00,
waits for Monday: its "10 minutes" are 09:00-09:10 on Monday, and it is not given up before
those mentors had the ladder's whole day of working time. Mentors without hours of their own
are at work around the clock, so with one of them the ladder runs on plain time, as always.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain import MentorProfile, Question
from bot.messagebus import Context

__all__ = ["LATEST_AFTER", "fitting_mentors", "ladder_due", "step_due_times"]

# However little the mentors who fit work, a step comes at most this much later than its
# plain time after the question was posted (a mentor who works two hours a week, or a long
# pause, must not keep a question open for months).
LATEST_AFTER = timedelta(days=7)


async def fitting_mentors(ctx: Context, q: Question) -> list[MentorProfile]:
    """The active mentors who could take `q`: those suggested for it and those listing one of
    its topics (every mentor, when none does: the question is open to all); never its asker or
    a mentor who released it."""
    roster = await ctx.services.roster.snapshot(await ctx.reads(), q.workspace)
    barred = {q.asker, *q.released_by}
    # Run for every question posted: the roster's skill index, not a pass over every mentor
    # (only a suggested mentor listing none of the topics, found by own words, needs one).
    fit = {p.ref: p for t in q.topics for p in roster.by_skill.get(t, ())}
    if not set(q.suggested) <= fit.keys():
        fit |= {p.ref: p for p in roster.profiles if p.ref in q.suggested}
    found = [p for ref, p in fit.items() if ref not in barred]
    return found or [p for p in roster.profiles if p.ref not in barred]


def ladder_due(
    mentors: Sequence[MentorProfile], base: datetime, minutes: Sequence[int]
) -> list[datetime]:
    """When each of `minutes` of working time has passed since `base`: time in which at least
    one of `mentors` is inside their hours (and not paused) counts, other time does not; at
    most :data:`LATEST_AFTER` past the plain time. Plain time when one of them is at work around
    the clock, or when there is nobody."""
    plain = [base + timedelta(minutes=m) for m in minutes]
    if not mentors or not plain:
        return plain
    # Mentors share a few schedules: each (hours, zone, from when) once.
    schedules = {(p.hours, p.timezone, _available_from(p, base)) for p in mentors}
    if any(hours.around_the_clock and start == base for hours, _, start in schedules):
        return plain
    horizon = max(plain) + LATEST_AFTER
    spans: list[tuple[datetime, datetime]] = []
    for hours, tz, start in schedules:
        if start < horizon:
            spans += hours.spans(start, horizon, tz)
    merged: list[tuple[datetime, datetime]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    due: list[datetime] = []
    for m, at in zip(minutes, plain, strict=True):
        need = timedelta(minutes=m)
        when = at + LATEST_AFTER
        for s, e in merged:
            if need <= e - s:
                when = min(when, s + need)
                break
            need -= e - s
        due.append(max(when, at))
    return due


def _available_from(p: MentorProfile, base: datetime) -> datetime:
    """`base`, or the end of a pause that lasts beyond it."""
    return p.paused_until if p.paused_until is not None and p.paused_until > base else base


async def step_due_times(ctx: Context, q: Question, base: datetime) -> list[datetime]:
    """When each step of the unclaimed ladder is due for `q`, open since `base`. Without quiet
    hours (``[nudges] quiet_hours = false``) the ladder runs on plain time."""
    minutes = [rung.after_minutes for rung in ctx.config.nudges.escalation]
    if not ctx.config.nudges.quiet_hours:
        return ladder_due([], base, minutes)
    return ladder_due(await fitting_mentors(ctx, q), base, minutes)
