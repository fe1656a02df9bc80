"""The Discord adapter: slash commands, persistent buttons, ✋ reactions and session threads."""

from __future__ import annotations

from bot.app import App

__all__ = ["start_discord"]


async def start_discord(app: App) -> None:
    """Run the Discord bot from ``DISCORD_TOKEN`` (and the optional URL overrides) until cancelled."""
    from adapters.discord.startup import DiscordAdapter, DiscordSettings

    await DiscordAdapter(app, DiscordSettings.from_env()).run()
