"""Who can take part in a server's sessions: a session is a thread in the mentoring channel, so
whoever may not view that channel or read its history (its permission overwrites for their
roles or for them) would never see it. What such a member, or someone no longer in the server,
is told instead."""

from __future__ import annotations

import hashlib

import discord

from bot.messages import Text, filled
from bot.refs import UserRef

__all__ = [
    "ASKER_CANNOT_SEE",
    "MENTOR_CANNOT_SEE",
    "MENTOR_JOINS_UNSEEN",
    "NOT_A_MEMBER",
    "SESSION_UNSEEN",
    "cannot_see",
    "hidden_mentoring",
    "not_a_member",
    "session_unseen",
    "unseen_key",
]

# A question asked (from another channel) by a member who may not see the mentoring channel:
# its thread would be invisible to them, a mention in it would not reach them, and a bot can't
# open a group DM instead. Not taken, rather than claimed by a mentor who talks to nobody.
ASKER_CANNOT_SEE = (
    "Sorry, your question was not posted: mentors answer in a thread in #{channel}, and you "
    "can't see that channel (or read its messages) in this server, so their answer would never "
    "reach you. Ask a server admin to let you view #{channel} and read its message history, "
    "then ask again."
)
# A Claim (or a hand-over accepted) in a DM by a mentor who may not see the mentoring channel.
MENTOR_CANNOT_SEE = (
    "Sorry, you can't take this one: its session would be a thread in #{channel}, and you can't "
    "see that channel (or read its messages) in this server. Ask a server admin to let you view "
    "#{channel} and read its message history; meanwhile the question stays open for others."
)
# Added to the answer to `/mentor join` by a member who may not see the mentoring channel: they
# join all the same (their choice; a server admin may let them in later), knowing why no card
# would reach them until then.
MENTOR_JOINS_UNSEEN = (
    "Heads-up: question cards are posted in #{channel}, and you can't see that channel (or "
    "read its messages) in this server, so you won't see the questions you could take, nor "
    "join their sessions. Ask a server admin to let you view #{channel} and read its message "
    "history."
)
# By DM, to someone a post in their session's thread mentions who may not see its channel (or
# read its history) any more: the thread, its wrap-up and its buttons no longer reach them.
SESSION_UNSEEN = (
    "You can't see #{channel} in the Discord server {server} any more (or read its messages), "
    "so the thread of your mentoring session {session} there no longer reaches you. Ask a "
    "server admin to let you view #{channel} and read its message history again."
)
# A button or form in a DM that names a server its presser is not a member of (any more): their
# DMs outlive their membership, and nothing of that server is theirs to claim, rate or answer.
NOT_A_MEMBER = (
    "You are not a member of the Discord server {name} any more, so this can't be done. "
    "If you join it again, this works again."
)


def hidden_mentoring(
    guild: discord.Guild, member: discord.Member, mentoring_id: int | None
) -> discord.TextChannel | None:
    """The server's mentoring channel when `member` may not view it or read its history
    (``permissions_for`` applies its overwrites as Discord does); None when they may, or when
    the channel is not known."""
    channel = guild.get_channel(mentoring_id or 0)
    if not isinstance(channel, discord.TextChannel):
        return None
    allowed = channel.permissions_for(member)
    if allowed.view_channel and allowed.read_message_history:
        return None
    return channel


def cannot_see(said: str, channel: discord.TextChannel) -> Text:
    """`said` (ASKER_CANNOT_SEE, MENTOR_CANNOT_SEE or MENTOR_JOINS_UNSEEN) naming `channel`."""
    return filled(said, channel=channel.name)


def session_unseen(channel: discord.TextChannel, question_id: int | None) -> Text:
    """SESSION_UNSEEN naming `channel`, its server and the session (question `question_id`)."""
    session = f"#{question_id}" if question_id is not None else "(its thread)"
    return filled(
        SESSION_UNSEEN.replace("{session}", session),
        channel=channel.name,
        server=channel.guild.name,
    )


def unseen_key(thread_id: int, user: UserRef) -> str:
    """A nonce (at most 25 characters) for the DM telling `user` that they can't see session
    thread `thread_id` any more: a second try shows it once."""
    raw = f"{thread_id}|{user.key()}"
    return "mmu" + hashlib.sha256(raw.encode()).hexdigest()[:20]


def not_a_member(guild: discord.Guild) -> Text:
    """NOT_A_MEMBER naming `guild`."""
    return filled(NOT_A_MEMBER, name=guild.name)
