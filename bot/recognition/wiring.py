"""The community feature's tables: its commands, its reactions to events and its nudges
(lightning sessions, kudos, badges and streaks), wired into the bus by `bot.handlers`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.commands import Command
from bot.domain import Nudge, NudgeKind
from bot.events import (
    Event,
    MentorPaused,
    MentorResumed,
    QuestionAsked,
    QuestionResolved,
    SessionRated,
)
from bot.lightning import handlers as lightning
from bot.lightning.commands import (
    AcceptLightning,
    CancelLightning,
    DeclineLightning,
    JoinLightning,
    LeaveLightning,
    ListLightning,
    MoveLightning,
    ProposeLightning,
    RateLightning,
)
from bot.lightning.proposals import check_demand, schedule_demand_check
from bot.lightning.reminders import send_lightning_nudge
from bot.messagebus import Context, EventHandler, Handler
from bot.recognition import reactions
from bot.recognition.badges import send_badge_note
from bot.recognition.commands import GiveKudos
from bot.recognition.kudos import give_kudos
from bot.recognition.streaks import mentor_paused, mentor_resumed, send_streak_note

__all__ = ["COMMUNITY_COMMANDS", "COMMUNITY_REACTIONS", "COMMUNITY_SENDERS"]

COMMUNITY_COMMANDS: dict[type[Command], Handler] = {
    ProposeLightning: lightning.propose_lightning,
    AcceptLightning: lightning.accept_lightning,
    DeclineLightning: lightning.decline_lightning,
    JoinLightning: lightning.join_lightning,
    LeaveLightning: lightning.leave_lightning,
    RateLightning: lightning.rate_lightning,
    ListLightning: lightning.list_lightning,
    CancelLightning: lightning.cancel_lightning,
    MoveLightning: lightning.move_lightning,
    GiveKudos: give_kudos,
}

COMMUNITY_REACTIONS: dict[type[Event], list[EventHandler]] = {
    QuestionAsked: [reactions.question_asked, schedule_demand_check],
    QuestionResolved: [reactions.question_resolved],
    SessionRated: [reactions.session_rated],
    MentorPaused: [mentor_paused],
    MentorResumed: [mentor_resumed],
}

COMMUNITY_SENDERS: dict[NudgeKind, Callable[[Context, Nudge, datetime], Awaitable[None]]] = {
    NudgeKind.LIGHTNING: send_lightning_nudge,
    NudgeKind.LIGHTNING_DEMAND: check_demand,
    NudgeKind.BADGES: send_badge_note,
    NudgeKind.STREAK: send_streak_note,
}
