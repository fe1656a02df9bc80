"""`/mentoradmin stats`: the programme's figures over all time, for admins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.actors import require_admin
from bot.commands import ShowStats
from bot.digest.figures import minutes_text
from bot.domain import QuestionState
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, lines, text
from bot.privacy.audit import audit

__all__ = ["show_stats"]


# Before any question can have been asked; "all time" for the SQL figures of the digest.
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


async def show_stats(cmd: ShowStats, ctx: Context) -> None:
    require_admin(cmd.actor, ctx.config, "`/mentoradmin stats`")
    # The digest's figures, summed in the database over all time: no question is loaded.
    end = ctx.clock.now() + timedelta(days=1)
    f = await ctx.uow.digests.tally(cmd.actor.workspace, _BEGINNING, end, top_mentors=1)
    by_state = {
        QuestionState.OPEN: f.still_open - f.in_session,
        QuestionState.CLAIMED: f.in_session,
        QuestionState.RESOLVED: f.resolved,
        QuestionState.EXPIRED: f.expired,
        QuestionState.CANCELLED: f.cancelled,
        QuestionState.UNANSWERED: f.unanswered,
    }
    states = ", ".join(f"{s.value} {n}" for s, n in by_state.items())
    rating = (
        f"{f.average_rating:.1f}/5 ({f.ratings} rating{'s' if f.ratings != 1 else ''})"
        if f.average_rating
        else "n/a"
    )
    clarity = f"{f.average_clarity:.1f}/5" if f.average_clarity else "n/a"
    # Held as drafts and closed with [That answers it]: no mentor was pinged for them.
    spared = await ctx.uow.drafts.count_answered(cmd.actor.workspace, _BEGINNING, end)
    roster = await ctx.services.roster.snapshot(ctx.uow, cmd.actor.workspace)
    await audit(ctx, cmd.actor, "stats")
    ctx.reply(
        ChatMessage(
            title=text(Bold("Micromentor stats (all time)")),
            body=lines(
                [
                    text(f"Questions: {f.asked} — {states}"),
                    text(
                        f"Median time to claim: {minutes_text(f.median_minutes_to_claim)}; "
                        f"to resolve: {minutes_text(f.median_minutes_to_resolve)}"
                    ),
                    text(f"Average rating: {rating}; question clarity: {clarity}"),
                    text(
                        f"FAQ: {spared} question{'s' if spared != 1 else ''} answered before "
                        + ("it was posted" if spared == 1 else "they were posted")
                    ),
                    text(f"Mentors: {len(roster.profiles)}"),
                ]
            ),
        )
    )
