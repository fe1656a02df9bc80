"""Weekly helping streaks: a week counts when a mentor resolved at least one session (one they
closed themselves once the asker rated it well); a week they were mostly paused neither counts
nor breaks it. At most one gentle "keep it going" note a
month, and none during a pause."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.actors import names_for
from bot.domain import Nudge, NudgeKind
from bot.events import MentorPaused, MentorResumed
from bot.messagebus import Context
from bot.messages import ChatMessage, text
from bot.nudges.quiet_hours import wait_for_working_hours
from bot.questions.cards import who
from bot.recognition.model import HelpedSession, PausePeriod
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "Streak",
    "helped_sessions",
    "helping_streak",
    "mentor_paused",
    "mentor_resumed",
    "schedule_streak_check",
    "send_streak_note",
    "streak_of",
    "week_of",
]

NOTE_KIND = "streak"
NOTE_EVERY = timedelta(days=30)  # "at most one keep-it-going note a month"
PAUSED_WEEK = timedelta(days=3.5)  # paused this long in a week: the week is excused
_LOOK_BACK = timedelta(days=3 * 366)


@dataclass(frozen=True, slots=True)
class Streak:
    current: int  # weeks in a row up to now (this week counts once it has a session)
    best: int
    this_week: bool  # whether this week already has a resolved session


def week_of(when: datetime) -> date:
    """The Monday (UTC) of the ISO week containing `when`."""
    day = when.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


Interval = tuple[datetime, datetime]


def _merged(spans: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for start, end in sorted(s for s in spans if s[0] < s[1]):
        if out and start <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], end))
        else:
            out.append((start, end))
    return out


def _intersected(a: list[Interval], b: list[Interval]) -> list[Interval]:
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        start, end = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if start < end:
            out.append((start, end))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return out


def _paused_everywhere(
    pauses: Iterable[PausePeriod], workspaces: Collection[WorkspaceRef] | None
) -> list[Interval]:
    """The times the mentor was paused in every one of `workspaces` (a pause of no workspace,
    recorded before pauses had one, counts in each). None or empty: any pause counts."""
    pauses = list(pauses)
    if not workspaces:
        return _merged((p.start, p.end) for p in pauses)
    common: list[Interval] | None = None
    for ws in workspaces:
        here = _merged((p.start, p.end) for p in pauses if p.workspace in (None, ws))
        common = here if common is None else _intersected(common, here)
    return common or []


def _paused_weeks(
    pauses: Iterable[PausePeriod],
    now: datetime,
    workspaces: Collection[WorkspaceRef] | None = None,
) -> set[date]:
    weeks: set[date] = set()
    for p_start, p_end in _paused_everywhere(pauses, workspaces):
        end = min(p_end, now)
        monday = week_of(p_start)
        while True:
            start = datetime.combine(monday, time(), tzinfo=UTC)
            if start >= end:
                break
            overlap = min(end, start + timedelta(days=7)) - max(p_start, start)
            if overlap >= PAUSED_WEEK:
                weeks.add(monday)
            monday += timedelta(days=7)
    return weeks


def helping_streak(
    resolved: Iterable[datetime],
    *,
    now: datetime,
    pauses: Sequence[PausePeriod] = (),
    workspaces: Collection[WorkspaceRef] | None = None,
) -> Streak:
    """Weeks in a row with at least one resolved session (ISO weeks, UTC). This week counts once
    it has one and doesn't break the streak before it is over; a week paused for at least half
    of it is skipped. Paused means paused in every one of `workspaces` (where the mentor has an
    active profile): a break in one workspace while they mentor on in another excuses nothing.
    """
    helped = {week_of(at) for at in resolved if at <= now}
    this_week = week_of(now)
    if not helped:
        return Streak(0, 0, False)
    excused = _paused_weeks(pauses, now, workspaces) - helped
    current = best = 0
    week = min(helped)
    while week <= this_week:
        if week in helped:
            current += 1
            best = max(best, current)
        elif week not in excused and week != this_week:
            current = 0
        week += timedelta(days=7)
    return Streak(current, best, this_week in helped)


async def helped_sessions(
    ctx: Context, mentor: UserRef, *, since: datetime | None
) -> list[HelpedSession]:
    """The sessions that count as this mentor's help (see `HelpedSession.confirmed`)."""
    return [s for s in await ctx.uow.streaks.sessions_of(mentor, since=since) if s.confirmed]


async def streak_of(ctx: Context, mentor: UserRef) -> Streak:
    now = ctx.clock.now()
    since = now - _LOOK_BACK
    sessions = await helped_sessions(ctx, mentor, since=since)
    pauses = await ctx.uow.streaks.pauses(mentor, since=since)
    active = {p.workspace for p in await ctx.uow.mentors.of_person(mentor) if p.active}
    return helping_streak(
        [s.resolved_at for s in sessions], now=now, pauses=pauses, workspaces=active
    )


def _check_time(resolved_at: datetime) -> datetime:
    """Thursday 12:00 UTC of the week after: late enough to matter, early enough to act on."""
    monday = week_of(resolved_at) + timedelta(days=7)
    return datetime.combine(monday + timedelta(days=3), time(12), tzinfo=UTC)


async def schedule_streak_check(ctx: Context, mentor: UserRef, workspace: WorkspaceRef) -> None:
    """After a resolve: look at the streak once next week is half over (one check per week)."""
    due = _check_time(ctx.clock.now())
    pending = await ctx.uow.nudges.pending_of_kind(NudgeKind.STREAK, mentor)
    if any(n.due_at == due for n in pending):
        return
    await ctx.uow.nudges.add(
        Nudge(kind=NudgeKind.STREAK, workspace=workspace, target=mentor, due_at=due)
    )


async def send_streak_note(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """A gentle "keep it going" when a streak of two weeks or more has no session this week yet;
    never during a pause, at most once a month."""
    mentor = nudge.target
    if mentor is None or week_of(now) != week_of(nudge.due_at):
        return  # meant for a week that is over (the process was down): nothing to keep going
    profile = await ctx.uow.mentors.get(mentor, nudge.workspace)
    if profile is None or not profile.active or profile.is_paused(now):
        return
    last = await ctx.uow.streaks.last_note(mentor, NOTE_KIND)
    if last is not None and now - last < NOTE_EVERY:
        return
    streak = await streak_of(ctx, mentor)
    if streak.this_week or streak.current < 2:
        return
    await wait_for_working_hours(ctx, nudge, mentor, now)
    await ctx.uow.streaks.add_note(mentor, NOTE_KIND, now)
    names = await names_for(ctx, [mentor])
    ctx.outbox.dm(
        mentor,
        ChatMessage(
            body=text(
                who(mentor, names, mention=False),
                f", you've helped {streak.current} weeks in a row 🔥 — one session this week "
                "keeps it going. No pressure: `/mentor pause` any time you need a break.",
            )
        ),
    )


async def _end_pauses(
    ctx: Context, mentor: UserRef, workspace: WorkspaceRef | None, at: datetime
) -> None:
    """End `mentor`'s pauses running in `workspace` at `at`. A running pause of no workspace
    (recorded before pauses were per workspace) ends too, and goes on as a pause of each other
    workspace where their profile is still paused."""
    if workspace is None:  # an event from before events named their workspace
        for ws in {p.workspace for p in await ctx.uow.mentors.of_person(mentor)}:
            await ctx.uow.streaks.end_pauses(mentor, at, workspace=ws)
        return
    old = [p for p in await ctx.uow.streaks.pauses(mentor, since=at) if p.workspace is None]
    await ctx.uow.streaks.end_pauses(mentor, at, workspace=workspace)
    if not old:
        return
    for profile in await ctx.uow.mentors.of_person(mentor):
        if profile.workspace != workspace and profile.active and profile.is_paused(at):
            for p in old:
                await ctx.uow.streaks.add_pause(
                    PausePeriod(mentor, max(p.start, at), p.end, workspace=profile.workspace)
                )


async def mentor_paused(event: MentorPaused, ctx: Context) -> None:
    await _end_pauses(ctx, event.mentor, event.workspace, event.since)
    await ctx.uow.streaks.add_pause(
        PausePeriod(event.mentor, event.since, event.until, workspace=event.workspace)
    )


async def mentor_resumed(event: MentorResumed, ctx: Context) -> None:
    await _end_pauses(ctx, event.mentor, event.workspace, event.at)
