"""Start-up: settings from the environment, API/gateway endpoints, the bot, command sync, run."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import discord
import yarl
from discord import app_commands
from discord.ext import commands
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.cog import MentoringCog
from adapters.discord.components import ActionButton
from adapters.discord.gateway import DiscordGateway
from adapters.discord.interactions import InteractionRunner
from adapters.discord.listeners import EventsCog
from adapters.discord.ratelimits import GlobalLimit
from adapters.discord.translate import PLATFORM
from bot.app import App
from bot.emoji import shown_emoji
from bot.errors import StartupError
from bot.refs import WorkspaceRef

__all__ = ["DEFAULT_API_BASE_URL", "DiscordAdapter", "DiscordSettings", "intents"]

log = logging.getLogger(__name__)

DEFAULT_API_BASE_URL = "https://discord.com/api/v10"


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """Secrets and deployment values from the environment."""

    token: str = field(repr=False)  # a secret: never in repr(), logs or tracebacks
    api_base_url: str = DEFAULT_API_BASE_URL
    gateway_url: str | None = None  # None: ask GET /gateway/bot

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> DiscordSettings:
        token = env.get("DISCORD_TOKEN", "").strip()
        if not token:
            raise StartupError("DISCORD_TOKEN is not set")
        if token.strip("\"'").lower().startswith("xox"):
            # Said before Discord refuses it with a bare 401; never the token itself.
            raise StartupError(
                "DISCORD_TOKEN looks like a Slack token (xox…); set it to the bot token from "
                "the Discord Developer Portal (your application → Bot → Reset Token), and put "
                "Slack tokens in SLACK_BOT_TOKEN"
            )
        return cls(
            token=token,
            api_base_url=(env.get("DISCORD_API_BASE_URL") or DEFAULT_API_BASE_URL).rstrip("/"),
            gateway_url=env.get("DISCORD_GATEWAY_URL") or None,
        )


# The gateway's close codes Discord says not to reconnect after, and what the operator does
# (4014, a privileged intent not enabled, has its own message: PRIVILEGED_INTENT_OFF).
_CLOSED = {
    4004: (
        "DISCORD_TOKEN was refused; copy the bot token again from the Developer Portal "
        "(Bot → Reset Token)"
    ),
    4010: "an invalid shard was sent; check [discord] shard_count",
    4011: (
        "the bot is in too many servers for one connection; set [discord] shard_count "
        "(e.g. to the number of servers / 1000, rounded up)"
    ),
    4012: "an invalid gateway API version was asked for; upgrade Micromentor",
    4013: "invalid intents were asked for; upgrade Micromentor or report it",
}


def intents(*, members: bool = False) -> discord.Intents:
    """Only what the bot needs; no privileged intents (message content is never read). The
    members intent (privileged: switched on in the Developer Portal too) only with
    ``[discord] member_events``, to hear of members who leave (offboarding)."""
    return discord.Intents(guilds=True, guild_reactions=True, guild_messages=True, members=members)


# Discord closes the gateway (4014) when the bot asks for a privileged intent that is switched
# off for it; the only one it can ask for is Server Members.
PRIVILEGED_INTENT_OFF = (
    "Discord: [discord] member_events = true needs the Server Members intent, which is switched "
    "off for this bot. Switch it on in the Developer Portal (your application → Bot → Privileged "
    "Gateway Intents → Server Members Intent), or set member_events = false in bot.toml."
)

# Start-up (login, command sync) waits out rate limits up to this long; 30 s is the smallest
# value discord.py's constructor accepts.
MAX_RATE_LIMIT_WAIT_SECONDS = 30.0
# Deliveries wait at most this long inside a call: a longer limit becomes RetryAfter, and the
# outbox row is tried again when it ends instead of holding its lease (and a worker) meanwhile.
DELIVERY_RATE_LIMIT_WAIT_SECONDS = 5.0
# Shutting down, inputs being stored get this long to be stored and acknowledged.
INPUT_SETTLE_SECONDS = 3.0


def _claim_emoji(configured: list[str]) -> str | None:
    """The emoji the card names (a Slack name becomes its Unicode), if Discord can show it."""
    shown = shown_emoji(configured)
    return None if shown.isascii() else shown


def _make_bot(
    *,
    shard_count: int,
    guild_ready_timeout: float,
    members: bool = False,
    http_trace: aiohttp.TraceConfig,
) -> commands.Bot | commands.AutoShardedBot:
    """A plain bot, or an auto-sharded one for large installs (``[discord] shard_count``)."""
    bot = _new_bot(
        shard_count=shard_count,
        guild_ready_timeout=guild_ready_timeout,
        members=members,
        http_trace=http_trace,
    )

    async def on_message(message: discord.Message) -> None:
        """No text commands: a member's "@Micromentor help" is not taken for one (discord.py
        would log each as an error, with what they wrote). The cogs' listeners still hear it."""

    bot.event(on_message)
    return bot


def _new_bot(
    *,
    shard_count: int,
    guild_ready_timeout: float,
    members: bool,
    http_trace: aiohttp.TraceConfig,
) -> commands.Bot | commands.AutoShardedBot:
    if shard_count:
        return commands.AutoShardedBot(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=intents(members=members),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=guild_ready_timeout,
            max_ratelimit_timeout=MAX_RATE_LIMIT_WAIT_SECONDS,
            shard_count=shard_count,
            http_trace=http_trace,
        )
    return commands.Bot(
        command_prefix=commands.when_mentioned,
        help_command=None,
        intents=intents(members=members),
        allowed_mentions=discord.AllowedMentions.none(),
        guild_ready_timeout=guild_ready_timeout,
        max_ratelimit_timeout=MAX_RATE_LIMIT_WAIT_SECONDS,
        http_trace=http_trace,
    )


# An interaction's response and its follow-ups (the interaction's webhook, by its token).
_INTERACTION_PATHS = ("/interactions/", "/webhooks/{webhook_id}/{webhook_token}")


def _measure_requests(
    bot: commands.Bot | commands.AutoShardedBot, app: App, *, global_limit: GlobalLimit
) -> None:
    """Report each REST call's duration and status (by route template) to the bot's metrics;
    every call first waits for a global rate limit that is in force (see `GlobalLimit`)."""
    original = bot.http.request

    async def measured(route: Route, **kwargs: Any) -> Any:
        # "Interaction endpoints are not bound to the bot's Global Rate Limit" (Discord, Rate
        # Limits): an interaction's response and its follow-ups (its webhook) are not held.
        if not route.path.startswith(_INTERACTION_PATHS):
            await global_limit.before_request()
        started = time.monotonic()
        status = 0
        try:
            result = await original(route, **kwargs)
            status = 200
            return result
        except discord.RateLimited:
            status = 429
            raise
        except discord.HTTPException as e:
            status = e.status
            raise
        finally:
            app.metrics.api_call(
                platform=PLATFORM,
                method=f"{route.method} {route.path}",
                seconds=time.monotonic() - started,
                status=status,
            )

    bot.http.request = measured  # type: ignore[method-assign]


def _sync_fix(e: discord.HTTPException, guild: discord.Object | None) -> str:
    """What the operator can do about a refused command sync. The bot scope of an invitation
    includes applications.commands, so a server's 403 (50001 Missing Access) is almost always
    a server the bot is not in: a wrong id in ``[discord] guild_ids``, or not invited (yet)."""
    if e.status == 403 and guild is not None:
        return (
            f"The bot is not in server {guild.id}: check that id in [discord] guild_ids in "
            "bot.toml (with Developer Mode on, right-click the server's icon → Copy Server ID) "
            "and invite the bot there (README, 'Run it in Discord'), or take it out of "
            "guild_ids; then restart."
        )
    if e.status == 403:
        return (
            "Discord refused the application's own commands: check that DISCORD_TOKEN is the "
            "bot token of this application, and in the Developer Portal that the application "
            "is not limited by Discord; then restart."
        )
    if e.status == 400:
        return "Discord refused a command's definition: a bug to report, with this line."
    return "The next start syncs them again."


class DiscordAdapter:
    """One Discord bot wired to the app: ``await adapter.run()`` until cancelled."""

    def __init__(
        self, app: App, settings: DiscordSettings, *, guild_ready_timeout: float = 2.0
    ) -> None:
        self.app = app
        self.settings = settings
        cfg = app.config.discord
        self.global_limit = GlobalLimit(longest_wait=lambda: self.bot.http.max_ratelimit_timeout)
        self.bot = _make_bot(
            shard_count=cfg.shard_count,
            guild_ready_timeout=guild_ready_timeout,
            members=cfg.member_events,
            http_trace=self.global_limit.trace,
        )
        self.gateway = DiscordGateway(
            self.bot,
            clock=app.clock,
            thread_mode=cfg.thread_mode,
            claim_emoji=_claim_emoji(app.config.claim.emoji),
        )
        self.runner = InteractionRunner(app, self.gateway)
        _measure_requests(self.bot, app, global_limit=self.global_limit)
        self.events = EventsCog(self.bot, app=app, runner=self.runner)

    async def wait_registered(self) -> list[WorkspaceRef]:
        """The workspaces registered at start-up (raises StartupError if none could be)."""
        return await asyncio.shield(self.events.registered)

    async def _setup(self) -> None:
        try:
            await self.bot.login(self.settings.token)
        except discord.LoginFailure:
            raise StartupError(
                "Discord: DISCORD_TOKEN was refused (401 Unauthorized); copy the bot token "
                "again from the Developer Portal (Bot → Reset Token)"
            ) from None
        except discord.HTTPException as e:
            raise StartupError(
                f"Discord: could not log in ({e.status} {e.text or type(e).__name__})", code=1
            ) from None
        except aiohttp.ClientError as e:
            raise StartupError(
                f"Discord: cannot reach {self.settings.api_base_url} ({type(e).__name__})", code=1
            ) from None
        gateway = self.settings.gateway_url
        if gateway is None:
            try:
                _, gateway, _ = await self.bot.http.get_bot_gateway()
            except (discord.GatewayNotFound, discord.HTTPException, discord.RateLimited) as e:
                # discord.py turns any HTTP error here into GatewayNotFound: the cause says it.
                cause = e.__cause__ if isinstance(e.__cause__, discord.HTTPException) else e
                status = getattr(cause, "status", None)
                if status == 401:
                    raise StartupError(
                        "Discord: DISCORD_TOKEN was refused (401 Unauthorized); copy the bot "
                        "token again from the Developer Portal (Bot → Reset Token)"
                    ) from None
                raise StartupError(
                    f"Discord: could not find its gateway (GET /gateway/bot: "
                    f"{status or type(cause).__name__}); Discord may be having trouble "
                    "(https://discordstatus.com): try again in a few minutes",
                    code=1,
                ) from None
            except (aiohttp.ClientError, TimeoutError) as e:
                raise StartupError(
                    f"Discord: cannot reach {self.settings.api_base_url} ({type(e).__name__})",
                    code=1,
                ) from None
        # discord.py connects to this class attribute (and falls back to it after an invalid
        # session), so it is the one hook that moves the gateway for the whole client.
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        await self.bot.add_cog(MentoringCog(self.app.bus, self.runner))
        await self.bot.add_cog(self.events)
        self.bot.add_dynamic_items(ActionButton)
        await self._sync_commands()
        # Set after start-up, below the constructor's floor; rate limit buckets made from now on
        # (every delivery route) take it, and so does every 429 answer.
        lease = self.app.config.flow.lease_seconds
        self.bot.http.max_ratelimit_timeout = min(DELIVERY_RATE_LIMIT_WAIT_SECONDS, lease / 4)

    async def _sync_commands(self) -> None:
        """Register the slash commands; a failure is logged, not fatal (the commands registered
        by an earlier start keep working, and buttons and reactions do not depend on it). Each
        server is synced on its own: one that refuses does not keep the others from theirs."""
        guild_ids = self.app.config.discord.guild_ids
        tree = self.bot.tree
        if not guild_ids:
            await self._sync(tree, None)
            return
        for guild_id in guild_ids:
            guild = discord.Object(guild_id)
            tree.copy_global_to(guild=guild)
            await self._sync(tree, guild)
        # Commands of an earlier global sync would show beside the servers' own (Discord
        # lists both): take them back. The servers' copies keep answering.
        tree.clear_commands(guild=None)
        await self._sync(tree, None, clearing=True)

    @staticmethod
    async def _sync(
        tree: app_commands.CommandTree[Any], guild: discord.Object | None, *, clearing: bool = False
    ) -> None:
        """One sync: a server's commands (`guild`), or the global ones; a failure logged with
        what the operator can do about it."""
        where = "globally" if guild is None else f"to server {guild.id}"
        try:
            synced = await tree.sync(guild=guild)
        except discord.HTTPException as e:
            log.error(
                "could not sync the slash commands %s (%s %s); commands from an earlier sync "
                "still work. %s",
                where,
                e.status,
                e.text or e.__class__.__name__,
                _sync_fix(e, guild),
            )
            return
        except discord.RateLimited as e:
            log.error(
                "could not sync the slash commands %s (rate limited for %.0f s); commands from "
                "an earlier sync still work.",
                where,
                e.retry_after,
            )
            return
        if clearing:
            log.info("took back the global slash commands (each server has its own)")
        elif guild is None:
            log.info("synced %d slash commands globally (may take a while to show)", len(synced))
        else:
            log.info("synced %d slash commands to server %s", len(synced), guild.id)

    async def run(self) -> None:
        """Log in, sync commands, connect, register the guilds; runs until cancelled, then
        closes the gateway connection and the HTTP session."""
        old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
        Route.BASE = self.settings.api_base_url
        self.app.chat.add(PLATFORM, self.gateway)
        self.app.web.expect(PLATFORM)
        self.app.web.connection(PLATFORM, lambda: self.bot.is_ready() and not self.bot.is_closed())
        try:
            async with self.bot:  # closes the client on the way out, cancelled or not
                await self._setup()
                connection = asyncio.create_task(self.bot.connect(), name="discord-gateway")
                shutting_down = False
                try:
                    registered = self.events.registered
                    waiters: list[asyncio.Future[Any]] = [connection, registered]
                    done, _ = await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
                    if registered in done:
                        registered.result()  # raises StartupError for a missing channel
                    await connection
                except discord.PrivilegedIntentsRequired:
                    raise StartupError(PRIVILEGED_INTENT_OFF) from None
                except discord.ConnectionClosed as e:
                    problem = _CLOSED.get(e.code or 0)
                    if problem is None:
                        raise
                    raise StartupError(
                        f"Discord closed the gateway connection ({e.code}): {problem}"
                    ) from None
                except asyncio.CancelledError:
                    shutting_down = True
                    raise
                finally:
                    await self._disconnect(connection, shutting_down=shutting_down)
        finally:
            Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway

    async def _disconnect(self, connection: asyncio.Task[None], *, shutting_down: bool) -> None:
        """Let inputs being stored finish (their acknowledgement needs the client), close the
        websocket and the HTTP session, then end the connection task (it may be between
        reconnect attempts), so nothing is left running when ``run()`` returns."""
        if connection.done():
            return
        await self.runner.settle(within=INPUT_SETTLE_SECONDS)
        if shutting_down and self.app.runtime.running:
            # Deliveries in flight at a shutdown need the client: close it once the workers
            # have stopped (`micromentor run` stops them right after the inputs).
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.app.config.flow.shutdown_seconds + 5):
                    await asyncio.shield(self.app.runtime.stopped.wait())
        await self.gateway.aclose()  # its background checks need the client: before it closes
        await self.bot.close()
        connection.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await connection
