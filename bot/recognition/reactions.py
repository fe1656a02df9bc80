"""What recognition does after question events: badges for askers and mentors, and a look at
the helping streak next week (points for help are given where the help happens)."""

from __future__ import annotations

from bot.events import QuestionAsked, QuestionResolved, SessionRated
from bot.messagebus import Context
from bot.recognition.badges import MENTOR_BADGES, review_after_rating, review_badges
from bot.recognition.model import GOOD_RATING
from bot.recognition.streaks import schedule_streak_check

__all__ = ["question_asked", "question_resolved", "session_rated"]


async def question_asked(event: QuestionAsked, ctx: Context) -> None:
    q = await ctx.uow.questions.get(event.question_id)
    if q is not None:
        await review_badges(ctx, q.asker, q.workspace, among={"first_question"})


async def question_resolved(event: QuestionResolved, ctx: Context) -> None:
    q = await ctx.uow.questions.get(event.question_id)
    if q is None or q.mentor is None:
        return
    await review_badges(ctx, q.mentor, q.workspace, among=MENTOR_BADGES)
    await schedule_streak_check(ctx, q.mentor, q.workspace)


async def session_rated(event: SessionRated, ctx: Context) -> None:
    """A good rating may earn the mentor badges: looked at once it can't be corrected any more
    (see `review_after_rating`), so the badges follow the rating as corrected."""
    if event.role != "asker" or event.score < GOOD_RATING:
        return  # a good rating corrected down: the look it scheduled sees the new one
    await review_after_rating(ctx, event.question_id, event.rater, event.score)
