"""The ChatGateway port over a discord.py client: cards, edits, threads, thread posts, DMs and
interaction follow-ups; Discord's errors become the port's (refused, rate limited, retry)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import replace
from datetime import timedelta
from functools import partial
from typing import Any, Literal

import aiohttp
import discord
from discord.http import Route, handle_message_parameters

from adapters.discord.access import hidden_mentoring, session_unseen, unseen_key
from adapters.discord.acknowledgements import Acknowledgements
from adapters.discord.components import view_for
from adapters.discord.ratelimits import retry_after_seconds
from adapters.discord.render import RenderedMessage, render_message
from adapters.discord.thread_refused import notice_key, refused_by_dm, refused_in_channel
from adapters.discord.translate import PLATFORM, message_ids, message_ref, snowflake, thread_ref
from bot.flow.outbox import ReplyTo, sending_for
from bot.flow.worker import NotMine
from bot.messages import ChatMessage, text
from bot.ports import Clock, DeliveryRefused, RetryAfter, Unavailable
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["DiscordGateway"]

log = logging.getLogger(__name__)

ARCHIVE_AFTER_MINUTES: Literal[1440] = 1440
# Discord error code: "A thread has already been created for this message".
THREAD_ALREADY_EXISTS = 160004
# Discord error codes of a recipient or place that can't be reached: retrying won't help.
UNREACHABLE = {
    10003: "unknown channel",
    10007: "unknown member",
    10008: "unknown message",
    10013: "unknown user",
    50007: "the user does not accept DMs from the bot",
    50033: "invalid recipient",
    50083: "the thread is archived",
    50278: "the user shares no server with the bot any more",
    160005: "the thread is locked",
}
MISSING_ACCESS = 50001  # on a DM: the user shares no server with the bot any more
# In a server: the bot can't see the channel, or lacks a permission for what it tried. Only an
# admin can change that, and Discord counts every repeated 403 towards a temporary IP ban.
FORBIDDEN = {MISSING_ACCESS: "missing access", 50013: "missing permissions"}
ARCHIVED_THREAD = 50083
# What a delivery for a server that removed the bot is refused with (never asked of Discord).
GONE = "the bot is no longer in that Discord server"
# What a delivery to a channel deleted while the bot ran is refused with (never asked of Discord).
DELETED = "that Discord channel was deleted"
# What a follow-up on an interaction token is refused with when the token takes none: 401 once
# it expired (15 minutes), 404 when Discord does not know it (10015 Unknown Webhook: the token
# expired, or its response never came), or the deferred "thinking…" message it would replace
# was dismissed (10008 Unknown Message). Its answer goes by DM instead.
TOKEN_GONE = {401, 404}
UNKNOWN_WEBHOOK = 10015
# Discord takes follow-ups only after the interaction's response, and may refuse them with
# 10015 for a few seconds even after a response it took (discord-api-docs#7220): while the token
# is this young, that is tried again shortly instead of answered by DM.
YOUNG_TOKEN = timedelta(seconds=60)
UNKNOWN_WEBHOOK_RETRY_SECONDS = 2.0
# How long a follow-up waits for its interaction's response, when this process is sending it
# (Discord wants the response within 3 seconds of the interaction).
RESPONSE_WAIT_SECONDS = 3.0
# An interaction token takes follow-ups for 15 minutes; past that each try is a 401, and 401s
# count toward Discord's limit on invalid requests, past which it bars the bot's IP for a while.
# A minute short of the 15: the token was issued a moment before the input was stored.
FOLLOWUP_LIFETIME = timedelta(minutes=14)

# What the bot tried, as the operator reads it, and the permissions that takes (Discord's names).
POST = "post in a channel"
EDIT = "edit its card"
PUBLIC_THREAD = "open a session thread"
PRIVATE_THREAD = "open a private session thread"
THREAD_POST = "post in a session thread"
ADD_MEMBERS = "add the asker and mentor to a private session thread"
_PERMISSIONS = {
    POST: "View Channel, Send Messages, Embed Links and Attach Files",
    EDIT: "View Channel",
    PUBLIC_THREAD: "Create Public Threads and Send Messages in Threads",
    PRIVATE_THREAD: "Create Private Threads and Send Messages in Threads",
    THREAD_POST: "Send Messages in Threads",
    # The thread is invitable until they are in, so a non-moderator may add them: it takes
    # what Add Thread Member takes ("the ability to send messages in the thread").
    ADD_MEMBERS: "View Channel and Send Messages in Threads",
}
# Told once per server when a private session thread stays invitable (see `_lock`).
UNLOCKED_PRIVATE_THREADS = (
    "Discord server %s: private session threads stay open to invitations by their members, "
    "as the bot lacks Manage Threads there; granting Manage Threads keeps other members from "
    "being invited to private session threads (sessions work either way)."
)


class MissingPermission(DeliveryRefused):
    """The bot may not do this in a server's channel: skipped, and the operator told once."""

    def __init__(self, code: int, *, needs: str) -> None:
        super().__init__(f"Discord refused it ({code}: {FORBIDDEN[code]})")
        self.code = code
        self.needs = needs


@contextlib.asynccontextmanager
async def _delivering(*, dm: bool = False, needs: str = "") -> AsyncIterator[None]:
    """Translate Discord's failures into the port's. Messages carry codes, never ids (the
    deliverer logs them, and a recipient may be an anonymous asker). `needs` names the
    permissions the call takes, for the operator when Discord says the bot lacks one.
    Discord down or out of reach (a 5xx, a connection that failed, no answer in time) is
    `Unavailable`: the deliverer waits the outage out instead of counting attempts."""
    try:
        yield
    except discord.RateLimited as e:  # longer than the client may wait inside a call
        raise RetryAfter(e.retry_after) from e
    except discord.HTTPException as e:
        if e.status == 429:  # not Discord's (discord.py handles those): Cloudflare, a proxy
            raise RetryAfter(retry_after_seconds(e)) from e
        if e.status >= 500:  # discord.py has tried it again a few times already
            raise Unavailable(f"Discord is unavailable ({e.status})") from e
        if e.code in UNREACHABLE or (dm and e.code == MISSING_ACCESS):
            reason = UNREACHABLE.get(e.code, "missing access")
            raise DeliveryRefused(f"Discord refused it ({e.code}: {reason})") from e
        if e.code in FORBIDDEN and not dm:
            raise MissingPermission(e.code, needs=needs) from e
        raise
    except (aiohttp.ClientConnectionError, aiohttp.ClientPayloadError, OSError, TimeoutError) as e:
        raise Unavailable(f"Discord could not be reached ({type(e).__name__})") from e


class DiscordGateway:
    """Implements :class:`bot.ports.ChatGateway`; `thread_mode` is ``public`` or ``private``.

    Every send carries the delivery's key as its ``nonce``; discord.py then sets
    ``enforce_nonce``, so Discord answers a repeat within a few minutes with the message it
    created the first time: a delivery retried after a crash between "sent" and "recorded"
    still shows once.
    """

    def __init__(
        self,
        client: discord.Client,
        *,
        clock: Clock,
        thread_mode: str = "public",
        claim_emoji: str | None = "✋",
    ) -> None:
        self._client = client
        self._clock = clock
        self._thread_mode = thread_mode
        self._claim_emoji = claim_emoji
        # Private threads created by an attempt that failed afterwards (a member could not be
        # added): its retry reuses the thread instead of opening a second one.
        self._unfinished: dict[tuple[int, str], int] = {}
        # The servers that removed the bot (by id): their name, and the channels and threads
        # known of them (for a delivery that does not name its workspace).
        self._gone: dict[int, tuple[str, frozenset[int]]] = {}
        # Channels of a set-up server deleted while the bot ran (by id): nothing is asked of
        # Discord for them any more (each ask would be a 404, counted as an invalid request).
        self._deleted: set[int] = set()
        # The servers whose mentoring channel is missing (deleted, or not found when set up):
        # their questions are not taken. Server id -> what `[channels] mentoring` says.
        self._no_mentoring: dict[int, str] = {}
        # Set once the servers the bot is in are known (`servers_known`): until then nobody can
        # tell a removed server's delivery, so none is sent (handed back for a few seconds).
        self._servers_known = False
        # The permission problems the operator was told about: (channel, what the bot needs).
        self._told: set[tuple[int, str]] = set()
        # The servers whose operator was told private session threads stay invitable.
        self._told_unlocked: set[int] = set()
        # (thread, user) told by DM that they can't see the session thread any more.
        self._told_unseen: set[tuple[int, str]] = set()
        # The checks of who can't see a session thread any more, run apart from the post's
        # delivery (kept here so they are not garbage-collected; cancelled by `aclose`).
        self._unseen_checks: set[asyncio.Task[None]] = set()
        # (thread, user) being told right now: a second post's check does not tell them too.
        self._telling_unseen: set[tuple[int, str]] = set()
        # The interactions being acknowledged now (`InteractionRunner`): their answers wait.
        self.acknowledgements = Acknowledgements()

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

    def guild_of(self, channel_id: int) -> int | None:
        """The guild of a cached channel or thread (None for DMs and unknown channels)."""
        channel = self._client.get_channel(channel_id)
        guild = getattr(channel, "guild", None)
        return guild.id if guild is not None else None

    def render(self, message: ChatMessage) -> RenderedMessage:
        return render_message(message, guild_of=self.guild_of)

    def send_kwargs(self, message: ChatMessage) -> dict[str, Any]:
        """The keyword arguments of ``send()`` for `message`: content, embed, view, file, mentions."""
        r = self.render(message)
        kwargs: dict[str, Any] = {"allowed_mentions": r.allowed_mentions}
        if r.content:
            kwargs["content"] = r.content
        if r.embed is not None:
            kwargs["embed"] = r.embed
        view = view_for(r.actions)
        if view is not None:
            kwargs["view"] = view
        if r.file is not None:
            kwargs["file"] = r.file
        return kwargs

    def _messageable(self, channel_id: int) -> discord.abc.Messageable:
        channel = self._client.get_channel(channel_id)
        if isinstance(channel, discord.abc.Messageable):
            return channel
        return self._client.get_partial_messageable(channel_id)

    async def _send(
        self, where: discord.abc.Messageable, message: ChatMessage, *, key: str
    ) -> discord.Message:
        kwargs = self.send_kwargs(message)
        if key:
            kwargs["nonce"] = key
        return await where.send(**kwargs)

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        async with self._in(snowflake(channel), needs=POST):
            sent = await self._send(self._messageable(snowflake(channel)), message, key=key)
        if message.kind == "card" and message.actions and self._claim_emoji:
            await self._add_claim_reaction(sent, self._claim_emoji)
        return message_ref(sent.channel.id, sent.id)

    async def _add_claim_reaction(self, sent: discord.Message, emoji: str) -> None:
        # A ready-made ✋ under the card makes claiming one click; failing to add it is harmless.
        try:
            await sent.add_reaction(emoji)
        except (discord.HTTPException, discord.RateLimited) as e:
            log.warning("could not add the claim reaction to a card: %s", e)

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        channel_id, message_id = message_ids(card)
        kwargs = self.send_kwargs(message)
        kwargs.pop("file", None)
        partial = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
        async with self._in(channel_id, needs=EDIT):
            await partial.edit(
                content=kwargs.get("content"),
                embed=kwargs.get("embed"),
                view=kwargs.get("view"),
                allowed_mentions=kwargs["allowed_mentions"],
            )

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

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        thread_id = snowflake(thread)
        async with self._in(thread_id, needs=THREAD_POST):
            try:
                sent = await self._send(self._messageable(thread_id), message, key=key)
            except discord.HTTPException as e:
                if e.code != ARCHIVED_THREAD:
                    raise
                # Sending reopens an archived thread, yet Discord has refused one: reopen it
                # (unless a moderator locked it) and send once more.
                sent = await self._send(await self._existing_thread(thread_id), message, key=key)
        if message.mentions():
            # Not awaited: a Get Guild Member per mention (and discord.py sleeping through a 429)
            # could make a delivered post outlive its lease and be posted twice.
            check = asyncio.create_task(self._tell_unseen(thread_id, message))
            self._unseen_checks.add(check)
            check.add_done_callback(self._unseen_checks.discard)
        return message_ref(sent.channel.id, sent.id)

    async def unseen_checks_done(self) -> None:
        """Until the checks begun by posts in session threads have ended (for tests)."""
        while self._unseen_checks:
            await asyncio.gather(*self._unseen_checks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel the checks still running (after the last delivery)."""
        checks = list(self._unseen_checks)
        for check in checks:
            check.cancel()
        await asyncio.gather(*checks, return_exceptions=True)

    async def _tell_unseen(self, thread_id: int, message: ChatMessage) -> None:
        """Someone a post in a session thread mentions (a wrap-up, a nudge: the asker and the
        mentor) who may no longer view its channel or read its history (a role or overwrite
        changed since the thread opened) hears it by DM, once per thread: else they'd wait
        for a session that no longer reaches them. Asked of Discord (Get Guild Member: their
        roles now; the member cache needs a privileged intent); best effort."""
        thread = self._client.get_channel(thread_id)
        parent = thread.parent if isinstance(thread, discord.Thread) else None
        if not isinstance(parent, discord.TextChannel):
            return
        for person in message.mentions():
            who = (thread_id, person.id)
            if person.platform != PLATFORM or who in self._told_unseen | self._telling_unseen:
                continue
            self._telling_unseen.add(who)
            try:
                await self._tell_if_unseen(parent, person, thread_id=thread_id, message=message)
            finally:
                self._telling_unseen.discard(who)

    async def _tell_if_unseen(
        self,
        parent: discord.TextChannel,
        person: UserRef,
        *,
        thread_id: int,
        message: ChatMessage,
    ) -> None:
        """Tells `person` by DM if they can't see `parent` any more; marks them told once the
        DM went out (a failed one is tried again at the thread's next post)."""
        try:
            member = await parent.guild.fetch_member(snowflake(person))
        except discord.NotFound:
            return  # no longer in the server: that is told otherwise
        except (
            discord.HTTPException,
            discord.RateLimited,
            aiohttp.ClientError,
            TimeoutError,
        ) as e:
            # Apart from the post: it went out whatever happens here.
            log.info("could not tell whether a session's member still sees it: %s", e)
            return
        if hidden_mentoring(parent.guild, member, parent.id) is None:
            return
        told = ChatMessage(body=session_unseen(parent, message.question_id))
        try:
            await self.send_dm(person, told, key=unseen_key(thread_id, person))
        except (
            DeliveryRefused,
            RetryAfter,
            Unavailable,
            discord.HTTPException,
            discord.RateLimited,
            aiohttp.ClientError,
            TimeoutError,
        ) as e:
            # Not marked told: the next post in the thread tries again.
            log.warning("could not tell a member their session thread is out of sight: %s", e)
            return
        self._told_unseen.add((thread_id, person.id))

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        # A DM said for a server that removed the bot is refused too: its members may share
        # another server with the bot, and would still get that server's nudges and buttons.
        self._refuse_if_gone()
        async with _delivering(dm=True):
            dm = await self._client.create_dm(discord.Object(snowflake(user)))
            sent = await self._send(dm, message, key=key)
        return message_ref(dm.id, sent.id)

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        """Discord has no ephemeral messages outside interactions: a DM, with the delivery's
        key as its nonce like every other send (a retry after a timeout shows it once)."""
        await self.send_dm(user, message, key=key, retry=retry)

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        """An ephemeral follow-up on the interaction's token, once the interaction's response
        is sent; a DM when there is no token (a reaction), or it takes no follow-up (known to
        be too old, or its response refused: not even tried; or its webhook refused it)."""
        self._refuse_if_gone()  # said for a server that removed the bot: not even on its token
        if to.note:  # what the adapter knew when the input came in (`ReplyTo.note`)
            message = replace(message, body=text(message.body, "\n\n", to.note))
        await self._reply(to, message, key=key, retry=retry)

    async def _reply(self, to: ReplyTo, message: ChatMessage, *, key: str, retry: bool) -> None:
        if to.token and to.app_id and await self._token_takes(to, to.token):
            async with _delivering():
                if await self._followed_up(to, int(to.app_id), to.token, message):
                    return
        await self.send_dm(to.user, message, key=key, retry=retry)

    async def _token_takes(self, to: ReplyTo, token: str) -> bool:
        """Whether to try a follow-up on `token`: not when it is known to be too old, nor when
        Discord refused its interaction's response. While this process is still sending that
        response, waits for it: a follow-up before it is refused."""
        if to.token_outlived(FOLLOWUP_LIFETIME, now=self._clock.now()):
            log.info("an interaction token is too old for a follow-up; answering by DM instead")
            return False
        if not await self.acknowledgements.settled(token, within=RESPONSE_WAIT_SECONDS):
            log.info("Discord refused an interaction's response; answering by DM instead")
            return False
        return True

    async def _followed_up(
        self, to: ReplyTo, app_id: int, token: str, message: ChatMessage
    ) -> bool:
        """Sends the follow-up; False when the token's webhook refused it (`TOKEN_GONE`), for a
        DM instead. Unknown Webhook on a young token is tried again shortly (`RetryAfter`: not
        counted as an attempt, and nothing was sent)."""
        try:
            await self._followup(app_id, token, message)
        except discord.HTTPException as e:
            if e.status not in TOKEN_GONE:
                raise
            young = to.issued_at is not None and self._clock.now() - to.issued_at < YOUNG_TOKEN
            if e.code == UNKNOWN_WEBHOOK and young:
                raise RetryAfter(UNKNOWN_WEBHOOK_RETRY_SECONDS) from e
            log.info(
                "Discord refused a follow-up on an interaction token (%s: %s); answering by DM "
                "instead",
                e.status,
                e.code,
            )
            return False
        return True

    async def _followup(self, app_id: int, token: str, message: ChatMessage) -> None:
        """An ephemeral follow-up (Create Followup Message) through the client's own HTTP, so
        its rate limit handling applies: a 429 longer than ``max_ratelimit_timeout`` raises
        :class:`discord.RateLimited` instead of being slept out inside the delivery (discord.py's
        webhook adapter waits every one out). Its buttons are dynamic items: a press is
        dispatched by its custom id, so no view is stored."""
        kwargs = self.send_kwargs(message)
        route = Route(
            "POST", "/webhooks/{webhook_id}/{webhook_token}", webhook_id=app_id, webhook_token=token
        )
        query = {"wait": "true", "with_components": "true" if "view" in kwargs else "false"}
        with handle_message_parameters(
            flags=discord.MessageFlags(ephemeral=True),
            previous_allowed_mentions=self._client.allowed_mentions,
            **kwargs,
        ) as params:
            http = self._client.http
            if params.files:
                await http.request(route, files=params.files, form=params.multipart, params=query)
            else:
                await http.request(route, json=params.payload, params=query)
