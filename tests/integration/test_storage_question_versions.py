"""Optimistic concurrency on questions (migration 0019): an update writes only over the version
it read, so two decisions on one question that stays claimed cannot undo each other."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.commands import AcceptHandOver, ExtendTimebox, HandOverQuestion, RegisterWorkspace
from bot.config import Config
from bot.domain import Question, QuestionState, Transition
from bot.lightning.card_gateway import LightningCardGateway
from bot.matching import SimilarIndexes, build_taxonomy
from bot.mentors.roster_cache import MentorRoster
from bot.messagebus import Services
from bot.ports import StaleWrite
from bot.refs import UserRef, WorkspaceRef
from bot.runtime import build_runtime
from storage.engine import create_engine
from storage.repositories.questions import SqlQuestionRepository
from storage.uow import SqlUnitOfWork, make_uow_factory
from tests.unit.core_harness import ADMIN_CHANNEL, MENTORING, START, WORKSPACE, Core
from tests.unit.fake_chat import FakeChat
from tests.unit.fakes import FakeDatabase

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")
BOB, CAROL = UserRef("slack", "UB"), UserRef("slack", "UC")


async def _claimed(uow_factory: UowFactory) -> Question:
    """A question bob claimed, as committed."""
    async with uow_factory() as uow:
        q = await uow.questions.add(
            Question(workspace=WS, asker=UserRef("slack", "UA"), text="help?", created_at=T0)
        )
        assert q.version == 0
        claimed = q.moved(
            Transition.CLAIM,
            mentor=BOB,
            claimed_at=T0,
            timebox_ends_at=T0 + timedelta(minutes=30),
            last_activity_at=T0,
            claims=1,
        )
        assert await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
        await uow.commit()
    return claimed


async def _read(uow_factory: UowFactory, question_id: int) -> Question:
    async with uow_factory() as uow:
        q = await uow.questions.get(question_id)
    assert q is not None
    return q


async def test_a_write_over_a_version_another_decision_replaced_is_refused(
    uow_factory: UowFactory,
) -> None:
    """Both read #1 claimed by bob; carol's accept commits first; the extend that read before it
    is refused (`StaleWrite`: the bus decides it again) instead of putting bob back."""
    q = await _claimed(uow_factory)
    extending = await _read(uow_factory, q.pk)
    accepting = await _read(uow_factory, q.pk)
    assert extending.version == accepting.version == 1

    async with uow_factory() as uow:
        handed = replace(accepting, mentor=CAROL, claimed_at=T0 + timedelta(minutes=5))
        assert await uow.questions.update(handed, expected_state=QuestionState.CLAIMED)
        await uow.commit()
    assert handed.version == 2
    async with uow_factory() as uow:
        extending.extensions += 1
        with pytest.raises(StaleWrite):
            await uow.questions.update(extending, expected_state=QuestionState.CLAIMED)

    stored = await _read(uow_factory, q.pk)
    assert (stored.mentor, stored.extensions, stored.version) == (CAROL, 0, 2)


async def test_an_update_waiting_on_the_row_lock_sees_the_new_version(
    uow_factory: UowFactory,
) -> None:
    """Read committed: the extend's UPDATE waits for the accept's row lock and then finds a
    newer version than it read: nothing written (`StaleWrite`)."""
    q = await _claimed(uow_factory)
    extending = await _read(uow_factory, q.pk)
    extending.extensions += 1
    async with uow_factory() as first:
        accepting = await first.questions.get(q.pk)
        assert accepting is not None
        assert await first.questions.update(
            replace(accepting, mentor=CAROL), expected_state=QuestionState.CLAIMED
        )

        async def extend() -> bool:
            async with uow_factory() as uow:
                try:
                    return await uow.questions.update(
                        extending, expected_state=QuestionState.CLAIMED
                    )
                except StaleWrite:
                    return False

        waiting = asyncio.create_task(extend())
        await asyncio.sleep(0.3)  # the extend is blocked on the row (or the write lock)
        assert not waiting.done()
        await first.commit()
    assert not await asyncio.wait_for(waiting, 10)
    stored = await _read(uow_factory, q.pk)
    assert (stored.mentor, stored.extensions, stored.version) == (CAROL, 0, 2)


async def test_a_decision_may_update_what_it_updated_and_reads_the_new_version(
    uow_factory: UowFactory,
) -> None:
    q = await _claimed(uow_factory)
    async with uow_factory() as uow:
        current = await uow.questions.get(q.pk)
        assert current is not None
        asking = replace(current, handover_to=CAROL, handover_by=BOB)
        assert await uow.questions.update(asking, expected_state=QuestionState.CLAIMED)
        assert asking.version == 2
        again = await uow.questions.get(q.pk)  # what a reaction to the event reads
        assert again is not None and again.version == 2
        again.extensions += 1
        assert await uow.questions.update(again, expected_state=QuestionState.CLAIMED)
        await uow.commit()
    async with uow_factory() as uow:
        with pytest.raises(StaleWrite):  # what was read before both
            await uow.questions.update(current, expected_state=QuestionState.CLAIMED)
    stored = await _read(uow_factory, q.pk)
    assert (stored.handover_to, stored.extensions, stored.version) == (CAROL, 1, 3)


async def test_activity_needs_no_version_and_is_never_set_back(uow_factory: UowFactory) -> None:
    """A message in the thread (`touch`) refuses nobody's click; the click's write keeps the
    later activity."""
    q = await _claimed(uow_factory)
    extending = await _read(uow_factory, q.pk)
    async with uow_factory() as uow:
        await uow.questions.touch(q.pk, T0 + timedelta(minutes=20))
        await uow.commit()
    async with uow_factory() as uow:
        extending.extensions += 1
        assert await uow.questions.update(extending, expected_state=QuestionState.CLAIMED)
        assert extending.last_activity_at == T0 + timedelta(minutes=20)
        await uow.commit()
    stored = await _read(uow_factory, q.pk)
    assert (stored.extensions, stored.version) == (1, 2)
    assert stored.last_activity_at == T0 + timedelta(minutes=20)


async def test_forgetting_the_asker_refuses_a_decision_that_read_their_words(
    uow_factory: UowFactory,
) -> None:
    q = await _claimed(uow_factory)
    extending = await _read(uow_factory, q.pk)
    async with uow_factory() as uow:
        await uow.privacy.forget(q.asker, tombstone=UserRef("slack", "gone"), removed="[removed]")
        await uow.commit()
    async with uow_factory() as uow:
        extending.extensions += 1
        with pytest.raises(StaleWrite):
            await uow.questions.update(extending, expected_state=QuestionState.CLAIMED)
    stored = await _read(uow_factory, q.pk)
    assert (stored.text, stored.asker, stored.extensions) == (
        "[removed]",
        UserRef("slack", "gone"),
        0,
    )


@pytest.fixture
async def pg_engine(postgres_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(postgres_url)
    yield engine
    await engine.dispose()


@pytest.fixture
async def core(pg_engine: AsyncEngine) -> Core:
    """The core on PostgreSQL (not fakes), with one registered workspace. (On SQLite, with its
    one writer, decisions do not overlap like this.)"""
    config = Config()
    config = config.model_copy(
        update={
            "learning": config.learning.model_copy(update={"enabled": False}),
            "followup": config.followup.model_copy(update={"enabled": False}),
        }
    )
    chat = FakeChat(platform="test")
    clock = ManualClock(START)
    uowf = make_uow_factory(pg_engine)
    runtime = build_runtime(
        uow_factory=uowf,
        chat=LightningCardGateway(chat, uow_factory=uowf),
        clock=clock,
        config=config,
        services=Services(
            taxonomy=build_taxonomy(config.skills),
            similar=SimilarIndexes(),
            roster=MentorRoster(ttl_seconds=0),
        ),
        deliver_now=True,
    )
    await runtime.bus.handle(RegisterWorkspace(WORKSPACE, MENTORING, ADMIN_CHANNEL, name="test"))
    # `db` (the fakes' rows) is not used: this core's rows are in PostgreSQL.
    return Core(
        bus=runtime.bus, runtime=runtime, db=FakeDatabase(), chat=chat, clock=clock, config=config
    )


@pytest.mark.postgres
async def test_an_accepted_hand_over_is_not_undone_by_an_extend_that_read_before_it(
    core: Core, pg_engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reviewer's race: alice's Extend read #n (mentor bob) when carol's Accept committed.
    Carol is told it is hers, and the database says so; alice's extend is decided again on
    what is stored now (carol's session, extended)."""
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    n = await core.ask("alice")
    assert (await core.claim("bob", n)).startswith(f"You claimed #{n}")
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))

    accepted = asyncio.Event()
    real_update = SqlQuestionRepository.update

    async def update(self: Any, question: Question, *, expected_state: QuestionState) -> bool:
        if question.mentor == core.user("bob") and question.extensions > 0:
            await accepted.wait()  # the extend's write lands after the accept committed
        return await real_update(self, question, expected_state=expected_state)

    monkeypatch.setattr(SqlQuestionRepository, "update", update)
    extend = asyncio.create_task(core.reply(ExtendTimebox(core.actor("alice"), n)))
    await asyncio.sleep(0.3)
    said_carol = await asyncio.wait_for(core.reply(AcceptHandOver(core.actor("carol"), n)), 20)
    accepted.set()
    said_alice = await asyncio.wait_for(extend, 20)

    async with make_uow_factory(pg_engine)(read_only=True) as uow:
        q = await uow.questions.get_by_number(WORKSPACE, n)
    assert q is not None
    assert said_carol.startswith(f"#{n} is now yours"), said_carol
    assert (q.mentor, q.handover_to, q.extensions) == (core.user("carol"), None, 1)
    assert said_alice.startswith(f"Extended #{n}"), said_alice
