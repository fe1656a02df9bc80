"""Feedback after a session: the asker rates the help, the mentor rates the question's clarity."""

from __future__ import annotations

from datetime import timedelta

from bot.actors import load_question
from bot.commands import CommentOnSession, RateSession
from bot.domain import Feedback, Question, QuestionState
from bot.events import SessionCommented, SessionRated
from bot.messagebus import Context, Refusal
from bot.messages import Action, ChatMessage, text
from bot.refs import UserRef

__all__ = ["CHANGE_MINUTES", "COMMENT_MAX", "comment_on_session", "rate_session"]

COMMENT_MAX = 1000  # a comment's first characters kept

# Only a resolved session is rated: that is when both are asked to (the rating prompts and
# reminder follow a resolve only), and a good rating earns its mentor points. A session closed
# without being resolved (time box run out, cancelled, given up) is not rated.
_RATEABLE = (QuestionState.RESOLVED,)
# Why there is nothing to rate, by the state a question closed in without being resolved.
_NOTHING_TO_RATE = {
    QuestionState.CANCELLED: "#{n} was cancelled, so there's nothing to rate.",
    QuestionState.EXPIRED: (
        "The session on #{n} closed when its time ran out, before it was resolved, so "
        "there's nothing to rate. Thank you all the same!"
    ),
    QuestionState.UNANSWERED: (
        "#{n} closed without a mentor taking it, so there's nothing to rate."
    ),
}
# A wrong click can be corrected for this long after the first one (a low rating reaches the
# admins when it is over).
CHANGE_MINUTES = 10


def _role(q: Question, user: UserRef, *, doing: str) -> str:
    """``asker`` or ``mentor``: whose side of the session `user` rates or comments from."""
    if user == q.asker:
        return "asker"
    if q.mentor is not None and user == q.mentor:
        return "mentor"
    raise Refusal(f"Only the asker and the mentor of #{q.number} can {doing}.")


def _clean_comment(raw: str) -> str:
    return " ".join(raw.split())[:COMMENT_MAX]


async def rate_session(cmd: RateSession, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    role = _role(q, cmd.actor.user, doing="rate it")
    if not 1 <= cmd.score <= 5:
        scale = (
            "1 (not helpful) to 5 (very helpful)"
            if (cmd.role or role) == "asker"
            else "1 (hard to follow) to 5 (very clear)"
        )
        raise Refusal(f"Ratings go from {scale}.")
    # Before whose buttons they are: there are no prompts to mix up until the session is
    # resolved, so a click (or a typed one) earlier hears why nothing can be rated yet.
    if q.state not in _RATEABLE:
        closed = _NOTHING_TO_RATE.get(q.state)
        if closed is not None:
            raise Refusal(closed.format(n=q.number))
        raise Refusal(f"#{q.number} isn't finished yet; you can rate it once it's resolved.")
    if cmd.role is not None and cmd.role != role:
        # Both prompts sit in the same thread: a click on the other person's is theirs to give.
        theirs = (
            "the asker rates the help"
            if cmd.role == "asker"
            else "the mentor rates how clear it was"
        )
        yours = "how helpful it was" if role == "asker" else "how clear the question was"
        raise Refusal(
            f"Those buttons are for the other person: with them {theirs} on #{q.number}. "
            f"Yours are on the prompt addressed to you ({yours})."
        )
    comment = _clean_comment(cmd.comment)
    now = ctx.clock.now()
    added = await ctx.uow.feedback.add(
        Feedback(
            question_id=q.pk,
            rater=cmd.actor.user,
            role=role,
            score=cmd.score,
            created_at=now,
            comment=comment,
        )
    )
    previous = None
    # What was rated, as every answer below says it: the mentor rates how clear it was.
    said = f"the help on #{q.number}" if role == "asker" else f"how clear #{q.number} was"
    if not added:
        before = await ctx.uow.feedback.get(q.pk, cmd.actor.user, role)
        assert before is not None
        if before.score == cmd.score:
            raise Refusal(f"You rated {said} {cmd.score}/5 already. Thank you!")
        # Up to the end of the window, not at it: that is when a low rating is judged (its
        # alert's nudge is due then, `bot.feedback.quality`), and no change may slip in after.
        since = now - timedelta(minutes=CHANGE_MINUTES) + timedelta(microseconds=1)
        if not await ctx.uow.feedback.change_score(
            q.pk, cmd.actor.user, role, cmd.score, given_since=since
        ):
            raise Refusal(
                f"You rated {said} {before.score}/5 already; a rating can be changed "
                f"within {CHANGE_MINUTES} minutes of giving it. Thank you!"
            )
        previous = before.score
        # A comment was written for the old score: it goes with it (or the one given now
        # stands), so nobody reads "Brilliant!" under a 1/5.
        set_aside = bool(before.comment) and not comment
        if set_aside or comment:
            await ctx.uow.feedback.set_comment(q.pk, cmd.actor.user, role, comment)
    else:
        set_aside = False
    what = "the help on" if role == "asker" else "how clear"
    if previous is not None:
        thanks = f"Changed: you rated {said} {cmd.score}/5 (was {previous}/5)."
        if set_aside:
            thanks += (
                f" Your comment was for {previous}/5, so it's set aside: add one for this score?"
            )
    elif role == "asker":
        thanks = f"Thanks! You rated {what} #{q.number} {cmd.score}/5. Want to add a comment?"
    else:
        thanks = f"Thanks! You rated {what} #{q.number} was {cmd.score}/5. Anything to add?"
    ctx.reply(
        ChatMessage(
            body=text(thanks),
            actions=(Action("comment", q.number, "Add a comment", "default", q.workspace.id),),
        )
    )
    ctx.emit(SessionRated(q.pk, cmd.actor.user, role, cmd.score, previous=previous))


async def comment_on_session(cmd: CommentOnSession, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    role = _role(q, cmd.actor.user, doing="comment on it")
    comment = _clean_comment(cmd.comment)
    if not comment:
        raise Refusal("The comment is empty; write a sentence or two.")
    rated = await ctx.uow.feedback.get(q.pk, cmd.actor.user, role)
    if rated is None or not await ctx.uow.feedback.set_comment(q.pk, cmd.actor.user, role, comment):
        raise Refusal(f"Rate #{q.number} first (1–5), then add your comment.")
    if rated.comment:
        ctx.reply(f"Thanks, your comment on #{q.number} is saved; it replaces your earlier one.")
    else:
        ctx.reply(f"Thanks, your comment on #{q.number} is saved.")
    ctx.emit(SessionCommented(q.pk, cmd.actor.user, role))
