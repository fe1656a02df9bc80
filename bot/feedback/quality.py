"""Quality control: ratings of ``LOW`` or less, and the comments on them, reach the workspace
admins once the rating can no longer be changed (an anonymous asker stays anonymous); each mentor sees their own feedback with `/mentor
feedback`; the digest lists topics with low average ratings (`low_rated_topics`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

from bot.actors import names_for, workspace_of
from bot.domain import Feedback, Nudge, NudgeKind, Question, QuestionState
from bot.events import SessionCommented, SessionRated
from bot.feedback.ratings import CHANGE_MINUTES
from bot.learning.commands import ShowMentorFeedback
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, Jump, Text, UserText, lines, text
from bot.ports import UnitOfWork
from bot.privacy.model import is_tombstone
from bot.questions.cards import ANONYMOUS, who
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "LOW",
    "hold_low_rating",
    "low_comment_to_admins",
    "low_rated_topics",
    "low_rating_to_admins",
    "show_mentor_feedback",
]

LOW = 2  # ratings at or below this reach the admins
COMMENTS_SHOWN = 10


def _asker(q: Question, names: dict[UserRef, str]) -> Text:
    """After "asker: ": who asked, or that they are anonymous."""
    return text(ANONYMOUS) if q.anonymous else who(q.asker, names, mention=False)


def _where(q: Question) -> Text:
    target = q.thread or q.card
    return text(Jump(target, f"#{q.number}")) if target is not None else text(f"#{q.number}")


# The nudge's step: whose rating it looks at.
_ROLES = ("asker", "mentor")


async def hold_low_rating(event: SessionRated, ctx: Context) -> None:
    """A low rating given (or a rating changed to one): whether it is still low is judged once it
    can no longer be changed (a nudge due when its change window closes, `low_rating_to_admins`),
    so a wrong click put right in time alerts nobody. One nudge per rating: a change finding
    one pending adds none."""
    if event.score > LOW or await _alert_pending(ctx, event.question_id, event.rater, event.role):
        return
    q = await ctx.uow.questions.get(event.question_id)  # events carry the internal id
    feedback = await ctx.uow.feedback.get(event.question_id, event.rater, event.role)
    if q is None or feedback is None:
        return
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.LOW_RATING,
            workspace=q.workspace,
            question_id=q.pk,
            target=event.rater,
            step=_ROLES.index(event.role),
            due_at=feedback.created_at + timedelta(minutes=CHANGE_MINUTES),
        )
    )


async def low_rating_to_admins(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """The `LOW_RATING` nudge: a rating still ``LOW`` or less when its change window has closed
    reaches the admins, with the comment it has then (a comment added later follows on its own,
    `low_comment_to_admins`)."""
    q = await ctx.uow.questions.get(nudge.question_id) if nudge.question_id else None
    if q is None or q.state is not QuestionState.RESOLVED or nudge.target is None:
        return
    role = _ROLES[nudge.step]
    feedback = await ctx.uow.feedback.get(q.pk, nudge.target, role)
    if feedback is None or feedback.score > LOW:
        return  # changed to a fair one meanwhile (or forgotten)
    if any(is_tombstone(who) for who in (q.asker, q.mentor) if who is not None):
        return  # someone of the session was forgotten meanwhile: nobody left to report on
    ws = await workspace_of(ctx, q.workspace)
    if ws is None:
        return
    names = await names_for(ctx, [q.asker, q.mentor])
    if role == "asker":
        head = text(
            Bold("Low rating: "),
            "the help on ",
            _where(q),
            # "by its anonymous asker", or "by its asker (alice)": no asker said twice.
            *(
                (f" was rated {feedback.score}/5 by its {ANONYMOUS} asker",)
                if q.anonymous
                else (f" was rated {feedback.score}/5 by its asker (", _asker(q, names), ")")
            ),
            " — mentor ",
            who(q.mentor, names, mention=False),
            ".",
        )
    else:
        head = text(
            Bold("Low rating: "),
            "mentor ",
            who(q.mentor, names, mention=False),
            " rated the clarity of ",
            _where(q),
            f" {feedback.score}/5 (asker: ",
            _asker(q, names),
            ").",
        )
    body = [head]
    if feedback.comment:
        body.append(text("Comment: ", UserText(feedback.comment)))
    body.append(text("Worth a kind word with them, or a look at what got in the way."))
    ctx.outbox.post(ws.admin_channel, ChatMessage(body=lines(body), question_id=q.number))


async def _alert_pending(ctx: Context, question_id: int, rater: UserRef, role: str) -> bool:
    return any(
        n.kind is NudgeKind.LOW_RATING and n.target == rater and n.step == _ROLES.index(role)
        for n in await ctx.uow.nudges.pending_for(question_id)
    )


async def low_comment_to_admins(event: SessionCommented, ctx: Context) -> None:
    """A comment added to a low rating after the admins heard of it (one added before goes with
    the alert itself)."""
    feedback = await ctx.uow.feedback.get(event.question_id, event.rater, event.role)
    if feedback is None or feedback.score > LOW or not feedback.comment:
        return
    q = await ctx.uow.questions.get(event.question_id)  # events carry the internal id
    # A rating stored before only resolved sessions could be rated (an expired one) counts for
    # nothing now: a comment added to it alerts nobody.
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    if await _alert_pending(ctx, q.pk, event.rater, event.role):
        return  # the alert, still to come, carries it
    ws = await workspace_of(ctx, q.workspace)
    if ws is None:
        return
    side = "its asker" if event.role == "asker" else "its mentor"
    ctx.outbox.post(
        ws.admin_channel,
        ChatMessage(
            body=text(
                Bold("Comment on a low rating"),
                " of ",
                _where(q),
                f" ({feedback.score}/5, by {side}): ",
                UserText(feedback.comment),
            ),
            question_id=q.number,
        ),
    )


def _feedback_summary(ratings: list[Feedback], numbers: dict[int, int]) -> ChatMessage:
    scores = [f.score for f in ratings]
    spread = Counter(scores)
    parts: list[Text] = [
        text(
            f"{len(scores)} rating{'s' if len(scores) != 1 else ''}, "
            f"average {sum(scores) / len(scores):.1f}/5 · "
            + " · ".join(f"{s}★ ×{spread[s]}" for s in range(5, 0, -1) if spread[s])
        )
    ]
    comments = [f for f in sorted(ratings, key=lambda f: f.created_at, reverse=True) if f.comment]
    if comments:
        parts.append(text(Bold("Comments"), " (newest first; askers are not named):"))
        parts += [
            text(f"• {f.score}/5 on #{numbers.get(f.question_id, '?')}: ", UserText(f.comment))
            for f in comments[:COMMENTS_SHOWN]
        ]
    else:
        parts.append(text("No comments yet."))
    return ChatMessage(title=text(Bold("Your feedback as a mentor")), body=lines(parts))


async def show_mentor_feedback(cmd: ShowMentorFeedback, ctx: Context) -> None:
    """Only the mentor sees it: the ratings of the help they gave, and the comments."""
    # Only this workspace's: a rating given elsewhere is not this workspace's to show (and its
    # question number would read as one of here).
    ratings = await ctx.uow.feedback.for_mentor(cmd.actor.user, workspace=cmd.actor.workspace)
    if not ratings:
        ctx.reply("No ratings yet. They appear here after askers rate your sessions.")
        return
    # Comments name the question by its number in the workspace, as people know it.
    asked = await ctx.uow.questions.get_many([f.question_id for f in ratings])
    ctx.reply(_feedback_summary(ratings, {i: q.number for i, q in asked.items()}))


async def low_rated_topics(
    uow: UnitOfWork,
    workspace: WorkspaceRef,
    start: datetime,
    end: datetime,
    *,
    at_most: float,
) -> tuple[tuple[str, float, int], ...]:
    """(topic, average, ratings) of the topics asked in ``[start, end)`` rated `at_most` or lower
    on average, lowest first (for the digest)."""
    rated = await uow.followups.topic_ratings(workspace, start, end)
    return tuple((t, avg, n) for t, avg, n in rated if avg <= at_most)
