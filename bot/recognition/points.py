"""Thank-you points: given for real help, capped per person per day, shown on the leaderboard."""

from __future__ import annotations

from bot.actors import names_for
from bot.domain import PointsEntry, Question
from bot.messagebus import Context
from bot.messages import Bold, Text, UserText, lines, text
from bot.refs import UserRef, WorkspaceRef

__all__ = ["award_points", "leaderboard_text"]


async def award_points(
    ctx: Context, *, user: UserRef, question: Question, points: int, reason: str
) -> int:
    """Give points within the daily cap; returns what was actually given."""
    if points <= 0:
        return 0
    now = ctx.clock.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    already = await ctx.uow.points.total_since(user, day_start)
    granted = max(0, min(points, ctx.config.points.daily_cap - already))
    if granted:
        await ctx.uow.points.add(
            PointsEntry(
                workspace=question.workspace,
                user=user,
                points=granted,
                reason=reason,
                at=now,
                question_id=question.id,
            )
        )
    return granted


async def leaderboard_text(ctx: Context, workspace: WorkspaceRef) -> Text:
    rows = await ctx.uow.points.leaderboard(workspace, since=None, limit=10)
    if not rows:
        return text("No points yet — claim and resolve a question to get on the board.")
    names = await names_for(ctx, [r for r, _ in rows])
    out = [text(Bold("Leaderboard (thank-you points)"))]
    for i, (ref, pts) in enumerate(rows, 1):
        out.append(text(f"{i}. ", UserText(names.get(ref, ref.id)), f" — {pts}"))
    return lines(out)
