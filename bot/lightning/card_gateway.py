"""Delivering lightning cards: posted once, then edited in place, always as the database has the
session when the card goes out (wiring around the deliverer, like `bot.routing`)."""

from __future__ import annotations

from bot.flow.passthrough import PassThroughGateway
from bot.lightning.cards import CARD_KIND, lightning_card_view
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused
from bot.refs import ChannelRef, MessageRef

__all__ = ["LightningCardGateway"]


class LightningCardGateway(PassThroughGateway):
    """A `ChatGateway` in front of the real one that keeps a lightning session's card in one
    place: its first post is recorded, later posts of the same card edit it, and every post
    shows the session as the database has it when it goes out.

    The deliverer does this for question cards only (Op.CARD looks up a question); everything
    else passes straight through."""

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
