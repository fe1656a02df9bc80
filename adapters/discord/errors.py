"""Discord's failures as the ChatGateway port's: refused (a recipient or place that can't be
reached, a permission the bot lacks), rate limited, or Discord unavailable."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import aiohttp
import discord

from adapters.discord.permissions import sentence
from adapters.discord.ratelimits import retry_after_seconds
from bot.ports import DeliveryRefused, RetryAfter, Unavailable

__all__ = [
    "ADD_MEMBERS",
    "ARCHIVED_THREAD",
    "EDIT",
    "FORBIDDEN",
    "MISSING_ACCESS",
    "POST",
    "PRIVATE_THREAD",
    "PUBLIC_THREAD",
    "THREAD_POST",
    "UNREACHABLE",
    "MissingPermission",
]

# Discord error codes of a recipient or place that can't be reached: retrying won't help.
UNREACHABLE = {
    10003: "unknown channel",
    10007: "unknown member",
    10008: "unknown message",
    10013: "unknown user",
    50007: "the user does not accept DMs from the bot",
    50033: "invalid recipient",
    50083: "the thread is archived",
    50278: "the user shares no server with the bot any more",
    160005: "the thread is locked",
}
MISSING_ACCESS = 50001  # on a DM: the user shares no server with the bot any more
# In a server: the bot can't see the channel, or lacks a permission for what it tried. Only an
# admin can change that, and Discord counts every repeated 403 towards a temporary IP ban.
FORBIDDEN = {MISSING_ACCESS: "missing access", 50013: "missing permissions"}
ARCHIVED_THREAD = 50083

# What the bot tried, as the operator reads it.
POST = "post in a channel"
EDIT = "edit its card"
PUBLIC_THREAD = "open a session thread"
PRIVATE_THREAD = "open a private session thread"
THREAD_POST = "post in a session thread"
ADD_MEMBERS = "add the asker and mentor to a private session thread"
# The permissions each takes, by discord.py's attribute (all in adapters.discord.permissions, so
# in the invite link); `_PERMISSIONS` says them with Discord's names, for the operator.
_NEEDS: dict[str, tuple[str, ...]] = {
    POST: ("view_channel", "send_messages", "embed_links", "attach_files"),
    EDIT: ("view_channel",),
    PUBLIC_THREAD: ("create_public_threads", "send_messages_in_threads"),
    PRIVATE_THREAD: ("create_private_threads", "send_messages_in_threads"),
    THREAD_POST: ("send_messages_in_threads",),
    # The thread is invitable until they are in, so a non-moderator may add them: it takes
    # what Add Thread Member takes ("the ability to send messages in the thread").
    ADD_MEMBERS: ("view_channel", "send_messages_in_threads"),
}
_PERMISSIONS = {action: sentence(*permissions) for action, permissions in _NEEDS.items()}


class MissingPermission(DeliveryRefused):
    """The bot may not do this in a server's channel: skipped, and the operator told once."""

    def __init__(self, code: int, *, needs: str) -> None:
        super().__init__(f"Discord refused it ({code}: {FORBIDDEN[code]})")
        self.code = code
        self.needs = needs


@contextlib.asynccontextmanager
async def _delivering(*, dm: bool = False, needs: str = "") -> AsyncIterator[None]:
    """Translate Discord's failures into the port's. Messages carry codes, never ids (the
    deliverer logs them, and a recipient may be an anonymous asker). `needs` names the
    permissions the call takes, for the operator when Discord says the bot lacks one.
    Discord down or out of reach (a 5xx, a connection that failed, no answer in time) is
    `Unavailable`: the deliverer waits the outage out instead of counting attempts."""
    try:
        yield
    except discord.RateLimited as e:  # longer than the client may wait inside a call
        raise RetryAfter(e.retry_after) from e
    except discord.HTTPException as e:
        if e.status == 429:  # not Discord's (discord.py handles those): Cloudflare, a proxy
            raise RetryAfter(retry_after_seconds(e)) from e
        if e.status >= 500:  # discord.py has tried it again a few times already
            raise Unavailable(f"Discord is unavailable ({e.status})") from e
        if e.code in UNREACHABLE or (dm and e.code == MISSING_ACCESS):
            reason = UNREACHABLE.get(e.code, "missing access")
            raise DeliveryRefused(f"Discord refused it ({e.code}: {reason})") from e
        if e.code in FORBIDDEN and not dm:
            raise MissingPermission(e.code, needs=needs) from e
        raise
    except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, OSError, TimeoutError) as e:
        raise Unavailable(f"Discord could not be reached ({type(e).__name__})") from e
