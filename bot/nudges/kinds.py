"""What each kind of nudge decides when it is due: the wrap-up, expiry, a stale-thread check,
the rating request, the follow-up, the end of a pause (the escalation ladder is its own module).
Each records deliveries on the outbox; none talks to a platform."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.actors import names_for, save_mentor
from bot.domain import Nudge, NudgeKind, Question, QuestionState, Transition
from bot.events import QuestionExpired, TimeboxExtended
from bot.feedback.quality import low_rating_to_admins
from bot.learning.faq import verify_faq
from bot.learning.followup import prepare_next_steps, send_next_steps
from bot.learning.training import send_lesson
from bot.messagebus import Context, MessageBus
from bot.messages import Action, ChatMessage, Jump, Text, text
from bot.nudges.escalation import escalate
from bot.nudges.quiet_hours import Later, wait_for_working_hours
from bot.nudges.schedule import stale_check_worth_it
from bot.questions.cards import can_extend, session_controls, who
from bot.questions.handover import offer_ended
from bot.recognition.wiring import COMMUNITY_SENDERS

__all__ = ["PREPARERS", "SENDERS"]


async def _question(ctx: Context, nudge: Nudge) -> Question | None:
    return await ctx.uow.questions.get(nudge.question_id) if nudge.question_id else None


def _in_thread(q: Question) -> Text:
    return text(Jump(q.thread, f"#{q.number}")) if q.thread else text(f"#{q.number}")


async def _wrap_up(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED or q.thread is None:
        return
    if q.timebox_ends_at is not None and q.timebox_ends_at > now:
        return  # extended meanwhile; the new wrap-up row will come
    names = await names_for(ctx, [q.asker, q.mentor])
    grace = ctx.config.session.wrap_up_grace_minutes
    extend = ctx.config.session.extend_minutes
    # With every extension used, +N min is neither offered nor asked about (it'd be refused).
    more = (
        f"Need +{extend} min? Or need a longer chat? Agree on a call"
        if can_extend(q, ctx.config)
        else "No extensions are left. Need a longer chat? Agree on a call"
    )
    ctx.outbox.in_thread(
        ChatMessage(
            body=text(
                who(q.asker, names),
                " ",
                who(q.mentor, names),
                f": time's up on #{q.number}. Resolved? {more}, then resolve this one."
                f" If I hear nothing in {grace} min I'll close the session.",
            ),
            actions=session_controls(q, ctx.config),
            question_id=q.number,
        ),
        q,
    )
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.EXPIRE,
            workspace=q.workspace,
            question_id=q.pk,
            due_at=now + timedelta(minutes=grace),
        )
    )


async def _expire(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED:
        return
    if q.timebox_ends_at is not None and q.timebox_ends_at > now:
        return
    session = ctx.config.session
    # Writing in the thread after the wrap-up is an answer to it: they are still at it. Extend
    # once (the wrap-up comes again at the new end), as long as extensions are left.
    talking = (
        q.last_activity_at is not None
        and q.timebox_ends_at is not None
        and q.last_activity_at >= q.timebox_ends_at
    )
    if talking and q.extensions < session.max_extensions:
        q.timebox_ends_at = now + timedelta(minutes=session.extend_minutes)
        q.extensions += 1
        if await ctx.uow.questions.update(q, expected_state=QuestionState.CLAIMED):
            ctx.emit(TimeboxExtended(q.pk, automatic=True))
        return
    expired = q.moved(Transition.EXPIRE, closed_at=now)
    if await ctx.uow.questions.update(expired, expected_state=QuestionState.CLAIMED):
        offer_ended(ctx, q, "its session ended", by=None)
        ctx.emit(QuestionExpired(q.pk, still_talking=talking))


async def _stale(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED or q.mentor is None or q.thread is None:
        return
    assert q.timebox_ends_at is not None
    if not stale_check_worth_it(now, q.timebox_ends_at, ctx.config):
        return  # time's up, or nearly: the wrap-up speaks for itself
    quiet_for = timedelta(minutes=ctx.config.session.stale_after_minutes)
    if q.last_activity_at is not None and now - q.last_activity_at < quiet_for:
        # There was activity: look again once it has been quiet for the full time, while the
        # session has time left for it (the wrap-up takes over after that).
        again = q.last_activity_at + quiet_for
        if stale_check_worth_it(again, q.timebox_ends_at, ctx.config):
            raise Later(again)
        return
    await wait_for_working_hours(ctx, nudge, q.mentor, now)
    ctx.outbox.in_thread(
        ChatMessage(
            body=await _stale_note(ctx, q),
            actions=session_controls(q, ctx.config),
            question_id=q.number,
        ),
        q,
    )


async def _stale_note(ctx: Context, q: Question) -> Text:
    """Activity is kept per question (a message from either side moves `last_activity_at`),
    so a quiet thread is quiet from both sides: both hear it, each with their next step.
    Someone forgotten meanwhile is neither mentioned nor asked anything."""
    assert q.mentor is not None
    known = await ctx.uow.people.get_many([q.asker, q.mentor])
    names = await names_for(ctx, [q.asker, q.mentor])
    asker = q.asker if q.asker in known else None
    mentor = q.mentor if q.mentor in known else None
    quiet = f"the thread on #{q.number} has been quiet for a while."
    ask_asker = "is this still needed? Resolve it ✅ if you're sorted, or say what's left."
    ask_mentor = "still on it? Carry on, or release it if you can't continue."
    if asker is not None and mentor is not None:
        return text(
            who(asker, names),
            " ",
            who(mentor, names),
            f", {quiet} ",
            who(asker, names, mention=False),
            f", {ask_asker} ",
            who(mentor, names, mention=False),
            f", {ask_mentor}",
        )
    if mentor is not None:
        return text(who(mentor, names), f", {quiet} {_capitalised(ask_mentor)}")
    if asker is not None:
        return text(who(asker, names), f", {quiet} {_capitalised(ask_asker)}")
    return text(_capitalised(quiet))


def _capitalised(said: str) -> str:
    return said[:1].upper() + said[1:]


async def _feedback(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    if await ctx.uow.feedback.get(q.pk, q.asker, "asker") is not None:
        return
    await wait_for_working_hours(ctx, nudge, q.asker, now, triggered_at=q.resolve_pressed_at)
    ctx.outbox.dm(
        q.asker,
        ChatMessage(
            body=text(
                "How helpful was your session on ",
                _in_thread(q),
                "? One click helps your mentor and the programme.",
            ),
            actions=tuple(
                Action(f"rate:{i}", q.number, str(i), "default", q.workspace.id)
                for i in range(1, 6)
            ),
            question_id=q.number,
        ),
    )


async def _follow_up(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    await wait_for_working_hours(ctx, nudge, q.asker, now, triggered_at=q.resolve_pressed_at)
    names = await names_for(ctx, [q.mentor])
    rated = await ctx.uow.feedback.get(q.pk, q.asker, "asker")
    how = (
        ": sorry it didn't quite help. If you're still stuck, ask again with `/askmentor` and "
        "what you tried since: another mentor may see it differently."
        if rated is not None and rated.score <= 2
        else ": I hope it worked. If you're stuck again, ask again with `/askmentor` "
        "and what you tried since."
    )
    ctx.outbox.dm(
        q.asker,
        ChatMessage(
            body=text(
                "Checking in on ",
                _in_thread(q),
                " with ",
                who(q.mentor, names, mention=False),
                how,
            ),
            question_id=q.number,
        ),
    )


async def _pause_end(ctx: Context, nudge: Nudge, now: datetime) -> None:
    if nudge.target is None:
        return
    profile = await ctx.uow.mentors.get(nudge.target, nudge.workspace)
    if profile is None or profile.paused_until is None or profile.paused_until > now:
        return  # resumed early, or paused again for longer
    await wait_for_working_hours(ctx, nudge, nudge.target, now)
    profile.paused_until = None
    await save_mentor(ctx, profile)
    # A DM: it speaks to its reader, with no @mention of them.
    ctx.outbox.dm(
        nudge.target,
        ChatMessage(
            body=text(
                "Your pause is over: welcome back! Questions in your areas will be suggested "
                "to you again. `/mentor pause` any time."
            )
        ),
    )


SENDERS: dict[NudgeKind, Callable[[Context, Nudge, datetime], Awaitable[None]]] = {
    NudgeKind.ESCALATE: escalate,
    NudgeKind.WRAP_UP: _wrap_up,
    NudgeKind.EXPIRE: _expire,
    NudgeKind.STALE: _stale,
    NudgeKind.FEEDBACK: _feedback,
    NudgeKind.FOLLOW_UP: _follow_up,
    NudgeKind.PAUSE_END: _pause_end,
    **COMMUNITY_SENDERS,
    NudgeKind.LESSON: send_lesson,
    NudgeKind.NEXT_STEPS: send_next_steps,
    NudgeKind.FAQ_VERIFY: verify_faq,
    NudgeKind.LOW_RATING: low_rating_to_admins,
}

# Kinds that need slow I/O (a language model) first: run before the deciding transaction
# opens, they return what to decide inside it (which replaces the kind's sender).
PREPARERS: dict[
    NudgeKind,
    Callable[[MessageBus, Nudge, datetime], Awaitable[Callable[[Context], Awaitable[None]]]],
] = {
    NudgeKind.NEXT_STEPS: prepare_next_steps,
}
