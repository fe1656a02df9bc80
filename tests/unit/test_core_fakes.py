"""The in-memory fakes behave like storage: every port method, transactions, race-safe updates."""

from __future__ import annotations

import asyncio
import inspect
from datetime import timedelta

import pytest

from bot import ports
from bot.domain import (
    Feedback,
    Nudge,
    NudgeKind,
    NudgeState,
    Question,
    QuestionState,
    Transition,
)
from bot.flow.inbox_item import InboxItem
from bot.messages import ChatMessage, text
from tests.unit.core_harness import START, WORKSPACE, Core
from tests.unit.fake_chat import ChatFailure, FakeChat
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork

ALICE, BOB = Core.user("alice"), Core.user("bob")
REPOSITORIES = {
    name: hint
    for name, hint in inspect.get_annotations(ports.UnitOfWork, eval_str=True).items()
    if name != "return"
}


def protocol_methods(protocol: type) -> list[str]:
    """Every async method of a port, its base protocols' included (the queue operations)."""
    found: dict[str, None] = {}
    for cls in protocol.__mro__:
        if cls.__module__ == "bot.ports":
            found |= {n: None for n, v in vars(cls).items() if inspect.iscoroutinefunction(v)}
    return list(found)


@pytest.mark.parametrize("attribute", list(REPOSITORIES))
async def test_fake_unit_of_work_has_every_repository_method_of_the_ports(attribute: str) -> None:
    async with FakeUnitOfWork(FakeDatabase()) as uow:
        repository = getattr(uow, attribute)
        for method in protocol_methods(REPOSITORIES[attribute]):
            assert inspect.iscoroutinefunction(getattr(repository, method, None)), method


def test_fake_chat_has_every_gateway_method() -> None:
    for method in protocol_methods(ports.ChatGateway):
        assert inspect.iscoroutinefunction(getattr(FakeChat, method, None)), method


def question() -> Question:
    return Question(workspace=WORKSPACE, asker=ALICE, text="q", created_at=START)


async def stored_question(db: FakeDatabase) -> int:
    async with FakeUnitOfWork(db) as uow:
        q = await uow.questions.add(question())
        await uow.commit()
    return q.number


async def test_nothing_is_kept_without_a_commit() -> None:
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        await uow.questions.add(question())
        assert len(await uow.questions.with_state(WORKSPACE, [QuestionState.OPEN])) == 1
    assert db.tables["questions"] == {}


async def test_uncommitted_writes_are_invisible_to_other_transactions() -> None:
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as writer, FakeUnitOfWork(db) as reader:
        await writer.questions.add(question())
        assert await reader.questions.with_state(WORKSPACE, [QuestionState.OPEN]) == []


async def test_returned_rows_are_copies() -> None:
    db = FakeDatabase()
    n = await stored_question(db)
    async with FakeUnitOfWork(db) as uow:
        q = await uow.questions.get(n)
        assert q is not None
        q.state = QuestionState.CLAIMED
    assert db.question(n).state is QuestionState.OPEN


async def test_conditional_update_fails_when_the_state_moved_on() -> None:
    db = FakeDatabase()
    n = await stored_question(db)
    async with FakeUnitOfWork(db) as uow:
        q = await uow.questions.get(n)
        assert q is not None
        assert await uow.questions.update(q, expected_state=QuestionState.CLAIMED) is False


async def test_of_concurrent_conditional_updates_exactly_one_wins() -> None:
    db = FakeDatabase()
    n = await stored_question(db)

    async def claim() -> bool:
        async with FakeUnitOfWork(db) as uow:
            q = await uow.questions.get(n)
            assert q is not None
            await asyncio.sleep(0)  # everyone has read OPEN before anyone writes
            won = await uow.questions.update(
                q.moved(Transition.CLAIM, mentor=BOB), expected_state=QuestionState.OPEN
            )
            await asyncio.sleep(0)
            await uow.commit()
            return won

    results = await asyncio.gather(*(claim() for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_feedback_is_unique_per_question_rater_and_role() -> None:
    db = FakeDatabase()

    def rating(role: str, score: int) -> Feedback:
        return Feedback(question_id=1, rater=ALICE, role=role, score=score, created_at=START)

    async with FakeUnitOfWork(db) as uow:
        assert await uow.feedback.add(rating("asker", 5)) is True
        assert await uow.feedback.add(rating("mentor", 3)) is True
        await uow.commit()
    async with FakeUnitOfWork(db) as uow:
        assert await uow.feedback.add(rating("asker", 1)) is False
        found = await uow.feedback.get(1, ALICE, "asker")
        assert found is not None and found.score == 5


async def test_lease_gives_each_due_nudge_to_one_sweeper_once() -> None:
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        for minutes in (5, 10, 60):
            await uow.nudges.add(
                Nudge(NudgeKind.ESCALATE, WORKSPACE, START + timedelta(minutes=minutes), 1)
            )
        await uow.commit()
    now = START + timedelta(minutes=30)
    async with FakeUnitOfWork(db) as first, FakeUnitOfWork(db) as second:
        got_first = await first.nudges.lease(now, lease=timedelta(seconds=60), limit=10)
        got_second = await second.nudges.lease(now, lease=timedelta(seconds=60), limit=10)
    assert [n.due_at for n in got_first] == [START + timedelta(minutes=m) for m in (5, 10)]
    assert got_second == []
    assert [n.attempts for n in got_first] == [1, 1]


async def test_lease_respects_a_committed_lease_until_it_runs_out() -> None:
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        await uow.nudges.add(Nudge(NudgeKind.WRAP_UP, WORKSPACE, START, 1))
        await uow.commit()
    lease = timedelta(seconds=60)
    async with FakeUnitOfWork(db) as uow:
        assert len(await uow.nudges.lease(START, lease=lease, limit=10)) == 1
        await uow.commit()
    async with FakeUnitOfWork(db) as uow:
        assert await uow.nudges.lease(START + timedelta(seconds=30), lease=lease, limit=10) == []
        [again] = await uow.nudges.lease(START + timedelta(seconds=61), lease=lease, limit=10)
        assert again.attempts == 2


async def test_cancel_touches_only_pending_nudges_of_the_given_kinds() -> None:
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        for kind in (NudgeKind.WRAP_UP, NudgeKind.STALE, NudgeKind.FEEDBACK):
            await uow.nudges.add(Nudge(kind, WORKSPACE, START, 7))
        await uow.nudges.add(Nudge(NudgeKind.WRAP_UP, WORKSPACE, START, 8))
        assert await uow.nudges.cancel(7, [NudgeKind.WRAP_UP, NudgeKind.STALE]) == 2
        assert await uow.nudges.cancel(7, [NudgeKind.WRAP_UP]) == 0
        assert [n.kind for n in await uow.nudges.pending_for(7)] == [NudgeKind.FEEDBACK]
        assert await uow.nudges.cancel(7) == 1
        await uow.commit()
    assert sorted(n.state for n in db.rows("nudges")) == sorted(
        [NudgeState.CANCELLED] * 3 + [NudgeState.PENDING]
    )


def _input(key: str) -> InboxItem:
    return InboxItem(
        key=key, kind="command", lane="u:x", payload={}, received_at=START, due_at=START
    )


async def test_inputs_and_digests_happen_once() -> None:
    db = FakeDatabase()
    async with FakeUnitOfWork(db) as uow:
        assert await uow.inbox.add(_input("Ev1")) is True
        assert await uow.digests.start(WORKSPACE, "2026-W48", START) is True
        await uow.commit()
    async with FakeUnitOfWork(db) as uow:
        assert await uow.inbox.add(_input("Ev1")) is False
        assert await uow.digests.start(WORKSPACE, "2026-W48", START) is False
        assert await uow.digests.start(WORKSPACE, "2026-W49", START) is True


async def test_fake_chat_records_failed_calls_and_raises() -> None:
    chat = FakeChat(fail_on=["send_dm"])
    with pytest.raises(ChatFailure):
        await chat.send_dm(ALICE, ChatMessage(body=text("hi")))
    assert [c.method for c in chat.calls] == ["send_dm"]
    assert chat.dms(ALICE) == []
