"""The wiring around the deliverer that changes how some posts go out (a lightning card, a kudos
post): a `ChatGateway` in front of the real one that passes every call through unless a
subclass says otherwise."""

from __future__ import annotations

from collections.abc import Sequence

from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage
from bot.ports import ChatGateway, UnitOfWorkFactory
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["PassThroughGateway"]


class PassThroughGateway:
    """Every call goes to `inner` as it is; a subclass overrides the ones it changes."""

    def __init__(self, inner: ChatGateway, *, uow_factory: UnitOfWorkFactory) -> None:
        self._inner = inner
        self._uow_factory = uow_factory

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._inner.post_card(channel, message, key=key, retry=retry)

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
