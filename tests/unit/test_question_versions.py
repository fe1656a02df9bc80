"""The fakes keep questions' versions as SQL does (migration 0019): a decision that read a
question before another one changed it is refused (`StaleWrite`), not written over the change,
and the bus decides it again on what is stored now."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from bot.commands import AcceptHandOver, ExtendTimebox, HandOverQuestion
from bot.domain import Question, QuestionState
from bot.ports import StaleWrite
from tests.unit.core_harness import WORKSPACE, start_core
from tests.unit.fakes import FakeQuestionRepository


async def test_an_accepted_hand_over_is_not_undone_by_an_extend_that_read_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    core = await start_core()
    await core.join("carol", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))

    accepted = asyncio.Event()
    real_update = FakeQuestionRepository.update

    async def update(
        self: FakeQuestionRepository, question: Question, *, expected_state: QuestionState
    ) -> bool:
        if question.mentor == core.user("bob") and question.extensions > 0:
            await accepted.wait()  # the extend's write lands after the accept committed
        return await real_update(self, question, expected_state=expected_state)

    monkeypatch.setattr(FakeQuestionRepository, "update", update)
    extend = asyncio.create_task(core.reply(ExtendTimebox(core.actor("alice"), n)))
    await asyncio.sleep(0.05)
    said_carol = await asyncio.wait_for(core.reply(AcceptHandOver(core.actor("carol"), n)), 5)
    accepted.set()
    said_alice = await asyncio.wait_for(extend, 5)

    q = next(q for q in core.db.tables["questions"].values() if q.number == n)
    assert said_carol.startswith(f"#{n} is now yours"), said_carol
    assert (q.mentor, q.handover_to, q.extensions) == (core.user("carol"), None, 1)
    assert said_alice.startswith(f"Extended #{n}"), said_alice


async def test_versions_start_at_0_and_each_update_bumps_the_one_it_was_given() -> None:
    core = await start_core()
    n = await core.claimed(asker="alice", mentor="bob")  # asked (0), claimed (1)
    async with core.db.uow_factory()() as uow:
        q = await uow.questions.get_by_number(WORKSPACE, n)
        assert q is not None and q.version == 1
        extended = replace(q, extensions=1)
        assert await uow.questions.update(extended, expected_state=QuestionState.CLAIMED)
        assert extended.version == 2
        with pytest.raises(StaleWrite):
            await uow.questions.update(q, expected_state=QuestionState.CLAIMED)
        assert await uow.questions.update(extended, expected_state=QuestionState.CLAIMED)
        await uow.commit()
    assert core.db.question(q.pk).version == 3
