"""On real databases: the apology for an input the inbox gives up on is stored under the row's
key (`giveup_key`), so a give-up repeated after a crash between the apology and settling the row
tells the person once; an outbox row whose key is stored already is skipped, not an error."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.commands import Actor, AskQuestion
from bot.config import Config
from bot.flow.inbox import giveup_key
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, Op, OutboxItem, ReplyTo, new_key
from bot.main import build_app
from bot.messagebus import SOMETHING_WENT_WRONG, Context
from bot.messages import ChatMessage, text
from bot.refs import UserRef, WorkspaceRef
from storage.tables import InboxRow, OutboxRow, table_of
from storage.uow import SqlUnitOfWork
from tests.unit.fake_chat import FakeChat

UowFactory = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WS = WorkspaceRef("test", "W1")
ANN = Actor(UserRef("test", "U1"), "Ann", WS)
INBOX = table_of(InboxRow)
OUTBOX = table_of(OutboxRow)


class Killed(Exception):
    """The process dies right after the apology was stored, before the row is settled."""


async def _breaks(cmd: AskQuestion, ctx: Context) -> None:
    raise RuntimeError("the disk is full")


async def test_a_give_up_repeated_after_a_crash_apologises_once(
    db_url: str, db_engine: AsyncEngine
) -> None:
    chat = FakeChat(platform="test")
    clock = ManualClock(T0)
    app = await build_app(
        Config(), clock=clock, gateways={"test": chat}, database_url=db_url, deliver_now=True
    )
    try:
        app.bus._handlers[AskQuestion] = _breaks
        worker = app.runtime.inbox_worker
        real = worker._on_give_up
        assert real is not None
        gave_up: list[int | None] = []

        async def apologise_then_die(item: InboxItem, error: str) -> None:
            gave_up.append(item.id)
            await real(item, error)  # the apology is stored (and delivered at once)
            raise Killed("kill -9 before the row is settled")

        worker._on_give_up = apologise_then_die
        await app.inbox.receive_command(
            AskQuestion(ANN, "How do I sum a column?"), key="ask-1", reply_to=ReplyTo(ANN.user)
        )
        await app.runtime.drain()
        assert gave_up
        worker._on_give_up = real  # restarted
        clock.advance(timedelta(minutes=5))
        await app.runtime.drain()
        async with db_engine.connect() as conn:
            [(row_id, key, state)] = list(
                await conn.execute(sa.select(INBOX.c.id, INBOX.c.key, INBOX.c.state))
            )
            apologies = list(
                await conn.execute(
                    sa.select(OUTBOX.c.key, OUTBOX.c.spec).where(OUTBOX.c.lane == "r:test:U1")
                )
            )
        assert state == "failed"
        said = [m.plain() for m in chat.messages("reply", user=ANN.user)]
        assert said == [SOMETHING_WENT_WRONG]  # told once, not at each give-up
        assert len(apologies) == 1
        item = InboxItem(key=key, kind="", lane="", payload={}, received_at=T0, due_at=T0)
        item.id = row_id
        assert [k for k, _ in apologies] == [giveup_key(item)]
        [(_, spec)] = apologies
        assert spec.get("workspace") == WS.key()  # said for the input's workspace
    finally:
        await app.dispose()


async def test_an_outbox_row_whose_key_is_stored_already_is_skipped(
    uow_factory: UowFactory,
) -> None:
    to = UserRef("test", "U1")
    key = new_key()

    def dm(words: str) -> OutboxItem:
        said = ChatMessage(body=text(words))
        return OutboxItem(Delivery(Op.DM, f"u:{to.key()}", message=said, user=to), key, T0)

    async with uow_factory() as uow:
        await uow.outbox.add_many([dm("first")])
        await uow.commit()
    async with uow_factory() as uow:
        await uow.outbox.add_many([dm("again"), dm("and again")])
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.pending() == 1
        [row] = await uow.outbox.lease(T0, lease=timedelta(seconds=30), limit=10)
    assert row.key == key and row.delivery.message is not None
    assert row.delivery.message.plain() == "first"
