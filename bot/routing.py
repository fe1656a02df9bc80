"""A chat gateway that routes each call to the gateway of the ref's platform (Slack and Discord
can run in one process)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.flow.outbox import ReplyTo
from bot.flow.worker import NotMine
from bot.messages import ChatMessage
from bot.ports import ChatGateway
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef

__all__ = ["RoutingGateway"]


class RoutingGateway:
    def __init__(self, gateways: Mapping[str, ChatGateway]) -> None:
        self._gateways = dict(gateways)

    def add(self, platform: str, gateway: ChatGateway) -> None:
        self._gateways[platform] = gateway

    async def aclose(self) -> None:
        """Close every gateway that holds connections (after the last delivery)."""
        for gateway in self._gateways.values():
            close = getattr(gateway, "aclose", None)
            if close is not None:
                await close()

    def _for(self, ref: Ref) -> ChatGateway:
        try:
            return self._gateways[ref.platform]
        except KeyError:
            # Not connected here (yet): the delivery waits for a process where it is.
            raise NotMine(f"no chat gateway for platform {ref.platform!r}") from None

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._for(channel).post_card(channel, message, key=key, retry=retry)

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        await self._for(card).update_card(card, message)

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
        return await self._for(channel).open_thread(
            card=card, channel=channel, members=members, private=private, name=name, retry=retry
        )

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._for(thread).post_in_thread(thread, message, key=key, retry=retry)

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._for(user).send_dm(user, message, key=key, retry=retry)

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        await self._for(user).send_private(
            user=user, channel=channel, message=message, key=key, retry=retry
        )

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        await self._for(to.user).reply(to, message, key=key, retry=retry)
