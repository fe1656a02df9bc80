"""Every repository round-trips domain objects through SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.digest.figures import uncovered_hours
from bot.domain import (
    Feedback,
    MentorProfile,
    Nudge,
    NudgeKind,
    NudgeState,
    Person,
    PointsEntry,
    Question,
    QuestionState,
    Transition,
    Workspace,
)
from bot.flow.inbox_item import InboxItem
from bot.hours import WeeklyHours
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef
from storage.repositories import people as people_repository
from storage.uow import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")
ASKER = UserRef("slack", "U-ASK")
MENTOR = UserRef("slack", "U-MEN")
OTHER = UserRef("slack", "U-OTH")
OTHER_WS = WorkspaceRef("slack", "T2")


def _question(
    *, at: datetime = T0, asker: UserRef = ASKER, text: str = "How do I test?"
) -> Question:
    return Question(workspace=WS, asker=asker, text=text, created_at=at, topics=("python",))


async def _stored(uow_factory: UowFactory, question: Question) -> Question:
    async with uow_factory() as uow:
        stored = await uow.questions.add(question)
        await uow.commit()
    return stored


async def test_question_round_trips_every_field(uow_factory: UowFactory) -> None:
    question = Question(
        workspace=WS,
        asker=ASKER,
        text="Why is my async test hanging?",
        created_at=T0,
        anonymous=True,
        topics=("python", "asyncio"),
        suggested=(MENTOR, OTHER),
        card=MessageRef("slack", "C1/1700000000.000100"),
        thread=ThreadRef("slack", "C1/1700000000.000100"),
        timebox_ends_at=T0 + timedelta(minutes=30),
        extensions=1,
    )
    stored = await _stored(uow_factory, question)
    assert stored.id is not None
    async with uow_factory() as uow:
        loaded = await uow.questions.get(stored.id)
        by_card = await uow.questions.get_by_card(MessageRef("slack", "C1/1700000000.000100"))
        by_thread = await uow.questions.get_by_thread(ThreadRef("slack", "C1/1700000000.000100"))
    assert loaded == stored
    assert by_card == stored
    assert by_thread == stored


async def test_datetimes_come_back_aware_utc_whatever_zone_went_in(uow_factory: UowFactory) -> None:
    paris = timezone(timedelta(hours=1))
    stored = await _stored(uow_factory, _question(at=datetime(2025, 3, 3, 10, 0, tzinfo=paris)))
    assert stored.id is not None
    async with uow_factory() as uow:
        loaded = await uow.questions.get(stored.id)
    assert loaded is not None
    assert loaded.created_at == T0
    assert loaded.created_at.utcoffset() == timedelta(0)


async def test_update_writes_when_the_expected_state_holds(uow_factory: UowFactory) -> None:
    stored = await _stored(uow_factory, _question())
    claimed = stored.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0, claims=1)
    async with uow_factory() as uow:
        assert await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.questions.get(stored.number) == claimed


async def test_update_refuses_when_the_state_moved_on(uow_factory: UowFactory) -> None:
    stored = await _stored(uow_factory, _question())
    cancelled = stored.moved(Transition.CANCEL, closed_at=T0)
    async with uow_factory() as uow:
        assert not await uow.questions.update(cancelled, expected_state=QuestionState.CLAIMED)
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.questions.get(stored.number)
    assert loaded is not None and loaded.state is QuestionState.OPEN


async def test_question_queries_filter_and_order(uow_factory: UowFactory) -> None:
    first = await _stored(uow_factory, _question(at=T0, text="first"))
    second = await _stored(uow_factory, _question(at=T0 + timedelta(hours=1), text="second"))
    third = await _stored(uow_factory, _question(at=T0 + timedelta(hours=2), asker=OTHER))
    resolved = second.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0).moved(
        Transition.RESOLVE, resolved_at=T0 + timedelta(hours=3)
    )
    claimed = third.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0 + timedelta(hours=2))
    async with uow_factory() as uow:
        assert await uow.questions.update(resolved, expected_state=QuestionState.OPEN)
        assert await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
        await uow.questions.touch(first.number, T0 + timedelta(minutes=5))
        await uow.commit()
    async with uow_factory() as uow:
        assert [q.id for q in await uow.questions.open_for(ASKER)] == [first.id]
        assert [q.id for q in await uow.questions.open_for(MENTOR)] == [third.id]
        open_ones = await uow.questions.with_state(WS, [QuestionState.OPEN, QuestionState.CLAIMED])
        assert [q.id for q in open_ones] == [first.id, third.id]
        window = await uow.questions.created_between(WS, T0, T0 + timedelta(hours=2))
        assert [q.id for q in window] == [first.id, second.id]
        assert [q.id for q in await uow.questions.created_between(WS, None, None)] == [
            first.id,
            second.id,
            third.id,
        ]
        assert [q.id for q in await uow.questions.resolved(WS, limit=5)] == [second.id]
        touched = await uow.questions.get(first.number)
        assert touched is not None
        assert touched.last_activity_at == T0 + timedelta(minutes=5)
        load = await uow.questions.mentor_load(WS, since=T0 + timedelta(hours=1))
    assert load == {MENTOR: (1, 1)}


async def test_a_workspace_counter_behind_its_questions_goes_on_from_their_highest_number(
    uow_factory: UowFactory,
) -> None:
    """Questions stored before their workspace's row (imported data, a row made again): the
    counter starts at 0, yet the next questions take the next free numbers, not one the unique
    (workspace, number) index refuses."""
    first = [await _stored(uow_factory, _question()) for _ in range(2)]
    async with uow_factory() as uow:
        await uow.workspaces.save(
            Workspace(WS, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
        )
        await uow.commit()
    later = [await _stored(uow_factory, _question()) for _ in range(2)]
    assert [q.local_number for q in first + later] == [1, 2, 3, 4]


async def test_person_upsert_inserts_then_updates(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.people.upsert(Person(ref=ASKER, name="Ada"))
        await uow.people.upsert(Person(ref=ASKER, name="Ada L.", timezone="Europe/London"))
        await uow.people.upsert(Person(ref=MENTOR, name="Grace"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.get(ASKER) == Person(
            ref=ASKER, name="Ada L.", timezone="Europe/London"
        )
        many = await uow.people.get_many([ASKER, MENTOR, OTHER])
        assert await uow.people.get(OTHER) is None
    assert set(many) == {ASKER, MENTOR}


async def test_mentor_profile_round_trips_and_lists_active_ones(uow_factory: UowFactory) -> None:
    profile = MentorProfile(
        ref=MENTOR,
        workspace=WS,
        skills=("python", "sql"),
        timezone="Europe/Berlin",
        hours=WeeklyHours.parse("Mon 10:00-12:00, Wed 14:00-18:00"),
        capacity_per_week=5,
        paused_until=T0 + timedelta(days=3),
        joined_at=T0,
    )
    retired = MentorProfile(ref=OTHER, workspace=WS, skills=("go",), active=False)
    async with uow_factory() as uow:
        await uow.mentors.save(MentorProfile(ref=MENTOR, workspace=WS, skills=()))
        await uow.mentors.save(profile)
        await uow.mentors.save(retired)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.mentors.get(MENTOR, WS) == profile
        assert await uow.mentors.get(OTHER, WS) == retired
        assert await uow.mentors.in_workspace(WS) == [profile]


async def test_a_roster_longer_than_a_page_is_read_whole_in_order(
    uow_factory: UowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Big rosters are read a page at a time (acks run between pages): every active mentor
    comes back once, in order, whatever the page size."""
    monkeypatch.setattr(people_repository, "_PAGE", 2)
    refs = [UserRef("slack", f"U{i:02d}") for i in range(7)]
    async with uow_factory() as uow:
        for i, ref in enumerate(reversed(refs)):
            await uow.mentors.save(
                MentorProfile(ref=ref, workspace=WS, skills=("go",), active=i != 3)
            )
        await uow.mentors.save(MentorProfile(ref=refs[0], workspace=OTHER_WS, skills=("sql",)))
        await uow.commit()
    async with uow_factory() as uow:
        listed = await uow.mentors.in_workspace(WS)
    assert [p.ref for p in listed] == [r for r in refs if r != refs[3]]
    assert {p.workspace for p in listed} == {WS}


async def test_recent_claim_waits_are_the_latest_claims_in_minutes(
    uow_factory: UowFactory,
) -> None:
    waits_in = [5, 30, 12]
    for i, wait in enumerate(waits_in):
        q = await _stored(uow_factory, _question(at=T0 + timedelta(hours=i)))
        claimed = q.moved(
            Transition.CLAIM, mentor=MENTOR, claimed_at=q.created_at + timedelta(minutes=wait)
        )
        async with uow_factory() as uow:
            assert await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
            await uow.commit()
    await _stored(uow_factory, _question(at=T0 + timedelta(hours=5)))  # never claimed
    async with uow_factory() as uow:
        latest_two = await uow.questions.recent_claim_waits(WS, since=T0, limit=2)
        since_later = await uow.questions.recent_claim_waits(
            WS, since=T0 + timedelta(hours=1), limit=10
        )
    assert latest_two == [12.0, 30.0]
    assert since_later == [12.0, 30.0]


async def test_workspace_save_is_an_upsert(uow_factory: UowFactory) -> None:
    first = Workspace(
        ref=WS, mentoring_channel=ChannelRef("slack", "C1"), admin_channel=ChannelRef("slack", "C2")
    )
    renamed = Workspace(
        ref=WS,
        mentoring_channel=ChannelRef("slack", "C1"),
        admin_channel=ChannelRef("slack", "C3"),
        timezone="Asia/Tokyo",
        name="Acme",
        escalation_channel=ChannelRef("slack", "C4"),
    )
    async with uow_factory() as uow:
        await uow.workspaces.save(first)
        await uow.workspaces.save(renamed)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workspaces.get(WS) == renamed
        assert await uow.workspaces.all() == [renamed]


CHANNEL = ChannelRef("slack", "C1")


async def test_an_older_mark_after_a_newer_clear_is_left_out(uow_factory: UowFactory) -> None:
    """A retried ``channel_archive`` (of 9:00) stored after the ``channel_unarchive`` (of 9:05)
    leaves the channel usable; a later archive still marks it."""
    async with uow_factory() as uow:
        assert await uow.workspaces.mark_unusable(WS, CHANNEL, "archived", T0)
        assert await uow.workspaces.mark_usable(WS, CHANNEL, T0 + timedelta(minutes=5))
        assert not await uow.workspaces.mark_unusable(WS, CHANNEL, "archived", T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workspaces.unusable_channels(WS) == {}
        assert await uow.workspaces.mark_unusable(WS, CHANNEL, "deleted", T0 + timedelta(hours=1))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workspaces.unusable_channels(WS) == {CHANNEL: "deleted"}


async def test_an_older_clear_after_a_newer_mark_is_left_out(uow_factory: UowFactory) -> None:
    """A post begun at 9:00 that Slack took, told after the archive of 9:05 was stored, leaves
    the channel archived; at the same time as a mark, usable wins."""
    archived_at = T0 + timedelta(minutes=5)
    async with uow_factory() as uow:
        assert await uow.workspaces.mark_unusable(WS, CHANNEL, "archived", archived_at)
        assert not await uow.workspaces.mark_usable(WS, CHANNEL, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workspaces.unusable_channels(WS) == {CHANNEL: "archived"}
        assert await uow.workspaces.unusable_channels(OTHER_WS) == {}
        assert await uow.workspaces.mark_usable(WS, CHANNEL, archived_at)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.workspaces.unusable_channels(WS) == {}


async def test_feedback_is_stored_once_per_question_rater_and_role(uow_factory: UowFactory) -> None:
    question = await _stored(uow_factory, _question())
    claimed = question.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0)
    rating = Feedback(
        question_id=question.number, rater=ASKER, role="asker", score=5, created_at=T0
    )
    async with uow_factory() as uow:
        assert await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
        # Only a resolved session is rated (and only its ratings count for the mentor).
        resolved = claimed.moved(Transition.RESOLVE, resolved_at=T0, resolved_by=ASKER)
        assert await uow.questions.update(resolved, expected_state=QuestionState.CLAIMED)
        assert await uow.feedback.add(rating)
        assert not await uow.feedback.add(rating)
        assert await uow.feedback.add(
            Feedback(
                question_id=question.number, rater=MENTOR, role="mentor", score=4, created_at=T0
            )
        )
        assert await uow.feedback.set_comment(question.number, ASKER, "asker", "thanks!")
        assert not await uow.feedback.set_comment(question.number, OTHER, "asker", "nope")
        await uow.commit()
    async with uow_factory() as uow:
        loaded = await uow.feedback.get(question.number, ASKER, "asker")
        both = await uow.feedback.for_questions([question.number])
        for_mentor = await uow.feedback.for_mentor(MENTOR, workspace=WS)
        assert await uow.feedback.for_questions([]) == []
    assert loaded is not None and loaded.comment == "thanks!"
    assert {(f.rater, f.role) for f in both} == {(ASKER, "asker"), (MENTOR, "mentor")}
    assert [(f.rater, f.score) for f in for_mentor] == [(ASKER, 5)]


async def test_points_total_and_leaderboard_rank_highest_first(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for user, points, at in [
            (MENTOR, 3, T0),
            (MENTOR, 2, T0 + timedelta(days=2)),
            (OTHER, 4, T0 + timedelta(days=2)),
            (ASKER, 1, T0 - timedelta(days=30)),
        ]:
            await uow.points.add(
                PointsEntry(workspace=WS, user=user, points=points, reason="r", at=at)
            )
        await uow.points.add(
            PointsEntry(
                workspace=WorkspaceRef("slack", "T2"), user=OTHER, points=50, reason="r", at=T0
            )
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.points.total_since(MENTOR, T0 + timedelta(days=1), WS) == 2
        assert await uow.points.total_since(ASKER, T0, WS) == 0
        assert await uow.points.total_since(OTHER, T0, WS) == 4  # not T2's 50
        assert await uow.points.leaderboard(WS, since=None, limit=10) == [
            (MENTOR, 5),
            (OTHER, 4),
            (ASKER, 1),
        ]
        assert await uow.points.leaderboard(WS, since=T0 + timedelta(days=1), limit=1) == [
            (OTHER, 4)
        ]


async def test_nudges_of_a_workspace_the_app_was_removed_from_are_not_leased_until_it_is_back(
    uow_factory: UowFactory,
) -> None:
    """Not leased (nor looked at every hour) while removed; due as they were once it is back."""
    other = WorkspaceRef("slack", "T2")
    async with uow_factory() as uow:
        for ws in (WS, other):
            await uow.workspaces.save(
                Workspace(ws, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
            )
        here = await uow.nudges.add(
            Nudge(kind=NudgeKind.PAUSE_END, workspace=WS, due_at=T0, target=MENTOR)
        )
        there = await uow.nudges.add(
            Nudge(kind=NudgeKind.PAUSE_END, workspace=other, due_at=T0, target=MENTOR)
        )
        assert await uow.workspaces.mark_removed(other, T0)
        await uow.commit()
    async with uow_factory() as uow:
        leased = await uow.nudges.lease(T0, lease=timedelta(minutes=5), limit=10)
        await uow.commit()
    assert [n.id for n in leased] == [here.id]
    async with uow_factory() as uow:
        assert await uow.workspaces.restore(other)
        await uow.commit()
    async with uow_factory() as uow:
        back = await uow.nudges.lease(
            T0 + timedelta(minutes=1), lease=timedelta(minutes=5), limit=10
        )
        await uow.commit()
    assert [n.id for n in back] == [there.id]


async def test_nudge_lifecycle_from_pending_to_sent_retry_failed_and_cancelled(
    uow_factory: UowFactory,
) -> None:
    question = await _stored(uow_factory, _question())
    qid = question.number
    async with uow_factory() as uow:
        escalate = await uow.nudges.add(
            Nudge(kind=NudgeKind.ESCALATE, workspace=WS, due_at=T0, question_id=qid, step=1)
        )
        wrap = await uow.nudges.add(
            Nudge(kind=NudgeKind.WRAP_UP, workspace=WS, due_at=T0, question_id=qid, target=MENTOR)
        )
        pause = await uow.nudges.add(
            Nudge(
                kind=NudgeKind.PAUSE_END, workspace=WS, due_at=T0 + timedelta(days=1), target=MENTOR
            )
        )
        await uow.commit()
    assert escalate.id is not None and wrap.id is not None and pause.id is not None
    async with uow_factory() as uow:
        assert [n.id for n in await uow.nudges.pending_for(qid)] == [escalate.id, wrap.id]
        assert await uow.nudges.pending_of_kind(NudgeKind.PAUSE_END, MENTOR) == [pause]
        leased = await uow.nudges.lease(T0, lease=timedelta(minutes=5), limit=10)
        assert [(n.id, n.attempts, n.lease_until) for n in leased] == [
            (escalate.id, 1, T0 + timedelta(minutes=5)),
            (wrap.id, 1, T0 + timedelta(minutes=5)),
        ]
        await uow.nudges.mark_sent(escalate.id, T0 + timedelta(seconds=1))
        await uow.nudges.retry(wrap.id, due_at=T0 + timedelta(minutes=1), error="rate limited")
        await uow.commit()
    async with uow_factory() as uow:
        assert (
            await uow.nudges.lease(T0 + timedelta(seconds=30), lease=timedelta(minutes=5), limit=10)
            == []
        )
        again = await uow.nudges.lease(
            T0 + timedelta(minutes=1), lease=timedelta(minutes=5), limit=10
        )
        assert [(n.id, n.attempts, n.last_error) for n in again] == [(wrap.id, 2, "rate limited")]
        await uow.nudges.fail(wrap.id, error="gone")
        assert await uow.nudges.pending_for(qid) == []
        assert await uow.nudges.cancel(qid) == 0
        assert await uow.nudges.pending_of_kind(NudgeKind.PAUSE_END, MENTOR) == [pause]
        await uow.commit()


async def test_cancel_only_touches_pending_nudges_of_the_given_kinds(
    uow_factory: UowFactory,
) -> None:
    question = await _stored(uow_factory, _question())
    qid = question.number
    async with uow_factory() as uow:
        for kind in (NudgeKind.ESCALATE, NudgeKind.WRAP_UP, NudgeKind.EXPIRE):
            await uow.nudges.add(Nudge(kind=kind, workspace=WS, due_at=T0, question_id=qid))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.nudges.cancel(qid, [NudgeKind.ESCALATE]) == 1
        assert [n.kind for n in await uow.nudges.pending_for(qid)] == [
            NudgeKind.WRAP_UP,
            NudgeKind.EXPIRE,
        ]
        assert await uow.nudges.cancel(qid) == 2
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.nudges.pending_for(qid) == []


async def test_cancel_ids_cancels_exactly_those_still_pending(uow_factory: UowFactory) -> None:
    """Two raters' held alerts on one question, of one kind: cancelling one by its id leaves
    the other (and every other nudge) pending; one already sent stays sent."""
    question = await _stored(uow_factory, _question())
    qid = question.number

    def low(target: UserRef, step: int) -> Nudge:
        return Nudge(
            kind=NudgeKind.LOW_RATING,
            workspace=WS,
            due_at=T0,
            question_id=qid,
            target=target,
            step=step,
        )

    async with uow_factory() as uow:
        asker = await uow.nudges.add(low(ASKER, 0))
        mentor = await uow.nudges.add(low(MENTOR, 1))
        lesson = await uow.nudges.add(
            Nudge(kind=NudgeKind.LESSON, workspace=WS, due_at=T0, target=ASKER)
        )
        sent = await uow.nudges.add(
            Nudge(kind=NudgeKind.STREAK, workspace=WS, due_at=T0, target=ASKER)
        )
        await uow.commit()
    assert asker.id is not None and lesson.id is not None and sent.id is not None
    async with uow_factory() as uow:
        await uow.nudges.mark_sent(sent.id, T0)
        assert await uow.nudges.cancel_ids([]) == 0
        assert await uow.nudges.cancel_ids([asker.id, sent.id]) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert [n.id for n in await uow.nudges.pending_for(qid)] == [mentor.id]
        assert await uow.nudges.pending_of_kind(NudgeKind.LESSON, ASKER) == [lesson]
        # The asker's is cancelled already: only the lesson counts.
        assert await uow.nudges.cancel_ids([asker.id, lesson.id]) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.nudges.pending_of_kind(NudgeKind.LESSON, ASKER) == []
        assert [n.id for n in await uow.nudges.pending_for(qid)] == [mentor.id]
        assert await uow.nudges.pending_of_kind(NudgeKind.STREAK, ASKER) == []


async def test_an_expired_lease_is_claimed_again(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        nudge = await uow.nudges.add(Nudge(kind=NudgeKind.STALE, workspace=WS, due_at=T0))
        await uow.commit()
    async with uow_factory() as uow:
        assert len(await uow.nudges.lease(T0, lease=timedelta(minutes=5), limit=10)) == 1
        await uow.commit()
    async with uow_factory() as uow:
        assert (
            await uow.nudges.lease(T0 + timedelta(minutes=4), lease=timedelta(minutes=5), limit=10)
            == []
        )
        later = await uow.nudges.lease(
            T0 + timedelta(minutes=6), lease=timedelta(minutes=5), limit=10
        )
    assert [(n.id, n.attempts, n.state) for n in later] == [(nudge.id, 2, NudgeState.PENDING)]


async def test_not_my_area_collects_topics_per_mentor_in_the_workspace(
    uow_factory: UowFactory,
) -> None:
    first = await _stored(uow_factory, _question())
    second = await _stored(uow_factory, _question(at=T0 + timedelta(hours=1)))
    async with uow_factory() as uow:
        await uow.not_my_area.add(mentor=MENTOR, question_id=first.number, topics=["python"], at=T0)
        await uow.not_my_area.add(
            mentor=MENTOR,
            question_id=second.number,
            topics=["sql", "python"],
            at=T0 + timedelta(hours=1),
        )
        await uow.not_my_area.add(
            mentor=OTHER, question_id=first.number, topics=["go"], at=T0 - timedelta(days=1)
        )
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.not_my_area.since(WS, T0) == {MENTOR: ["python", "sql", "python"]}
        assert await uow.not_my_area.since(WorkspaceRef("slack", "T2"), T0) == {}
        assert await uow.not_my_area.said_for(MENTOR, first.number)
        assert not await uow.not_my_area.said_for(OTHER, second.number)


def _input(key: str, *, lane: str = "u:slack:U1", at: datetime = T0) -> InboxItem:
    return InboxItem(
        key=key, kind="slack", lane=lane, payload={"text": "hi"}, received_at=at, due_at=at
    )


async def test_an_input_is_stored_once_per_key(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.inbox.add(_input("slack:Ev123"))
        assert not await uow.inbox.add(_input("slack:Ev123"))
        await uow.commit()
    async with uow_factory() as uow:
        assert not await uow.inbox.add(_input("slack:Ev123", at=T0 + timedelta(seconds=3)))
        assert await uow.inbox.add(_input("slack:Ev124"))


async def test_digest_run_starts_once_per_workspace_and_period(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.digests.start(WS, "2025-W10", T0)
        assert not await uow.digests.start(WS, "2025-W10", T0 + timedelta(minutes=1))
        assert await uow.digests.start(WS, "2025-W11", T0)
        assert await uow.digests.start(WorkspaceRef("slack", "T2"), "2025-W10", T0)
        await uow.commit()


async def test_leaving_without_commit_writes_nothing(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        question = await uow.questions.add(_question())
        await uow.people.upsert(Person(ref=ASKER, name="Ada"))
        await uow.inbox.add(_input("slack:Ev1"))
    async with uow_factory() as uow:
        assert await uow.questions.get(question.number) is None
        assert await uow.people.get(ASKER) is None
        assert await uow.inbox.add(_input("slack:Ev1"))


async def test_an_exception_inside_the_unit_of_work_rolls_back(uow_factory: UowFactory) -> None:
    try:
        async with uow_factory() as uow:
            await uow.people.upsert(Person(ref=ASKER, name="Ada"))
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    async with uow_factory() as uow:
        assert await uow.people.get(ASKER) is None


async def test_resolved_texts_list_only_resolved_questions_of_the_workspace(
    uow_factory: UowFactory,
) -> None:
    done = await _stored(uow_factory, _question(text="How do I rebase?"))
    await _stored(uow_factory, _question(text="still open"))
    resolved = done.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0).moved(
        Transition.RESOLVE, resolved_at=T0
    )
    async with uow_factory() as uow:
        assert await uow.questions.update(resolved, expected_state=QuestionState.OPEN)
        await uow.commit()
    async with uow_factory() as uow:
        texts = await uow.questions.resolved_texts(WS)
        elsewhere = await uow.questions.resolved_texts(WorkspaceRef("slack", "T2"))
    assert texts == [(done.number, "How do I rebase?", ("python",))]
    assert elsewhere == []


async def test_resolved_texts_come_a_page_at_a_time_by_id(uow_factory: UowFactory) -> None:
    ids = []
    for i in range(5):
        q = await _stored(uow_factory, _question(text=f"question {i}"))
        done = q.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0).moved(
            Transition.RESOLVE, resolved_at=T0
        )
        async with uow_factory() as uow:
            assert await uow.questions.update(done, expected_state=QuestionState.OPEN)
            await uow.commit()
        assert q.id is not None
        ids.append(q.id)
    async with uow_factory() as uow:
        first = await uow.questions.resolved_texts(WS, limit=2)
        rest = await uow.questions.resolved_texts(WS, after=first[-1][0], limit=10)
    assert [r[0] for r in first] == ids[:2]
    assert [r[0] for r in rest] == ids[2:]


async def test_the_tally_tells_running_sessions_apart_from_unclaimed_questions(
    uow_factory: UowFactory,
) -> None:
    await _stored(uow_factory, _question(text="waiting"))
    running = await _stored(uow_factory, _question(text="in a session"))
    claimed = running.moved(Transition.CLAIM, mentor=MENTOR, claimed_at=T0)
    async with uow_factory() as uow:
        assert await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
        await uow.commit()
    async with uow_factory() as uow:
        tally = await uow.digests.tally(
            WS, T0 - timedelta(days=1), T0 + timedelta(days=1), top_mentors=1
        )
    assert (tally.asked, tally.still_open, tally.in_session, tally.claimed) == (2, 2, 1, 1)


async def test_the_tally_lets_coverage_go_by_local_time_in_a_half_hour_timezone(
    uow_factory: UowFactory,
) -> None:
    """Asia/Kolkata is UTC+05:30: questions at 08:40 and 17:10 there fall outside 09:00–17:00."""
    kolkata = ZoneInfo("Asia/Kolkata")
    monday = datetime(2025, 3, 3, tzinfo=kolkata)
    for hour, minute in [(8, 40), (9, 10), (16, 50), (17, 10)]:
        await _stored(uow_factory, _question(at=monday.replace(hour=hour, minute=minute)))
    mentor = MentorProfile(
        ref=MENTOR,
        workspace=WS,
        skills=("python",),
        timezone="Asia/Kolkata",
        hours=WeeklyHours.parse("Mon-Fri 09:00-17:00"),
    )
    async with uow_factory() as uow:
        tally = await uow.digests.tally(
            WS, monday.astimezone(UTC), (monday + timedelta(days=7)).astimezone(UTC), top_mentors=1
        )
    assert tally.asked == 4
    uncovered = uncovered_hours(tally.asked_by_minute, [mentor], tz="Asia/Kolkata")
    assert [(f"{h:%a %H:00}", n) for h, n in uncovered] == [("Mon 08:00", 1), ("Mon 17:00", 1)]
