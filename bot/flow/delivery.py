"""The deliverer: sends one outbox row through the chat gateway after commit and records what
the platform gave back (the card's and the thread's refs)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from bot.commands import Command
from bot.domain import Question
from bot.flow.group import GroupWriter
from bot.flow.inbox import InboxClosed
from bot.flow.outbox import Delivery, Op, OutboxItem, fallback_key
from bot.flow.worker import NotMine
from bot.messages import ChatMessage
from bot.ports import ChatGateway, Clock, DeliveryRefused, UnitOfWork, UnitOfWorkFactory
from bot.refs import MessageRef, ThreadRef

__all__ = ["CardView", "Deliverer", "Refused", "describe", "refused_key"]

log = logging.getLogger(__name__)

CardView = Callable[[UnitOfWork, Question], Awaitable[ChatMessage]]
"""Renders a question's card from what the database says now."""

Refused = Callable[[Command, str], Awaitable[object]]
"""Takes a delivery's `if_refused` command in (with a key of its own) when it can't go out."""


async def _nobody_told(command: Command, key: str) -> None:
    return None


def refused_key(key: str) -> str:
    """The inbox key of what a refusal of the delivery keyed `key` reports: the same on every
    attempt, so it is taken in once."""
    return f"refused:{key}"


class Deliverer:
    """`process` of the outbox worker. Reads in a read-only transaction, sends with no
    transaction open (SQLite's write lock is never held across a network call), then records."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        chat: ChatGateway,
        clock: Clock,
        card_view: CardView,
        refused: Refused | None = None,
        lease_margin: timedelta = timedelta(seconds=2),
    ) -> None:
        self._uow_factory = uow_factory
        self._refused = refused or _nobody_told
        self._chat = chat
        self._clock = clock
        self._card_view = card_view
        self._lease_margin = lease_margin
        # A delivery returns only once it is recorded; deliveries that finish together are
        # recorded together.
        self._recorder: GroupWriter[_Sent, None] = GroupWriter(partial(_write_sent, uow_factory))

    async def __call__(self, row: OutboxItem) -> None:
        assert row.id is not None
        d = row.delivery
        # An earlier attempt may have done part of the work (a thread opened, then a member
        # refused by a rate limit, which is not counted as an attempt): look before acting.
        retry = row.attempts > 1 or bool(row.last_error)
        question = None
        message = d.message
        if d.question_id is not None:
            async with self._uow_factory(read_only=True) as uow:
                question = await uow.questions.get(d.question_id)
                if question is not None and d.op is Op.CARD:
                    message = await self._card_view(uow, question)
            if question is None:
                raise DeliveryRefused(f"question {d.question_id} no longer exists")
        try:
            async with asyncio.timeout(self._time_left(row)):
                result, records = await self._send(row, d, question, message, retry=retry)
        except DeliveryRefused:
            if d.if_refused is not None:
                # Reported before the row is settled: a crash in between refuses and reports
                # again, and the inbox drops the second report by its key.
                await self._report(row)
            raise
        await self._record(row, d, result, records)

    async def gave_up(self, row: OutboxItem, error: str) -> None:
        """The outbox worker's `on_give_up`: a delivery someone waits on that failed on every
        attempt is reported as one refused (`if_refused`), so that they are not left waiting.
        The worker settles the row only once this returned: if it raises, the row stays
        pending and a later attempt reports again."""
        if row.delivery.if_refused is not None:
            await self._report(row)

    async def _report(self, row: OutboxItem) -> None:
        assert row.delivery.if_refused is not None
        try:
            await self._refused(row.delivery.if_refused, refused_key(row.key))
        except InboxClosed:
            # A shutdown closed the inbox while the outbox drains: the row is not settled, and
            # an attempt after the restart (here or at another replica) reports it — handed
            # back uncounted after a refusal, retried after its back-off after a give-up.
            raise NotMine("the inbox is closed for a shutdown: reported after it") from None

    def _time_left(self, row: OutboxItem) -> float | None:
        """How long a send may take: it must end while the lease is ours (a margin before it
        runs out), or another worker could take the row and send it while ours still goes.
        A send cut short is retried, and the retry looks for it before sending again."""
        if row.lease_until is None:
            return None
        left = row.lease_until - self._clock.now() - self._lease_margin
        return max(left.total_seconds(), 0.0)

    async def _send(
        self,
        row: OutboxItem,
        d: Delivery,
        question: Question | None,
        message: ChatMessage | None,
        *,
        retry: bool,
    ) -> tuple[MessageRef | ThreadRef | None, str | None]:
        """Send the row; what the platform gave back, and what it is ("card", "thread")."""
        result: MessageRef | ThreadRef | None = None
        records: str | None = None
        if d.op is Op.CARD:
            assert question is not None and message is not None
            if question.card is None:
                assert d.channel is not None
                result = await self._chat.post_card(d.channel, message, key=row.key, retry=retry)
                records = "card"
            else:
                await self._chat.update_card(question.card, message)
        elif d.op is Op.OPEN_THREAD:
            assert question is not None and d.channel is not None
            result = await self._chat.open_thread(
                card=question.card,
                channel=d.channel,
                members=d.members,
                private=d.private,
                name=d.name,
                retry=retry,
            )
            records = "thread"
        elif d.op is Op.THREAD:
            assert message is not None
            thread = d.thread or (question.thread if question is not None else None)
            if thread is None:
                raise DeliveryRefused("the session has no thread to post in")
            result = await self._chat.post_in_thread(thread, message, key=row.key, retry=retry)
        else:
            result = await self._simple(d, row, retry=retry)
        return result, records

    async def _simple(self, d: Delivery, row: OutboxItem, *, retry: bool) -> MessageRef | None:
        message = d.message
        assert message is not None
        if d.op is Op.POST:
            assert d.channel is not None
            return await self._chat.post_card(d.channel, message, key=row.key, retry=retry)
        if d.op is Op.DM:
            assert d.user is not None
            try:
                return await self._chat.send_dm(d.user, message, key=row.key, retry=retry)
            except DeliveryRefused as refused:
                if d.fallback is None:
                    raise
                return await self._in_thread_instead(d, row, refused, retry=retry)
        if d.op is Op.PRIVATE:
            assert d.user is not None and d.channel is not None
            await self._chat.send_private(
                user=d.user, channel=d.channel, message=message, key=row.key, retry=retry
            )
            return None
        if d.op is Op.REPLY:
            assert d.reply_to is not None
            await self._chat.reply(d.reply_to, message, key=row.key, retry=retry)
            return None
        raise ValueError(f"unknown delivery {d.op!r}")

    async def _in_thread_instead(
        self, d: Delivery, row: OutboxItem, refused: DeliveryRefused, *, retry: bool
    ) -> MessageRef:
        """A DM refused (closed DMs) to a member of a session thread: said there instead (see
        `Outbox.dm_or_in_thread`). When there is no such thread any more (the session moved on,
        they are no longer its mentor), the refusal stands: skipped, as any other."""
        assert d.fallback is not None and d.user is not None
        thread = d.thread
        if thread is None and d.fallback_of is not None:
            async with self._uow_factory(read_only=True) as uow:
                q = await uow.questions.get(d.fallback_of)
            if q is not None and q.mentor == d.user:
                thread = q.thread
        if thread is None:
            raise refused
        sent = await self._chat.post_in_thread(
            thread, d.fallback, key=fallback_key(row.key), retry=retry
        )
        log.info("%s: %s; said in the session thread instead", describe(row), refused)
        return sent

    async def _record(
        self,
        row: OutboxItem,
        d: Delivery,
        result: MessageRef | ThreadRef | None,
        records: str | None,
    ) -> None:
        assert row.id is not None
        await self._recorder.submit(
            _Sent(
                row_id=row.id,
                at=self._clock.now(),
                result=result,
                card=result if records == "card" and isinstance(result, MessageRef) else None,
                thread=result if records == "thread" and isinstance(result, ThreadRef) else None,
                question_id=d.question_id,
                scrubbed=d.scrubbed() if d.secret else None,
            )
        )


@dataclass(frozen=True, slots=True)
class _Sent:
    row_id: int
    at: datetime
    result: MessageRef | ThreadRef | None
    card: MessageRef | None
    thread: ThreadRef | None
    question_id: int | None
    scrubbed: Delivery | None = None  # a secret went out: the row keeps this instead


async def _write_sent(uow_factory: UnitOfWorkFactory, batch: list[_Sent]) -> list[None]:
    """One transaction for every delivery that finished meanwhile (see `GroupWriter`)."""
    async with uow_factory() as uow:
        await uow.outbox.sent_many(
            [(s.row_id, s.at, s.result.key() if s.result else None) for s in batch]
        )
        scrubbed = [(s.row_id, s.scrubbed) for s in batch if s.scrubbed is not None]
        if scrubbed:
            await uow.outbox.scrub(scrubbed)
        for s in batch:
            if s.card is not None and s.question_id is not None:
                await uow.questions.set_card(s.question_id, s.card)
            if s.thread is not None and s.question_id is not None:
                await uow.questions.set_thread(s.question_id, s.thread)
        await uow.commit()
    return [None] * len(batch)


def describe(row: OutboxItem) -> str:
    """Log-safe: the operation and the row id, never a recipient or text."""
    return f"{row.delivery.op.value} #{row.id}"
