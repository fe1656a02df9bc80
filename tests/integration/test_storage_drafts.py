"""Coached drafts on SQLite and PostgreSQL: asking again retires every draft still waiting of
that asker in that workspace, and only those."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.learning.model import Draft, DraftState
from bot.refs import UserRef, WorkspaceRef
from storage.uow import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")
ELSEWHERE = WorkspaceRef("slack", "T2")
ASKER = UserRef("slack", "U-ASK")
OTHER = UserRef("slack", "U-OTH")


async def test_close_pending_retires_only_the_askers_waiting_drafts_here(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        posted = await uow.drafts.add(Draft(WS, ASKER, "Posted", T0, state=DraftState.POSTED))
        first = await uow.drafts.add(Draft(WS, ASKER, "Help?", T0))
        second = await uow.drafts.add(Draft(WS, ASKER, "Help again?", T0))
        theirs = await uow.drafts.add(Draft(WS, OTHER, "Mine?", T0))
        there = await uow.drafts.add(Draft(ELSEWHERE, ASKER, "There?", T0))
        await uow.commit()
    async with uow_factory() as uow:
        waiting = await uow.drafts.pending(WS, ASKER)
    assert [d.number for d in waiting] == [first.number, second.number]
    assert [d.text for d in waiting] == ["Help?", "Help again?"]
    async with uow_factory() as uow:
        closed = await uow.drafts.close_pending(WS, ASKER, DraftState.REPLACED)
        await uow.commit()
    assert closed == [first.number, second.number]
    async with uow_factory() as uow:
        now = [await uow.drafts.get(d.number) for d in (posted, first, second, theirs, there)]
    assert [d.state if d else None for d in now] == [
        DraftState.POSTED,
        DraftState.REPLACED,
        DraftState.REPLACED,
        DraftState.PENDING,
        DraftState.PENDING,
    ]
    async with uow_factory() as uow:
        assert await uow.drafts.pending(WS, ASKER) == []
        assert await uow.drafts.close_pending(WS, ASKER, DraftState.REPLACED) == []


async def test_drafts_the_faq_answered_are_counted_per_workspace_and_period(
    uow_factory: UowFactory,
) -> None:
    later = T0 + timedelta(days=7)
    async with uow_factory() as uow:
        for ws, state, at in [
            (WS, DraftState.ANSWERED, T0),
            (WS, DraftState.ANSWERED, T0 + timedelta(days=1)),
            (WS, DraftState.ANSWERED, later),  # the period is [since, until)
            (WS, DraftState.POSTED, T0),
            (WS, DraftState.PENDING, T0),
            (ELSEWHERE, DraftState.ANSWERED, T0),
        ]:
            await uow.drafts.add(Draft(ws, ASKER, "Help?", at, state=state))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.drafts.count_answered(WS, T0, later) == 2
        assert await uow.drafts.count_answered(WS, T0, later + timedelta(days=1)) == 3
        assert await uow.drafts.count_answered(ELSEWHERE, T0, later) == 1


async def test_forgetting_an_asker_keeps_the_count_of_drafts_the_faq_answered(
    uow_factory: UowFactory,
) -> None:
    """The figures stay when someone is forgotten, attributed to nobody: a question the FAQ
    answered before it was posted still counts, without its words or its asker."""
    nobody = UserRef("slack", "forgotten-1a2b3c4d")
    async with uow_factory() as uow:
        answered = await uow.drafts.add(
            Draft(WS, ASKER, "How do I pivot?", T0, state=DraftState.ANSWERED)
        )
        pending = await uow.drafts.add(Draft(WS, ASKER, "Mine only", T0))
        await uow.commit()
    async with uow_factory() as uow:
        await uow.privacy.forget(ASKER, tombstone=nobody, removed="[removed on request]")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.drafts.count_answered(WS, T0, T0 + timedelta(days=1)) == 1
        assert await uow.drafts.get(pending.number) is None  # only theirs: deleted
        kept = await uow.drafts.get(answered.number)
    assert kept is not None
    assert (kept.asker, kept.text) == (nobody, "[removed on request]")
