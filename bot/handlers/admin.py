"""Admin and overview commands: workspace set-up, stats, the user's home view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.commands import RegisterWorkspace, ShowHome, ShowLeaderboard, ShowStats
from bot.digest import minutes_text
from bot.domain import QuestionState, Workspace
from bot.handlers._common import is_admin, names_for
from bot.handlers.mentors import leaderboard_text, profile_card
from bot.messagebus import Context, Refusal
from bot.messages import Bold, ChatMessage, Text, UserText, lines, text

__all__ = ["register_workspace", "show_home", "show_stats"]


async def register_workspace(cmd: RegisterWorkspace, ctx: Context) -> None:
    await ctx.uow.workspaces.save(
        Workspace(
            ref=cmd.workspace,
            mentoring_channel=cmd.mentoring_channel,
            admin_channel=cmd.admin_channel,
            timezone=cmd.timezone,
            name=cmd.name,
            escalation_channel=cmd.escalation_channel,
        )
    )


# Before any question can have been asked; "all time" for the SQL figures of the digest.
_BEGINNING = datetime(2000, 1, 1, tzinfo=UTC)


async def show_stats(cmd: ShowStats, ctx: Context) -> None:
    if not is_admin(cmd.actor, ctx.config):
        raise Refusal("Sorry, `/mentoradmin` is for admins. Ask one of them if you need figures.")
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
    roster = await ctx.services.roster.snapshot(ctx.uow, cmd.actor.workspace)
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
                    text(f"Mentors: {len(roster.profiles)}"),
                ]
            ),
        )
    )


async def show_home(cmd: ShowHome, ctx: Context) -> None:
    """The user's own overview: open questions, mentor profile, leaderboard."""
    now = ctx.clock.now()
    mine = await ctx.uow.questions.open_for(cmd.actor.user)
    names = await names_for(ctx, [q.mentor for q in mine])
    parts: list[Text] = [text(Bold("Your open questions"))]
    if not mine:
        parts.append(text("None. Ask with `/askmentor <question>`."))
    for q in mine:
        role = "you asked" if q.asker == cmd.actor.user else "you're mentoring"
        state = q.state.value
        if q.state is QuestionState.CLAIMED and q.asker == cmd.actor.user and q.mentor:
            state += " by " + names.get(q.mentor, q.mentor.id)
        parts.append(text(f"• #{q.number} ({role}, {state}): ", UserText(q.text[:120])))
    profile = await ctx.uow.mentors.get(cmd.actor.user)
    fields: tuple[tuple[str, Text], ...] = ()
    if profile is not None and profile.active:
        card = profile_card(profile, cmd.actor.name, now)
        fields = card.fields
    board = await leaderboard_text(ctx, ShowLeaderboard(cmd.actor))
    parts += [text(""), board]
    ctx.reply(
        ChatMessage(title=text(Bold("Micromentor")), body=lines(parts), fields=fields, kind="home")
    )
