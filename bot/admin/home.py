"""The user's own overview (Slack App Home): open questions, profile, badges, lightning sessions
coming up, leaderboard."""

from __future__ import annotations

from bot.actors import names_for, workspace_of
from bot.commands import ShowHome
from bot.domain import QuestionState
from bot.lightning.handlers import upcoming_text
from bot.mentors.profile import profile_card
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, Text, UserText, lines, text
from bot.recognition.points import leaderboard_text
from bot.recognition.profile import recognition_fields

__all__ = ["show_home"]


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
    mentor = profile is not None and profile.active
    if profile is not None and mentor:
        card = profile_card(profile, cmd.actor.name, now)
        fields = card.fields
    fields += await recognition_fields(ctx, cmd.actor.user, mentor=mentor)
    ws = await workspace_of(ctx, cmd.actor.workspace)
    if ws is not None:
        parts += [text(""), (await upcoming_text(ctx, ws, cmd.actor.user)).body]
    if ctx.config.points.leaderboard:
        parts += [text(""), await leaderboard_text(ctx, cmd.actor.workspace)]
    ctx.reply(
        ChatMessage(title=text(Bold("Micromentor")), body=lines(parts), fields=fields, kind="home")
    )
