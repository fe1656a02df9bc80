"""Quality control: ratings of ``LOW`` or less, and the comments on them, reach the workspace
admins (an anonymous asker stays anonymous); each mentor sees their own feedback with `/mentor
feedback`; the digest lists topics with low average ratings (`low_rated_topics`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.actors import names_for, workspace_of
from bot.domain import Feedback, Question, QuestionState
from bot.events import SessionCommented, SessionRated
from bot.learning.commands import ShowMentorFeedback
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, Jump, Text, UserText, lines, text
from bot.ports import UnitOfWork
from bot.questions.cards import ANONYMOUS, who
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "LOW",
    "low_comment_to_admins",
    "low_rated_topics",
    "low_rating_to_admins",
    "show_mentor_feedback",
]

LOW = 2  # ratings at or below this reach the admins
COMMENTS_SHOWN = 10


def _asker(q: Question, names: dict[UserRef, str]) -> Text:
    return text(ANONYMOUS + " asker") if q.anonymous else who(q.asker, names, mention=False)


def _where(q: Question) -> Text:
    target = q.thread or q.card
    return text(Jump(target, f"#{q.number}")) if target is not None else text(f"#{q.number}")


async def low_rating_to_admins(event: SessionRated, ctx: Context) -> None:
    if event.score > LOW or (event.previous is not None and event.previous <= LOW):
        return  # not low, or the admins heard about it already
    q = await ctx.uow.questions.get(event.question_id)  # events carry the internal id
    if q is None:
        return
    ws = await workspace_of(ctx, q.workspace)
    if ws is None:
        return
    names = await names_for(ctx, [q.asker, q.mentor])
    if event.role == "asker":
        head = text(
            Bold("Low rating: "),
            "the help on ",
            _where(q),
            f" was rated {event.score}/5 by its asker (",
            _asker(q, names),
            ") — mentor ",
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
            f" {event.score}/5 (asker: ",
            _asker(q, names),
            ").",
        )
    feedback = await ctx.uow.feedback.get(q.pk, event.rater, event.role)
    body = [head]
    if feedback is not None and feedback.comment:
        body.append(text("Comment: ", UserText(feedback.comment)))
    body.append(text("Worth a kind word with them, or a look at what got in the way."))
    ctx.outbox.post(ws.admin_channel, ChatMessage(body=lines(body), question_id=q.number))


async def low_comment_to_admins(event: SessionCommented, ctx: Context) -> None:
    """A comment added to a low rating after the rating itself."""
    feedback = await ctx.uow.feedback.get(event.question_id, event.rater, event.role)
    if feedback is None or feedback.score > LOW or not feedback.comment:
        return
    q = await ctx.uow.questions.get(event.question_id)  # events carry the internal id
    # A rating stored before only resolved sessions could be rated (an expired one) counts for
    # nothing now: a comment added to it alerts nobody.
    if q is None or q.state is not QuestionState.RESOLVED:
        return
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
