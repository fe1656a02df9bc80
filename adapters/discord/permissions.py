"""The Discord permissions the bot may need, in one place: discord.py's attribute → the name
Discord's channel settings give it. What a channel needs (`guilds.channel_needs`), what an action
Discord refused takes (`errors`) and README's invite link (`INVITE_PERMISSIONS`) are all made
from this table, so none of them can ask for a permission the invite link does not grant."""

from __future__ import annotations

import discord

__all__ = ["INVITE_PERMISSIONS", "NAMES", "named", "sentence"]

# Everything the bot may need. Manage Threads is not here: it is optional (README), and without
# it a private session thread just stays open to invitations.
NAMES: dict[str, str] = {
    "view_channel": "View Channel",
    "send_messages": "Send Messages",
    "send_messages_in_threads": "Send Messages in Threads",
    "create_public_threads": "Create Public Threads",
    "create_private_threads": "Create Private Threads",
    "embed_links": "Embed Links",
    "attach_files": "Attach Files",
    "read_message_history": "Read Message History",
    "add_reactions": "Add Reactions",
}

# README's invite link grants all of them (its ``permissions=`` is this value).
INVITE_PERMISSIONS = discord.Permissions(**dict.fromkeys(NAMES, True))


def named(*permissions: str) -> dict[str, str]:
    """`permissions` (discord.py's attributes) with Discord's names; a KeyError for one that
    is not in the table (so not in the invite link)."""
    return {attr: NAMES[attr] for attr in permissions}


def sentence(*permissions: str) -> str:
    """Discord's names of `permissions` as the operator reads them: "A, B and C"."""
    names = list(named(*permissions).values())
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"
