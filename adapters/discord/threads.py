"""Session threads: opening one from a card or in a channel, adding the asker and mentor,
closing a private one to invitations, and telling them when Discord refuses it. A mixin of
:class:`adapters.discord.gateway.DiscordGateway`, whose constructor sets the state it keeps."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING, Literal

import aiohttp
import discord

from adapters.discord.errors import (
    _PERMISSIONS,
    ADD_MEMBERS,
    FORBIDDEN,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    UNREACHABLE,
    MissingPermission,
)
from adapters.discord.servers import ServerBook
from adapters.discord.thread_refused import notice_key, refused_by_dm, refused_in_channel
from adapters.discord.translate import PLATFORM, message_ids, snowflake, thread_ref
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused, RetryAfter, Unavailable
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["ARCHIVE_AFTER_MINUTES", "SessionThreads"]

log = logging.getLogger(__name__)

ARCHIVE_AFTER_MINUTES: Literal[1440] = 1440
# Discord error code: "A thread has already been created for this message".
THREAD_ALREADY_EXISTS = 160004
# Told once per server when a private session thread stays invitable (see `_lock`).
UNLOCKED_PRIVATE_THREADS = (
    "Discord server %s: private session threads stay open to invitations by their members, "
    "as the bot lacks Manage Threads there; granting Manage Threads keeps other members from "
    "being invited to private session threads (sessions work either way)."
)


class SessionThreads(ServerBook):
    """Opens session threads (``open_thread``) and reopens existing ones."""

    _thread_mode: str
    _unfinished: dict[tuple[int, str], int]
    _told_unlocked: set[int]

    if TYPE_CHECKING:  # the gateway's own sends

        async def send_dm(
            self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
        ) -> MessageRef: ...

        async def post_card(
            self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
        ) -> MessageRef: ...

    async def open_thread(
        self,
        *,
        card: MessageRef | None,
        channel: ChannelRef,
        members: Sequence[UserRef],
        private: bool,
        name: str,
        retry: bool = False,
    ) -> ThreadRef:
        """A public thread from the card, or a private thread in the channel (configured, or
        always for anonymous questions); the asker and mentor are added."""
        # A server that removed the bot: refused before anything, nobody told (by DM or there).
        self._refuse_if_gone(snowflake(channel))
        private = private or self._thread_mode == "private"
        # A public thread takes Create Public Threads with or without the card to start from.
        needs = PRIVATE_THREAD if private else PUBLIC_THREAD
        refused: DeliveryRefused
        thread: discord.Thread | None = None
        try:
            async with self._in(snowflake(channel), needs=needs):
                parent = await self._text_channel(snowflake(channel))
                if private or card is None:
                    thread = await self._channel_thread(
                        parent, private=private, name=name, retry=retry
                    )
                else:
                    thread = await self._card_thread(parent, message_ids(card)[1], name=name)
                await self._add_members(thread, members, private=private)
            if private:
                await self._lock(thread)
        except DeliveryRefused as e:
            refused = e
        except discord.HTTPException as e:
            if not 400 <= e.status < 500:
                raise  # Discord's trouble, not a refusal: tried again
            refused = DeliveryRefused(f"Discord refused the thread ({e.status}, code {e.code})")
            refused.__cause__ = e
        else:
            self._unfinished.pop((parent.id, name), None)
            return thread_ref(thread.id)
        if private and thread is not None:
            await self._drop_empty(thread, key=(parent.id, name))
        grant = _PERMISSIONS[refused.needs] if isinstance(refused, MissingPermission) else None
        await self._tell_thread_refused(
            channel=channel, members=members, name=name, private=private, grant=grant
        )
        raise refused

    async def _tell_thread_refused(
        self,
        *,
        channel: ChannelRef,
        members: Sequence[UserRef],
        name: str,
        private: bool,
        grant: str | None,
    ) -> None:
        """No session thread: the asker and mentor hear it (else they'd wait in a thread that
        isn't there), by DM, or in the channel when their DMs are closed. Best effort: a notice
        that can't go out is logged without ids, and the refusal stands either way."""
        people = [m for m in members if m.platform == PLATFORM]
        _, place = self._place(snowflake(channel))
        place = place.split(" in server ")[0]
        for person in people:
            others = [p for p in people if p != person]
            key = partial(notice_key, channel=channel, name=name, user=person, pair=people)
            dm = refused_by_dm(name=name, others=others, place=place, private=private, grant=grant)
            try:
                await self.send_dm(person, dm, key=key("dm"))
                continue
            except DeliveryRefused:
                pass  # closed DMs: say it in the channel instead
            except (RetryAfter, Unavailable, discord.HTTPException) as e:
                log.warning("could not tell a member their session thread was refused: %s", e)
                continue
            if private:
                # A private session may be an anonymous question's: a mention in the channel
                # just as its card says "Claimed" would point at the asker.
                log.warning(
                    "could not tell a member their private session thread was refused: their "
                    "direct messages are closed"
                )
                continue
            said = refused_in_channel(user=person, grant=grant)
            try:
                await self.post_card(channel, said, key=key("channel"))
            except (DeliveryRefused, RetryAfter, Unavailable, discord.HTTPException) as e:
                log.warning("could not tell a member their session thread was refused: %s", e)

    async def _channel_thread(
        self, parent: discord.TextChannel, *, private: bool, name: str, retry: bool
    ) -> discord.Thread:
        """A thread without a starter message. A retry takes the thread its failed attempt
        created, if this process made it. It does not search the channel by name: an earlier
        session of the same question (claimed, released, claimed again) has that name too, and
        reusing it would show the new session to the previous mentor. So a crash between
        creating and recording leaves an empty thread behind; the session is not affected."""
        earlier = self._unfinished.get((parent.id, name)) if retry else None
        if earlier is not None:
            try:
                return await self._existing_thread(earlier)
            except discord.NotFound:
                pass  # deleted meanwhile: open a new one
        kind = discord.ChannelType.private_thread if private else discord.ChannelType.public_thread
        # Invitable while the asker and mentor are added: of a private thread that is not,
        # only moderators (Manage Threads) may add anyone. `_lock` closes it afterwards.
        thread = await parent.create_thread(
            name=name, type=kind, invitable=True, auto_archive_duration=ARCHIVE_AFTER_MINUTES
        )
        self._unfinished[(parent.id, name)] = thread.id
        return thread

    async def _card_thread(
        self, parent: discord.TextChannel, message_id: int, *, name: str
    ) -> discord.Thread:
        try:
            return await parent.get_partial_message(message_id).create_thread(
                name=name, auto_archive_duration=ARCHIVE_AFTER_MINUTES
            )
        except discord.HTTPException as e:
            if e.code != THREAD_ALREADY_EXISTS:
                raise
            # Claimed again after a release, or a retry: the card's thread exists (its id is
            # the card's), so there is never a second one.
            return await self._existing_thread(message_id)

    async def _add_members(
        self, thread: discord.Thread, members: Sequence[UserRef], *, private: bool
    ) -> None:
        for member in members:
            if member.platform != PLATFORM:
                continue
            try:
                await thread.add_user(discord.Object(snowflake(member)))
            except discord.HTTPException as e:
                if private and e.code in FORBIDDEN:
                    # Not Create Private Threads (it made the thread): adding takes its own.
                    raise MissingPermission(e.code, needs=ADD_MEMBERS) from e
                if private and e.code not in UNREACHABLE:
                    raise  # nobody could reach a private thread they are not in: try again
                # Someone who left can't be added; a public thread is open to all, and the
                # intro's mention pulls them in anyway.
                log.warning("could not add a member to a session thread: %s", e.status)

    async def _lock(self, thread: discord.Thread) -> None:
        """Keep the other members of a private session thread from inviting anyone: Discord's
        ``invitable`` false. Changing it takes Manage Threads, which the invite link does not
        grant; without it the thread stays invitable (its members may add others) and the
        operator is told once per server. The session works either way. Not asked when the
        bot's cached permissions say it would be refused (each refusal counts against the bot's
        invalid-request limit)."""
        me, parent = thread.guild.me, thread.parent
        if me is not None and parent is not None and not parent.permissions_for(me).manage_threads:
            self._tell_unlocked(thread.guild)
            return
        try:
            await thread.edit(invitable=False)
        except discord.HTTPException as e:
            if e.code not in FORBIDDEN:
                log.warning("could not close a private session thread to invitations: %s", e.status)
                return
            self._tell_unlocked(thread.guild)
        except (discord.RateLimited, aiohttp.ClientError, OSError, TimeoutError) as e:
            log.warning(
                "could not close a private session thread to invitations: %s", type(e).__name__
            )

    def _tell_unlocked(self, guild: discord.Guild) -> None:
        if guild.id not in self._told_unlocked:
            self._told_unlocked.add(guild.id)
            log.warning(UNLOCKED_PRIVATE_THREADS, guild.name)

    async def _drop_empty(self, thread: discord.Thread, *, key: tuple[int, str]) -> None:
        """A private thread whose session was refused after it was made: deleted, so no empty
        thread is left behind. Deleting takes Manage Threads; without it the thread stays, and a
        retry of the same session takes it instead of making another (`_unfinished`)."""
        try:
            await thread.delete()
        except (discord.HTTPException, discord.RateLimited, aiohttp.ClientError, OSError) as e:
            # OSError takes TimeoutError in too.
            status = getattr(e, "status", type(e).__name__)
            log.warning("could not delete an empty private session thread: %s", status)
            return
        self._unfinished.pop(key, None)

    async def _existing_thread(self, thread_id: int) -> discord.Thread:
        found = self._client.get_channel(thread_id) or await self._client.fetch_channel(thread_id)
        if not isinstance(found, discord.Thread):
            raise LookupError(f"Discord channel {thread_id} is not a thread")
        if found.locked:  # a moderator closed it: the bot does not reopen it
            raise DeliveryRefused("Discord refused it (160005: the thread is locked)")
        if found.archived:
            await found.edit(archived=False)
        return found

    async def _text_channel(self, channel_id: int) -> discord.TextChannel:
        channel = self._client.get_channel(channel_id)
        if channel is None:
            channel = await self._client.fetch_channel(channel_id)
        if not isinstance(channel, discord.TextChannel):
            raise LookupError(f"Discord channel {channel_id} is not a text channel")
        return channel
