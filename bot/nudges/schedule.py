"""Nudges are data: which reminder rows each step of a question's life adds or cancels."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.config import Config
from bot.domain import Nudge, NudgeKind, Question
from bot.messagebus import Context
from bot.nudges.coverage import step_due_times
from bot.refs import UserRef

__all__ = [
    "SESSION_KINDS",
    "after_claim",
    "after_extend",
    "after_release",
    "after_resolve",
    "after_resolve_delay",
    "forget_target",
    "on_close",
    "schedule_escalation",
    "stale_check_worth_it",
]

SESSION_KINDS = (NudgeKind.WRAP_UP, NudgeKind.EXPIRE, NudgeKind.STALE)


async def schedule_escalation(ctx: Context, q: Question, *, base: datetime, step: int = 0) -> None:
    """Add the ladder from `step` on, each due `after_minutes` of the fitting mentors' working
    time after `base` (when q became open; see :mod:`bot.nudges.coverage`).

    Every step is its own row with a fixed due time, so a retried or quiet-hours-delayed step
    never shifts the later ones; a claim cancels them all.
    """
    due = await step_due_times(ctx, q, base)
    await ctx.uow.nudges.add_many(
        [
            Nudge(
                kind=NudgeKind.ESCALATE,
                workspace=q.workspace,
                question_id=q.pk,
                step=i,
                due_at=due[i],
            )
            for i in range(step, len(due))
        ]
    )


async def after_claim(ctx: Context, q: Question) -> None:
    """The ladder stops; the session's wrap-up (and a stale-thread check) start."""
    await ctx.uow.nudges.cancel(q.pk, [NudgeKind.ESCALATE, *SESSION_KINDS])
    await _session_nudges(ctx, q)


async def _session_nudges(ctx: Context, q: Question) -> None:
    assert q.timebox_ends_at is not None and q.mentor is not None
    await _wrap_up(ctx, q)
    stale = ctx.clock.now() + timedelta(minutes=ctx.config.session.stale_after_minutes)
    if stale_check_worth_it(stale, q.timebox_ends_at, ctx.config):
        await ctx.uow.nudges.add(
            Nudge(
                kind=NudgeKind.STALE,
                workspace=q.workspace,
                question_id=q.pk,
                target=q.mentor,
                due_at=stale,
            )
        )


def stale_check_worth_it(at: datetime, timebox_ends_at: datetime, config: Config) -> bool:
    """Whether a quiet-thread check at `at` says something the wrap-up won't say soon: it asks
    the same (resolve, release, extend), so it is left out when the time box ends within half
    the quiet period (with the defaults, 15 min into a 20-min session: 5 min before time's up)."""
    quiet = timedelta(minutes=config.session.stale_after_minutes)
    return timebox_ends_at - at >= quiet / 2


async def _wrap_up(ctx: Context, q: Question) -> None:
    assert q.timebox_ends_at is not None
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.WRAP_UP,
            workspace=q.workspace,
            question_id=q.pk,
            due_at=q.timebox_ends_at,
        )
    )


async def after_extend(ctx: Context, q: Question) -> None:
    """A new end of the time box: the wrap-up moves, a pending expiry is off, and the
    stale-thread check starts again for the time that is left."""
    await ctx.uow.nudges.cancel(q.pk, [NudgeKind.WRAP_UP, NudgeKind.EXPIRE, NudgeKind.STALE])
    await _session_nudges(ctx, q)


async def after_release(ctx: Context, q: Question) -> None:
    """Back to open: the session's nudges go, the ladder starts again from now."""
    await ctx.uow.nudges.cancel(q.pk, [NudgeKind.ESCALATE, *SESSION_KINDS])
    await schedule_escalation(ctx, q, base=ctx.clock.now())


# What is due about a question's own life. A lightning demand check only starts from a question:
# it is about the question's topics (how many asked about them), and goes on once that
# question is closed (the hourly look at a topic nobody can teach, `bot.lightning.proposals`).
_ITS_OWN = tuple(k for k in NudgeKind if k is not NudgeKind.LIGHTNING_DEMAND)


def after_resolve_delay(kind: NudgeKind, config: Config) -> timedelta:
    """How long after the resolve was pressed an after-care nudge is due: the rating request
    and the follow-up (`after_resolve`), next steps (`bot.learning.followup`)."""
    if kind is NudgeKind.FEEDBACK:
        return timedelta(minutes=config.nudges.feedback_after_minutes)
    if kind is NudgeKind.FOLLOW_UP:
        return timedelta(days=config.nudges.follow_up_days)
    if kind is NudgeKind.NEXT_STEPS:
        return timedelta(minutes=config.followup.after_minutes)
    raise ValueError(f"{kind.value} is not due after a resolve")


async def after_resolve(ctx: Context, q: Question) -> None:
    """Resolved: only the rating request and the follow-up check-in remain, due from now (the
    press, also of a late resolve whose `resolved_at` is when its time box ran out)."""
    await ctx.uow.nudges.cancel(q.pk, _ITS_OWN)
    now = ctx.clock.now()
    for kind in (NudgeKind.FEEDBACK, NudgeKind.FOLLOW_UP):
        await ctx.uow.nudges.add(
            Nudge(
                kind=kind,
                workspace=q.workspace,
                question_id=q.pk,
                target=q.asker,
                due_at=now + after_resolve_delay(kind, ctx.config),
            )
        )


async def on_close(ctx: Context, q: Question) -> None:
    """Cancelled, expired or unanswered: nothing about this question is due any more."""
    await ctx.uow.nudges.cancel(q.pk, _ITS_OWN)


async def forget_target(ctx: Context, user: UserRef) -> None:
    """A forgotten person is reminded of nothing: their pending question nudges (the rating
    request and follow-up of a resolved question above all) are cancelled before their ref
    becomes a tombstone, which the senders could not tell from a real person.

    Only their own: the other person of the session keeps theirs (the other rater's held
    low-rating alert, say), which a cancel by question and kind would take too. Their nudges
    about no question stay: none of them reaches a forgotten person (their lessons, pause and
    mentor profile are gone; a badge DM skips a tombstone), and an FAQ entry's check must go
    on, to the admins instead of its forgotten author."""
    theirs = [
        nudge.id
        for kind in NudgeKind
        for nudge in await ctx.uow.nudges.pending_of_kind(kind, user)
        if nudge.question_id is not None and nudge.id is not None
    ]
    await ctx.uow.nudges.cancel_ids(theirs)
