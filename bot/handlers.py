"""Which handler runs each command and which react to each event (wired into the bus once)."""

from __future__ import annotations

from bot import commands as c
from bot.admin.home import show_home
from bot.admin.stats import show_stats
from bot.admin.workspace import register_workspace, remove_workspace, restore_workspace
from bot.digest.handler import send_digest
from bot.events import Event
from bot.feedback.ratings import comment_on_session, rate_session
from bot.learning.wiring import LEARNING_COMMANDS, LEARNING_REACTIONS
from bot.lightning.wiring import LIGHTNING_REACTIONS
from bot.mentors.directory import explain_match, list_mentors, show_leaderboard
from bot.mentors.profile import (
    pause_mentor,
    register_mentor,
    resume_mentor,
    set_mentor_about,
    set_mentor_capacity,
    set_mentor_hours,
    set_mentor_timezone,
    show_mentor_profile,
    update_mentor_skills,
)
from bot.messagebus import EventHandler, Handler
from bot.privacy.wiring import PRIVACY_COMMANDS, PRIVACY_REACTIONS
from bot.questions.asking import ask_question
from bot.questions.handover import (
    accept_hand_over,
    decline_hand_over,
    hand_over_question,
    hand_over_unreachable,
)
from bot.questions.reactions import QUESTION_REACTIONS
from bot.questions.sessions import (
    cancel_question,
    claim_question,
    handle_reaction,
    mark_not_my_area,
    release_question,
    resolve_question,
)
from bot.questions.timebox import extend_timebox, record_thread_activity
from bot.questions.topic_choice import TOPIC_CHOICE_COMMANDS, TOPIC_CHOICE_REACTIONS
from bot.recognition.wiring import COMMUNITY_COMMANDS, COMMUNITY_REACTIONS

__all__ = ["COMMAND_HANDLERS", "EVENT_HANDLERS"]

_CORE: dict[type[c.Command], Handler] = {
    c.RegisterWorkspace: register_workspace,
    c.RemoveWorkspace: remove_workspace,
    c.RestoreWorkspace: restore_workspace,
    c.AskQuestion: ask_question,
    c.ClaimQuestion: claim_question,
    c.HandleReaction: handle_reaction,
    c.ReleaseQuestion: release_question,
    c.ResolveQuestion: resolve_question,
    c.CancelQuestion: cancel_question,
    c.ExtendTimebox: extend_timebox,
    c.HandOverQuestion: hand_over_question,
    c.AcceptHandOver: accept_hand_over,
    c.DeclineHandOver: decline_hand_over,
    c.HandOverUnreachable: hand_over_unreachable,
    c.MarkNotMyArea: mark_not_my_area,
    c.RateSession: rate_session,
    c.CommentOnSession: comment_on_session,
    c.RecordThreadActivity: record_thread_activity,
    c.RegisterMentor: register_mentor,
    c.UpdateMentorSkills: update_mentor_skills,
    c.SetMentorAbout: set_mentor_about,
    c.SetMentorHours: set_mentor_hours,
    c.SetMentorCapacity: set_mentor_capacity,
    c.SetMentorTimezone: set_mentor_timezone,
    c.PauseMentor: pause_mentor,
    c.ResumeMentor: resume_mentor,
    c.ShowMentorProfile: show_mentor_profile,
    c.ShowLeaderboard: show_leaderboard,
    c.ListMentors: list_mentors,
    c.ExplainMatch: explain_match,
    c.ShowStats: show_stats,
    c.ShowHome: show_home,
    c.SendDigest: send_digest,
}


# Each feature's (commands, reactions) tables: a new feature adds one line here.
_FEATURES: list[tuple[dict[type[c.Command], Handler], dict[type[Event], list[EventHandler]]]] = [
    (_CORE, QUESTION_REACTIONS),
    (TOPIC_CHOICE_COMMANDS, TOPIC_CHOICE_REACTIONS),
    (COMMUNITY_COMMANDS, COMMUNITY_REACTIONS),
    ({}, LIGHTNING_REACTIONS),
    (LEARNING_COMMANDS, LEARNING_REACTIONS),
    (PRIVACY_COMMANDS, PRIVACY_REACTIONS),
]


def _commands() -> dict[type[c.Command], Handler]:
    merged: dict[type[c.Command], Handler] = {}
    for commands, _ in _FEATURES:
        for command, handler in commands.items():
            if command in merged:
                raise TypeError(f"two handlers for {command.__name__}")
            merged[command] = handler
    return merged


def _reactions() -> dict[type[Event], list[EventHandler]]:
    merged: dict[type[Event], list[EventHandler]] = {}
    for _, reactions in _FEATURES:
        for event, handlers in reactions.items():
            merged.setdefault(event, []).extend(handlers)
    return merged


COMMAND_HANDLERS = _commands()
EVENT_HANDLERS = _reactions()
