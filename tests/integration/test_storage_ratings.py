"""A rating changed within its window, and points given once per question: on SQLite and
PostgreSQL alike (the window is a condition of the UPDATE, not a read before it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bot.domain import Feedback, PointsEntry, Question, QuestionState
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


async def test_only_ratings_of_resolved_sessions_count_in_averages(
    uow_factory: UowFactory,
) -> None:
    """Only a resolved session is rated now; a rating stored before of an expired or cancelled
    session stays (the asker's words) but counts in no average: the mentor's own feedback, the
    ranking's ratings, the week's figures and the low-rated topics."""
    scores = {QuestionState.RESOLVED: 5, QuestionState.EXPIRED: 1, QuestionState.CANCELLED: 1}
    async with uow_factory() as uow:
        ids = {}
        for state, score in scores.items():
            q = await uow.questions.add(
                Question(
                    workspace=WS,
                    asker=ASKER,
                    text=f"How do I test ({state.value})?",
                    created_at=T0,
                    topics=("testing",),
                    state=state,
                    mentor=MENTOR,
                    claimed_at=T0,
                    resolved_at=T0 + timedelta(minutes=20),
                )
            )
            ids[state] = q.pk
            await uow.feedback.add(Feedback(q.pk, ASKER, "asker", score, T0, comment="meh"))
            await uow.feedback.add(Feedback(q.pk, MENTOR, "mentor", score, T0))
        await uow.commit()
    async with uow_factory() as uow:
        mine = await uow.feedback.for_mentor(MENTOR, workspace=WS)
        assert [(f.question_id, f.score) for f in mine] == [(ids[QuestionState.RESOLVED], 5)]
        assert await uow.feedback.mentor_ratings(WS) == {MENTOR: 5.0}
        topics = await uow.followups.topic_ratings(WS, T0, T0 + timedelta(days=7))
        assert topics == [("testing", 5.0, 1)]
        tally = await uow.digests.tally(WS, T0, T0 + timedelta(days=7), top_mentors=3)
        assert (tally.average_rating, tally.ratings, tally.average_clarity) == (5.0, 1, 5.0)
        assert tally.clarity_ratings == 1
        # The ratings themselves are kept.
        assert await uow.feedback.get(ids[QuestionState.EXPIRED], ASKER, "asker") is not None


async def test_a_mentors_ratings_and_a_persons_limits_are_per_workspace(
    uow_factory: UowFactory,
) -> None:
    """`/mentor feedback` shows one workspace's ratings and the ask and claim limits count one
    workspace's actions: someone in two workspaces is two people to each (badges, earned once per
    person, ask for every workspace's ratings with None)."""
    other = WorkspaceRef("slack", "T2")
    async with uow_factory() as uow:
        ids = {}
        for ws, score in ((WS, 2), (other, 5)):
            q = await uow.questions.add(
                Question(
                    workspace=ws,
                    asker=ASKER,
                    text="How do I test?",
                    created_at=T0,
                    state=QuestionState.RESOLVED,
                    mentor=MENTOR,
                    claimed_at=T0,
                    resolved_at=T0 + timedelta(minutes=20),
                )
            )
            ids[ws] = q.pk
            await uow.feedback.add(Feedback(q.pk, ASKER, "asker", score, T0, comment="hm"))
        for _ in range(3):
            await uow.rate_events.record(WS, ASKER, "ask", T0)
        await uow.rate_events.record(other, ASKER, "ask", T0)
        await uow.rate_events.record(other, ASKER, "claim", T0)
        await uow.commit()
    async with uow_factory() as uow:
        here = await uow.feedback.for_mentor(MENTOR, workspace=WS)
        there = await uow.feedback.for_mentor(MENTOR, workspace=other)
        everywhere = await uow.feedback.for_mentor(MENTOR, workspace=None)
        assert [(f.question_id, f.score) for f in here] == [(ids[WS], 2)]
        assert [(f.question_id, f.score) for f in there] == [(ids[other], 5)]
        assert sorted(f.question_id for f in everywhere) == sorted(ids.values())
        assert await uow.rate_events.count_since(WS, ASKER, "ask", T0) == 3
        assert await uow.rate_events.count_since(other, ASKER, "ask", T0) == 1
        assert await uow.rate_events.count_since(WS, ASKER, "claim", T0) == 0
        assert await uow.rate_events.count_since(other, ASKER, "claim", T0) == 1
        assert await uow.rate_events.count_since(other, ASKER, "ask", T0 + timedelta(1)) == 0
