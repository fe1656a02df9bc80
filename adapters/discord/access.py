"""Who can take part in a server's sessions: a session is a thread in the mentoring channel, so
whoever may not view that channel or read its history (its permission overwrites for their
roles or for them) would never see it. What such a member, or someone no longer in the server,
is told instead."""

from __future__ import annotations

import discord

from bot.messages import Text, filled

__all__ = [
    "ASKER_CANNOT_SEE",
    "MENTOR_CANNOT_SEE",
    "NOT_A_MEMBER",
    "cannot_see",
    "hidden_mentoring",
    "not_a_member",
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
    """`said` (ASKER_CANNOT_SEE or MENTOR_CANNOT_SEE) naming `channel`."""
    return filled(said, channel=channel.name)


def not_a_member(guild: discord.Guild) -> Text:
    """NOT_A_MEMBER naming `guild`."""
    return filled(NOT_A_MEMBER, name=guild.name)
