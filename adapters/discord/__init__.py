"""The Discord adapter: slash commands, persistent buttons, ✋ reactions and session threads."""

from __future__ import annotations

from bot.app import App

__all__ = ["start_discord"]


async def start_discord(app: App) -> None:
    """Run the Discord bot from ``DISCORD_TOKEN`` (and the optional URL overrides) until
    cancelled: its inputs go to ``app.inbox``, and ``app.chat`` delivers through it. The
    workers that process and deliver are the caller's (``app.runtime.run()``)."""
    from adapters.discord.startup import DiscordAdapter, DiscordSettings

    await DiscordAdapter(app, DiscordSettings.from_env()).run()
