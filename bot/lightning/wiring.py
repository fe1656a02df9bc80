"""The lightning feature's own reactions to events (its commands, nudges and its reaction to an
ask are wired with the community's, in `bot.recognition.wiring`); one entry in `bot.handlers`."""

from __future__ import annotations

from bot.events import Event, MentorRegistered, MentorResumed
from bot.lightning.proposals import recheck_untaught
from bot.messagebus import EventHandler

__all__ = ["LIGHTNING_REACTIONS"]

# A mentor who joins or comes back may teach a topic in demand that nobody could teach.
LIGHTNING_REACTIONS: dict[type[Event], list[EventHandler]] = {
    MentorRegistered: [recheck_untaught],
    MentorResumed: [recheck_untaught],
}
