"""Thank-you points: given for real help, capped per person per day, shown on the leaderboard.

What counts as real help, so that a few friends can't farm the board:

- a session earns its mentor points only when its thread was still active `REAL_HELP` after the
  claim (a claim resolved at once, with no word in the thread, shows no help), and only for the
  first `PAIR_SESSIONS_A_WEEK` sessions of one asker with one mentor in a week;
- kudos between the same two people (either way) earn a point once a week (`bot.recognition.kudos`);
- a lightning talk earns its speaker points (and the ⚡ badge) with a rating of
  `LIGHTNING_GOOD_RATING` or more once at least `LIGHTNING_ATTENDEES` people signed up.

Points held back are held back quietly: ratings and kudos are recorded and shown as ever."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.actors import workspace_of
from bot.domain import PointsEntry, Question
from bot.messagebus import Context
from bot.messages import Bold, Text, UserText, lines, text
from bot.recognition.model import FORGOTTEN_NAME, places
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "LIGHTNING_ATTENDEES",
    "LIGHTNING_GOOD_RATING",
    "PAIR_SESSIONS_A_WEEK",
    "PERIODS",
    "REAL_HELP",
    "award_points",
    "leaderboard_text",
    "lightning_earns",
    "month_start",
    "showed_help",
    "take_back_points",
    "week_start",
]

PERIODS = ("month", "all")

# A session shows real help when its thread was still active this long after the claim.
REAL_HELP = timedelta(minutes=3)
# Sessions of one asker with one mentor that earn the mentor points in a week (ISO, UTC).
PAIR_SESSIONS_A_WEEK = 2
# A lightning talk earns its speaker points with a rating this good, once this many signed up.
LIGHTNING_GOOD_RATING = 3
LIGHTNING_ATTENDEES = 2


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of `now`'s week: the weekly allowances start then."""
    day = now.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(), tzinfo=UTC)


def showed_help(q: Question) -> bool:
    """Whether a session shows real help: its asker or mentor still wrote in its thread (or the
    mentor reacted ✅ there) at least `REAL_HELP` after the claim, as `last_activity_at` keeps
    it; or the two needed more time (an extension: a session talked through on a call leaves
    no words in the thread). Its asker's rating is kept either way; only the mentor's points
    wait for this."""
    if q.claimed_at is None:
        return False
    if q.extensions > 0:
        return True
    return q.last_activity_at is not None and q.last_activity_at - q.claimed_at >= REAL_HELP


def lightning_earns(score: int, signed_up: int) -> bool:
    """Whether an attendee's rating of `score` earns the speaker their points and badge, with
    `signed_up` people (the speaker aside) signed up for the talk."""
    return score >= LIGHTNING_GOOD_RATING and signed_up >= LIGHTNING_ATTENDEES


async def _pair_week_full(ctx: Context, q: Question) -> bool:
    """Whether other sessions of `q`'s asker with its mentor, resolved in the same week, earned
    the mentor points `PAIR_SESSIONS_A_WEEK` times already."""
    assert q.mentor is not None
    start = week_start(q.resolved_at or ctx.clock.now())
    end = start + timedelta(days=7)
    scored = 0
    for s in await ctx.uow.streaks.sessions_of(q.mentor, since=start):
        if s.asker != q.asker or s.question_id == q.pk or s.resolved_at >= end:
            continue
        if await ctx.uow.points.given_for(q.mentor, s.question_id, "resolve") or (
            await ctx.uow.points.held_for(q.mentor, s.question_id, "good rating") > 0
        ):
            scored += 1
    return scored >= PAIR_SESSIONS_A_WEEK


async def award_points(
    ctx: Context,
    *,
    user: UserRef,
    points: int,
    reason: str,
    question: Question | None = None,
    workspace: WorkspaceRef | None = None,
) -> int:
    """Give points within the daily cap; returns what was actually given (0 when held back:
    say nothing of points to anyone but from this figure).

    Points are for help: a resolved session, a good rating, kudos received, a lightning session
    given; never for claiming alone. Points on a `question` are its mentor's for the session:
    given only when it showed real help (`showed_help`) and within the asker and mentor's weekly
    allowance. `workspace` defaults to the question's."""
    if points <= 0:
        return 0
    if question is not None and (
        question.mentor != user or not showed_help(question) or await _pair_week_full(ctx, question)
    ):
        return 0
    where = workspace or (question.workspace if question is not None else None)
    assert where is not None, "points belong to a workspace"
    now = ctx.clock.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    already = await ctx.uow.points.total_since(user, day_start, where)
    granted = max(0, min(points, ctx.config.points.daily_cap - already))
    if granted:
        await ctx.uow.points.add(
            PointsEntry(
                workspace=where,
                user=user,
                points=granted,
                reason=reason,
                at=now,
                question_id=question.id if question is not None else None,
            )
        )
    return granted


async def take_back_points(ctx: Context, *, user: UserRef, question: Question, reason: str) -> int:
    """Take back the points `user` holds for `reason` on `question` (a corrected rating); returns
    how many. The ledger keeps both entries: the take-back is a negative one."""
    held = await ctx.uow.points.held_for(user, question.pk, reason)
    if held <= 0:
        return 0
    await ctx.uow.points.add(
        PointsEntry(
            workspace=question.workspace,
            user=user,
            points=-held,
            reason=reason,
            at=ctx.clock.now(),
            question_id=question.pk,
        )
    )
    return held


def month_start(now: datetime, tz: str) -> datetime:
    """The first of `now`'s month, midnight in `tz`, as UTC."""
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    return datetime.combine(local.date().replace(day=1), time(), tzinfo=zone).astimezone(UTC)


async def leaderboard_text(ctx: Context, workspace: WorkspaceRef, *, period: str = "month") -> Text:
    """The top ten by points: this calendar month (the workspace's timezone) or all time."""
    ws = await workspace_of(ctx, workspace)
    tz = ws.timezone if ws is not None and ws.timezone else ctx.config.bot.timezone
    now = ctx.clock.now()
    since = month_start(now, tz) if period == "month" else None
    rows = await ctx.uow.points.leaderboard(workspace, since=since, limit=10)
    label = f"{now.astimezone(ZoneInfo(tz)):%B %Y}" if since is not None else "all time"
    if not rows:
        when = "this month" if since is not None else "yet"
        return text(
            f"No points {when} — resolve a session, give a lightning talk or get kudos "
            "to get on the board."
        )
    people = await (await ctx.reads()).people.get_many([r for r, _ in rows])
    out = [text(Bold(f"Leaderboard — {label} (thank-you points)"))]
    # Equal points, equal place ("1, 1, 3"): who is listed first in a tie is no ranking.
    for rank, (ref, pts) in zip(places(pts for _, pts in rows), rows, strict=True):
        # A forgotten person's points stay, attributed to nobody: never their tombstone id.
        person = people.get(ref)
        name = UserText(person.name) if person is not None else FORGOTTEN_NAME
        out.append(text(f"{rank}. ", name, f" — {pts}"))
    return lines(out)
