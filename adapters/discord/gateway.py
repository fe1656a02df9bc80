"""The ChatGateway port over a discord.py client: cards, edits, threads, thread posts and DMs."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import discord

from adapters.discord.components import view_for
from adapters.discord.render import RenderedMessage, render_message
from adapters.discord.translate import PLATFORM, message_ids, message_ref, snowflake, thread_ref
from bot.messages import ChatMessage
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["DiscordGateway"]

log = logging.getLogger(__name__)

ARCHIVE_AFTER_MINUTES: Literal[1440] = 1440
# Discord error code: "A thread has already been created for this message".
THREAD_ALREADY_EXISTS = 160004


class DiscordGateway:
    """Implements :class:`bot.ports.ChatGateway`; `thread_mode` is ``public`` or ``private``."""

    def __init__(
        self, client: discord.Client, *, thread_mode: str = "public", claim_emoji: str | None = "✋"
    ) -> None:
        self._client = client
        self._thread_mode = thread_mode
        self._claim_emoji = claim_emoji

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

    async def post_card(self, channel: ChannelRef, message: ChatMessage) -> MessageRef:
        sent = await self._messageable(snowflake(channel)).send(**self.send_kwargs(message))
        if message.kind == "card" and message.actions and self._claim_emoji:
            await self._add_claim_reaction(sent, self._claim_emoji)
        return message_ref(sent.channel.id, sent.id)

    async def _add_claim_reaction(self, sent: discord.Message, emoji: str) -> None:
        # A ready-made ✋ under the card makes claiming one click; failing to add it is harmless.
        try:
            await sent.add_reaction(emoji)
        except discord.HTTPException as e:
            log.warning("could not add the claim reaction to a card: %s", e)

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        channel_id, message_id = message_ids(card)
        kwargs = self.send_kwargs(message)
        kwargs.pop("file", None)
        partial = self._client.get_partial_messageable(channel_id).get_partial_message(message_id)
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
    ) -> ThreadRef:
        """A public thread from the card, or a private thread in the channel (configured, or
        always for anonymous questions); the asker and mentor are added."""
        private = private or self._thread_mode == "private"
        thread: discord.Thread
        parent = await self._text_channel(snowflake(channel))
        if private or card is None:
            kind = (
                discord.ChannelType.private_thread if private else discord.ChannelType.public_thread
            )
            thread = await parent.create_thread(
                name=name, type=kind, invitable=False, auto_archive_duration=ARCHIVE_AFTER_MINUTES
            )
        else:
            message_id = message_ids(card)[1]
            try:
                thread = await parent.get_partial_message(message_id).create_thread(
                    name=name, auto_archive_duration=ARCHIVE_AFTER_MINUTES
                )
            except discord.HTTPException as e:
                if e.code != THREAD_ALREADY_EXISTS:
                    raise
                # Claimed again after a release: the card's thread exists (it has the card's id).
                thread = await self._existing_thread(message_id)
        for member in members:
            if member.platform != PLATFORM:
                continue
            try:
                await thread.add_user(discord.Object(snowflake(member)))
            except discord.HTTPException as e:
                if private:  # nobody could reach a private thread they are not in
                    raise
                # A public thread is open to all, and the intro's mention pulls them in anyway.
                log.warning("could not add a member to a session thread: %s", e.status)
        return thread_ref(thread.id)

    async def _existing_thread(self, thread_id: int) -> discord.Thread:
        found = self._client.get_channel(thread_id) or await self._client.fetch_channel(thread_id)
        if not isinstance(found, discord.Thread):
            raise LookupError(f"Discord channel {thread_id} is not a thread")
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

    async def post_in_thread(self, thread: ThreadRef, message: ChatMessage) -> MessageRef:
        sent = await self._messageable(snowflake(thread)).send(**self.send_kwargs(message))
        return message_ref(sent.channel.id, sent.id)

    async def send_dm(self, user: UserRef, message: ChatMessage) -> MessageRef:
        dm = await self._client.create_dm(discord.Object(snowflake(user)))
        sent = await dm.send(**self.send_kwargs(message))
        return message_ref(dm.id, sent.id)

    async def send_private(
        self, *, user: UserRef, channel: ChannelRef, message: ChatMessage
    ) -> None:
        """Discord has no ephemeral messages outside interactions: a DM (closed DMs are logged)."""
        try:
            await self.send_dm(user, message)
        except discord.Forbidden:
            log.warning("could not DM a user (DMs closed?)")  # no id: it may be an anonymous asker
