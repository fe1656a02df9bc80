"""Hand-over: the mentor (or an admin) passes a running session to someone else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot import nudging
from bot.cards import session_intro, who
from bot.commands import HandOverQuestion
from bot.domain import Person, QuestionState
from bot.events import QuestionClaimed
from bot.handlers._common import (
    is_admin,
    load_question,
    names_for,
    refresh_card,
    require_workspace,
)
from bot.messagebus import Context, Refusal
from bot.messages import ChatMessage, text

__all__ = ["hand_over_question"]


async def hand_over_question(cmd: HandOverQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.question_id)
    if not (cmd.actor.user == q.mentor or is_admin(cmd.actor, ctx.config)):
        raise Refusal(f"Only the mentor of #{q.number} (or an admin) can hand it over.")
    if q.state is not QuestionState.CLAIMED or q.mentor is None:
        raise Refusal(f"#{q.number} has no session running, so there is nothing to hand over.")
    if cmd.to == q.asker:
        raise Refusal(f"The asker of #{q.number} can't mentor their own question.")
    if cmd.to == q.mentor:
        raise Refusal(f"{cmd.to_name} already has #{q.number}.")
    ws = await require_workspace(ctx, cmd.actor)
    if await ctx.uow.people.get(cmd.to) is None:
        await ctx.uow.people.upsert(Person(ref=cmd.to, name=cmd.to_name))
    now = ctx.clock.now()
    previous = q.mentor
    handed = replace(
        q,
        mentor=cmd.to,
        claimed_at=now,
        timebox_ends_at=now + timedelta(minutes=ctx.config.session.timebox_minutes),
        last_activity_at=now,
        extensions=0,
    )
    if not await ctx.uow.questions.update(handed, expected_state=QuestionState.CLAIMED):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    names = await names_for(ctx, [q.asker, previous, cmd.to, *q.suggested])
    # The same thread where the platform allows (a reply thread, a public thread); a new private
    # conversation of asker and new mentor where membership is fixed (anonymous questions).
    handed.thread = await ctx.chat.open_thread(
        card=q.card,
        channel=ws.mentoring_channel,
        members=[q.asker, cmd.to],
        private=q.anonymous,
        name=f"Question #{q.number}",
    )
    if not await ctx.uow.questions.update(handed, expected_state=QuestionState.CLAIMED):
        raise RuntimeError("question changed during hand-over")
    note = ChatMessage(
        body=text(
            who(previous, names, mention=False),
            " handed #",
            str(q.number),
            " over to ",
            who(cmd.to, names),
            ". Thanks both!",
        )
    )
    if q.thread is not None:
        await ctx.chat.post_in_thread(q.thread, note)
    await ctx.chat.post_in_thread(
        handed.thread, session_intro(handed, names=names, config=ctx.config, tz=ws.timezone)
    )
    await refresh_card(ctx, handed, names=names)
    await nudging.after_claim(ctx, handed)
    ctx.reply(f"#{q.number} is now with {cmd.to_name}. Thank you for passing it on!")
    ctx.emit(QuestionClaimed(q.number, cmd.to))
