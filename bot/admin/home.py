"""The user's own overview (Slack App Home, Discord `/mentor home`): an Ask button and their open
questions; for mentors Pause/Resume/Edit skills and their sessions; for admins the queue and a
Dashboard button; profile, badges, lightning sessions coming up, leaderboard."""

from __future__ import annotations

from datetime import datetime

from bot.actors import is_admin, names_for, workspace_of
from bot.commands import ShowHome
from bot.domain import QuestionState
from bot.learning.drafts import STILL_HELD
from bot.lightning.handlers import upcoming_text
from bot.mentors.profile import profile_card
from bot.messagebus import Context
from bot.messages import Action, Bold, ChatMessage, Text, UserText, lines, text
from bot.ports import UnitOfWork
from bot.recognition.points import leaderboard_text
from bot.recognition.profile import recognition_fields
from bot.refs import WorkspaceRef
from bot.wording import duration_text

__all__ = ["HOME_QUESTIONS", "queue_summary", "show_home"]

# Questions listed on the home view (Block Kit allows 100 blocks and 3000 characters a section).
HOME_QUESTIONS = 15


async def show_home(cmd: ShowHome, ctx: Context) -> None:
    """The user's own overview: open questions, mentor profile, leaderboard."""
    now = ctx.clock.now()
    # Question numbers are per workspace: another one's "#3" is not this one's (a Discord user is
    # the same person in every server the bot serves).
    mine = [
        q
        for q in await ctx.uow.questions.open_for(cmd.actor.user)
        if q.workspace == cmd.actor.workspace
    ]
    names = await names_for(ctx, [q.mentor for q in mine])
    held = [
        d
        for d in await ctx.uow.drafts.pending(cmd.actor.workspace, cmd.actor.user)
        if d.created_at >= now - STILL_HELD
    ]
    parts: list[Text] = [text(Bold("Your open questions"))]
    if not mine and not held:
        parts.append(text("None. Ask with `/askmentor <question>`."))
    for d in held:  # held for coaching or an FAQ answer: not posted, no mentor has seen it
        how = "your draft, not posted yet" + (", anonymous" if d.anonymous else "")
        parts.append(
            text(
                f"• ({how}): ",
                UserText(d.text[:120]),
                " — press Post as is or Edit where I showed it, or ask again to replace it.",
            )
        )
    for q in mine[:HOME_QUESTIONS]:
        # Only the asker sees this page's lines about their question: theirs to know.
        asked = "you asked anonymously" if q.anonymous else "you asked"
        role = asked if q.asker == cmd.actor.user else "you're mentoring"
        state = text(q.state.value)
        if q.state is QuestionState.CLAIMED and q.asker == cmd.actor.user and q.mentor:
            state += text(" by ", UserText(names.get(q.mentor, q.mentor.id)))
        parts.append(text(f"• #{q.number} ({role}, ", state, "): ", UserText(q.text[:120])))
    if len(mine) > HOME_QUESTIONS:
        parts.append(text(f"… and {len(mine) - HOME_QUESTIONS} more."))
    profile = await ctx.uow.mentors.get(cmd.actor.user, cmd.actor.workspace)
    ws_id = cmd.actor.workspace.id
    actions = [Action("ask", 0, "Ask a question", "primary", ws_id)]
    if profile is not None and profile.active:
        if profile.is_paused(now):
            actions.append(Action("resume", 0, "Resume", "default", ws_id))
        else:
            actions.append(Action("pause", 0, "Pause", "default", ws_id))
        actions.append(Action("skills", 0, "Edit skills", "default", ws_id))
    if is_admin(cmd.actor, ctx.config):
        parts += [
            text(""),
            text(Bold("Queue (admin)")),
            await queue_summary(ctx.uow, cmd.actor.workspace, now),
        ]
        actions.append(Action("dashboard", 0, "Dashboard", "default", ws_id))
    fields: tuple[tuple[str, Text], ...] = ()
    mentor = profile is not None and profile.active
    if profile is not None and mentor:
        card = profile_card(profile, cmd.actor.name, now, quiet=ctx.services.taxonomy.quiet)
        fields = card.fields
    fields += await recognition_fields(ctx, cmd.actor.user, mentor=mentor)
    ws = await workspace_of(ctx, cmd.actor.workspace)
    if ws is not None:
        parts += [text(""), (await upcoming_text(ctx, ws, cmd.actor.user)).body]
    if ctx.config.points.leaderboard:
        parts += [text(""), await leaderboard_text(ctx, cmd.actor.workspace)]
    if fields:  # they follow the body: a heading of their own, apart from the leaderboard
        parts += [text(""), text(Bold("Your mentor profile" if mentor else "Your profile"))]
    ctx.reply(
        ChatMessage(
            title=text(Bold("Micromentor")),
            body=lines(parts),
            fields=fields,
            kind="home",
            actions=tuple(actions),
        )
    )


async def queue_summary(uow: UnitOfWork, workspace: WorkspaceRef, now: datetime) -> Text:
    """``3 open (oldest waiting 2 h), 1 in a session``; a wait reads as every duration does
    (``under a minute``, ``12 min``, ``2 h 5 min``)."""
    waiting = await uow.questions.with_state(workspace, [QuestionState.OPEN])
    running = await uow.questions.with_state(workspace, [QuestionState.CLAIMED])
    if not waiting and not running:
        return text("Nothing waiting.")
    oldest = ""
    if waiting:
        minutes = (now - min(q.created_at for q in waiting)).total_seconds() // 60
        oldest = f" (oldest waiting {duration_text(minutes)})"
    return text(f"{len(waiting)} open{oldest}, {len(running)} in a session.")
