"""`micromentor check` for Discord: the token logs in (a REST call, no gateway connection), and
the Server Members intent is switched on when ``[discord] member_events`` needs it."""

from __future__ import annotations

import aiohttp
import discord
from discord.http import Route

from adapters.discord.startup import PRIVILEGED_INTENT_OFF, DiscordSettings
from bot.config import Config

__all__ = ["check_discord"]


async def check_discord(config: Config) -> list[str]:
    """One line per problem (an empty list: Discord is usable). Channels are per server and
    found when the bot joins one, so they are checked at `run`."""
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
    return []
