"""What the asker and mentor are told when Discord refuses to open their session thread: that it
is not there, where to talk instead, and what a server admin can grant."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from bot.messages import ChatMessage, Mention, Text, text
from bot.refs import ChannelRef, UserRef

__all__ = ["notice_key", "refused_by_dm", "refused_in_channel"]


def _fix(grant: str | None) -> str:
    if grant is None:
        return ""
    return f" A server admin can fix this by giving my role **{grant}** in that channel."


def refused_by_dm(
    *, name: str, others: Sequence[UserRef], place: str, private: bool, grant: str | None
) -> ChatMessage:
    """The DM: which session, why in a few words, whom to talk to, what an admin can do."""
    kind = "private thread" if private else "thread"
    why = "I'm missing a permission there" if grant else "Discord refused it"
    who: Text = text("each other")
    if others:
        who = text(*(Mention(o, "your session partner") for o in others))
    return ChatMessage(
        body=text(
            f"I couldn't open the {kind} for {name} in {place} ({why}), so there is no "
            "session thread to talk in. Please talk with ",
            who,
            f" in direct messages instead.{_fix(grant)}",
        )
    )


def refused_in_channel(*, user: UserRef, grant: str | None) -> ChatMessage:
    """In the channel, for someone whose DMs are closed: it names neither the question nor the
    other person (an anonymous asker stays anonymous)."""
    return ChatMessage(
        body=text(
            Mention(user, "you"),
            " I couldn't open the thread for your mentoring session here, and I can't send you a "
            "direct message. Allow direct messages from this server's members (the server's "
            f"Privacy Settings) so your session partner and I can reach you.{_fix(grant)}",
        )
    )


def notice_key(
    where: str, *, channel: ChannelRef, name: str, user: UserRef, pair: Sequence[UserRef]
) -> str:
    """A nonce (at most 25 characters) for one person's notice about one session: a retry of the
    refused delivery shows it once; another session (another pair) gets its own."""
    raw = "|".join([where, channel.key(), name, user.key(), *sorted(p.key() for p in pair)])
    return "mmt" + where[:1] + hashlib.sha256(raw.encode()).hexdigest()[:20]
