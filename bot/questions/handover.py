"""Hand-over: the mentor (or an admin) passes a running session to someone else."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.actors import is_admin, load_question, require_workspace
from bot.commands import HandOverQuestion
from bot.domain import Person, QuestionState
from bot.events import QuestionHandedOver
from bot.messagebus import Context, Refusal

__all__ = ["hand_over_question"]


async def hand_over_question(cmd: HandOverQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not (cmd.actor.user == q.mentor or is_admin(cmd.actor, ctx.config)):
        raise Refusal(f"Only the mentor of #{q.number} (or an admin) can hand it over.")
    if q.state is not QuestionState.CLAIMED or q.mentor is None:
        raise Refusal(f"#{q.number} has no session running, so there is nothing to hand over.")
    if cmd.to == q.asker:
        raise Refusal(f"The asker of #{q.number} can't mentor their own question.")
    if cmd.to == q.mentor:
        raise Refusal(f"{cmd.to_name} already has #{q.number}.")
    await require_workspace(ctx, cmd.actor)
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
    ctx.reply(f"#{q.number} is now with {cmd.to_name}. Thank you for passing it on!")
    ctx.emit(QuestionHandedOver(q.pk, previous, cmd.to, old_thread=q.thread))
