"""The ChatGateway port over a discord.py client: cards, edits, threads, thread posts, DMs and
interaction follow-ups; Discord's errors become the port's (refused, rate limited, retry).
Its parts: `threads` (session threads), `followups` (answers on an interaction's token),
`servers` (servers and channels refused unasked) and `errors` (Discord's failures)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import aiohttp
import discord

from adapters.discord.access import hidden_mentoring, session_unseen, unseen_key
from adapters.discord.acknowledgements import Acknowledgements
from adapters.discord.components import view_for
from adapters.discord.errors import ARCHIVED_THREAD, EDIT, POST, THREAD_POST, _delivering
from adapters.discord.followups import FollowUps
from adapters.discord.render import RenderedMessage, render_message
from adapters.discord.threads import SessionThreads
from adapters.discord.translate import PLATFORM, message_ids, message_ref, snowflake
from bot.messages import ChatMessage
from bot.ports import Clock, DeliveryRefused, RetryAfter, Unavailable
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["DiscordGateway"]

log = logging.getLogger(__name__)


class DiscordGateway(SessionThreads, FollowUps):
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
