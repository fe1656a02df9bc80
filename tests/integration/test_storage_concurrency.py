"""Concurrent writers on SQLite and PostgreSQL: one claim wins, each nudge is leased once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain import Nudge, NudgeKind, PointsEntry, Question, QuestionState, Transition
from bot.flow.inbox_item import InboxItem
from bot.refs import UserRef, WorkspaceRef
from storage.uow import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")


async def test_of_twenty_concurrent_claims_exactly_one_wins(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        question = await uow.questions.add(
            Question(workspace=WS, asker=UserRef("slack", "U0"), text="help?", created_at=T0)
        )
        await uow.commit()

    async def claim(n: int) -> bool:
        # Everyone saw the question open (the card's button) and tries to claim it at once.
        claimed = question.moved(
            Transition.CLAIM, mentor=UserRef("slack", f"M{n}"), claimed_at=T0, claims=1
        )
        async with uow_factory() as uow:
            won = await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
            await uow.commit()
            return won

    results = await asyncio.gather(*(claim(n) for n in range(20)))

    assert results.count(True) == 1
    winner = UserRef("slack", f"M{results.index(True)}")
    async with uow_factory() as uow:
        stored = await uow.questions.get(question.number)
    assert stored is not None
    assert (stored.state, stored.mentor, stored.claims) == (QuestionState.CLAIMED, winner, 1)


async def test_twenty_concurrent_read_then_write_transactions_all_commit(
    uow_factory: UowFactory,
) -> None:
    user = UserRef("slack", "U1")

    async def thank(n: int) -> None:
        async with uow_factory() as uow:
            await uow.points.total_since(user, T0, WS)
            await uow.points.add(
                PointsEntry(workspace=WS, user=user, points=1, reason=f"{n}", at=T0)
            )
            await uow.commit()

    await asyncio.gather(*(thank(n) for n in range(20)))

    async with uow_factory() as uow:
        assert await uow.points.total_since(user, T0, WS) == 20


async def test_two_concurrent_sweepers_lease_each_due_nudge_exactly_once(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        for n in range(200):
            due = T0 - timedelta(seconds=n)
            await uow.nudges.add(Nudge(kind=NudgeKind.STALE, workspace=WS, due_at=due, step=n))
        await uow.nudges.add(
            Nudge(kind=NudgeKind.STALE, workspace=WS, due_at=T0 + timedelta(hours=1))
        )
        await uow.commit()

    async def sweep() -> list[int]:
        taken: list[int] = []
        while True:
            async with uow_factory() as uow:
                batch = await uow.nudges.lease(T0, lease=timedelta(minutes=5), limit=7)
                await uow.commit()
            if not batch:
                return taken
            taken.extend(n.id for n in batch if n.id is not None)
            await asyncio.sleep(0)

    first, second = await asyncio.gather(sweep(), sweep())

    assert not set(first) & set(second)
    assert len(first) + len(second) == 200
    assert len(set(first) | set(second)) == 200


async def test_lease_returns_the_oldest_due_first_up_to_the_limit(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        for minutes in (3, 1, 2):
            await uow.nudges.add(
                Nudge(kind=NudgeKind.STALE, workspace=WS, due_at=T0 - timedelta(minutes=minutes))
            )
        await uow.commit()
    async with uow_factory() as uow:
        batch = await uow.nudges.lease(T0, lease=timedelta(minutes=5), limit=2)
    assert [n.due_at for n in batch] == [T0 - timedelta(minutes=3), T0 - timedelta(minutes=2)]


async def test_concurrent_first_deliveries_of_one_event_record_it_once(
    uow_factory: UowFactory,
) -> None:
    async def deliver() -> bool:
        async with uow_factory() as uow:
            first = await uow.inbox.add(
                InboxItem(
                    key="slack:EvDup",
                    kind="slack",
                    lane="u:x",
                    payload={},
                    received_at=T0,
                    due_at=T0,
                )
            )
            await uow.commit()
            return first

    results = await asyncio.gather(*(deliver() for _ in range(10)))

    assert results.count(True) == 1


async def test_concurrent_digest_starts_for_one_period_let_one_through(
    uow_factory: UowFactory,
) -> None:
    async def start() -> bool:
        async with uow_factory() as uow:
            started = await uow.digests.start(WS, "2025-W10", T0)
            await uow.commit()
            return started

    results = await asyncio.gather(*(start() for _ in range(10)))

    assert results.count(True) == 1
