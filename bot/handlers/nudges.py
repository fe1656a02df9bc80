"""The nudge sweep: lease what is due, send each in its own transaction, retry with back-off."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot import nudging
from bot.cards import session_controls, similar_lines, who
from bot.commands import SendDueNudges
from bot.domain import Nudge, NudgeKind, Question, QuestionState, Transition
from bot.events import QuestionExpired, QuestionUnanswered
from bot.handlers._common import names_for, refresh_card
from bot.handlers.asking import rank_for
from bot.messagebus import Context
from bot.messages import Action, ChatMessage, Mention, UserText, lines, text
from bot.refs import UserRef

__all__ = ["send_due_nudges"]

log = logging.getLogger(__name__)

# Nudges to one person that wait for their working hours (the others go out at once).
_QUIET_KINDS = frozenset({NudgeKind.STALE, NudgeKind.FOLLOW_UP, NudgeKind.PAUSE_END, NudgeKind.FEEDBACK})


class _Later(Exception):
    """Not now: send at `when` instead (quiet hours)."""

    def __init__(self, when: datetime) -> None:
        self.when = when


async def send_due_nudges(cmd: SendDueNudges, ctx: Context) -> None:
    cfg = ctx.config.nudges
    while True:
        async with ctx.new_uow() as lease_uow:
            due = await lease_uow.nudges.claim_due(
                cmd.now, lease=timedelta(seconds=cfg.lease_seconds), limit=cfg.batch_size
            )
            await lease_uow.commit()
        if not due:
            return
        for nudge in due:
            await _send_one(ctx, nudge, cmd.now)
        if len(due) < cfg.batch_size:
            return


async def _send_one(parent: Context, nudge: Nudge, now: datetime) -> None:
    assert nudge.id is not None
    cfg = parent.config.nudges
    uow = parent.new_uow()
    ctx = Context(
        uow=uow, chat=parent.chat, clock=parent.clock, config=parent.config,
        services=parent.services, new_uow=parent.new_uow,
    )
    try:
        async with uow:
            await _SENDERS[nudge.kind](ctx, nudge, now)
            await uow.nudges.mark_sent(nudge.id, now)
            await uow.commit()
        parent.events.extend(ctx.events)
        return
    except _Later as later:
        error, due_at = "quiet hours", later.when
    except Exception as e:  # a failed send is retried, never lost
        log.warning("nudge %s (%s) failed on attempt %d: %s", nudge.id, nudge.kind.value, nudge.attempts, type(e).__name__)
        error = f"{type(e).__name__}: {e}"[:500]
        due_at = now + timedelta(seconds=cfg.retry_base_seconds * 2 ** max(nudge.attempts - 1, 0))
        if nudge.attempts >= cfg.max_attempts:
            async with parent.new_uow() as fail_uow:
                await fail_uow.nudges.mark_failed(nudge.id, error=error)
                await fail_uow.commit()
            log.error("nudge %s (%s) gave up after %d attempts", nudge.id, nudge.kind.value, nudge.attempts)
            return
    async with parent.new_uow() as retry_uow:
        await retry_uow.nudges.retry_later(nudge.id, due_at=due_at, error=error)
        await retry_uow.commit()


async def _respect_quiet_hours(ctx: Context, nudge: Nudge, user: UserRef, now: datetime) -> None:
    if nudge.kind not in _QUIET_KINDS:
        return
    profile = await ctx.uow.mentors.get(user)
    if profile is None:
        return
    when = profile.hours.next_start(now, profile.timezone)
    if when > now:
        raise _Later(when)


async def _question(ctx: Context, nudge: Nudge) -> Question | None:
    return await ctx.uow.questions.get(nudge.question_id) if nudge.question_id else None


async def _escalate(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.OPEN:
        return
    ladder = ctx.config.nudges.escalation
    step = ladder[min(nudge.step, len(ladder) - 1)]
    ws = await ctx.uow.workspaces.get(q.workspace)
    if ws is None:
        return
    names = await names_for(ctx, [q.asker, *q.suggested])
    if step.action == "dm_next":
        ranked = await rank_for(ctx, workspace=q.workspace, topics=q.topics, exclude={q.asker, *q.suggested}, limit=ctx.config.matching.suggest)
        in_hours = [r.ref for r in ranked]
        for ref in in_hours:
            await ctx.chat.send_dm(ref, ChatMessage(
                body=text(f"Question #{q.number} has been waiting {step.after_minutes} min and fits your skills: ",
                          UserText(q.text[:200]), " — claim it on its card if you can help."),
                actions=(Action("claim", q.number, "Claim", "primary"),),
            ))
        if not in_hours:
            log.info("escalation of #%s: no further mentors to ask", q.number)
    elif step.action == "channel_bump":
        channel = ws.mentoring_channel
        await ctx.chat.post_card(channel, ChatMessage(
            body=text(f"Still open after {step.after_minutes} min: question #{q.number} needs a mentor. Can anyone help?"),
            actions=(Action("claim", q.number, "Claim", "primary"),),
        ))
    elif step.action == "admins":
        await ctx.chat.post_card(ws.admin_channel, ChatMessage(
            body=text(f"Heads-up: question #{q.number} has been unclaimed for {step.after_minutes} min. Topics: ",
                      UserText(", ".join(q.topics) or "none recognised"), ". Could you find someone?"),
        ))
    else:  # give_up
        closed = q.moved(Transition.GIVE_UP, closed_at=now)
        if not await ctx.uow.questions.update(closed, expected_state=QuestionState.OPEN):
            return
        await refresh_card(ctx, closed)
        await nudging.on_close(ctx, closed)
        similar = [s for s in (await _similar(ctx, closed))]
        body = [text(who(q.asker, names), f", I'm sorry: nobody could take your question #{q.number} this time. "
                     "It's closed now, but please ask again — maybe with more detail or other keywords: `/askmentor ...`")]
        if similar:
            body += [text("These answered questions may help:"), *similar_lines(similar)]
        await ctx.chat.send_dm(q.asker, ChatMessage(body=lines(body)))
        ctx.emit(QuestionUnanswered(q.number))
        return
    await nudging.schedule_escalation(ctx, q, base=nudge.due_at - _after(ctx, nudge.step), step=nudge.step + 1)


def _after(ctx: Context, step: int) -> timedelta:
    return timedelta(minutes=ctx.config.nudges.escalation[step].after_minutes)


async def _similar(ctx: Context, q: Question) -> list[Question]:
    hits = ctx.services.similar.search(q.text, q.topics, limit=ctx.config.ask.similar_shown)
    found = [await ctx.uow.questions.get(h.question_id) for h in hits]
    return [f for f in found if f is not None and f.id != q.id]


async def _wrap_up(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED or q.thread is None:
        return
    if q.timebox_ends_at is not None and q.timebox_ends_at > now:
        return  # extended meanwhile; the new wrap-up row will come
    names = await names_for(ctx, [q.asker, q.mentor])
    grace = ctx.config.session.wrap_up_grace_minutes
    await ctx.chat.post_in_thread(q.thread, ChatMessage(
        body=text(who(q.asker, names), " ", who(q.mentor, names),
                  f": time's up on #{q.number}. Resolved? Need +10 min? Or agree on a longer chat. "
                  f"If I hear nothing in {grace} min I'll close the session."),
        actions=session_controls(q),
    ))
    await ctx.uow.nudges.add(Nudge(kind=NudgeKind.EXPIRE, workspace=q.workspace, question_id=q.number, due_at=now + timedelta(minutes=grace)))


async def _expire(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED:
        return
    if q.timebox_ends_at is not None and q.timebox_ends_at > now:
        return
    expired = q.moved(Transition.EXPIRE, closed_at=now)
    if not await ctx.uow.questions.update(expired, expected_state=QuestionState.CLAIMED):
        return
    await refresh_card(ctx, expired)
    await nudging.on_close(ctx, expired)
    names = await names_for(ctx, [q.asker, q.mentor])
    msg = ChatMessage(body=text(f"The session on #{q.number} has closed: its time box ran out with no answer to the wrap-up. "
                                "Thanks both! Ask again any time with `/askmentor`."))
    if q.thread is not None:
        await ctx.chat.post_in_thread(q.thread, msg)
    for user in (q.asker, q.mentor):
        if user is not None:
            await ctx.chat.send_dm(user, ChatMessage(body=text(who(user, names), f", session #{q.number} was closed because its time box ran out.")))
    ctx.emit(QuestionExpired(q.number))


async def _stale(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.CLAIMED or q.mentor is None or q.thread is None:
        return
    quiet_for = timedelta(minutes=ctx.config.session.stale_after_minutes)
    if q.last_activity_at is not None and now - q.last_activity_at < quiet_for:
        return  # there was activity: once only, so no re-arm
    await _respect_quiet_hours(ctx, nudge, q.mentor, now)
    names = await names_for(ctx, [q.mentor])
    await ctx.chat.post_in_thread(q.thread, ChatMessage(
        body=text(who(q.mentor, names), f", the thread on #{q.number} has been quiet for a while. Still on it? Release it if you can't continue."),
        actions=session_controls(q),
    ))


async def _feedback(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    if await ctx.uow.feedback.get(q.number, q.asker, "asker") is not None:
        return
    await _respect_quiet_hours(ctx, nudge, q.asker, now)
    await ctx.chat.send_dm(q.asker, ChatMessage(
        body=text(f"How helpful was your session on #{q.number}? One click helps mentors and the programme."),
        actions=tuple(Action(f"rate:{i}", q.number, str(i)) for i in range(1, 6)),
    ))


async def _follow_up(ctx: Context, nudge: Nudge, now: datetime) -> None:
    q = await _question(ctx, nudge)
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    await _respect_quiet_hours(ctx, nudge, q.asker, now)
    names = await names_for(ctx, [q.mentor])
    await ctx.chat.send_dm(q.asker, ChatMessage(
        body=text(f"Checking in on #{q.number} (with ", who(q.mentor, names, mention=False),
                  "): did it work? If you're stuck again, `/askmentor` with what you tried since."),
    ))


async def _pause_end(ctx: Context, nudge: Nudge, now: datetime) -> None:
    if nudge.target is None:
        return
    profile = await ctx.uow.mentors.get(nudge.target)
    if profile is None or profile.paused_until is None or profile.paused_until > now:
        return  # resumed early, or paused again for longer
    await _respect_quiet_hours(ctx, nudge, nudge.target, now)
    profile.paused_until = None
    await ctx.uow.mentors.save(profile)
    await ctx.chat.send_dm(nudge.target, ChatMessage(
        body=text(Mention(nudge.target, nudge.target.id), " welcome back! Your pause is over and questions in your areas will be suggested to you again. "
                  "`/mentor pause` any time.")
    ))


_SENDERS = {
    NudgeKind.ESCALATE: _escalate,
    NudgeKind.WRAP_UP: _wrap_up,
    NudgeKind.EXPIRE: _expire,
    NudgeKind.STALE: _stale,
    NudgeKind.FEEDBACK: _feedback,
    NudgeKind.FOLLOW_UP: _follow_up,
    NudgeKind.PAUSE_END: _pause_end,
}

