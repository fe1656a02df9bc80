"""Answering interactions: defer within Discord's 3 seconds, run the command, reply ephemerally."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

import discord

from adapters.discord.gateway import DiscordGateway
from adapters.discord.translate import CommentRequest, actor_for
from bot import commands as c
from bot.messagebus import MessageBus
from bot.messages import ChatMessage, text
from bot.textcommands import ParseError

__all__ = ["InteractionRunner", "interaction_actor"]

log = logging.getLogger(__name__)

Built = c.Command | ParseError | CommentRequest | None


def interaction_actor(interaction: discord.Interaction[Any], *, home_guild: int | None) -> c.Actor:
    """The clicking member; in DMs (buttons on a DM'd prompt) the bot's home guild stands in."""
    user = interaction.user
    guild_id = interaction.guild_id or home_guild or 0
    permissions = interaction.permissions.value if interaction.guild_id else 0
    return actor_for(
        user_id=user.id, name=user.display_name, guild_id=guild_id, permissions=permissions
    )


class InteractionRunner:
    """Turns one interaction into one bus command; everything the bus returns is ephemeral."""

    def __init__(self, bus: MessageBus, gateway: DiscordGateway) -> None:
        self.bus = bus
        self.gateway = gateway
        self.home_guild: int | None = None

    def actor(self, interaction: discord.Interaction[Any]) -> c.Actor:
        return interaction_actor(interaction, home_guild=self.home_guild)

    async def run(
        self,
        interaction: discord.Interaction[Any],
        build: Callable[[c.Actor], Built],
        *,
        thinking: bool = True,
    ) -> None:
        """Defer first (slash commands show "thinking…", buttons just acknowledge), then work."""
        if not interaction.response.is_done():
            await interaction.response.defer(ephemeral=True, thinking=thinking)
        built = build(self.actor(interaction))
        if built is None:
            return
        if isinstance(built, ParseError):
            await self.reply(interaction, [ChatMessage(body=text(built.message))])
            return
        if isinstance(built, CommentRequest):
            raise TypeError("a comment request opens a modal; it can't be deferred")
        await self.reply(interaction, await self.bus.handle(built))

    async def reply(
        self, interaction: discord.Interaction[Any], replies: Sequence[ChatMessage]
    ) -> None:
        for message in replies:
            try:
                await interaction.followup.send(ephemeral=True, **self.gateway.send_kwargs(message))
            except discord.HTTPException as e:
                log.warning("could not send an ephemeral reply: %s", e)
