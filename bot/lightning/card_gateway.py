"""Delivering lightning cards: posted once, then edited in place, always as the database has the
session when the card goes out (wiring around the deliverer, like `bot.routing`)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.flow.outbox import ReplyTo
from bot.lightning.cards import CARD_KIND, lightning_card_view
from bot.messages import ChatMessage
from bot.ports import ChatGateway, DeliveryRefused, UnitOfWorkFactory
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["LightningCardGateway"]


class LightningCardGateway:
    """A `ChatGateway` in front of the real one that keeps a lightning session's card in one
    place: its first post is recorded, later posts of the same card edit it, and every post
    shows the session as the database has it when it goes out.

    The deliverer does this for question cards only (Op.CARD looks up a question); everything
    else passes straight through."""

    def __init__(self, inner: ChatGateway, *, uow_factory: UnitOfWorkFactory) -> None:
        self._inner = inner
        self._uow_factory = uow_factory

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        if message.kind != CARD_KIND or message.question_id is None:
            return await self._inner.post_card(channel, message, key=key, retry=retry)
        async with self._uow_factory(read_only=True) as uow:
            session = await uow.lightning.get(message.question_id)
            fresh = await lightning_card_view(uow, message.question_id)
        if session is None or fresh is None:
            raise DeliveryRefused(f"lightning session {message.question_id} no longer exists")
        if session.card is not None:
            await self._inner.update_card(session.card, fresh)
            return session.card
        card = await self._inner.post_card(channel, fresh, key=key, retry=retry)
        async with self._uow_factory() as uow:
            await uow.lightning.set_card(session.stored_id, card)
            await uow.commit()
        return card

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        await self._inner.update_card(card, message)

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
        return await self._inner.open_thread(
            card=card, channel=channel, members=members, private=private, name=name, retry=retry
        )

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._inner.post_in_thread(thread, message, key=key, retry=retry)

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._inner.send_dm(user, message, key=key, retry=retry)

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        await self._inner.send_private(
            user=user, channel=channel, message=message, key=key, retry=retry
        )

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        await self._inner.reply(to, message, key=key, retry=retry)
