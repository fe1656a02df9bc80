"""Guild set-up: find the configured channels by name or id and register the guild as a workspace."""

from __future__ import annotations

import logging

import discord

from adapters.discord.translate import channel_ref, workspace_ref
from bot.commands import RegisterWorkspace
from bot.config import Config
from bot.messagebus import MessageBus
from bot.refs import WorkspaceRef

__all__ = ["MissingChannel", "find_channel", "register_guild"]

log = logging.getLogger(__name__)


class MissingChannel(LookupError):
    """A configured channel does not exist in a guild."""


def find_channel(guild: discord.Guild, wanted: str) -> discord.TextChannel | None:
    """A text channel by id, ``<#id>`` or name (``mentoring`` or ``#mentoring``)."""
    key = wanted.strip().removeprefix("<#").removesuffix(">").lstrip("#")
    if key.isdigit():
        by_id = guild.get_channel(int(key))
        if isinstance(by_id, discord.TextChannel):
            return by_id
    for channel in guild.text_channels:
        if channel.name == key.lower() or channel.name == key:
            return channel
    return None


def _require(guild: discord.Guild, wanted: str, key: str) -> discord.TextChannel:
    found = find_channel(guild, wanted)
    if found is None:
        raise MissingChannel(
            f"Discord server {guild.name!r} ({guild.id}) has no text channel {wanted!r} "
            f"([channels] {key} in bot.toml): create it, or set {key} to an existing channel's "
            "name or id, and make sure the bot can see it."
        )
    return found


async def register_guild(bus: MessageBus, config: Config, guild: discord.Guild) -> WorkspaceRef:
    """Resolve the channels and send RegisterWorkspace; raises :class:`MissingChannel`."""
    mentoring = _require(guild, config.channels.mentoring, "mentoring")
    admin = _require(guild, config.channels.admin, "admin")
    wider = (
        _require(guild, config.channels.escalation, "escalation")
        if config.channels.escalation
        else None
    )
    workspace = workspace_ref(guild.id)
    await bus.handle(
        RegisterWorkspace(
            workspace,
            channel_ref(mentoring.id),
            channel_ref(admin.id),
            timezone=config.bot.timezone,
            name=guild.name,
            escalation_channel=channel_ref(wider.id) if wider is not None else None,
        )
    )
    log.info(
        "Discord server %s (%s) is ready: cards go to #%s", guild.name, guild.id, mentoring.name
    )
    return workspace
