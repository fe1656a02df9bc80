"""Claiming and running a session: claim, release, resolve, cancel, extend, not my area,
reactions, thread activity. Each decides and emits an event; `reactions` says what follows."""

from __future__ import annotations

from datetime import timedelta

from bot.actors import (
    ensure_person,
    is_admin,
    load_question,
    names_for,
    require_mentor,
    require_workspace,
)
from bot.commands import (
    Actor,
    CancelQuestion,
    ClaimQuestion,
    HandleReaction,
    MarkNotMyArea,
    ReleaseQuestion,
    ResolveQuestion,
)
from bot.domain import IllegalTransition, Question, QuestionState, Transition
from bot.emoji import canonical_emoji, emoji_set, shown_emoji
from bot.events import (
    QuestionCancelled,
    QuestionClaimed,
    QuestionReleased,
    QuestionResolved,
    SuggestionsChanged,
)
from bot.flow.worker import NotYet
from bot.messagebus import Context, Refusal
from bot.messages import Text, UserText, text
from bot.privacy.audit import audit
from bot.privacy.model import anyone_forgotten
from bot.questions.cards import late_resolve_hours, late_resolve_open, late_resolve_until
from bot.questions.handover import offer_ended
from bot.questions.ranking import listing_mentors, perspective_of, rank_for
from bot.refs import UserRef

__all__ = [
    "cancel_question",
    "claim_question",
    "handle_reaction",
    "mark_not_my_area",
    "release_question",
    "resolve_question",
]

_STATE_WORDS = {
    QuestionState.RESOLVED: "already resolved",
    QuestionState.EXPIRED: "closed (its time box ran out)",
    QuestionState.CANCELLED: "cancelled",
    QuestionState.UNANSWERED: "closed without an answer",
    QuestionState.OPEN: "not claimed yet",
    QuestionState.CLAIMED: "in a session",
}


# (A second resolve is told by whom: `_already_resolved`.)
_DONE_ALREADY = {
    (QuestionState.CANCELLED, "cancelled"),
}


def _refuse_move(q: Question, move: str) -> Refusal:
    if (q.state, move) in _DONE_ALREADY:
        return Refusal(f"Question #{q.number} is already {move}; nothing more to do.")
    return Refusal(f"Question #{q.number} is {_STATE_WORDS[q.state]}, so it can't be {move}.")


def _already_resolved(q: Question, actor: UserRef | None) -> Refusal:
    """A second Resolve (the asker's and the mentor's late Resolve both pressed, say): said
    plainly, with who did it by their part in it (`resolved_by` is stored; no name to look up)."""
    by = q.resolved_by
    if by is None:
        whom = ""
    elif by == actor:
        whom = " by you"
    elif by == q.mentor:
        whom = " by its mentor"
    elif by == q.asker:
        whom = " by its asker"
    else:
        whom = " by an admin"
    return Refusal(f"Question #{q.number} is already marked resolved{whom}; nothing more to do.")


def _changed_meanwhile(q: Question) -> Refusal:
    return Refusal(f"Question #{q.number} changed just now; have a look and try again.")


async def _who_won(ctx: Context, q: Question) -> Text:
    """The mentor who has `q` by name (untrusted, as everywhere), else "someone else"."""
    if q.mentor is None:
        return text("someone else")
    names = await names_for(ctx, [q.mentor])
    return text(UserText(names[q.mentor])) if q.mentor in names else text("someone else")


async def claim_question(cmd: ClaimQuestion, ctx: Context) -> None:
    await _claim(ctx, cmd.actor, await load_question(ctx, cmd.actor, cmd.question_id))


async def _claim(ctx: Context, actor: Actor, q: Question) -> None:
    if actor.user == q.asker:
        then = " A mentor will pick it up." if q.state is QuestionState.OPEN else ""
        raise Refusal(f"You asked #{q.number} yourself, so you can't claim it.{then}")
    if q.state is QuestionState.CLAIMED:
        if q.mentor == actor.user:
            raise Refusal(f"You already have #{q.number}; the session thread is open.")
        raise Refusal(
            text(await _who_won(ctx, q), f" claimed #{q.number} first. Thanks for jumping in!")
        )
    if q.state is not QuestionState.OPEN:
        raise _refuse_move(q, "claimed")
    if actor.user in q.released_by:
        # Whoever ended it (they, the asker, an admin, a hand-over), it goes to someone new.
        raise Refusal(
            f"#{q.number} has had a session with you already, so it goes to another mentor "
            "now. Thanks for giving it a try!"
        )
    mentor_profile = await ctx.uow.mentors.get(actor.user, q.workspace)
    if q.anonymous and (mentor_profile is None or not mentor_profile.active):
        raise Refusal(
            f"#{q.number} was asked anonymously, so only active mentors can claim it. "
            "`/mentor join <skills>` puts you on the list."
        )
    await ensure_person(ctx, actor)
    await require_workspace(ctx, actor)
    now = ctx.clock.now()
    limits = ctx.config.limits
    if limits.claims:
        since = now - timedelta(minutes=limits.claim_window_minutes)
        claimed_lately = await ctx.uow.rate_events.count_since(
            q.workspace, actor.user, "claim", since
        )
        if claimed_lately >= limits.claims:
            raise Refusal(
                f"You've claimed {claimed_lately} questions in the last "
                f"{limits.claim_window_minutes} minutes, the most one person can here. "
                "Leave this one to another mentor, or try again a bit later."
            )
    claimed = q.moved(
        Transition.CLAIM,
        mentor=actor.user,
        claimed_at=now,
        timebox_ends_at=now + timedelta(minutes=ctx.config.session.timebox_minutes),
        last_activity_at=now,
        claims=q.claims + 1,
    )
    if not await ctx.uow.questions.update(claimed, expected_state=QuestionState.OPEN):
        winner = await ctx.uow.questions.get(q.pk)
        name = await _who_won(ctx, winner) if winner else text("someone else")
        raise Refusal(text(name, f" claimed #{q.number} first. Thanks for jumping in!"))
    await ctx.uow.rate_events.record(q.workspace, actor.user, "claim", now)
    reply = text(
        f"You claimed #{claimed.number}. I'm opening your session thread with the asker — "
        "say hello there!"
    )
    if mentor_profile is None:
        reply = reply + (
            " You're not a mentor yet: `/mentor join <skills>` puts you on the list "
            "so questions in your areas come to you."
        )
    ctx.reply(reply)
    ctx.emit(QuestionClaimed(claimed.pk, actor.user))


def _may_manage(actor: Actor, q: Question, ctx: Context, *, asker: bool, mentor: bool) -> bool:
    return (
        (asker and actor.user == q.asker)
        or (mentor and q.mentor is not None and actor.user == q.mentor)
        or is_admin(actor, ctx.config)
    )


async def release_question(cmd: ReleaseQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not _may_manage(cmd.actor, q, ctx, asker=True, mentor=True):
        raise Refusal(f"Only the asker or mentor of #{q.number} (or an admin) can release it.")
    try:
        released = q.moved(Transition.RELEASE, mentor=None, claimed_at=None, timebox_ends_at=None)
    except IllegalTransition:
        raise _refuse_move(q, "released") from None
    assert q.mentor is not None
    # Whoever released it (or was released by the asker or an admin) can't take it again: no
    # claim-release cycles, and one more mentor less who sees an anonymous asker.
    released.released_by = tuple(dict.fromkeys([*q.released_by, q.mentor]))
    released.suggested = tuple(
        r.ref
        for r in await rank_for(
            ctx,
            workspace=q.workspace,
            topics=q.topics,
            text=q.text,
            question_id=q.id,
            exclude={q.asker, *released.released_by},
            limit=ctx.config.matching.suggest,
            asker=perspective_of(q.asker, anonymous=q.anonymous),
            stage=q.wanted_stage,
        )
    )
    # Only mentors not yet told about it hear of it again.
    fresh = tuple(r for r in released.suggested if r not in q.notified)
    released.notified = (*q.notified, *fresh)
    if not await ctx.uow.questions.update(released, expected_state=QuestionState.CLAIMED):
        raise _changed_meanwhile(q)
    offer_ended(
        ctx,
        q,
        "it went back to the queue",
        by=cmd.actor.user,
        then="You can still claim it there if you'd like to take it.",
    )
    by_admin = cmd.actor.user not in (q.asker, q.mentor)
    if by_admin:
        await audit(ctx, cmd.actor, "release", subject=f"#{q.number}")
        mentor_name = (await names_for(ctx, [q.mentor])).get(q.mentor, "its mentor")
        ctx.reply(
            text(
                f"Released #{q.number} from ",
                UserText(mentor_name),
                "'s session; ",
                UserText(mentor_name),
                " and the asker are told.",
            )
        )
    elif cmd.actor.user == q.asker:  # the asker let their mentor go: it's their question again
        ctx.reply(f"#{q.number} is back in the queue: {await _who_else(ctx, released)}.")
    else:
        ctx.reply(f"You released #{q.number}. Thanks for letting others pick it up.")
    ctx.emit(
        QuestionReleased(q.pk, q.mentor, cmd.actor.user, cmd.actor.name, notify=fresh, why=cmd.why)
    )


async def _who_else(ctx: Context, q: Question) -> str:
    """Who may take `q` after its asker released its mentor (who isn't offered it again)."""
    if q.suggested:
        return "other mentors who fit are being asked"
    listing = await listing_mentors(ctx, workspace=q.workspace, topics=q.topics, asker=q.asker)
    if any(r not in q.released_by for r in listing):
        return (
            "no other mentor who fits is free for it right now, but every mentor in the "
            "mentoring channel can pick it up"
        )
    # Said now, not only when it closes unanswered a day later: the only mentors who fit are
    # the ones they let go.
    had = len(q.released_by)
    nobody = (
        "no other mentor lists its topics (the mentor you released isn't offered it again)"
        if had == 1
        else f"no mentor who hasn't had it yet lists its topics (the {had} mentors who had it "
        "aren't offered it again)"
    )
    return (
        f"{nobody}, but every mentor in the mentoring channel can still pick it up. If nobody "
        "does, I'll tell you when it closes"
    )


async def resolve_question(cmd: ResolveQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not _may_manage(cmd.actor, q, ctx, asker=True, mentor=True):
        raise Refusal(f"Only the asker or mentor of #{q.number} (or an admin) can resolve it.")
    if q.state is QuestionState.OPEN:
        raise Refusal(
            f"#{q.number} has not been claimed yet. If you don't need help any more, cancel it instead."
        )
    if q.state is QuestionState.RESOLVED:
        raise _already_resolved(q, cmd.actor.user)
    now = ctx.clock.now()
    late = q.state is QuestionState.EXPIRED
    if late and not late_resolve_open(q, now):
        if anyone_forgotten(q.asker, q.mentor):
            # Someone of that session was forgotten since: their question stays as the
            # erasure left it.
            raise Refusal(f"Question #{q.number} is closed, so it can't be resolved any more.")
        raise Refusal(
            f"Question #{q.number} closed when its time box ran out over "
            f"{late_resolve_hours()} hours ago, so it can't be resolved any more."
        )
    # A late resolve keeps when the session ended: its time box ran out then, so time to
    # resolve, streaks and badges count the session as it was, not the day after. (What
    # follows the resolve, the rating request above all, is due from now: `reactions`.)
    ended = min(now, q.closed_at) if late and q.closed_at is not None else now
    try:
        resolved = q.moved(
            Transition.RESOLVE,
            resolved_at=ended,
            resolve_pressed_at=now,
            closed_at=q.closed_at if late else now,
            resolved_by=cmd.actor.user,
        )
    except IllegalTransition:
        raise _refuse_move(q, "resolved") from None
    if not await ctx.uow.questions.update(resolved, expected_state=q.state):
        now_q = await ctx.uow.questions.get(q.pk)
        if now_q is not None and now_q.state is QuestionState.RESOLVED:
            # The other one's Resolve came first (both pressed the late Resolve, say).
            raise _already_resolved(now_q, cmd.actor.user)
        raise _changed_meanwhile(q)
    offer_ended(ctx, q, "its session is resolved", by=cmd.actor.user)
    if cmd.actor.user not in (q.asker, q.mentor):
        await audit(ctx, cmd.actor, "resolve", subject=f"#{q.number}")
    ctx.reply(f"#{q.number} is marked resolved.")
    ctx.emit(QuestionResolved(q.pk, cmd.actor.user, cmd.actor.name))


async def cancel_question(cmd: CancelQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not _may_manage(cmd.actor, q, ctx, asker=True, mentor=False):
        raise Refusal(f"Only the asker of #{q.number} (or an admin) can cancel it.")
    if cmd.actor.user == q.asker and q.state is QuestionState.CLAIMED and q.mentor is not None:
        # The asker cancels a question still looking for a mentor; a running session is
        # someone's time: it ends with a resolve (or goes back with a release).
        mentor = UserText((await names_for(ctx, [q.mentor])).get(q.mentor, "your mentor"))
        raise Refusal(
            text(
                f"#{q.number} is in a session with ",
                mentor,
                ": resolve it when you're done (or release it if you'd rather have another "
                "mentor).",
            )
        )
    now = ctx.clock.now()
    try:
        cancelled = q.moved(Transition.CANCEL, closed_at=now, resolved_by=cmd.actor.user)
    except IllegalTransition:
        raise _refuse_move(q, "cancelled") from None
    if not await ctx.uow.questions.update(cancelled, expected_state=q.state):
        raise _changed_meanwhile(q)
    offer_ended(ctx, q, "the question was cancelled", by=cmd.actor.user)
    if cmd.actor.user != q.asker:
        await audit(ctx, cmd.actor, "cancel", subject=f"#{q.number}")
        ctx.reply(f"#{q.number} is cancelled; its asker is told.")
    else:
        ctx.reply(f"#{q.number} is cancelled. Ask again any time.")
    ctx.emit(
        QuestionCancelled(q.pk, cmd.actor.user, cmd.actor.name, by_admin=cmd.actor.user != q.asker)
    )


async def mark_not_my_area(cmd: MarkNotMyArea, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    await require_mentor(ctx, cmd.actor)
    if q.state is not QuestionState.OPEN:
        raise Refusal(
            f"#{q.number} is no longer looking for a mentor, so there's nothing to pass on."
        )
    if await ctx.uow.not_my_area.said_for(cmd.actor.user, q.pk):
        raise Refusal(f"Noted already: #{q.number} isn't your area.")
    await ctx.uow.not_my_area.add(
        mentor=cmd.actor.user, question_id=q.pk, topics=q.topics, at=ctx.clock.now()
    )
    figures, key = ctx.services.figures, ("not_my_area", q.workspace)
    ctx.after_commit.append(lambda: figures.forget(lambda k: k == key))
    if cmd.actor.user in q.suggested:
        ranked = await rank_for(
            ctx,
            workspace=q.workspace,
            topics=q.topics,
            text=q.text,
            question_id=q.id,
            exclude={q.asker, cmd.actor.user},
            limit=ctx.config.matching.suggest,
            asker=perspective_of(q.asker, anonymous=q.anonymous),
            stage=q.wanted_stage,
        )
        q.suggested = tuple(r.ref for r in ranked)
        if await ctx.uow.questions.update(q, expected_state=QuestionState.OPEN):
            ctx.emit(SuggestionsChanged(q.pk))
    less = f"ask you less about {', '.join(q.topics) or 'this'}"
    if any(r != cmd.actor.user for r in q.suggested):
        ctx.reply(f"Thanks — I'll suggest #{q.number} to others and {less}.")
    else:
        # Nobody else fits: nobody is suggested, and the card is there for every mentor.
        ctx.reply(
            f"Thanks — I have no other mentor to suggest for #{q.number}, so it stays open for "
            f"everyone in the mentoring channel. I'll {less}."
        )


async def handle_reaction(cmd: HandleReaction, ctx: Context) -> None:
    """✋ on a card claims; ✅ from the asker in the session thread or on the card resolves
    (on every platform: a Slack card heads its thread, a Discord card does not); on a question
    with no session (not claimed yet, or released back to the queue) the asker is told how to
    cancel it instead; anything else is ignored."""
    cfg = ctx.config.claim
    emoji = canonical_emoji(cmd.emoji)
    if emoji in emoji_set(cfg.emoji):
        q = await ctx.uow.questions.get_by_card(cmd.message)
        if q is not None and q.workspace != cmd.actor.workspace:
            return  # a card of another workspace: not this person's to claim
        if q is None:
            # Maybe a card posted a moment ago whose ref is being recorded: look again shortly.
            raise NotYet("a claim reaction on a message that is not a known card")
        await _claim(ctx, cmd.actor, q)
        return
    if emoji not in emoji_set(cfg.resolve_emoji):
        return
    q = await ctx.uow.questions.get_by_thread(cmd.thread) if cmd.thread is not None else None
    if q is None:
        q = await ctx.uow.questions.get_by_card(cmd.message)
    if q is None or q.workspace != cmd.actor.workspace:
        return
    if cmd.actor.user != q.asker and cmd.message == q.card and q.state is QuestionState.CLAIMED:
        # On the card (not a message in the thread, where a ✅ may just agree with something):
        # said, not ignored, since the intro tells the two to press Resolve or react.
        mine = cmd.actor.user == q.mentor
        ctx.reply(
            f"Only the asker's {shown_emoji(cfg.resolve_emoji)} resolves #{q.number}"
            + ("; press Resolve in its thread if you're done." if mine else ".")
        )
        if not mine:
            return  # the mentor's goes on: activity, as in the thread
    if q.state is QuestionState.OPEN:
        if cmd.actor.user == q.asker:
            ctx.reply(
                f"#{q.number} has no session "
                + ("any more" if q.claims else "yet")
                + f"; cancel it with `/askmentor cancel {q.number}` if you don't need help any "
                "more."
            )
        return
    if q.state is QuestionState.EXPIRED and cmd.actor.user == q.asker:
        # A late ✅ of the asker on a timed-out session: resolved, if still in time.
        until = late_resolve_until(q)
        if until is not None and ctx.clock.now() <= until:  # else its ✅ came too late
            await resolve_question(ResolveQuestion(cmd.actor, q.number), ctx)
        return
    if q.state is not QuestionState.CLAIMED:
        return
    if cmd.actor.user == q.asker:
        await resolve_question(ResolveQuestion(cmd.actor, q.number), ctx)
    elif cmd.actor.user == q.mentor:  # the mentor's ✅ is activity, not a resolve
        await ctx.uow.questions.touch(q.pk, ctx.clock.now())
