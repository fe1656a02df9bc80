"""The Discord servers and channels deliveries may not go to: servers that removed the bot,
channels deleted while it ran, servers without their mentoring channel; and the permission
problems the operator is told about once. A mixin of
:class:`adapters.discord.gateway.DiscordGateway`, whose constructor sets the state it keeps."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterable

import discord

from adapters.discord.errors import _PERMISSIONS, FORBIDDEN, MissingPermission, _delivering
from adapters.discord.translate import PLATFORM
from bot.flow.outbox import sending_for
from bot.flow.worker import NotMine
from bot.ports import DeliveryRefused

__all__ = ["DELETED", "GONE", "ServerBook"]

log = logging.getLogger(__name__)

# What a delivery for a server that removed the bot is refused with (never asked of Discord).
GONE = "the bot is no longer in that Discord server"
# What a delivery to a channel deleted while the bot ran is refused with (never asked of Discord).
DELETED = "that Discord channel was deleted"


class ServerBook:
    """Which servers and channels the bot may deliver to, and refusing the rest unasked."""

    _client: discord.Client
    _gone: dict[int, tuple[str, frozenset[int]]]
    _deleted: set[int]
    _no_mentoring: dict[int, str]
    _servers_known: bool
    _told: set[tuple[int, str]]

    def guild_gone(self, guild_id: int, *, name: str, places: Iterable[int] = ()) -> bool:
        """The bot was removed from server `guild_id`: every delivery for it (its channels and
        threads, DMs said for it) is refused without asking Discord. False if it was already."""
        known = guild_id in self._gone
        before = self._gone.get(guild_id, ("", frozenset()))[1]
        self._gone[guild_id] = (name, before | frozenset(places))
        return not known

    def guild_back(self, guild_id: int) -> None:
        """The bot is in server `guild_id` (again): its deliveries go out."""
        self._gone.pop(guild_id, None)

    def gone(self, guild_id: int) -> str | None:
        """The name of server `guild_id` if it removed the bot, else None."""
        found = self._gone.get(guild_id)
        return found[0] if found is not None else None

    def channel_deleted(self, channel_id: int) -> None:
        """A channel of a set-up server was deleted: deliveries to it are refused unasked."""
        self._deleted.add(channel_id)

    def no_mentoring(self, guild_id: int, *, wanted: str) -> bool:
        """Server `guild_id` has no mentoring channel (`wanted` is what the configuration names):
        questions asked there are not taken. False if that was known already."""
        known = self._no_mentoring.get(guild_id) == wanted
        self._no_mentoring[guild_id] = wanted
        return not known

    def mentoring_back(self, guild_id: int) -> bool:
        """Server `guild_id` has a mentoring channel (again); True if it had none before."""
        return self._no_mentoring.pop(guild_id, None) is not None

    def mentoring_missing(self, guild_id: int) -> str | None:
        """What `[channels] mentoring` names if server `guild_id` has no such channel, else None."""
        return self._no_mentoring.get(guild_id)

    def servers_known(self) -> None:
        """The servers the bot is in are known (READY), and those that removed it are marked
        (`guild_gone`): deliveries go out from now on."""
        self._servers_known = True

    def _refuse_if_gone(self, channel_id: int | None = None) -> None:
        """Before any call: held back (`NotMine`, not counted as an attempt) while the servers
        the bot is in are not known yet; refused when the delivery is said for a server that
        removed the bot (`sending_for`), or goes to one of its channels or threads."""
        if not self._servers_known:
            raise NotMine("the Discord servers the bot is in are not known yet")
        workspace = sending_for()
        if workspace is not None and workspace.platform == PLATFORM and workspace.id.isdigit():
            if int(workspace.id) in self._gone:
                raise DeliveryRefused(GONE)
        if channel_id is not None and any(channel_id in p for _, p in self._gone.values()):
            raise DeliveryRefused(GONE)

    @contextlib.asynccontextmanager
    async def _in(self, channel_id: int, *, needs: str) -> AsyncIterator[None]:
        """Delivering in a server's channel or thread: refused at once for a server the bot was
        removed from; a permission Discord says it lacks is logged once per channel (a thread's
        are its channel's), for the operator, with what to grant. A channel deleted while the
        bot ran is refused unasked too."""
        self._refuse_if_gone(channel_id)
        if channel_id in self._deleted:
            raise DeliveryRefused(DELETED)
        try:
            async with _delivering(needs=needs):
                yield
        except MissingPermission as e:
            where, place = self._place(channel_id)
            if (where, e.needs) not in self._told:
                self._told.add((where, e.needs))
                log.error(
                    "Discord: the bot may not %s (%s: %s). Give its role %s there, or invite it "
                    "again if it was removed; until then this is skipped, not retried.",
                    e.needs,
                    place,
                    FORBIDDEN[e.code],
                    _PERMISSIONS[e.needs],
                )
            raise

    def _place(self, channel_id: int) -> tuple[int, str]:
        """The channel whose permissions apply (a thread's parent), as the operator finds it:
        ``#mentoring in server Acme``, else its id."""
        channel = self._client.get_channel(channel_id)
        if isinstance(channel, discord.Thread) and channel.parent is not None:
            channel = channel.parent
        if isinstance(channel, discord.abc.GuildChannel):
            return channel.id, f"#{channel.name} in server {channel.guild.name}"
        return channel_id, f"channel {channel_id}"
