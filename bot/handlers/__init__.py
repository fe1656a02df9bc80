"""Handlers: one plain async function per command, wired into the bus by the composition root."""

from __future__ import annotations

from bot import commands as c
from bot.handlers.admin import register_workspace, show_home, show_stats
from bot.handlers.asking import ask_question
from bot.handlers.digest import send_digest
from bot.handlers.feedback import comment_on_session, rate_session
from bot.handlers.handover import hand_over_question
from bot.handlers.mentors import (
    explain_match,
    list_mentors,
    pause_mentor,
    register_mentor,
    resume_mentor,
    set_mentor_hours,
    set_mentor_timezone,
    show_leaderboard,
    show_mentor_profile,
    update_mentor_skills,
)
from bot.handlers.nudges import send_due_nudges
from bot.handlers.sessions import (
    cancel_question,
    claim_question,
    extend_timebox,
    handle_reaction,
    mark_not_my_area,
    record_thread_activity,
    release_question,
    resolve_question,
)
from bot.messagebus import EventHandler, Handler

__all__ = ["COMMAND_HANDLERS", "EVENT_HANDLERS"]

COMMAND_HANDLERS: dict[type[c.Command], Handler] = {
    c.RegisterWorkspace: register_workspace,
    c.AskQuestion: ask_question,
    c.ClaimQuestion: claim_question,
    c.HandleReaction: handle_reaction,
    c.ReleaseQuestion: release_question,
    c.ResolveQuestion: resolve_question,
    c.CancelQuestion: cancel_question,
    c.ExtendTimebox: extend_timebox,
    c.HandOverQuestion: hand_over_question,
    c.MarkNotMyArea: mark_not_my_area,
    c.RateSession: rate_session,
    c.CommentOnSession: comment_on_session,
    c.RecordThreadActivity: record_thread_activity,
    c.RegisterMentor: register_mentor,
    c.UpdateMentorSkills: update_mentor_skills,
    c.SetMentorHours: set_mentor_hours,
    c.SetMentorTimezone: set_mentor_timezone,
    c.PauseMentor: pause_mentor,
    c.ResumeMentor: resume_mentor,
    c.ShowMentorProfile: show_mentor_profile,
    c.ShowLeaderboard: show_leaderboard,
    c.ListMentors: list_mentors,
    c.ExplainMatch: explain_match,
    c.ShowStats: show_stats,
    c.ShowHome: show_home,
    c.SendDueNudges: send_due_nudges,
    c.SendDigest: send_digest,
}

EVENT_HANDLERS: dict[type, list[EventHandler]] = {}
