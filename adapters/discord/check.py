"""`micromentor check` for Discord: the token logs in (a REST call, no gateway connection), the
Server Members intent is switched on when ``[discord] member_events`` needs it, and the bot is
in a server with the permissions README's invite link grants (its roles' permissions, as
``GET /users/@me/guilds`` says them; a channel's overwrites are checked at `run`)."""

from __future__ import annotations

from typing import Any

import aiohttp
import discord
from discord.http import Route

from adapters.discord.permissions import INVITE_PERMISSIONS, NAMES
from adapters.discord.startup import PRIVILEGED_INTENT_OFF, DiscordSettings
from bot.config import Config
from bot.platforms import NOTE

__all__ = ["INVITE_PERMISSIONS", "check_discord"]

# README's invite link (377957239872): every permission the bot may need, from
# adapters.discord.permissions (re-exported here).
_LISTED = 200  # GET /users/@me/guilds gives at most 200 a page; more is no first install


async def check_discord(config: Config) -> list[str]:
    """One line per problem (an empty list: Discord is usable). The servers' permissions are
    their roles' here; channels are per server and found when the bot joins one, so they (and
    their overwrites) are checked at `run`."""
    settings = DiscordSettings.from_env()
    old_base = Route.BASE
    Route.BASE = settings.api_base_url
    # No gateway connection, so intents don't matter; with none at all discord.py warns that the
    # guilds intent is off, which would read as a problem to fix.
    client = discord.Client(intents=discord.Intents(guilds=True))
    try:
        await client.login(settings.token)
        if config.discord.member_events:
            # `run` would be refused at the gateway (4014): the application's flags say it first.
            flags = (await client.application_info()).flags
            if not (flags.gateway_guild_members or flags.gateway_guild_members_limited):
                return [PRIVILEGED_INTENT_OFF]
        try:
            servers = await client.http.get_guilds(_LISTED, with_counts=False)
        except discord.HTTPException as e:
            return [f"Discord: listing the bot's servers failed ({e.status}); try again"]
        return _server_problems(servers, application_id=client.application_id)
    except discord.LoginFailure:
        return ["Discord: DISCORD_TOKEN was refused (401); copy the bot token again"]
    except discord.HTTPException as e:
        return [f"Discord: logging in failed ({e.status}); try again, or see Discord's status page"]
    except (aiohttp.ClientError, TimeoutError) as e:
        return [
            f"Discord: cannot reach {settings.api_base_url} ({type(e).__name__}); check the "
            "network (and a proxy)"
        ]
    finally:
        await client.close()
        Route.BASE = old_base


def _server_problems(servers: list[Any], *, application_id: int | None) -> list[str]:
    """In no server: a warning with the invite link (`run` works, and serves a server once it
    is invited). In one whose roles lack a permission of the invite link: a warning naming it
    (an invite link typed by hand, or a role changed since), not a failure: many servers grant
    those on the mentoring channel's overwrites only, which `run` checks and accepts."""
    if not servers:
        link = (
            f"https://discord.com/oauth2/authorize?client_id={application_id or 'APPLICATION_ID'}"
            f"&scope=bot%20applications.commands&permissions={INVITE_PERMISSIONS.value}"
        )
        return [
            f"{NOTE}Discord: the bot is in no server yet; a server admin invites it with {link}"
        ]
    problems = []
    for server in servers:
        granted = discord.Permissions(int(server.get("permissions") or 0))
        if granted.administrator:
            continue
        missing = [
            name for name, wanted in INVITE_PERMISSIONS if wanted and not getattr(granted, name)
        ]
        if missing:
            said = ", ".join(_label(m) for m in missing)
            problems.append(
                f"{NOTE}Discord: in the server {server.get('name')!r} (id {server.get('id')}) the "
                f"bot's roles lack {said} (unless granted on the channels themselves); a server "
                "admin grants them to its role (Server Settings → Roles), or invites it again "
                "with README's link"
            )
    return problems


def _label(permission: str) -> str:
    """discord.py's attribute name as a role's settings say it: `send_messages_in_threads` →
    "Send Messages in Threads"; `read_messages` (View Channel's old name) → "View Channels" (a
    channel's settings say "View Channel")."""
    if permission in ("read_messages", "view_channel"):
        return "View Channels"
    generic = " ".join(w if w == "in" else w.capitalize() for w in permission.split("_"))
    return NAMES.get(permission, generic)
