"""The community repositories on SQLite and PostgreSQL alike: lightning sessions and sign-ups,
kudos, badges, what streaks read; nudges about a session; an existing database upgrades in place."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import pool, text

from bot.domain import (
    Feedback,
    Nudge,
    NudgeKind,
    Person,
    PointsEntry,
    Question,
    QuestionState,
)
from bot.lightning.model import Lightning, LightningState, Rsvp
from bot.recognition.model import EarnedBadge, Kudos, PausePeriod
from bot.refs import MessageRef, UserRef, WorkspaceRef
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, make_uow_factory

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")
ALICE, BOB, CAROL = (UserRef("slack", u) for u in ("U-ALICE", "U-BOB", "U-CAROL"))


def _session(**changes: object) -> Lightning:
    values: dict[str, object] = {"workspace": WS, "topic": "pandas", "created_at": T0}
    values.update(changes)
    return Lightning(**values)  # type: ignore[arg-type]


async def _asked(
    uow_factory: UowFactory, *topics: str, at: datetime = T0, asker: UserRef = ALICE
) -> int:
    async with uow_factory() as uow:
        q = await uow.questions.add(
            Question(workspace=WS, asker=asker, text="How do I?", created_at=at, topics=topics)
        )
        await uow.commit()
    return q.number


async def test_a_session_round_trips_every_field(uow_factory: UowFactory) -> None:
    session = _session(
        state=LightningState.SCHEDULED,
        minutes=20,
        title="groupby “quickly”",
        speaker=BOB,
        proposed_by=None,
        starts_at=T0 + timedelta(days=2),
        question_ids=(1, 2),
        invited=(BOB, CAROL),
        declined=(CAROL,),
        demand_period=7,
        held_at=T0 + timedelta(days=3),
        rewarded_at=T0 + timedelta(days=4),
    )
    async with uow_factory() as uow:
        stored = await uow.lightning.add(session)
        assert stored is not None
        await uow.lightning.set_card(stored.stored_id, MessageRef("slack", "C1:1.2"))
        await uow.commit()
    async with uow_factory() as uow:
        back = await uow.lightning.get(stored.stored_id)
    assert back is not None
    assert back.card == MessageRef("slack", "C1:1.2")
    assert back == Lightning(
        **{**vars_of(session), "id": stored.stored_id, "local_number": 1, "card": back.card}
    )


def vars_of(s: Lightning) -> dict[str, object]:
    return {name: getattr(s, name) for name in s.__slots__}  # type: ignore[attr-defined]


async def test_one_demand_proposal_per_workspace_topic_and_period(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.lightning.add(_session(demand_period=5)) is not None
        assert await uow.lightning.add(_session(demand_period=5)) is None
        assert await uow.lightning.add(_session(demand_period=6)) is not None
        assert await uow.lightning.add(_session()) is not None  # people's own: no period
        assert await uow.lightning.add(_session()) is not None
        await uow.commit()


async def test_proposals_waiting_for_a_speaker_are_this_workspaces_recent_ones_oldest_first(
    uow_factory: UowFactory,
) -> None:
    other = WorkspaceRef("slack", "T-OTHER")
    async with uow_factory() as uow:
        for made in (
            _session(demand_period=1, created_at=T0 - timedelta(days=40)),  # too old
            _session(demand_period=3, topic="git", created_at=T0 + timedelta(hours=2)),
            _session(demand_period=2, created_at=T0),
            _session(demand_period=4, state=LightningState.SCHEDULED, created_at=T0),  # taken
            _session(demand_period=5, workspace=other, created_at=T0),
        ):
            await uow.lightning.add(made)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        waiting = await uow.lightning.waiting_for_speaker(WS, T0 - timedelta(days=14))
    assert [(s.topic, s.demand_period) for s in waiting] == [("pandas", 2), ("git", 3)]


async def test_a_workspace_counter_behind_its_sessions_goes_on_from_their_highest_number(
    uow_factory: UowFactory,
) -> None:
    """A workspace row created after sessions exist for it (imported data, a row made again)
    starts its counter at 0: the next session still takes the next free number, and the one
    after it too, not one the unique (workspace, number) index refuses."""
    from bot.domain import Workspace
    from bot.refs import ChannelRef

    async with uow_factory() as uow:
        numbers = [(await uow.lightning.add(_session())) for _ in range(3)]
        await uow.commit()
    assert [s.local_number for s in numbers if s is not None] == [1, 2, 3]
    async with uow_factory() as uow:
        await uow.workspaces.save(
            Workspace(WS, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
        )
        await uow.commit()
    async with uow_factory() as uow:
        fourth = await uow.lightning.add(_session())
        fifth = await uow.lightning.add(_session())
        await uow.commit()
    assert fourth is not None and fourth.local_number == 4
    assert fifth is not None and fifth.local_number == 5
    async with uow_factory() as uow:
        assert (await uow.lightning.get_by_number(WS, 5)) is not None


async def test_two_sessions_created_at_once_behind_the_counter_take_two_numbers(
    uow_factory: UowFactory,
) -> None:
    """The catching-up counter keeps its row lock: a create waiting for it takes the number
    after the one the holder took (on PostgreSQL it may read the sessions as they were before
    the holder's, but reads the counter the holder raised)."""
    import asyncio

    from bot.domain import Workspace
    from bot.refs import ChannelRef

    async with uow_factory() as uow:
        for _ in range(3):
            await uow.lightning.add(_session())
        await uow.workspaces.save(
            Workspace(WS, ChannelRef("slack", "C1"), ChannelRef("slack", "C2"))
        )
        await uow.commit()
    first = uow_factory()
    second = uow_factory()
    async with first as one, second as two:
        a = await one.lightning.add(_session())

        async def then() -> Lightning | None:
            made = await two.lightning.add(_session())
            await two.commit()
            return made

        waiting = asyncio.create_task(then())
        await asyncio.sleep(0.2)
        await one.commit()
        b = await waiting
    assert a is not None and b is not None
    assert sorted([a.local_number, b.local_number]) == [4, 5]


async def test_saving_a_session_checks_the_state_it_was_read_in(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        s = await uow.lightning.add(_session())
        assert s is not None
        s.state, s.speaker, s.title = LightningState.SCHEDULED, BOB, "groupby"
        assert await uow.lightning.save(s, expected_state=LightningState.PROPOSED)
        s.speaker = CAROL
        assert not await uow.lightning.save(s, expected_state=LightningState.PROPOSED)
        await uow.commit()
    async with uow_factory() as uow:
        back = await uow.lightning.get(s.stored_id)
    assert back is not None and (back.state, back.speaker) == (LightningState.SCHEDULED, BOB)


async def test_a_topic_was_proposed_since_a_time(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.lightning.add(_session(topic="sql"))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.lightning.proposed_since(WS, "sql", T0)
        assert not await uow.lightning.proposed_since(WS, "sql", T0 + timedelta(seconds=1))
        assert not await uow.lightning.proposed_since(WS, "pandas", T0)


async def test_topic_demand_matches_whole_topics_only(uow_factory: UowFactory) -> None:
    wanted = await _asked(uow_factory, "node_js", "python")
    await _asked(uow_factory, "nodexjs")
    await _asked(uow_factory, "node_js2")
    await _asked(uow_factory, "node_js", at=T0 - timedelta(days=30))
    cancelled = await _asked(uow_factory, "node_js")
    async with uow_factory() as uow:
        q = await uow.questions.get(cancelled)
        assert q is not None
        q.state = QuestionState.CANCELLED
        await uow.questions.update(q, expected_state=QuestionState.OPEN)
        await uow.commit()
    async with uow_factory() as uow:
        found = await uow.lightning.topic_demand(WS, "node_js", T0 - timedelta(days=28))
    assert [q.number for q in found] == [wanted]


async def test_topic_demand_below_the_threshold_loads_nothing(uow_factory: UowFactory) -> None:
    first = await _asked(uow_factory, "sql")
    second = await _asked(uow_factory, "sql", "python")
    await _asked(uow_factory, "python")
    since = T0 - timedelta(days=28)
    async with uow_factory() as uow:
        assert await uow.lightning.topic_demand(WS, "sql", since, at_least=3) == []
        at_two = await uow.lightning.topic_demand(WS, "sql", since, at_least=2)
        assert [q.number for q in at_two] == [first, second]


async def test_topic_demand_finds_topics_with_quotes_and_non_ascii(uow_factory: UowFactory) -> None:
    odd = await _asked(uow_factory, 'c "plus" 100%', "über-tool")
    async with uow_factory() as uow:
        assert [q.number for q in await uow.lightning.topic_demand(WS, 'c "plus" 100%', T0)] == [
            odd
        ]
        assert [q.number for q in await uow.lightning.topic_demand(WS, "über-tool", T0)] == [odd]


async def test_upcoming_lists_scheduled_sessions_until_they_end(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        later = await uow.lightning.add(
            _session(state=LightningState.SCHEDULED, starts_at=T0 + timedelta(hours=3), speaker=BOB)
        )
        soon = await uow.lightning.add(
            _session(state=LightningState.SCHEDULED, starts_at=T0 + timedelta(hours=1), speaker=BOB)
        )
        await uow.lightning.add(_session(state=LightningState.PROPOSED))
        await uow.commit()
    assert later is not None and soon is not None
    async with uow_factory() as uow:
        now = await uow.lightning.upcoming(WS, T0)
        running = await uow.lightning.upcoming(WS, T0 + timedelta(hours=1, minutes=10))
        over = await uow.lightning.upcoming(WS, T0 + timedelta(hours=1, minutes=15))
    assert [s.number for s in now] == [soon.number, later.number]
    assert [s.number for s in running] == [soon.number, later.number]
    assert [s.number for s in over] == [later.number]


async def test_sign_ups_count_once_and_rate_once(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for ref in (ALICE, CAROL):  # whoever signs up is a known person
            await uow.people.upsert(Person(ref, ref.id))
        s = await uow.lightning.add(
            _session(state=LightningState.HELD, speaker=BOB, held_at=T0, starts_at=T0)
        )
        assert s is not None
        assert await uow.lightning.add_rsvp(Rsvp(s.stored_id, ALICE, T0))
        assert not await uow.lightning.add_rsvp(Rsvp(s.stored_id, ALICE, T0))
        assert await uow.lightning.add_rsvp(Rsvp(s.stored_id, CAROL, T0))
        assert await uow.lightning.rate(s.stored_id, ALICE, 5, T0)
        assert not await uow.lightning.rate(s.stored_id, ALICE, 1, T0)
        assert not await uow.lightning.rate(s.stored_id, BOB, 5, T0)  # never signed up
        assert await uow.lightning.mark_rewarded(s.stored_id, T0)
        assert not await uow.lightning.mark_rewarded(s.stored_id, T0)
        await uow.commit()
    async with uow_factory() as uow:
        rsvps = await uow.lightning.rsvps(s.stored_id)
        [held] = await uow.lightning.held_between(WS, T0, T0 + timedelta(days=1))
        assert await uow.lightning.given_by(BOB) == 1
    assert [(r.user, r.score) for r in rsvps] == [(ALICE, 5), (CAROL, None)]
    assert (held.attendees, held.ratings) == (2, (5,))


async def test_sign_ups_of_several_sessions_are_read_at_once_each_in_order(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        first = await uow.lightning.add(
            _session(state=LightningState.SCHEDULED, speaker=BOB, starts_at=T0)
        )
        second = await uow.lightning.add(
            _session(state=LightningState.SCHEDULED, speaker=ALICE, starts_at=T0)
        )
        empty = await uow.lightning.add(
            _session(state=LightningState.SCHEDULED, speaker=CAROL, starts_at=T0)
        )
        assert first is not None and second is not None and empty is not None
        later = T0 + timedelta(minutes=5)
        assert await uow.lightning.add_rsvp(Rsvp(first.stored_id, CAROL, later))
        assert await uow.lightning.add_rsvp(Rsvp(first.stored_id, ALICE, T0))
        assert await uow.lightning.add_rsvp(Rsvp(second.stored_id, BOB, T0))
        await uow.commit()
    async with uow_factory() as uow:
        ids = [first.stored_id, second.stored_id, empty.stored_id]
        found = await uow.lightning.rsvps_for(ids)
        one_by_one = {i: await uow.lightning.rsvps(i) for i in ids}
        assert await uow.lightning.rsvps_for([]) == {}
    assert found == one_by_one
    assert [r.user for r in found[first.stored_id]] == [ALICE, CAROL]
    assert [r.user for r in found[second.stored_id]] == [BOB] and found[empty.stored_id] == []


async def test_a_forgotten_persons_sign_up_is_no_attendance_but_its_rating_counts(
    uow_factory: UowFactory,
) -> None:
    """Forgetting hands a sign-up to a tombstone with no person behind it: the held session's
    attendance leaves it out (as its card does), its rating (a figure) stays."""
    async with uow_factory() as uow:
        for ref in (ALICE, CAROL):
            await uow.people.upsert(Person(ref, ref.id))
        s = await uow.lightning.add(
            _session(state=LightningState.HELD, speaker=BOB, held_at=T0, starts_at=T0)
        )
        assert s is not None
        for ref, score in ((ALICE, 5), (CAROL, 3)):
            assert await uow.lightning.add_rsvp(Rsvp(s.stored_id, ref, T0))
            assert await uow.lightning.rate(s.stored_id, ref, score, T0)
        await uow.privacy.forget(
            CAROL, tombstone=UserRef("slack", "forgotten-1"), removed="[removed]"
        )
        await uow.commit()
    async with uow_factory() as uow:
        [held] = await uow.lightning.held_between(WS, T0, T0 + timedelta(days=1))
    assert (held.attendees, sorted(held.ratings)) == (1, [3, 5])


async def test_a_sign_up_taken_back_is_gone_and_may_come_again(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        s = await uow.lightning.add(
            _session(state=LightningState.SCHEDULED, speaker=BOB, starts_at=T0)
        )
        assert s is not None
        assert await uow.lightning.add_rsvp(Rsvp(s.stored_id, ALICE, T0))
        assert await uow.lightning.add_rsvp(Rsvp(s.stored_id, CAROL, T0))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.lightning.remove_rsvp(s.stored_id, ALICE)
        assert not await uow.lightning.remove_rsvp(s.stored_id, ALICE)
        assert not await uow.lightning.remove_rsvp(s.stored_id, BOB)  # never signed up
        await uow.commit()
    async with uow_factory() as uow:
        assert [r.user for r in await uow.lightning.rsvps(s.stored_id)] == [CAROL]
        assert await uow.lightning.add_rsvp(Rsvp(s.stored_id, ALICE, T0))
        await uow.commit()


async def test_kudos_by_giver_and_in_a_period(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.kudos.add(Kudos(WS, ALICE, BOB, "for the help", T0))
        await uow.kudos.add(Kudos(WS, ALICE, CAROL, "for the tip", T0 + timedelta(hours=1), True))
        await uow.kudos.add(Kudos(WS, BOB, ALICE, "back at you", T0 - timedelta(days=1)))
        elsewhere = WorkspaceRef(WS.platform, "T-other")
        await uow.kudos.add(Kudos(elsewhere, ALICE, BOB, "over there", T0))
        await uow.commit()
    async with uow_factory() as uow:
        given = await uow.kudos.given_since(ALICE, T0, WS)
        count = await uow.kudos.count_between(WS, T0 - timedelta(days=2), T0 + timedelta(hours=1))
    assert [(k.receiver, k.private) for k in given] == [(BOB, False), (CAROL, True)]
    assert count == 2


async def test_badges_are_stored_once_and_announced_together(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        assert await uow.badges.add(EarnedBadge(WS, BOB, "first_session", T0))
        assert not await uow.badges.add(EarnedBadge(WS, BOB, "first_session", T0))
        assert await uow.badges.add(EarnedBadge(WS, BOB, "five_stars", T0 + timedelta(hours=1)))
        assert await uow.badges.last_announced(BOB) is None
        announced = await uow.badges.announce(BOB, T0 + timedelta(hours=2))
        await uow.commit()
    assert [b.badge for b in announced] == ["first_session", "five_stars"]
    async with uow_factory() as uow:
        assert await uow.badges.announce(BOB, T0 + timedelta(hours=3)) == []
        assert await uow.badges.last_announced(BOB) == T0 + timedelta(hours=2)
        earned = await uow.badges.earned_between(WS, T0, T0 + timedelta(minutes=30))
    assert [b.badge for b in earned] == ["first_session"]


async def test_what_streaks_read(uow_factory: UowFactory) -> None:
    n = await _asked(uow_factory, "pandas")
    async with uow_factory() as uow:
        q = await uow.questions.get(n)
        assert q is not None
        q.state, q.mentor, q.resolved_at = QuestionState.RESOLVED, BOB, T0 + timedelta(hours=1)
        await uow.questions.update(q, expected_state=QuestionState.OPEN)
        await uow.streaks.add_pause(PausePeriod(BOB, T0, T0 + timedelta(days=3650)))
        await uow.streaks.end_pauses(BOB, T0 + timedelta(days=9), workspace=WS)
        await uow.streaks.add_note(BOB, "streak", T0)
        await uow.commit()
    async with uow_factory() as uow:
        [session] = await uow.streaks.sessions_of(BOB, since=None)
        assert await uow.streaks.sessions_of(BOB, since=T0 + timedelta(hours=2)) == []
        [pause] = await uow.streaks.pauses(BOB, since=T0)
        assert await uow.streaks.pauses(BOB, since=T0 + timedelta(days=9)) == []
        assert await uow.streaks.last_note(BOB, "streak") == T0
        assert await uow.streaks.last_note(BOB, "other") is None
    assert (session.question_id, session.asker) == (n, ALICE)
    assert pause.end == T0 + timedelta(days=9)


async def test_streaks_read_who_resolved_each_session_and_the_askers_rating(
    uow_factory: UowFactory,
) -> None:
    by_asker, by_mentor, rated = [await _asked(uow_factory, "pandas") for _ in range(3)]
    at = T0 + timedelta(hours=1)
    async with uow_factory() as uow:
        for n, by in ((by_asker, ALICE), (by_mentor, BOB), (rated, BOB)):
            q = await uow.questions.get(n)
            assert q is not None
            q.state, q.mentor, q.resolved_at, q.resolved_by = QuestionState.RESOLVED, BOB, at, by
            await uow.questions.update(q, expected_state=QuestionState.OPEN)
        await uow.feedback.add(Feedback(rated, ALICE, "asker", 5, at))
        await uow.feedback.add(Feedback(rated, BOB, "mentor", 1, at))  # the mentor's: not it
        await uow.commit()
    async with uow_factory() as uow:
        assert (await uow.questions.get(by_mentor)).resolved_by == BOB  # type: ignore[union-attr]
        sessions = await uow.streaks.sessions_of(BOB, since=None)
    assert [(s.question_id, s.by_mentor, s.asker_score) for s in sessions] == [
        (by_asker, False, None),
        (by_mentor, True, None),
        (rated, True, 5),
    ]
    assert [s.confirmed for s in sessions] == [True, False, True]


async def test_points_given_and_taken_back_come_to_nothing_on_the_board_and_in_the_digest(
    uow_factory: UowFactory,
) -> None:
    n = await _asked(uow_factory, "pandas")
    async with uow_factory() as uow:
        for entry in (
            PointsEntry(WS, BOB, 2, "good rating", T0, question_id=n),
            PointsEntry(WS, BOB, -2, "good rating", T0 + timedelta(minutes=1), question_id=n),
            PointsEntry(WS, CAROL, 1, "kudos", T0),
        ):
            await uow.points.add(entry)
        await uow.commit()
    async with uow_factory() as uow:
        held = await uow.points.held_for(BOB, n, "good rating")
        board = await uow.points.leaderboard(WS, since=None, limit=10)
        tally = await uow.digests.tally(
            WS, T0 - timedelta(days=1), T0 + timedelta(days=1), top_mentors=5
        )
    assert held == 0
    assert board == [(CAROL, 1)]
    assert tally.top_mentors == ((CAROL, 1),)


async def test_a_nudge_about_a_session_keeps_its_subject(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.nudges.add(
            Nudge(kind=NudgeKind.LIGHTNING, workspace=WS, due_at=T0, step=1, subject_id=42)
        )
        await uow.commit()
    async with uow_factory() as uow:
        [nudge] = await uow.nudges.lease(T0, lease=timedelta(seconds=30), limit=5)
    assert (nudge.kind, nudge.step, nudge.subject_id) == (NudgeKind.LIGHTNING, 1, 42)


async def test_a_sessions_pending_nudges_are_cancelled_by_subject(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.nudges.add_many(
            [
                Nudge(kind=NudgeKind.LIGHTNING, workspace=WS, due_at=T0, step=0, subject_id=42),
                Nudge(kind=NudgeKind.LIGHTNING, workspace=WS, due_at=T0, step=1, subject_id=42),
                Nudge(kind=NudgeKind.LIGHTNING, workspace=WS, due_at=T0, step=0, subject_id=43),
            ]
        )
        await uow.commit()
    async with uow_factory() as uow:
        [first, *_] = await uow.nudges.lease(T0, lease=timedelta(seconds=30), limit=1)
        await uow.nudges.mark_sent(first.id or 0, T0)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.nudges.cancel_subject(NudgeKind.BADGES, 42) == 0
        assert await uow.nudges.cancel_subject(NudgeKind.LIGHTNING, 42) == (
            1 if first.subject_id == 42 else 2
        )
        await uow.commit()
    async with uow_factory() as uow:
        left = await uow.nudges.lease(T0, lease=timedelta(seconds=30), limit=5)
    assert [n.subject_id for n in left] == ([43] if first.subject_id == 42 else [])


async def test_the_leaderboard_can_end_at_a_time(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        for at, user in ((T0, BOB), (T0 + timedelta(days=3), CAROL)):
            await uow.points.add(PointsEntry(WS, user, 3, "resolve", at))
        await uow.commit()
    async with uow_factory() as uow:
        board = await uow.points.leaderboard(WS, since=T0, until=T0 + timedelta(days=1), limit=5)
    assert board == [(BOB, 3)]


# --- upgrading a database that has data ------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database (no migrations yet) on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    url: str = request.getfixturevalue("fresh_postgres_url")
    return url


async def test_a_database_from_before_upgrades_in_place_keeping_its_nudges(
    empty_url: str,
) -> None:
    await upgrade(empty_url, "0003")
    engine = create_engine(empty_url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO nudge (kind, workspace, step, due_at, state, attempts, last_error)"
                    " VALUES ('follow_up', 'slack:T1', 0, :due, 'pending', 0, '')"
                ),
                {"due": T0.replace(tzinfo=None)},
            )
        await upgrade(empty_url)
        async with engine.connect() as connection:
            tables = set(await connection.run_sync(lambda c: sa.inspect(c).get_table_names()))
        factory = make_uow_factory(engine)
        async with factory() as uow:
            [kept] = await uow.nudges.lease(T0, lease=timedelta(seconds=30), limit=5)
            assert await uow.lightning.add(_session()) is not None
            await uow.commit()
    finally:
        await engine.dispose()
    assert {
        "lightning",
        "lightning_rsvp",
        "kudos",
        "badge",
        "mentor_pause",
        "recognition_note",
    } <= tables
    assert (kept.kind, kept.subject_id) == (NudgeKind.FOLLOW_UP, None)
