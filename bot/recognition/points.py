"""Thank-you points: given for real help, capped per person per day, shown on the leaderboard."""

from __future__ import annotations

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.actors import workspace_of
from bot.domain import PointsEntry, Question
from bot.messagebus import Context
from bot.messages import Bold, Text, UserText, lines, text
from bot.recognition.model import FORGOTTEN_NAME, places
from bot.refs import UserRef, WorkspaceRef

__all__ = ["PERIODS", "award_points", "leaderboard_text", "month_start", "take_back_points"]

PERIODS = ("month", "all")


async def award_points(
    ctx: Context,
    *,
    user: UserRef,
    points: int,
    reason: str,
    question: Question | None = None,
    workspace: WorkspaceRef | None = None,
) -> int:
    """Give points within the daily cap; returns what was actually given.

    Points are for help: a resolved session, a good rating, kudos received, a lightning session
    given; never for claiming alone. `workspace` defaults to the question's."""
    if points <= 0:
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
