"""Guild set-up: find the configured channels by name or id and register the guild as a workspace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

import discord

from adapters.discord.translate import channel_ref, workspace_ref
from bot.commands import RegisterWorkspace
from bot.config import Config
from bot.messagebus import MessageBus
from bot.refs import WorkspaceRef

__all__ = ["MissingChannel", "RegisteredGuild", "channel_key", "find_channel", "register_guild"]

log = logging.getLogger(__name__)


class MissingChannel(LookupError):
    """A configured channel does not exist in a guild: `key` is its ``[channels]`` setting,
    `wanted` what that setting says."""

    def __init__(self, guild: discord.Guild, wanted: str, key: str) -> None:
        super().__init__(
            f"Discord server {guild.name!r} ({guild.id}) has no text channel {wanted!r} "
            f"([channels] {key} in bot.toml): {fix_channel(wanted, key)}"
        )
        self.key = key
        self.wanted = wanted


def fix_channel(wanted: str, key: str) -> str:
    """How a server admin or the operator gives a server its `key` channel again (README, 'Create
    the channels'). A channel set by id can't be made again: a new channel has a new id."""
    bare = channel_key(wanted)
    if bare.isdigit():
        return (
            f"set [channels] {key} in bot.toml to the name or id of an existing text channel and "
            "restart (a new channel has a new id); make sure the bot can see it."
        )
    return (
        f"create a text channel named {bare!r} (the bot takes it at once), or set [channels] "
        f"{key} in bot.toml to another channel's name or id and restart; make sure the bot can "
        "see it."
    )


@dataclass(frozen=True, slots=True)
class RegisteredGuild:
    """A server set up: its workspace, the ids of its channels by ``[channels]`` key, and the
    configured channels it still lacks (`missing`: each one's error, told to the operator)."""

    workspace: WorkspaceRef
    channels: dict[str, int]
    missing: tuple[MissingChannel, ...] = ()


def channel_key(wanted: str) -> str:
    """What a ``[channels]`` setting names: an id (from ``<#id>`` too) or a name without ``#``."""
    return wanted.strip().removeprefix("<#").removesuffix(">").lstrip("#")


def find_channel(guild: discord.Guild, wanted: str) -> discord.TextChannel | None:
    """A text channel by id, ``<#id>`` or name (``mentoring`` or ``#mentoring``)."""
    key = channel_key(wanted)
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
        raise MissingChannel(guild, wanted, key)
    return found


async def register_guild(
    bus: MessageBus,
    config: Config,
    guild: discord.Guild,
    *,
    known: Mapping[str, int] | None = None,
) -> RegisteredGuild:
    """Resolve the channels and send RegisterWorkspace; raises :class:`MissingChannel`.

    `known`: the channels the server was set up with before, by key. An admin or escalation
    channel deleted since keeps its old id (what goes there is skipped, unasked) rather than
    stopping the set-up, so that a new mentoring channel is taken although the admin channel
    is gone too; the result's `missing` says what is still lacking."""
    mentoring = _require(guild, config.channels.mentoring, "mentoring")
    missing: list[MissingChannel] = []

    def other(wanted: str, key: str) -> int:
        found = find_channel(guild, wanted)
        if found is not None:
            return found.id
        if known is None or key not in known or guild.get_channel(known[key]) is not None:
            # Never set up, or its old channel is still there under another name than the
            # configuration's (renamed, or the setting changed): a configuration to mend.
            raise MissingChannel(guild, wanted, key)
        missing.append(MissingChannel(guild, wanted, key))
        return known[key]

    admin = other(config.channels.admin, "admin")
    wider = other(config.channels.escalation, "escalation") if config.channels.escalation else None
    workspace = workspace_ref(guild.id)
    await bus.handle(
        RegisterWorkspace(
            workspace,
            channel_ref(mentoring.id),
            channel_ref(admin),
            timezone=config.bot.timezone,
            name=guild.name,
            escalation_channel=channel_ref(wider) if wider is not None else None,
        )
    )
    log.info(
        "Discord server %s (%s) is ready: cards go to #%s", guild.name, guild.id, mentoring.name
    )
    channels = {"mentoring": mentoring.id, "admin": admin}
    if wider is not None:
        channels["escalation"] = wider
    return RegisteredGuild(workspace, channels, tuple(missing))
