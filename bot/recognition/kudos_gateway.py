"""Delivering public kudos posts: their ref is recorded when they go out, and a post sent again
(a forget redraws it) edits the one posted (wiring around the deliverer, like
`bot.lightning.card_gateway`)."""

from __future__ import annotations

from bot.flow.passthrough import PassThroughGateway
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused
from bot.privacy.model import anyone_forgotten
from bot.recognition.kudos_card import KUDOS_KIND, redrawn_kudos
from bot.refs import ChannelRef, MessageRef

__all__ = ["KudosCardGateway"]


class KudosCardGateway(PassThroughGateway):
    """A `ChatGateway` in front of the real one that records where a public kudos was posted,
    and edits that post when it is posted again (a forget redraws it: `redrawn_kudos`). A kudos
    whose giver or receiver was forgotten before its post went out goes out redrawn already.

    Everything else passes straight through."""

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        kudos_id = message.question_id
        if message.kind != KUDOS_KIND or kudos_id is None:
            return await self._inner.post_card(channel, message, key=key, retry=retry)
        async with self._uow_factory(read_only=True) as uow:
            k = await uow.kudos.get(kudos_id)
            if k is None:
                raise DeliveryRefused(f"kudos {kudos_id} no longer exists")
            if k.card is not None or anyone_forgotten(k.giver, k.receiver):
                message = await redrawn_kudos(uow, k)
        if k.card is not None:
            await self._inner.update_card(k.card, message)
            return k.card
        card = await self._inner.post_card(channel, message, key=key, retry=retry)
        async with self._uow_factory() as uow:
            await uow.kudos.set_card(kudos_id, card)
            now = await uow.kudos.get(kudos_id)
            # Forgotten while it was on its way (its forget found no post to redraw), or
            # before a retry that found the first attempt's post: redrawn now that it's known.
            late = now is not None and anyone_forgotten(now.giver, now.receiver)
            redrawn = await redrawn_kudos(uow, now) if late and now is not None else None
            await uow.commit()
        if redrawn is not None:
            await self._inner.update_card(card, redrawn)
        return card
