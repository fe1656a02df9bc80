"""A session's time: extending its time box, activity in its thread (which answers the
wrap-up), and a word to whoever writes in the thread of a session its time box closed."""

from __future__ import annotations

from datetime import timedelta

from bot.actors import load_question, workspace_of
from bot.commands import ExtendTimebox, RecordThreadActivity
from bot.domain import Question, QuestionState
from bot.events import TimeboxExtended
from bot.messagebus import Context, Refusal
from bot.messages import Action, ChatMessage, text, when
from bot.questions.cards import (
    TIMED_OUT_ADVICE,
    late_resolve_hours,
    late_resolve_open,
    late_resolve_until,
)
from bot.questions.sessions import _changed_meanwhile, _may_manage, _refuse_move
from bot.refs import UserRef

__all__ = ["extend_timebox", "record_thread_activity"]


async def extend_timebox(cmd: ExtendTimebox, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not _may_manage(cmd.actor, q, ctx, asker=True, mentor=True):
        raise Refusal(f"Only the asker or mentor of #{q.number} (or an admin) can extend it.")
    if q.state is not QuestionState.CLAIMED or q.timebox_ends_at is None:
        raise _refuse_move(q, "extended")
    session = ctx.config.session
    now = ctx.clock.now()
    if q.extensions >= session.max_extensions:
        # Not a refusal (that would undo everything): the press still says they are at it,
        # which answers the wrap-up as writing in the thread does (`bot.nudges.kinds`).
        if cmd.actor.user in (q.asker, q.mentor):
            await ctx.uow.questions.touch(q.pk, now)
        ctx.reply(
            f"#{q.number} has been extended {q.extensions} times already. "
            "If you need longer, agree on a proper meeting and resolve this one."
        )
        return
    q.timebox_ends_at = max(q.timebox_ends_at, now) + timedelta(minutes=session.extend_minutes)
    q.extensions += 1
    if not await ctx.uow.questions.update(q, expected_state=QuestionState.CLAIMED):
        raise _changed_meanwhile(q)
    ctx.reply(f"Extended #{q.number} by {session.extend_minutes} minutes.")
    ctx.emit(TimeboxExtended(q.pk))


async def record_thread_activity(cmd: RecordThreadActivity, ctx: Context) -> None:
    q = None
    if cmd.question_id is not None:
        q = await ctx.uow.questions.get_by_number(cmd.actor.workspace, cmd.question_id)
    elif cmd.thread is not None:
        q = await ctx.uow.questions.get_by_thread(cmd.thread)
    if (
        q is None
        or q.workspace != cmd.actor.workspace
        # The session is the asker's and the mentor's: a bystander writing in a public thread
        # neither keeps it alive nor answers its wrap-up.
        or cmd.actor.user not in (q.asker, q.mentor)
    ):
        return
    if q.state is QuestionState.CLAIMED:
        await ctx.uow.questions.touch(q.pk, ctx.clock.now())
    elif q.state is QuestionState.EXPIRED:
        await _tell_thread_ended(ctx, q, cmd.actor.user)


async def _tell_thread_ended(ctx: Context, q: Question, user: UserRef) -> None:
    """Someone wrote in the thread of a session closed when its time ran out: nobody watches it
    any more (their words reach the other person only if they look), so say so, once; while
    the late resolve is open (``LATE_RESOLVE`` after it closed), with its Resolve button."""
    kind, now = f"thread_ended:{q.pk}", ctx.clock.now()
    if await ctx.uow.rate_events.count_since(q.workspace, user, kind, q.closed_at or q.created_at):
        return
    await ctx.uow.rate_events.record(q.workspace, user, kind, now)
    advice = TIMED_OUT_ADVICE["asker" if user == q.asker else "mentor"]
    said = text(
        f"The session on #{q.number} closed when its time ran out, so the bot no longer "
        "follows its thread: a message there may go unread. ",
        advice,
    )
    actions: tuple[Action, ...] = ()
    until = late_resolve_until(q)
    if until is not None and late_resolve_open(q, now):
        # Still in time for the late resolve (`resolve_question`): its button, here too.
        ws = await workspace_of(ctx, q.workspace)
        said = said + text(
            " If it got sorted, press Resolve to mark it resolved (you can until ",
            when(until, ws.timezone if ws is not None else "UTC", with_date=True),
            ").",
        )
        actions = (Action("resolve", q.number, "Resolve", "primary", q.workspace.id),)
    elif until is not None and now > until:
        said = said + (
            f" It closed over {late_resolve_hours()} hours ago, so it can't be marked resolved "
            "any more."
        )
    ctx.outbox.dm(user, ChatMessage(body=said, actions=actions, question_id=q.number))
