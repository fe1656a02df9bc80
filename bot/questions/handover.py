"""Hand-over with consent: the mentor (or an admin) asks another active mentor of the same
workspace to take a running session; it moves only when they press Accept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.actors import is_admin, load_question, names_for, require_workspace
from bot.commands import AcceptHandOver, DeclineHandOver, HandOverQuestion
from bot.domain import Question, QuestionState
from bot.events import QuestionHandedOver
from bot.messagebus import Context, Refusal
from bot.messages import Action, ChatMessage, UserText, text
from bot.privacy.audit import audit
from bot.refs import UserRef

__all__ = ["accept_hand_over", "decline_hand_over", "hand_over_question"]

# How many of the workspace's latest hand-over audit entries an Accept looks through to learn
# whether an admin asked for it.
_AUDIT_LOOKBACK = 200


def _running(q: Question) -> None:
    if q.state is not QuestionState.CLAIMED or q.mentor is None:
        raise Refusal(f"#{q.number} has no session running, so there is nothing to hand over.")


async def hand_over_question(cmd: HandOverQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not (cmd.actor.user == q.mentor or is_admin(cmd.actor, ctx.config)):
        raise Refusal(f"Only the mentor of #{q.number} (or an admin) can hand it over.")
    _running(q)
    # Names come from what the bot knows about each person, never from what was typed.
    names = await names_for(ctx, [cmd.to])
    target = names.get(cmd.to, cmd.to.id)
    not_a_mentor = Refusal(
        f"A session can only go to an active mentor of this workspace, and {target} isn't "
        "one. `/mentor list` shows who mentors what."
    )
    if cmd.to == q.asker:
        # An anonymous asker must not be found by trying names one by one: the refusal is the
        # one anybody who is no mentor here gets.
        if q.anonymous:
            raise not_a_mentor
        raise Refusal(f"The asker of #{q.number} can't mentor their own question.")
    if cmd.to == q.mentor:
        raise Refusal(f"{target} already has #{q.number}.")
    profile = await ctx.uow.mentors.get(cmd.to, q.workspace)
    if profile is None or not profile.active:
        raise not_a_mentor
    await require_workspace(ctx, cmd.actor)
    if q.handover_to == cmd.to:
        raise Refusal(f"{target} has been asked already; #{q.number} moves when they accept.")
    asking = replace(q, handover_to=cmd.to)
    if not await ctx.uow.questions.update(asking, expected_state=QuestionState.CLAIMED):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    if cmd.actor.user != q.mentor:
        await audit(ctx, cmd.actor, "handover", subject=f"#{q.number}", detail=f"to {cmd.to.key()}")
    ctx.outbox.dm(
        cmd.to,
        ChatMessage(
            body=text(
                f"Could you take over the mentoring session on question #{q.number}? ",
                UserText(q.text[:300]),
                " — it moves to you only if you accept.",
            ),
            actions=(
                Action("accept", q.number, "Accept", "primary", q.workspace.id),
                Action("decline", q.number, "Decline", "default", q.workspace.id),
            ),
            question_id=q.number,
        ),
    )
    ctx.reply(
        text(
            "Asked ",
            UserText(target),
            f" to take over #{q.number}. The session stays with its mentor until they accept.",
        )
    )


async def _offered_to_me(cmd: AcceptHandOver | DeclineHandOver, ctx: Context) -> Question:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if q.handover_to != cmd.actor.user:
        raise Refusal(f"There's no hand-over of #{q.number} waiting for you.")
    return q


async def _offered_by_admin(ctx: Context, q: Question, to: UserRef) -> bool:
    """Whether the hand-over waiting for `to` was asked for by an admin rather than the mentor.

    Only an admin's offer leaves a trace (its audit entry, written with the offer): the newest
    one for this question since the current mentor took the session must be the offer to `to`.
    """
    since = q.claimed_at
    subject, detail = f"#{q.number}", f"to {to.key()}"
    for entry in await ctx.uow.audit.recent(
        [q.workspace], limit=_AUDIT_LOOKBACK, action="handover"
    ):
        if entry.subject != subject:
            continue
        return entry.detail == detail and (since is None or entry.at >= since)
    return False


async def accept_hand_over(cmd: AcceptHandOver, ctx: Context) -> None:
    q = await _offered_to_me(cmd, ctx)
    _running(q)
    assert q.mentor is not None
    profile = await ctx.uow.mentors.get(cmd.actor.user, q.workspace)
    if profile is None or not profile.active:
        raise Refusal(f"Only active mentors can take over a session; #{q.number} stays put.")
    by_admin = await _offered_by_admin(ctx, q, cmd.actor.user)
    now = ctx.clock.now()
    previous = q.mentor
    handed = replace(
        q,
        mentor=cmd.actor.user,
        handover_to=None,
        claimed_at=now,
        timebox_ends_at=now + timedelta(minutes=ctx.config.session.timebox_minutes),
        last_activity_at=now,
        extensions=0,
    )
    if not await ctx.uow.questions.update(handed, expected_state=QuestionState.CLAIMED):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    ctx.reply(f"#{q.number} is now yours. Thank you for taking it on!")
    ctx.emit(
        QuestionHandedOver(q.pk, previous, cmd.actor.user, old_thread=q.thread, by_admin=by_admin)
    )


async def decline_hand_over(cmd: DeclineHandOver, ctx: Context) -> None:
    q = await _offered_to_me(cmd, ctx)
    if not await ctx.uow.questions.update(replace(q, handover_to=None), expected_state=q.state):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    ctx.reply(f"No problem — #{q.number} stays with its mentor.")
    if q.mentor is not None and q.state is QuestionState.CLAIMED:
        names = await names_for(ctx, [cmd.actor.user])
        ctx.outbox.dm(
            q.mentor,
            ChatMessage(
                body=text(
                    UserText(names.get(cmd.actor.user, "The mentor you asked")),
                    f" can't take over #{q.number}; it stays with you. "
                    f"You can ask someone else with `/mentor handover {q.number} @someone`.",
                ),
                question_id=q.number,
            ),
        )
