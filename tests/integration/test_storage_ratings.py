"""A rating changed within its window, and points given once per question: on SQLite and
PostgreSQL alike (the window is a condition of the UPDATE, not a read before it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain import Feedback, PointsEntry, Question
from bot.refs import UserRef, WorkspaceRef
from storage.uow import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")
ASKER = UserRef("slack", "U-ASK")
MENTOR = UserRef("slack", "U-MEN")


async def test_a_rating_changes_only_within_its_window(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        q = await uow.questions.add(
            Question(workspace=WS, asker=ASKER, text="How do I test?", created_at=T0)
        )
        await uow.feedback.add(Feedback(q.pk, ASKER, "asker", 1, T0))
        await uow.commit()
    async with uow_factory() as uow:
        late = T0 - timedelta(seconds=1)  # the window started before the rating: still in it
        assert await uow.feedback.change_score(q.pk, ASKER, "asker", 5, given_since=late)
        too_late = T0 + timedelta(seconds=1)  # the window started after the rating: too old
        assert not await uow.feedback.change_score(q.pk, ASKER, "asker", 2, given_since=too_late)
        assert not await uow.feedback.change_score(q.pk, MENTOR, "mentor", 2, given_since=late)
        await uow.commit()
    async with uow_factory() as uow:
        rating = await uow.feedback.get(q.pk, ASKER, "asker")
    assert rating is not None and rating.score == 5


async def test_points_given_for_a_reason_on_a_question_are_found(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        q = await uow.questions.add(
            Question(workspace=WS, asker=ASKER, text="How do I test?", created_at=T0)
        )
        await uow.points.add(PointsEntry(WS, MENTOR, 2, "good rating", T0, question_id=q.pk))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.points.given_for(MENTOR, q.pk, "good rating")
        assert not await uow.points.given_for(MENTOR, q.pk, "resolve")
        assert not await uow.points.given_for(ASKER, q.pk, "good rating")
