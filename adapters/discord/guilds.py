"""Guild set-up: find the configured channels by name or id and register the guild as a workspace."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import discord

from adapters.discord.permissions import named
from adapters.discord.translate import channel_ref, workspace_ref
from bot.commands import RegisterWorkspace
from bot.config import Config
from bot.messagebus import MessageBus
from bot.refs import WorkspaceRef

__all__ = [
    "MissingChannel",
    "RegisteredGuild",
    "channel_key",
    "channel_needs",
    "find_channel",
    "lacking_permissions",
    "register_guild",
]

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
    """A server set up: its workspace, the ids of its channels by ``[channels]`` key, the
    configured channels it still lacks (`missing`: each one's error, told to the operator), and
    the permissions the bot lacks in the channels it has (`lacking`: by channel id, what to tell
    the operator)."""

    workspace: WorkspaceRef
    channels: dict[str, int]
    missing: tuple[MissingChannel, ...] = ()
    lacking: dict[int, str] = field(default_factory=dict)


# What the bot does in a configured channel (`channel_needs`), as Discord's channel settings
# name the permissions each takes: discord.py's attribute -> Discord's name (all from
# adapters.discord.permissions, so all in the invite link).
_VIEW = named("view_channel")
_POST = named("send_messages", "embed_links")  # cards, digests: embeds
_MENTORING = named(
    "add_reactions",  # the claim emoji under each card
    "read_message_history",  # reacting to, and threads from, its cards
    "send_messages_in_threads",  # the session threads
)
_PUBLIC_THREADS = named("create_public_threads")
_PRIVATE_THREADS = named("create_private_threads")
_ATTACH = named("attach_files")  # the digest's chart
# What goes wrong without them, for the operator.
_EFFECT = {
    "mentoring": "question cards, claims and session threads there fail",
    "admin": "digests and admin notices there fail",
    "escalation": "escalations there fail",
}


def channel_needs(config: Config, key: str) -> dict[str, str]:
    """The permissions the bot needs in its `key` channel (``[channels]``), by discord.py's name,
    with Discord's. Manage Threads is not among them: without it a private session thread just
    stays open to invitations (told when it happens)."""
    if key == "mentoring":
        # Private threads: every session's (thread_mode "private"), else anonymous questions'.
        private = config.discord.thread_mode == "private"
        threads = {} if private else _PUBLIC_THREADS
        if private or config.ask.allow_anonymous:
            threads = {**threads, **_PRIVATE_THREADS}
        return {**_VIEW, **_POST, **_MENTORING, **threads}
    if key == "admin":
        return {**_VIEW, **_POST, **_ATTACH}
    return {**_VIEW, **_POST}


def lacking_permissions(
    guild: discord.Guild, channel: discord.abc.GuildChannel, keys: Sequence[str], config: Config
) -> str | None:
    """What to tell the operator when the bot's own permissions in `channel` (its roles' and
    the channel's overwrites, as Discord computes them) lack some the bot needs there as its
    `keys` channel (one channel may be several: admin and escalation); None
    when it has them all (or Discord did not send the bot's own member)."""
    me = guild.me
    if me is None:
        return None
    allowed = channel.permissions_for(me)
    needs = {attr: name for key in keys for attr, name in channel_needs(config, key).items()}
    if not allowed.view_channel:
        # Discord denies every other channel permission with it: granting it may be enough.
        missing = [_VIEW["view_channel"]]
    else:
        missing = [name for attr, name in needs.items() if not getattr(allowed, attr)]
    if not missing:
        return None
    said = ", ".join(missing)
    settings = ", ".join(f"[channels] {key}" for key in keys)
    effect = "; ".join(_EFFECT[key] for key in keys)
    return (
        f"Discord server {guild.name!r} ({guild.id}): the bot lacks {said} in #{channel.name} "
        f"({settings}), so {effect} (skipped, not retried). A server admin grants "
        f"them to the bot's role in #{channel.name}'s settings (Edit Channel → Permissions) "
        "or in Server Settings → Roles; no restart is needed."
    )


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
    lacking: dict[int, str] = {}
    for channel_id in dict.fromkeys(channels.values()):
        channel = guild.get_channel(channel_id)
        keys = [key for key, c in channels.items() if c == channel_id]
        if isinstance(channel, discord.TextChannel):
            said = lacking_permissions(guild, channel, keys, config)
            if said is not None:
                lacking[channel_id] = said
    return RegisteredGuild(workspace, channels, tuple(missing), lacking)
