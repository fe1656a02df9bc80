"""Gateway listeners: guilds becoming ready (registration) or removing the bot, their configured
channels deleted or made again, ✋/✅ reactions,
members who leave and thread activity. Reactions and thread messages are stored in the inbox
(keyed by what identifies them on Discord, so a replayed event has one effect); a leased worker
runs them."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import discord
from discord.ext import commands

from adapters.discord.guilds import MissingChannel, fix_channel, register_guild
from adapters.discord.interactions import InteractionRunner
from adapters.discord.translate import (
    PLATFORM,
    account_name,
    actor_for,
    member_left,
    reaction_command,
    reaction_key,
    snowflake,
    thread_message_key,
    thread_ref,
    user_ref,
    workspace_ref,
)
from bot import commands as c
from bot.app import App
from bot.emoji import canonical_emoji, emoji_set
from bot.errors import StartupError
from bot.flow.outbox import ReplyTo
from bot.refs import WorkspaceRef

__all__ = ["EventsCog"]

log = logging.getLogger(__name__)

# Gateway replays (RESUME) come within minutes; a reaction re-added later is meant again.
REACTION_REPLAY_WINDOW = timedelta(minutes=10)
# Reactions taken back that are remembered (so the same one given again is a new input).
REMEMBERED_REMOVALS = 10_000


# What a server missing a configured channel does until it has it: [mentoring channel?].
_UNTIL = (
    "This server is not set up until then.",
    "This server is not set up until then, and /askmentor there is answered that questions "
    "can't be posted.",
)
_SKIPPED = "What goes there (digests, escalations, ratings) is skipped until then."
_DELETED = (
    "What goes there (digests, escalations, ratings) is skipped",
    "Questions asked there are answered that they can't be posted, and not taken,",
)
# A server set up before whose mentoring channel was deleted while the bot was not running.
_DELETED_STOPPED = (
    "It was set up before, and that channel was deleted since: questions asked there are "
    "answered that they can't be posted, and not taken, until it has one again; the rest goes on."
)


def _deleted(guild: discord.Guild, known: Mapping[str, int], key: str) -> bool:
    """Whether the server was set up with a `key` channel (`known`) that it no longer has."""
    return key in known and guild.get_channel(known[key]) is None


class EventsCog(commands.Cog, name="MicromentorEvents"):
    """Listeners; `registered` resolves once the guilds present at start-up are set up."""

    def __init__(self, bot: discord.Client, *, app: App, runner: InteractionRunner) -> None:
        self.bot = bot
        self.app = app
        self.config = app.config
        self.runner = runner
        self.workspaces: dict[int, WorkspaceRef] = {}
        # The channels each set-up server's workspace was registered with, by [channels] key.
        self.channels: dict[int, dict[str, int]] = {}
        # The servers missing configured channels: the keys the operator was told of (so that
        # each new problem is logged once, not at every channel event).
        self._missing: dict[int, set[str]] = {}
        self.registered: asyncio.Future[list[WorkspaceRef]] = (
            asyncio.get_running_loop().create_future()
        )
        claim = self.config.claim
        self._emoji = emoji_set(claim.emoji) | emoji_set(claim.resolve_emoji)
        # How often each reaction was taken back: given again, it is a new input, not a replay.
        self._removals: dict[str, int] = {}
        # The servers set up before whose mentoring channel is gone: present all the same.
        self._without_mentoring: set[int] = set()
        # `on_ready` has run: a server that becomes available from then on is set up on arrival.
        self._ready_seen = False
        # What the operator was told of the bot's missing permissions, by channel id: told
        # again only when that changes (each set-up checks them).
        self._lacking: dict[int, str] = {}

    async def _register(self, guild: discord.Guild) -> bool:
        """Find the server's configured channels and register it. A missing one is logged once;
        without its mentoring channel, questions asked there are answered that they can't be
        posted, and not taken. An admin or escalation channel deleted while the bot runs keeps
        its old id (what goes there is skipped) so that the server is set up all the same."""
        gateway = self.runner.gateway
        # In the server (again), whether or not its channels are found: nothing refused unasked.
        gateway.guild_back(guild.id)
        known = await self._known(guild.id)
        try:
            registered = await register_guild(self.app.bus, self.config, guild, known=known)
        except MissingChannel as e:
            until = _UNTIL[e.key == "mentoring"]
            if e.key == "mentoring":
                gateway.no_mentoring(guild.id, wanted=e.wanted)
                if known is not None and _deleted(guild, known, "mentoring"):
                    until = self._present_without_mentoring(guild, known)
            self._tell(guild, e.key, f"{e} {until}")
            return False
        self._without_mentoring.discard(guild.id)
        self.workspaces[guild.id] = registered.workspace
        self.channels[guild.id] = registered.channels
        self.runner.mentoring[guild.id] = registered.channels["mentoring"]
        told = self._missing.pop(guild.id, set())
        for lack in registered.missing:  # set up with a deleted admin/escalation channel's old id
            gateway.channel_deleted(registered.channels[lack.key])  # its posts skipped, unasked
            if lack.key in told:
                self._missing.setdefault(guild.id, set()).add(lack.key)
            else:
                self._tell(guild, lack.key, f"{lack} {_SKIPPED}")
        if gateway.mentoring_back(guild.id):
            log.info("Discord server %s (%s) takes questions again", guild.name, guild.id)
        self._tell_lacking(registered.channels.values(), registered.lacking)
        if self.runner.home_guild is None:
            self.runner.home_guild = guild.id
        return True

    def _tell_lacking(self, channels: Iterable[int], lacking: Mapping[int, str]) -> None:
        """Warn of the permissions the bot lacks in a server's channels (the server is set up
        all the same: what needs them is skipped), once for each channel while it is so."""
        for channel_id in channels:
            said = lacking.get(channel_id)
            if said is None:
                self._lacking.pop(channel_id, None)
            elif self._lacking.get(channel_id) != said:
                self._lacking[channel_id] = said
                log.warning("%s", said)

    def _present_without_mentoring(self, guild: discord.Guild, known: Mapping[str, int]) -> str:
        """A server set up before whose mentoring channel was deleted since (while the bot was
        stopped, or removed and invited again): present, as while it runs (`_lost`), not a
        start-up that fails; nothing is asked of Discord for the old channel. What the
        operator is told."""
        self._without_mentoring.add(guild.id)
        self.runner.gateway.channel_deleted(known["mentoring"])
        if self.runner.home_guild is None:
            self.runner.home_guild = guild.id
        return _DELETED_STOPPED

    async def _known(self, guild_id: int) -> dict[str, int] | None:
        """The channels the server was set up with: this process's, else the stored ones (set
        up before a restart), so an admin channel deleted meanwhile does not stop the set-up."""
        if guild_id in self.channels:
            return self.channels[guild_id]
        try:
            async with self.app.uow_factory(read_only=True) as uow:
                ws = await uow.workspaces.get(workspace_ref(guild_id))
        except Exception:  # a database that can't be read: set up from Discord's alone
            log.warning("could not read how Discord server %s was set up", guild_id, exc_info=True)
            return None
        if ws is None:
            return None
        stored = {
            "mentoring": ws.mentoring_channel,
            "admin": ws.admin_channel,
            "escalation": ws.escalation_channel,
        }
        return {k: int(c.id) for k, c in stored.items() if c is not None and c.id.isdigit()}

    async def _lost(self, guild: discord.Guild, channel_id: int, *, name: str) -> None:
        """A channel `guild` was set up with is gone (`name` as the operator knows it): nothing
        more is asked of Discord for it, and the server is set up again from the configuration
        (another channel of that name, if there is one); else the operator is told once."""
        key = next((k for k, c in self.channels.get(guild.id, {}).items() if c == channel_id), None)
        if key is None:
            return
        self.runner.gateway.channel_deleted(channel_id)
        effect = _DELETED[key == "mentoring"]
        fix = fix_channel(getattr(self.config.channels, key), key)
        why = (
            f"Discord server {guild.name!r} ({guild.id}): its {key} channel {name} was deleted. "
            f"{effect} until it has one again: {fix}"
        )
        # The bot is still in the server: it stays the home of DMs that name no server.
        self.workspaces.pop(guild.id, None)
        self._tell(guild, key, why)
        await self._register(guild)

    def _tell(self, guild: discord.Guild, key: str, what: str) -> None:
        """Tell the operator of the server's missing `key` channel, once while it is missing."""
        told = self._missing.setdefault(guild.id, set())
        if key not in told:
            told.add(key)
            log.error("%s", what)

    async def _receive(
        self,
        command: c.Command,
        *,
        key: str,
        reply_to: ReplyTo | None,
        dedupe_for: timedelta | None = None,
    ) -> None:
        """Store a gateway event's command; the gateway has no per-event acknowledgement to hold
        back, so a failed insert is logged (without ids) and the event is lost."""
        try:
            with self.runner.taking_in():
                fresh = await self.app.inbox.receive_command(
                    command, key=key, reply_to=reply_to, dedupe_for=dedupe_for
                )
        except Exception:
            log.error("could not store a Discord %s event", type(command).__name__, exc_info=True)
            return
        if not fresh:
            log.debug("a Discord event seen before was dropped")

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Set up every server Discord has sent. One still unavailable (its GUILD_CREATE comes
        later: a large bot's lazy loading, or an outage at start-up) is set up when it arrives
        (`on_guild_available`), not taken for a server without its channels. READY lists every
        server the bot is in, available or not: a registered one it does not list removed the
        bot while it was not running (`_removed_meanwhile`)."""
        self._ready_seen = True
        await self._removed_meanwhile()
        for guild in self.bot.guilds:
            if guild.unavailable:
                log.info(
                    "Discord server %s is unavailable; it is set up when Discord sends it",
                    guild.id,
                )
            else:
                await self._register(guild)
        self._settle()

    async def _removed_meanwhile(self) -> None:
        """Every Discord workspace in the database whose server is not among the bot's is
        marked removed (the gateway refuses its deliveries unasked, DMs included), each named
        once; then the gateway sends. A database that can't be read leaves nothing marked."""
        gateway = self.runner.gateway
        try:
            present = {guild.id for guild in self.bot.guilds}
            for guild_id in present:  # back while the connection was down (a new session)
                gateway.guild_back(guild_id)
            async with self.app.uow_factory(read_only=True) as uow:
                registered = await uow.workspaces.all()
            for ws in registered:
                if ws.ref.platform != PLATFORM or not ws.ref.id.isdigit():
                    continue
                guild_id = int(ws.ref.id)
                if guild_id in present:
                    if ws.removed_at is not None:  # invited again while the bot was stopped
                        await self.app.bus.handle(c.RestoreWorkspace(ws.ref))
                    continue
                channels = (ws.mentoring_channel, ws.admin_channel, ws.escalation_channel)
                places = [snowflake(ch) for ch in channels if ch is not None and ch.id.isdigit()]
                name = ws.name or str(guild_id)
                if gateway.guild_gone(guild_id, name=name, places=places):
                    log.info(
                        "Discord server %s (%s) no longer has the bot: nothing is sent there "
                        "until it is invited again",
                        name,
                        guild_id,
                    )
                if ws.removed_at is None:  # its reminders and digests wait for its return
                    await self.app.bus.handle(c.RemoveWorkspace(ws.ref))
        except Exception:
            log.error(
                "could not read the registered Discord servers; those that removed the bot "
                "while it was not running are tried as usual",
                exc_info=True,
            )
        finally:
            gateway.servers_known()

    def _settle(self) -> None:
        """Resolve `registered` once start-up's outcome is known: a server set up; or every
        server Discord has sent lacks its channels (start-up fails); or no server at all. While
        only unavailable servers are left it waits for them."""
        if self.registered.done():
            return
        guilds = list(self.bot.guilds)
        present = [*self.workspaces.values(), *map(workspace_ref, self._without_mentoring)]
        if present:
            self.registered.set_result(present)
        elif any(not g.unavailable for g in guilds):
            self.registered.set_exception(
                StartupError(
                    "Discord: no server could be set up because a configured channel is missing "
                    "(see the error above)."
                )
            )
        elif not guilds:
            log.warning(
                "the Discord bot is in no server yet: invite it (see README, 'Run it in Discord')"
            )
            self.registered.set_result([])

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        """The bot was invited to a server while running: what waited since it was removed
        goes on, whether or not its channels are found yet."""
        await self.app.bus.handle(c.RestoreWorkspace(workspace_ref(guild.id)))
        listed = self.config.discord.guild_ids
        if listed and guild.id not in listed:
            log.warning(
                "Discord server %s (%s) invited the bot, but [discord] guild_ids does not list "
                "it: its slash commands are not there (buttons and reactions work); add its id "
                "to guild_ids and restart",
                guild.name,
                guild.id,
            )
        await self._register(guild)
        self._settle()

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        """A server Discord sent after start-up: one unavailable at READY, or back after an
        outage. discord.py also dispatches this for each server before ``on_ready``, which
        sets them up itself; and one already set up (back after an outage) is left as it is."""
        if not self._ready_seen or guild.id in self.workspaces:
            return
        await self._register(guild)
        self._settle()

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        """The bot was kicked or the server deleted (not an outage: that is `guild_unavailable`):
        nothing more is sent for it (its channels, threads, and DMs said for it), instead of
        Discord answering 403 to every retry."""
        places = [*guild.channels, *guild.threads]
        self.runner.gateway.guild_gone(guild.id, name=guild.name, places=[p.id for p in places])
        self.workspaces.pop(guild.id, None)
        # Every replica's core holds its reminders and digests until it is invited again.
        # Handled at once, as the invitation is (`on_guild_join`): no inbox key to take a second
        # removal for a replay of the first, nor a queue to put it behind a later invitation.
        await self.app.bus.handle(c.RemoveWorkspace(workspace_ref(guild.id)))
        if self.runner.home_guild == guild.id:
            self.runner.home_guild = next(iter(self.workspaces), None)
        log.warning(
            "the bot was removed from Discord server %s (%s): nothing more is sent there (nor "
            "DMs about it) until it is invited again",
            guild.name,
            guild.id,
        )

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        """CHANNEL_DELETE: perhaps one of the channels a server was set up with."""
        await self._lost(channel.guild, channel.id, name=f"#{channel.name}")

    @commands.Cog.listener()
    async def on_guild_channel_create(self, channel: discord.abc.GuildChannel) -> None:
        """CHANNEL_CREATE: in a server missing a configured channel, perhaps the one it names."""
        if self._missing.get(channel.guild.id):
            await self._register(channel.guild)

    @commands.Cog.listener()
    async def on_guild_channel_update(
        self, before: discord.abc.GuildChannel, after: discord.abc.GuildChannel
    ) -> None:
        """CHANNEL_UPDATE: a channel renamed to the name a missing configured channel has."""
        if self._missing.get(after.guild.id) and before.name != after.name:
            await self._register(after.guild)

    @commands.Cog.listener()
    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        """Offboarding (needs ``[discord] member_events``): claims released, never suggested."""
        await self._receive(
            member_left(user_id=payload.user.id, guild_id=payload.guild_id),
            key=f"discord:left:{payload.guild_id}:{payload.user.id}",
            reply_to=None,
            dedupe_for=REACTION_REPLAY_WINDOW,
        )

    def _reaction_key(self, payload: discord.RawReactionActionEvent) -> str | None:
        """The inbox key of a ✋/✅ from someone else than the bot, in a server; None for any
        other reaction."""
        me = self.bot.user
        if payload.guild_id is None or (me is not None and payload.user_id == me.id):
            return None
        emoji = payload.emoji.name or ""
        if canonical_emoji(emoji) not in self._emoji:
            return None
        if payload.emoji.id is not None and canonical_emoji(emoji) != emoji:
            # A server's own emoji named after a standard one ("raised_hand") is not that emoji.
            return None
        return reaction_key(
            channel_id=payload.channel_id,
            message_id=payload.message_id,
            user_id=payload.user_id,
            emoji=str(payload.emoji.id or emoji),
        )

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        """A reaction taken back: the same one given again is meant again, however soon."""
        key = self._reaction_key(payload)
        if key is None:
            return
        self._removals[key] = self._removals.pop(key, 0) + 1
        if len(self._removals) > REMEMBERED_REMOVALS:
            del self._removals[next(iter(self._removals))]

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        key = self._reaction_key(payload)
        member = payload.member
        if key is None or payload.guild_id is None or (member is not None and member.bot):
            return  # not ours, or another bot's (an auto-reacting bot claims nothing)
        removed = self._removals.get(key, 0)
        key = f"{key}:{removed}" if removed else key
        emoji = payload.emoji.name or ""
        actor = actor_for(
            user_id=payload.user_id,
            name=account_name(member) if member else str(payload.user_id),
            guild_id=payload.guild_id,
            permissions=member.guild_permissions.value if member else None,
        )
        command = reaction_command(
            actor, channel_id=payload.channel_id, message_id=payload.message_id, emoji=emoji
        )
        # No interaction to answer: whatever is meant for the reacting person goes by DM.
        # A ✋ taken back and given again has a new key; after a restart, which forgets the
        # removals, the same key is a new input again once the replay window has passed.
        await self._receive(
            command,
            key=key,
            reply_to=ReplyTo(user_ref(payload.user_id)),
            dedupe_for=REACTION_REPLAY_WINDOW,
        )

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        """A member wrote in a thread: record the time only (no message content is read). Bots,
        webhooks and Discord's own notes (a pin, someone added, the thread renamed) are not a
        person's activity. A thread discord.py does not hold (archived since, which drops it
        from its cache, or one it was not told of after a restart) comes as a
        `PartialMessageable`: taken too (every channel of a server is cached, so it is a
        thread), and the core ignores any that is no session's. A thread discord.py holds
        whose channel is not the server's registered mentoring channel is no session's: it is
        dropped here, before anything is stored (once the server is set up)."""
        if (
            message.guild is None
            or message.author.bot
            or message.webhook_id is not None
            or message.is_system()
            or not isinstance(message.channel, discord.Thread | discord.PartialMessageable)
        ):
            return
        # Only once the server is set up (its mentoring channel known): before, a session's
        # thread is not to be told from another, and its messages keep the session going.
        mentoring = self.channels.get(message.guild.id, {}).get("mentoring")
        if (
            isinstance(message.channel, discord.Thread)
            and mentoring is not None
            and message.channel.parent_id != mentoring
        ):
            return
        author: Any = message.author
        permissions = author.guild_permissions.value if isinstance(author, discord.Member) else None
        actor = actor_for(
            user_id=author.id,
            name=account_name(author),
            guild_id=message.guild.id,
            permissions=permissions,
        )
        command = c.RecordThreadActivity(actor, thread=thread_ref(message.channel.id))
        await self._receive(command, key=thread_message_key(message.id), reply_to=None)
