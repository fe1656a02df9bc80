"""Hand-over with consent: the mentor (or an admin) asks another active mentor of the same
workspace to take a running session; it moves only when they press Accept."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.actors import ensure_person, is_admin, load_question, names_for, require_workspace
from bot.commands import AcceptHandOver, DeclineHandOver, HandOverQuestion, HandOverUnreachable
from bot.domain import Question, QuestionState
from bot.events import QuestionHandedOver
from bot.messagebus import Context, Refusal
from bot.messages import Action, ChatMessage, UserText, text
from bot.privacy.audit import audit
from bot.questions.cards import an_admin
from bot.refs import UserRef

__all__ = [
    "accept_hand_over",
    "decline_hand_over",
    "hand_over_question",
    "hand_over_unreachable",
    "offer_ended",
]


def _running(q: Question) -> None:
    if q.state is not QuestionState.CLAIMED or q.mentor is None:
        raise Refusal(f"#{q.number} has no session running, so there is nothing to hand over.")


async def hand_over_question(cmd: HandOverQuestion, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if not (cmd.actor.user == q.mentor or is_admin(cmd.actor, ctx.config)):
        raise Refusal(f"Only the mentor of #{q.number} (or an admin) can hand it over.")
    _running(q)
    # Names come from what the bot knows about each person, never from what was typed.
    # Everyone this may name, read once: the one asked, the mentor, whoever was asked before.
    names = await names_for(
        ctx, [r for r in (cmd.to, q.mentor, q.handover_to, cmd.actor.user) if r is not None]
    )
    target = names.get(cmd.to, cmd.to.id)
    not_a_mentor = Refusal(
        text(
            "A session can only go to an active mentor of this workspace, and ",
            UserText(target),
            " isn't one. `/mentor list` shows who mentors what.",
        )
    )
    if cmd.to == q.asker and not q.anonymous:
        raise Refusal(f"The asker of #{q.number} can't mentor their own question.")
    if cmd.to == q.mentor:
        if cmd.to == cmd.actor.user:
            raise Refusal(f"You already have #{q.number}.")
        raise Refusal(text(UserText(target), f" already has #{q.number}."))
    # An anonymous asker must not be found by trying names one by one: they are treated as
    # anyone else here (no mentor: refused; a mentor: asked, and their Accept turns into a
    # "can't", which the one who asked hears as any other).
    profile = await ctx.uow.mentors.get(cmd.to, q.workspace)
    if profile is None or not profile.active:
        raise not_a_mentor
    if profile.is_paused(ctx.clock.now()):
        raise Refusal(
            text(
                UserText(target),
                f" is away (paused as a mentor), so they can't take over #{q.number} now. "
                "Ask another mentor: `/mentor list` shows who mentors what.",
            )
        )
    await require_workspace(ctx, cmd.actor)
    # Whoever asked is told if it is declined; an admin is named by the name they act under.
    asker = await ensure_person(ctx, cmd.actor)
    if q.handover_to == cmd.to:
        raise Refusal(
            text(UserText(target), f" has been asked already; #{q.number} moves when they accept.")
        )
    asking = replace(q, handover_to=cmd.to, handover_by=cmd.actor.user)
    if not await ctx.uow.questions.update(asking, expected_state=QuestionState.CLAIMED):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    if cmd.actor.user != q.mentor:
        await audit(ctx, cmd.actor, "handover", subject=f"#{q.number}", detail=f"to {cmd.to.key()}")
    if q.handover_to is not None:
        await _withdraw_earlier(ctx, q, cmd.actor.user, names)
    assert q.mentor is not None  # _running
    mentor = names.get(q.mentor, "its mentor")
    by_admin = cmd.actor.user != q.mentor
    # Whoever asks, said: the mentor themselves, or an admin (by name) for the mentor.
    if by_admin:
        asks = an_admin(asker.name) + text(
            f" asks: could you take over the mentoring session on question #{q.number} from ",
            UserText(mentor),
            "? ",
        )
    else:
        asks = text(
            UserText(mentor),
            f" asks: could you take over their mentoring session on question #{q.number}? ",
        )
    ctx.outbox.dm(
        cmd.to,
        ChatMessage(
            body=asks
            + text(
                UserText(q.text[:300]),
                " — it moves to you only if you accept.",
            ),
            actions=(
                Action("accept", q.number, "Accept", "primary", q.workspace.id),
                Action("decline", q.number, "Decline", "default", q.workspace.id),
            ),
            question_id=q.number,
        ),
        # Their DMs closed, they never see it: whoever asked hears so instead of waiting.
        if_refused=HandOverUnreachable(q.pk, cmd.to),
    )
    if by_admin:
        # The mentor did not ask for it: told now, not only once it has moved (their DMs
        # closed, they hear it then, in the session thread).
        ctx.outbox.dm(
            q.mentor,
            ChatMessage(
                body=text(
                    f"An admin offered your session on #{q.number} to ",
                    UserText(target),
                    "; it stays yours until they accept, and I'll tell you if they can't.",
                ),
                question_id=q.number,
            ),
        )
        stays = text("It stays with ", UserText(mentor), " until ")
    else:
        stays = text("It stays with you until ")
    instead = text()
    if q.handover_to is not None:
        earlier = names.get(q.handover_to, "the one asked")
        instead = text(" (the request to ", UserText(earlier), " is withdrawn)")
    ctx.reply(
        text("Asked ", UserText(target), f" to take over #{q.number}")
        + instead
        + text(". ")
        + stays
        + text(
            UserText(target),
            " accepts.",
        )
    )


def offer_ended(
    ctx: Context,
    q: Question,
    why: str,
    *,
    by: UserRef | None,
    then: str = "There's nothing for you to do. Thank you all the same!",
) -> None:
    """`q` (as read before its move) was released, resolved, cancelled or expired while a
    hand-over offer waited: the mentor asked, whose Accept would now do nothing, is told it is
    withdrawn, `why`, and `then` what is left for them (unless they made the move themselves)."""
    if q.handover_to is None or q.handover_to == by:
        return
    ctx.outbox.dm(
        q.handover_to,
        ChatMessage(
            body=text(f"The request to take over #{q.number} is withdrawn: {why}. {then}"),
            question_id=q.number,
        ),
    )


async def _withdraw_earlier(
    ctx: Context, q: Question, by: UserRef, names: dict[UserRef, str]
) -> None:
    """A new hand-over of `q` replaces the one waiting: its mentor (asked, with buttons that
    would now do nothing) is told it is withdrawn, and so is whoever asked for it when that was
    someone else (an admin, whose request the mentor replaced)."""
    earlier, asked_by = q.handover_to, q.handover_by or q.mentor
    assert earlier is not None
    ctx.outbox.dm(
        earlier,
        ChatMessage(
            body=text(
                f"The request to take over #{q.number} is withdrawn (it went to someone "
                "else), so there's nothing for you to do. Thank you all the same!"
            ),
            question_id=q.number,
        ),
    )
    if asked_by is None or asked_by == by or not await ctx.uow.people.get_many([asked_by]):
        return
    ctx.outbox.dm(
        asked_by,
        ChatMessage(
            body=text(
                UserText(names.get(by, "Someone")),
                f" asked another mentor to take over #{q.number}, in place of ",
                UserText(names.get(earlier, "the one you asked")),
                ", who is told it's withdrawn.",
            ),
            question_id=q.number,
        ),
    )


async def _offered_to_me(cmd: AcceptHandOver | DeclineHandOver, ctx: Context) -> Question:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if q.handover_to != cmd.actor.user:
        if q.mentor == cmd.actor.user and q.state is QuestionState.CLAIMED:
            raise Refusal(f"#{q.number} is already yours.")
        raise Refusal(f"There's no hand-over of #{q.number} waiting for you.")
    return q


def _by_admin(q: Question) -> bool:
    """Whether the hand-over waiting on `q` was asked for by someone other than its mentor (an
    admin). One stored before anybody recorded who asked counts as the mentor's."""
    return q.handover_by is not None and q.handover_by != q.mentor


async def accept_hand_over(cmd: AcceptHandOver, ctx: Context) -> None:
    q = await _offered_to_me(cmd, ctx)
    _running(q)
    assert q.mentor is not None
    if cmd.actor.user == q.asker:
        # Only an anonymous question's asker can have been asked (see hand_over_question).
        await _refuse_offer(ctx, q, cmd.actor.user)
        ctx.reply(
            f"#{q.number} is your own question, so it can't move to you; it stays with its "
            "mentor, and whoever asked you hears only that you can't take it."
        )
        return
    profile = await ctx.uow.mentors.get(cmd.actor.user, q.workspace)
    if profile is None or not profile.active:
        raise Refusal(f"Only active mentors can take over a session; #{q.number} stays put.")
    if profile.is_paused(ctx.clock.now()):
        raise Refusal(
            f"You're paused as a mentor, so #{q.number} stays with its mentor for now: "
            "`/mentor resume` first, then accept (or decline)."
        )
    now = ctx.clock.now()
    previous = q.mentor
    handed = replace(
        q,
        mentor=cmd.actor.user,
        # The mentor who handed it over let it go, as one who released it: they are not asked
        # to claim it again, and they know who asked (a public kudos could tell, see kudos).
        released_by=tuple(dict.fromkeys([*q.released_by, previous])),
        handover_to=None,
        handover_by=None,
        # claimed_at stays the question's first claim (time to claim, in stats and what askers
        # are told); the new mentor's session gets its own time box and activity clock.
        timebox_ends_at=now + timedelta(minutes=ctx.config.session.timebox_minutes),
        last_activity_at=now,
        extensions=0,
    )
    if not await ctx.uow.questions.update(handed, expected_state=QuestionState.CLAIMED):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    ctx.reply(f"#{q.number} is now yours. Thank you for taking it on!")
    ctx.emit(
        QuestionHandedOver(
            q.pk, previous, cmd.actor.user, old_thread=q.thread, by_admin=_by_admin(q)
        )
    )


async def decline_hand_over(cmd: DeclineHandOver, ctx: Context) -> None:
    q = await _offered_to_me(cmd, ctx)
    await _refuse_offer(ctx, q, cmd.actor.user)
    ctx.reply(f"No problem — #{q.number} stays with its mentor.")


async def hand_over_unreachable(cmd: HandOverUnreachable, ctx: Context) -> None:
    """The offer never reached the mentor asked (closed DMs): withdrawn, and whoever asked is
    told, unless it was answered, replaced or the session moved on meanwhile."""
    q = await ctx.uow.questions.get(cmd.question_id)
    if q is None or q.handover_to != cmd.user or q.state is not QuestionState.CLAIMED:
        return
    await _refuse_offer(ctx, q, cmd.user, unreachable=True)


async def _refuse_offer(
    ctx: Context, q: Question, declined_by: UserRef, *, unreachable: bool = False
) -> None:
    """Withdraw the hand-over waiting on `q` and tell whoever asked for it (the mentor, or the
    admin who did) that `declined_by` can't take it (or, `unreachable`, never got the offer)."""
    withdrawn = replace(q, handover_to=None, handover_by=None)
    if not await ctx.uow.questions.update(withdrawn, expected_state=q.state):
        raise Refusal(f"Question #{q.number} changed just now; have a look and try again.")
    if q.mentor is None or q.state is not QuestionState.CLAIMED:
        return
    asked_by = q.handover_by or q.mentor
    names = await names_for(ctx, [declined_by, asked_by])
    if asked_by != q.mentor:
        # The mentor, told of the admin's offer when it was made, hears how it ended.
        _offer_off(ctx, q, UserText(names.get(declined_by, "another mentor")), unreachable)
        if not await ctx.uow.people.get_many([asked_by]):
            return  # the admin who asked has been forgotten since: nobody to tell
    stays = "with you" if asked_by == q.mentor else "with its mentor"
    again = f"You can ask someone else with `/mentor handover {q.number} @someone`."
    who = UserText(names.get(declined_by, "The mentor you asked"))
    if unreachable:
        said = text(
            "I couldn't reach ",
            who,
            " by direct message, so they never saw your request to "
            f"take over #{q.number}; it stays {stays}. {again}",
        )
        said_in_thread = text(
            "I couldn't reach the mentor you asked by direct message, "
            f"so #{q.number} stays {stays}. {again}"
        )
    else:
        said = text(who, f" can't take over #{q.number}; it stays {stays}. {again}")
        said_in_thread = text(
            f"the mentor you asked can't take over #{q.number}; it stays {stays}. {again}"
        )
    told = ChatMessage(body=said, question_id=q.number)
    if asked_by == q.mentor:
        # Their DMs closed, the mentor hears it in the session thread they are in, which the
        # asker (and, in a public thread, the channel) reads too: without whom they asked.
        in_thread = ChatMessage(body=said_in_thread, question_id=q.number)
        name = names.get(asked_by, "mentor")
        ctx.outbox.dm_or_in_thread(asked_by, told, q, name=name, in_thread=in_thread)
    else:
        # An admin is no member of the session thread (a mention would pull them into a
        # private one): a DM, or nothing when theirs are closed.
        ctx.outbox.dm(asked_by, told)


def _offer_off(ctx: Context, q: Question, to: UserText, unreachable: bool) -> None:
    """The mentor of `q`, told of an admin's offer of their session when it was made: it is
    off, and the session stays theirs."""
    assert q.mentor is not None
    ctx.outbox.dm(
        q.mentor,
        ChatMessage(
            body=text(
                "The offer of your session on ",
                f"#{q.number} to ",
                to,
                " is off: "
                + ("they couldn't be reached" if unreachable else "they can't take it")
                + ", so it stays yours.",
            ),
            question_id=q.number,
        ),
    )
