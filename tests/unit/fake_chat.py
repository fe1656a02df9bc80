"""A fake chat gateway for core tests: records every call, returns fresh refs, fails on demand."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["ChatCall", "ChatFailure", "FakeChat"]

R = TypeVar("R")


class ChatFailure(ConnectionError):
    """What a FakeChat told to fail raises (like a platform API error)."""


@dataclass(frozen=True, slots=True)
class ChatCall:
    """One call to the gateway: the method, its arguments and what it returned."""

    method: str
    args: dict[str, Any]
    result: Any = None

    @property
    def message(self) -> ChatMessage | None:
        found = self.args.get("message")
        return found if isinstance(found, ChatMessage) else None


class FakeChat:
    """`bot.ports.ChatGateway` that records every call (failed ones too) and returns fresh refs."""

    def __init__(
        self, *, platform: str = "test", fail_on: Sequence[str] = (), interleave: bool = False
    ) -> None:
        self.platform = platform
        self.fail_on = set(fail_on)
        self.interleave = interleave  # yield to the event loop on every call, as real I/O does
        self.calls: list[ChatCall] = []
        self._seq = itertools.count(1)

    async def _record(self, method: str, result: R, **args: Any) -> R:
        if self.interleave:
            await asyncio.sleep(0)
        if method in self.fail_on:
            self.calls.append(ChatCall(method, args, ChatFailure(method)))
            raise ChatFailure(f"{method} failed (FakeChat told to fail)")
        self.calls.append(ChatCall(method, args, result))
        return result

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        ref = MessageRef(self.platform, f"{channel.id}/{next(self._seq)}")
        return await self._record("post_card", ref, channel=channel, message=message, key=key)

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        await self._record("update_card", None, card=card, message=message)

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
        ref = ThreadRef(self.platform, f"thread/{next(self._seq)}")
        return await self._record(
            "open_thread",
            ref,
            card=card,
            channel=channel,
            members=tuple(members),
            private=private,
            name=name,
        )

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        ref = MessageRef(self.platform, f"{thread.id}/{next(self._seq)}")
        return await self._record("post_in_thread", ref, thread=thread, message=message, key=key)

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        ref = MessageRef(self.platform, f"dm/{user.id}/{next(self._seq)}")
        return await self._record("send_dm", ref, user=user, message=message, key=key)

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        await self._record(
            "send_private", None, user=user, channel=channel, message=message, key=key
        )

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        await self._record("reply", None, to=to, user=to.user, message=message)

    # -- reading what was said ---------------------------------------------------------------

    def of(self, method: str) -> list[ChatCall]:
        return [c for c in self.calls if c.method == method and c.method not in self.fail_on]

    def messages(self, method: str, **where: Any) -> list[ChatMessage]:
        """Messages sent with `method`, optionally only those whose arguments match `where`."""
        return [
            c.message
            for c in self.of(method)
            if c.message is not None and all(c.args.get(k) == v for k, v in where.items())
        ]

    def card(self, question_id: int) -> ChatMessage:
        """The card of a question as it looks now (posted, then updated in place)."""
        for call in self.of("post_card"):
            msg = call.message
            if msg is not None and msg.kind == "card" and msg.question_id == question_id:
                updates = self.messages("update_card", card=call.result)
                return updates[-1] if updates else msg
        raise AssertionError(f"no card was posted for question #{question_id}")

    def thread_of(self, question_id: int) -> ThreadRef:
        for call in reversed(self.of("open_thread")):
            if call.args["name"] == f"Question #{question_id}":
                thread: ThreadRef = call.result
                return thread
        raise AssertionError(f"no thread was opened for question #{question_id}")

    def in_thread(self, question_id: int) -> list[str]:
        return [
            m.plain() for m in self.messages("post_in_thread", thread=self.thread_of(question_id))
        ]

    def dms(self, user: UserRef) -> list[str]:
        return [m.plain() for m in self.messages("send_dm", user=user)]
