"""The inbox and the outbox on real databases: one row per key, leases, lanes delivered in order,
hand-back on shutdown, processing marked in the deciding transaction, pruning, and question
numbers never handed out twice."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.domain import Question, Workspace
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.messages import ChatMessage, UserText, text
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from storage.uow import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)
WS = WorkspaceRef("slack", "T1")
ALICE = UserRef("slack", "U0ALICE")


def _input(key: str, lane: str = "u:slack:U1") -> InboxItem:
    return InboxItem(
        key=key, kind="slack", lane=lane, payload={"n": key}, received_at=T0, due_at=T0
    )


def _dm(lane_user: str, words: str) -> OutboxItem:
    user = UserRef("slack", lane_user)
    message = ChatMessage(body=text("plain ", UserText(words)))
    return OutboxItem(
        delivery=Delivery(Op.DM, f"u:{user.key()}", message=message, user=user),
        key=new_key(),
        due_at=T0,
    )


async def test_an_outbox_row_keeps_its_message_spans_and_their_trust(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add_many([_dm("U1", "<!channel> hi")])
        await uow.commit()
    async with uow_factory() as uow:
        [row] = await uow.outbox.lease(T0, lease=LEASE, limit=10)
    assert row.delivery.message is not None
    assert row.delivery.message.body.spans == text("plain ", UserText("<!channel> hi")).spans
    assert row.delivery.user == UserRef("slack", "U1") and row.attempts == 1


async def test_one_lane_goes_out_one_row_at_a_time_in_order_others_in_parallel(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add_many([_dm("U1", "first"), _dm("U2", "other"), _dm("U1", "second")])
        await uow.commit()
    async with uow_factory() as uow:
        first = await uow.outbox.lease(T0, lease=LEASE, limit=10)
        await uow.commit()
    assert [r.delivery.message.body.plain() for r in first if r.delivery.message] == [
        "plain first",
        "plain other",
    ]
    async with uow_factory() as uow:
        assert await uow.outbox.lease(T0, lease=LEASE, limit=10) == []  # "second" waits
        assert first[0].id is not None
        await uow.outbox.sent(first[0].id, at=T0, result="slack:C1:1.1")
        await uow.commit()
    async with uow_factory() as uow:
        [second] = await uow.outbox.lease(T0, lease=LEASE, limit=10)
    assert second.delivery.message is not None
    assert second.delivery.message.body.plain() == "plain second"


async def test_a_failed_row_no_longer_holds_up_its_lane(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add_many([_dm("U1", "refused"), _dm("U1", "next")])
        await uow.commit()
    async with uow_factory() as uow:
        [refused] = await uow.outbox.lease(T0, lease=LEASE, limit=10)
        assert refused.id is not None
        await uow.outbox.fail(refused.id, error="DeliveryRefused: closed DMs")
        [after] = await uow.outbox.lease(T0, lease=LEASE, limit=10)
    assert after.delivery.message is not None and "next" in after.delivery.message.body.plain()


async def test_a_released_lease_is_taken_at_once_and_not_counted(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.inbox.add(_input("Ev1"))
        await uow.commit()
    async with uow_factory() as uow:
        [item] = await uow.inbox.lease(T0, lease=LEASE, limit=10)
        assert item.id is not None
        await uow.inbox.release([item.id])
        await uow.commit()
    async with uow_factory() as uow:
        [again] = await uow.inbox.lease(T0 + timedelta(seconds=1), lease=LEASE, limit=10)
    assert again.attempts == 1 and again.payload == {"n": "Ev1"}


async def test_processing_is_marked_only_while_the_lease_is_ours(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.inbox.add(_input("Ev1"))
        await uow.commit()
    async with uow_factory() as uow:
        [mine] = await uow.inbox.lease(T0, lease=LEASE, limit=1)
        await uow.commit()
    later = T0 + LEASE + timedelta(seconds=1)
    async with uow_factory() as uow:
        [theirs] = await uow.inbox.lease(later, lease=LEASE, limit=1)
        await uow.commit()
    assert mine.id == theirs.id and mine.lease_until and theirs.lease_until
    async with uow_factory() as uow:
        assert not await uow.inbox.start(mine.id or 0, lease_until=mine.lease_until, at=later)
        assert await uow.inbox.start(theirs.id or 0, lease_until=theirs.lease_until, at=later)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.lease(later + LEASE * 3, lease=LEASE, limit=10) == []


async def test_two_workers_share_a_burst_each_row_once_and_lanes_in_order(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        for i in range(120):
            await uow.inbox.add(_input(f"Ev{i}", lane=f"u:slack:U{i % 6}"))
        await uow.commit()
    done: list[str] = []

    async def work() -> None:
        while True:
            async with uow_factory() as uow:
                batch = await uow.inbox.lease(T0, lease=LEASE, limit=5)
                await uow.commit()
            if not batch:
                return
            for item in batch:
                async with uow_factory() as uow:
                    assert item.id is not None and item.lease_until is not None
                    if await uow.inbox.start(item.id, lease_until=item.lease_until, at=T0):
                        done.append(item.key)
                    await uow.commit()
                await asyncio.sleep(0)

    await asyncio.gather(work(), work())
    assert sorted(done) == sorted(f"Ev{i}" for i in range(120)) and len(done) == 120
    for lane in range(6):
        mine = [int(k[2:]) for k in done if int(k[2:]) % 6 == lane]
        assert mine == sorted(mine)


async def test_processed_rows_keep_their_key_but_not_what_people_typed(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.inbox.add(_input("Ev1"))
        await uow.commit()
    async with uow_factory() as uow:
        [item] = await uow.inbox.lease(T0, lease=LEASE, limit=1)
        assert item.lease_until is not None
        await uow.inbox.start(item.id or 0, lease_until=item.lease_until, at=T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.inbox.add(_input("Ev1"))  # still a known key
        assert await uow.inbox.prune(T0 + timedelta(hours=1)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.inbox.add(_input("Ev1"))  # forgotten after pruning


async def test_a_committed_question_number_is_never_handed_out_again(
    db_engine: AsyncEngine, uow_factory: UowFactory
) -> None:
    """Numbers are on cards and buttons. Only a committed question was ever shown (nothing is
    said before commit), and its number stays taken even after the question is deleted."""

    def question() -> Question:
        return Question(workspace=WS, asker=ALICE, text="How do I ...?", created_at=T0)

    async with uow_factory() as uow:
        await uow.workspaces.save(
            Workspace(WS, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
        )
        await uow.questions.add(question())
        second = await uow.questions.add(question())
        await uow.commit()
    async with db_engine.begin() as conn:
        await conn.execute(sa.text("DELETE FROM question WHERE id = :id"), {"id": second.pk})
    async with uow_factory() as uow:
        third = await uow.questions.add(question())
        await uow.commit()
    assert (second.number, third.number) == (2, 3)
    assert third.pk > second.pk


async def test_numbers_count_per_workspace(uow_factory: UowFactory) -> None:
    other = WorkspaceRef("discord", "999")
    async with uow_factory() as uow:
        for ws in (WS, other):
            await uow.workspaces.save(
                Workspace(ws, ChannelRef(ws.platform, "C1"), ChannelRef(ws.platform, "C2"))
            )
        numbers = []
        for ws in (WS, WS, other, WS, other):
            q = await uow.questions.add(
                Question(workspace=ws, asker=ALICE, text="How do I ...?", created_at=T0)
            )
            numbers.append((ws.platform, q.number))
        await uow.commit()
    assert numbers == [("slack", 1), ("slack", 2), ("discord", 1), ("slack", 3), ("discord", 2)]
    async with uow_factory() as uow:
        found = await uow.questions.get_by_number(other, 2)
        assert found is not None and found.workspace == other
        assert await uow.questions.get_by_number(other, 3) is None


@pytest.mark.parametrize("state", ["sent", "failed"])
async def test_pruning_the_outbox_keeps_pending_rows(uow_factory: UowFactory, state: str) -> None:
    async with uow_factory() as uow:
        await uow.outbox.add_many([_dm("U1", "done"), _dm("U2", "waiting")])
        await uow.commit()
    async with uow_factory() as uow:
        rows = await uow.outbox.lease(T0, lease=LEASE, limit=10)
        done = next(r for r in rows if r.delivery.user == UserRef("slack", "U1"))
        if state == "sent":
            await uow.outbox.sent(done.id or 0, at=T0, result=None)
        else:
            await uow.outbox.fail(done.id or 0, error="x")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.outbox.prune(T0 + timedelta(days=3)) == 1
        assert await uow.outbox.pending() == 1
        await uow.commit()


async def test_a_key_seen_long_ago_can_be_taken_again_when_asked_to(
    uow_factory: UowFactory,
) -> None:
    """A Discord reaction removed and added again has the same key: within the window it is a
    replay; after it, a new input."""
    async with uow_factory() as uow:
        assert await uow.inbox.add(_input("react:1"))
        await uow.commit()
    async with uow_factory() as uow:
        [item] = await uow.inbox.lease(T0, lease=LEASE, limit=1)
        assert item.lease_until is not None
        await uow.inbox.start(item.id or 0, lease_until=item.lease_until, at=T0)
        await uow.commit()
    replay = _input("react:1")
    async with uow_factory() as uow:
        assert not await uow.inbox.add(replay, renew_before=T0 - timedelta(minutes=10))
        later = InboxItem(
            key="react:1",
            kind="slack",
            lane="u:slack:U1",
            payload={"n": "again"},
            received_at=T0 + timedelta(hours=1),
            due_at=T0 + timedelta(hours=1),
        )
        assert await uow.inbox.add(later, renew_before=later.received_at - timedelta(minutes=10))
        await uow.commit()
    async with uow_factory() as uow:
        [again] = await uow.inbox.lease(T0 + timedelta(hours=1), lease=LEASE, limit=1)
    assert again.payload == {"n": "again"} and again.attempts == 1


async def test_an_input_taken_again_waits_behind_its_senders_earlier_inputs(
    uow_factory: UowFactory,
) -> None:
    """A reaction added again long after the first time is a new input: it goes after what its
    sender did before it (a button still waiting), not before it under its old id."""
    async with uow_factory() as uow:
        assert await uow.inbox.add(_input("react:1"))
        await uow.commit()
    async with uow_factory() as uow:
        [first] = await uow.inbox.lease(T0, lease=LEASE, limit=1)
        await uow.inbox.start(first.id or 0, lease_until=first.lease_until or T0, at=T0)
        await uow.commit()
    later = T0 + timedelta(hours=1)

    def at_later(key: str) -> InboxItem:
        return InboxItem(
            key=key,
            kind="slack",
            lane="u:slack:U1",
            payload={"n": key},
            received_at=later,
            due_at=later,
        )

    async with uow_factory() as uow:
        assert await uow.inbox.add(at_later("button:release"))
        assert await uow.inbox.add(at_later("react:1"), renew_before=later - timedelta(minutes=10))
        await uow.commit()
    order = []
    for _ in range(2):
        async with uow_factory() as uow:
            [item] = await uow.inbox.lease(later, lease=LEASE, limit=9)  # one per lane
            await uow.inbox.start(item.id or 0, lease_until=item.lease_until or T0, at=later)
            await uow.commit()
        order.append(item.key)
    assert order == ["button:release", "react:1"]


async def test_a_pending_key_is_never_taken_twice_even_with_a_window(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        assert await uow.inbox.add(_input("react:2"))
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.inbox.add(_input("react:2"), renew_before=T0 + timedelta(days=1))
