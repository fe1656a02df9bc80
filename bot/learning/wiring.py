"""Which handler runs each of the learning feature's commands and what reacts to which event
(one entry in `bot.handlers`)."""

from __future__ import annotations

from bot.commands import Command
from bot.events import (
    Event,
    MentorRegistered,
    QuestionAsked,
    QuestionResolved,
    SessionCommented,
    SessionRated,
)
from bot.feedback.quality import hold_low_rating, low_comment_to_admins, show_mentor_feedback
from bot.learning import commands as lc
from bot.learning.drafts import close_answered, edit_draft, post_draft
from bot.learning.faq import (
    confirm_faq,
    retire_faq,
    save_faq,
    search_faq,
    unquote_faq,
    update_faq,
)
from bot.learning.followup import schedule_next_steps, share_summary
from bot.learning.model import Track
from bot.learning.training import (
    answer_check,
    enroll,
    lesson_unreachable,
    show_learning,
    stop_learning,
)
from bot.mentors.career import set_mentor_region, set_mentor_stage
from bot.messagebus import Context, EventHandler, Handler

__all__ = ["LEARNING_COMMANDS", "LEARNING_REACTIONS"]


async def _first_question(event: QuestionAsked, ctx: Context) -> None:
    """The askers' course starts with someone's first question."""
    q = await ctx.uow.questions.get(event.question_id)
    if q is not None:
        await enroll(ctx, user=q.asker, workspace=q.workspace, track=Track.MENTEE)


async def _new_mentor(event: MentorRegistered, ctx: Context) -> None:
    """The mentors' course starts when someone joins as a mentor."""
    profile = await ctx.uow.mentors.get(event.mentor, event.workspace)
    if profile is not None:
        await enroll(ctx, user=profile.ref, workspace=profile.workspace, track=Track.MENTOR)


LEARNING_COMMANDS: dict[type[Command], Handler] = {
    lc.ShowLearning: show_learning,
    lc.StopLearning: stop_learning,
    lc.AnswerCheck: answer_check,
    lc.LessonUnreachable: lesson_unreachable,
    lc.PostDraft: post_draft,
    lc.EditDraft: edit_draft,
    lc.AnsweredByFaq: close_answered,
    lc.SaveFaq: save_faq,
    lc.SearchFaq: search_faq,
    lc.ConfirmFaq: confirm_faq,
    lc.UpdateFaq: update_faq,
    lc.RetireFaq: retire_faq,
    lc.UnquoteFaq: unquote_faq,
    lc.ShareSummary: share_summary,
    lc.SetMentorStage: set_mentor_stage,
    lc.SetMentorRegion: set_mentor_region,
    lc.ShowMentorFeedback: show_mentor_feedback,
}

LEARNING_REACTIONS: dict[type[Event], list[EventHandler]] = {
    QuestionAsked: [_first_question],
    MentorRegistered: [_new_mentor],
    QuestionResolved: [schedule_next_steps],
    SessionRated: [hold_low_rating],
    SessionCommented: [low_comment_to_admins],
}
