"""The nudge sweep: lease what is due, send each in its own transaction, retry with back-off."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot import nudging
from bot.cards import session_controls, who
from bot.commands import SendDueNudges
from bot.domain import Nudge, NudgeKind, Question, QuestionState, Transition
from bot.events import QuestionExpired
from bot.handlers._common import names_for, refresh_card, save_mentor
from bot.handlers.escalation import escalate
from bot.messagebus import Context
from bot.messages import Action, ChatMessage, Jump, Text, text
from bot.quiet_hours import Later, wait_for_working_hours

__all__ = ["send_due_nudges"]

log = logging.getLogger(__name__)


async def send_due_nudges(cmd: SendDueNudges, ctx: Context) -> None:
    """Lease due nudges in batches and send each one; a replica never sends another's lease."""
    cfg = ctx.config.nudges
    lease = timedelta(seconds=cfg.lease_seconds)
    while True:
        now = max(cmd.now, ctx.clock.now())  # a long sweep leases later batches from real time
        async with ctx.new_uow() as lease_uow:
            due = await lease_uow.nudges.claim_due(now, lease=lease, limit=cfg.batch_size)
            await lease_uow.commit()
        await _send_all(ctx, due, not_before=cmd.now)
        if len(due) < cfg.batch_size:
            return


async def _send_all(ctx: Context, due: list[Nudge], *, not_before: datetime) -> None:
    concurrency = ctx.config.nudges.send_concurrency
    if concurrency == 1:
        for nudge in due:  # in due order: what a person watching the console expects
            await _send_one(ctx, nudge, max(not_before, ctx.clock.now()))
        return
    gate = asyncio.Semaphore(concurrency)

    async def send(nudge: Nudge) -> None:
        async with gate:
            await _send_one(ctx, nudge, max(not_before, ctx.clock.now()))

    await asyncio.gather(*(send(n) for n in due))


def _child(parent: Context) -> Context:
    return Context(
        uow=parent.new_uow(),
        chat=parent.chat,
        clock=parent.clock,
        config=parent.config,
        services=parent.services,
        new_uow=parent.new_uow,
    )


async def _send_one(parent: Context, nudge: Nudge, now: datetime) -> None:
    assert nudge.id is not None and nudge.lease_until is not None
    cfg = parent.config.nudges
    ctx = _child(parent)
    try:
        async with ctx.uow:
            held = await ctx.uow.nudges.hold(
                nudge.id,
                lease_until=nudge.lease_until,
                until=now + timedelta(seconds=cfg.lease_seconds),
            )
            if not held:  # our lease ran out during a long batch and another sweeper has it
                log.info("nudge %s: lease lost, left to the sweeper that holds it", nudge.id)
                return
            await _SENDERS[nudge.kind](ctx, nudge, now)
            await ctx.uow.nudges.mark_sent(nudge.id, now)
            await ctx.uow.commit()
        for callback in ctx.after_commit:
            callback()
        parent.events.extend(ctx.events)
        return
    except Later as later:
        async with parent.new_uow() as uow:
            await uow.nudges.postpone(nudge.id, due_at=later.when)
            await uow.commit()
        log.debug("nudge %s (%s) waits for working hours: %s", nudge.id, nudge.kind, later.when)
        return
    except Exception as e:  # a failed send is retried, never lost
        error = f"{type(e).__name__}: {e}"[:500]
    async with parent.new_uow() as uow:
        if nudge.attempts >= cfg.max_attempts:
            await uow.nudges.mark_failed(nudge.id, error=error)
            log.error(
                "nudge %s (%s) gave up after %d attempts: %s",
                nudge.id,
                nudge.kind.value,
                nudge.attempts,
                error,
            )
        else:
            backoff = timedelta(seconds=cfg.retry_base_seconds * 2 ** max(nudge.attempts - 1, 0))
            await uow.nudges.retry_later(nudge.id, due_at=now + backoff, error=error)
            log.warning(
                "nudge %s (%s) failed on attempt %d, retrying in %ds: %s",
                nudge.id,
                nudge.kind.value,
                nudge.attempts,
                backoff.total_seconds(),
                error,
            )
        await uow.commit()


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
    await ctx.chat.post_in_thread(
        q.thread,
        ChatMessage(
            body=text(
                who(q.asker, names),
                " ",
                who(q.mentor, names),
                f": time's up on #{q.number}. Resolved? Need +{extend} min? Or need a longer "
                "chat — agree on a call, then resolve this one. "
                f"If I hear nothing in {grace} min I'll close the session.",
            ),
            actions=session_controls(q),
            question_id=q.number,
        ),
    )
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.EXPIRE,
            workspace=q.workspace,
            question_id=q.number,
            due_at=now + timedelta(minutes=grace),
        )
    )


async def _expire(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED:
        return
    if q.timebox_ends_at is not None and q.timebox_ends_at > now:
        return
    expired = q.moved(Transition.EXPIRE, closed_at=now)
    if not await ctx.uow.questions.update(expired, expected_state=QuestionState.CLAIMED):
        return
    names = await names_for(ctx, [q.asker, q.mentor, *q.suggested])
    await refresh_card(ctx, expired, names=names)
    await nudging.on_close(ctx, expired)
    if q.thread is not None:
        await ctx.chat.post_in_thread(
            q.thread,
            ChatMessage(
                body=text(
                    f"The session on #{q.number} has closed: its time box ran out with no answer "
                    "to the wrap-up. Thanks both! Ask again any time with `/askmentor`."
                ),
                question_id=q.number,
            ),
        )
    for user in (q.asker, q.mentor):
        if user is not None:
            await ctx.chat.send_dm(
                user,
                ChatMessage(
                    body=text(
                        who(user, names, mention=False),
                        ", session ",
                        _in_thread(q),
                        " was closed because its time box ran out. "
                        "If it isn't settled, `/askmentor` again with where you got to.",
                    ),
                    question_id=q.number,
                ),
            )
    ctx.emit(QuestionExpired(q.number))


async def _stale(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED or q.mentor is None or q.thread is None:
        return
    if q.timebox_ends_at is not None and now >= q.timebox_ends_at:
        return  # time's up: the wrap-up speaks for itself
    quiet_for = timedelta(minutes=ctx.config.session.stale_after_minutes)
    if q.last_activity_at is not None and now - q.last_activity_at < quiet_for:
        # There was activity: look again once it has been quiet for the full time, while the
        # session lasts (the wrap-up takes over after that).
        again = q.last_activity_at + quiet_for
        if q.timebox_ends_at is not None and again < q.timebox_ends_at:
            raise Later(again)
        return
    await wait_for_working_hours(ctx, nudge, q.mentor, now)
    names = await names_for(ctx, [q.mentor])
    await ctx.chat.post_in_thread(
        q.thread,
        ChatMessage(
            body=text(
                who(q.mentor, names),
                f", the thread on #{q.number} has been quiet for a while. Still on it? "
                "Release it if you can't continue.",
            ),
            actions=session_controls(q),
            question_id=q.number,
        ),
    )


async def _feedback(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    if await ctx.uow.feedback.get(q.number, q.asker, "asker") is not None:
        return
    await wait_for_working_hours(ctx, nudge, q.asker, now, triggered_at=q.resolved_at)
    await ctx.chat.send_dm(
        q.asker,
        ChatMessage(
            body=text(
                "How helpful was your session on ",
                _in_thread(q),
                "? One click helps your mentor and the programme.",
            ),
            actions=tuple(Action(f"rate:{i}", q.number, str(i)) for i in range(1, 6)),
            question_id=q.number,
        ),
    )


async def _follow_up(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    await wait_for_working_hours(ctx, nudge, q.asker, now, triggered_at=q.resolved_at)
    names = await names_for(ctx, [q.mentor])
    await ctx.chat.send_dm(
        q.asker,
        ChatMessage(
            body=text(
                "Checking in on ",
                _in_thread(q),
                " (with ",
                who(q.mentor, names, mention=False),
                "): did it work? If you're stuck again, ask again with `/askmentor` "
                "and what you tried since.",
            ),
            question_id=q.number,
        ),
    )


async def _pause_end(ctx: Context, nudge: Nudge, now: datetime) -> None:
    if nudge.target is None:
        return
    profile = await ctx.uow.mentors.get(nudge.target)
    if profile is None or profile.paused_until is None or profile.paused_until > now:
        return  # resumed early, or paused again for longer
    await wait_for_working_hours(ctx, nudge, nudge.target, now)
    profile.paused_until = None
    await save_mentor(ctx, profile)
    names = await names_for(ctx, [nudge.target])
    await ctx.chat.send_dm(
        nudge.target,
        ChatMessage(
            body=text(
                who(nudge.target, names),
                ", welcome back! Your pause is over and questions in your areas will be "
                "suggested to you again. `/mentor pause` any time.",
            )
        ),
    )


_SENDERS: dict[NudgeKind, Callable[[Context, Nudge, datetime], Awaitable[None]]] = {
    NudgeKind.ESCALATE: escalate,
    NudgeKind.WRAP_UP: _wrap_up,
    NudgeKind.EXPIRE: _expire,
    NudgeKind.STALE: _stale,
    NudgeKind.FEEDBACK: _feedback,
    NudgeKind.FOLLOW_UP: _follow_up,
    NudgeKind.PAUSE_END: _pause_end,
}
