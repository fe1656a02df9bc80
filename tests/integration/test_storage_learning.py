"""The learning feature's repositories on SQLite and PostgreSQL: course progress, coached drafts
(posted once under concurrent clicks), FAQ entries, "Share summary" consents and the look-ups
over past sessions; stage and region on profiles; and migration 0007 upgrading a database that
already holds data."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import pool

from bot.domain import Feedback, MentorProfile, Question, QuestionState, Transition
from bot.learning.model import Draft, DraftState, Enrollment, FaqEntry, FaqState, Track
from bot.refs import UserRef, WorkspaceRef
from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, make_uow_factory

UowFactory = Callable[[], SqlUnitOfWork]

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
WS = WorkspaceRef("slack", "T1")
ASKER = UserRef("slack", "U-ASK")
MENTOR = UserRef("slack", "U-MEN")
OTHER = UserRef("slack", "U-OTH")


async def _question(
    uow_factory: UowFactory,
    *,
    topics: tuple[str, ...] = ("pandas",),
    mentor: UserRef | None = None,
    resolved: bool = False,
    anonymous: bool = False,
) -> Question:
    async with uow_factory() as uow:
        q = await uow.questions.add(
            Question(
                workspace=WS,
                asker=ASKER,
                text="How do I group?",
                created_at=T0,
                topics=topics,
                wanted_stage="senior",
                anonymous=anonymous,
            )
        )
        if mentor is not None:
            claimed = q.moved(Transition.CLAIM, mentor=mentor, claimed_at=T0 + timedelta(minutes=3))
            await uow.questions.update(claimed, expected_state=QuestionState.OPEN)
            q = claimed
        if mentor is not None and resolved:  # only a resolved session is rated
            done = q.moved(Transition.RESOLVE, resolved_at=T0 + timedelta(minutes=20))
            await uow.questions.update(done, expected_state=QuestionState.CLAIMED)
            q = done
        await uow.commit()
    return q


async def test_course_progress_round_trips_and_is_one_row_per_track(
    uow_factory: UowFactory,
) -> None:
    enrollment = Enrollment(
        ASKER,
        WS,
        Track.MENTEE,
        started_at=T0,
        next_lesson=3,
        last_sent_at=T0,
        checks_right=1,
        checks_answered=(1, 2),
    )
    async with uow_factory() as uow:
        await uow.learning.save(enrollment)
        await uow.learning.save(Enrollment(ASKER, WS, Track.MENTOR, started_at=T0))
        enrollment.stopped_at = T0 + timedelta(days=1)
        await uow.learning.save(enrollment)
        await uow.commit()
    async with uow_factory() as uow:
        got = await uow.learning.get(ASKER, Track.MENTEE)
        both = await uow.learning.for_user(ASKER)
        none = await uow.learning.get(OTHER, Track.MENTEE)
    assert got == enrollment
    assert [e.track for e in both] == [Track.MENTEE, Track.MENTOR] and none is None


async def test_a_draft_closes_once_however_many_clicks_race(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        draft = await uow.drafts.add(Draft(WS, ASKER, "Help?", T0, anonymous=True, stage="lead"))
        await uow.commit()

    async def click() -> bool:
        async with uow_factory() as uow:
            closed = await uow.drafts.close(draft.number, DraftState.POSTED)
            await uow.commit()
        return closed

    results = await asyncio.gather(*(click() for _ in range(5)))
    assert sorted(results) == [False] * 4 + [True]
    async with uow_factory() as uow:
        stored = await uow.drafts.get(draft.number)
    assert stored is not None and (stored.state, stored.anonymous, stored.stage) == (
        DraftState.POSTED,
        True,
        "lead",
    )


async def test_faq_entries_round_trip_hide_when_unverified_and_count_by_author(
    uow_factory: UowFactory,
) -> None:
    first = await _question(uow_factory, mentor=MENTOR)
    second = await _question(uow_factory, mentor=MENTOR)
    async with uow_factory() as uow:
        old = await uow.faq.add(
            FaqEntry(WS, first.number, MENTOR, first.text, "Use groupby.", T0, T0, ("pandas",))
        )
        fresh = await uow.faq.add(
            FaqEntry(
                WS, second.number, MENTOR, second.text, "Use pivot.", T0, T0 + timedelta(days=50)
            )
        )
        await uow.commit()
    async with uow_factory() as uow:
        shown = await uow.faq.visible(WS, verified_since=T0 + timedelta(days=10))
        assert [e.number for e in shown] == [fresh.number]
        assert await uow.faq.for_question(first.number) == old
        assert await uow.faq.count_by_author(WS, MENTOR) == 2
        old.state, old.updated_at = FaqState.RETIRED, T0
        await uow.faq.update(old)
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.faq.count_by_author(WS, MENTOR) == 1
        assert (await uow.faq.get(old.number)) == old


async def test_share_consents_are_kept_once_per_person(uow_factory: UowFactory) -> None:
    q = await _question(uow_factory, mentor=MENTOR)
    async with uow_factory() as uow:
        assert await uow.followups.share(q.number, ASKER, T0)
        assert not await uow.followups.share(q.number, ASKER, T0)
        assert await uow.followups.share(q.number, MENTOR, T0 + timedelta(seconds=1))
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.followups.shared_by(q.number) == [ASKER, MENTOR]


async def test_past_sessions_give_topics_asked_mentors_met_and_topic_ratings(
    uow_factory: UowFactory,
) -> None:
    a = await _question(uow_factory, topics=("pandas", "python"), mentor=MENTOR, resolved=True)
    b = await _question(uow_factory, topics=("pandas",), mentor=OTHER, resolved=True)
    await _question(uow_factory, topics=("sql",))
    async with uow_factory() as uow:
        await uow.feedback.add(Feedback(a.number, ASKER, "asker", 2, T0))
        await uow.feedback.add(Feedback(b.number, ASKER, "asker", 4, T0))
        await uow.feedback.add(Feedback(b.number, OTHER, "mentor", 1, T0))  # clarity: not counted
        await uow.commit()
    async with uow_factory() as uow:
        topics = await uow.followups.asked_topics(WS, ASKER, T0 - timedelta(days=1))
        met = await uow.followups.mentors_met(WS, ASKER, T0 - timedelta(days=1))
        none_met = await uow.followups.mentors_met(WS, ASKER, T0 + timedelta(days=1))
        ratings = await uow.followups.topic_ratings(WS, T0, T0 + timedelta(days=7))
        q = await uow.questions.get(a.number)
    assert sorted(topics) == [("pandas",), ("pandas", "python"), ("sql",)]
    assert met == {MENTOR: 1, OTHER: 1} and none_met == {}
    assert ratings == [("python", 2.0, 1), ("pandas", 3.0, 2)]
    assert q is not None and q.wanted_stage == "senior"


async def test_topics_asked_up_to_a_question_count_those_at_its_instant_by_number(
    uow_factory: UowFactory,
) -> None:
    """`up_to=(at, number)`: every question before `at`, and those at `at` numbered up to
    `number` (asked at one instant, they count in the order they got their numbers)."""
    asked: list[Question] = []
    async with uow_factory() as uow:
        for topic, at in [
            ("earlier", T0 - timedelta(minutes=1)),
            ("first", T0),
            ("cancelled", T0),
            ("second", T0),
            ("third", T0),
            ("later", T0 + timedelta(microseconds=1)),
        ]:
            q = Question(workspace=WS, asker=ASKER, text="Help?", created_at=at, topics=(topic,))
            asked.append(await uow.questions.add(q))
        cancelled = asked[2].moved(Transition.CANCEL)
        await uow.questions.update(cancelled, expected_state=QuestionState.OPEN)
        await uow.commit()
    second = asked[3]
    async with uow_factory() as uow:
        topics = await uow.followups.asked_topics(
            WS, ASKER, T0 - timedelta(days=1), up_to=(T0, second.number)
        )
    assert sorted(topics) == [("earlier",), ("first",), ("second",)]


async def test_mentors_met_on_anonymous_questions_only(uow_factory: UowFactory) -> None:
    """Who took the asker's anonymous questions: the mentors a public kudos would give away."""
    await _question(uow_factory, mentor=MENTOR, resolved=True)
    await _question(uow_factory, mentor=OTHER, anonymous=True)
    async with uow_factory() as uow:
        everyone = await uow.followups.mentors_met(WS, ASKER, T0)
        anonymously = await uow.followups.mentors_met(WS, ASKER, T0, anonymous=True)
    assert everyone == {MENTOR: 1, OTHER: 1}
    assert anonymously == {OTHER: 1}


async def test_mentors_met_anonymously_counts_who_released_the_question(
    uow_factory: UowFactory,
) -> None:
    """A mentor who claimed an anonymous question and released it knows whose it was: they
    count among the mentors met anonymously (while the question was active in the window), not
    among those met (the ranking's variety, as before)."""
    q = await _question(uow_factory, mentor=MENTOR, anonymous=True)
    async with uow_factory() as uow:
        released = q.moved(
            Transition.RELEASE,
            mentor=None,
            claimed_at=None,
            timebox_ends_at=None,
            last_activity_at=T0 + timedelta(minutes=3),
            released_by=(MENTOR,),
        )
        await uow.questions.update(released, expected_state=QuestionState.CLAIMED)
        again = released.moved(Transition.CLAIM, mentor=OTHER, claimed_at=T0 + timedelta(hours=1))
        await uow.questions.update(again, expected_state=QuestionState.OPEN)
        await uow.commit()
    async with uow_factory() as uow:
        anonymously = await uow.followups.mentors_met(WS, ASKER, T0, anonymous=True)
        later = await uow.followups.mentors_met(WS, ASKER, T0 + timedelta(days=1), anonymous=True)
        everyone = await uow.followups.mentors_met(WS, ASKER, T0)
    assert anonymously == {MENTOR: 1, OTHER: 1}
    assert later == {}
    assert everyone == {OTHER: 1}


async def test_mentors_met_anonymously_counts_the_mentor_of_a_session_still_going_on(
    uow_factory: UowFactory,
) -> None:
    """Claimed before the window but active in it (a long session): its mentor knows whose
    anonymous question it is as much as one who claimed it lately."""
    q = await _question(uow_factory, mentor=MENTOR, anonymous=True)
    async with uow_factory() as uow:
        going = replace(q, last_activity_at=T0 + timedelta(days=40))
        await uow.questions.update(going, expected_state=QuestionState.CLAIMED)
        await uow.commit()
    async with uow_factory() as uow:
        window = T0 + timedelta(days=35)
        anonymously = await uow.followups.mentors_met(WS, ASKER, window, anonymous=True)
        everyone = await uow.followups.mentors_met(WS, ASKER, window)
        after = await uow.followups.mentors_met(WS, ASKER, T0 + timedelta(days=41), anonymous=True)
    assert anonymously == {MENTOR: 1}
    assert everyone == {}  # the ranking's variety goes by claims, as before
    assert after == {}


async def test_mentors_met_reads_the_askers_questions_not_the_workspaces_claims(
    sqlite_url: str,
) -> None:
    """On a migrated SQLite database without statistics the look-up (on every ask) goes through
    the asker's index (migration 0013), not the workspace's claims since the date."""
    engine = create_engine(sqlite_url)
    plans: list[str] = []
    statement = ""

    @sa.event.listens_for(engine.sync_engine, "before_cursor_execute")
    def _seen(_conn: object, _cur: object, sql: str, *_: object) -> None:
        nonlocal statement
        if "count(*)" in sql and "question.asker" in sql:
            statement = sql

    try:
        async with make_uow_factory(engine)() as uow:
            await uow.followups.mentors_met(WS, ASKER, T0)
        async with engine.connect() as conn:
            rows = await conn.exec_driver_sql(
                f"EXPLAIN QUERY PLAN {statement}", ("x", "y", T0.isoformat())
            )
            plans = [str(row[-1]) for row in rows]
    finally:
        await engine.dispose()
    assert any("USING INDEX ix_question_asker_workspace_claimed_at" in p for p in plans), plans


async def test_stage_and_region_round_trip_on_profiles(uow_factory: UowFactory) -> None:
    profile = MentorProfile(MENTOR, WS, ("python",), stage="lead", region="Europe", joined_at=T0)
    async with uow_factory() as uow:
        await uow.mentors.save(profile)
        await uow.commit()
    async with uow_factory() as uow:
        got = await uow.mentors.get(MENTOR, WS)
    assert got is not None and (got.stage, got.region) == ("lead", "Europe")


async def _upgrade_with_data(url: str) -> None:
    """A database at 0003 with a mentor profile and a question, then upgraded to head."""
    await upgrade(url, "0003")
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as c:
            await c.execute(
                sa.text(
                    'INSERT INTO mentor_profile ("user", workspace, skills, timezone, hours, '
                    "capacity_per_week, active) VALUES ('slack:U1', 'slack:T1', '[\"python\"]', "
                    "'UTC', 'Mon-Fri 09:00-17:00', 3, true)"
                )
            )
            await c.execute(
                sa.text(
                    "INSERT INTO question (workspace, asker, text, created_at, anonymous, topics, "
                    "state, suggested, extensions, claims) VALUES ('slack:T1', 'slack:U2', "
                    "'How do I test?', '2025-03-03 09:00:00', false, '[]', 'open', '[]', 0, 0)"
                )
            )
    finally:
        await engine.dispose()
    await upgrade(url)


async def _read_back(url: str) -> tuple[MentorProfile | None, Question | None]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with make_uow_factory(engine)() as uow:
            return (
                await uow.mentors.get(UserRef("slack", "U1"), WS),
                await uow.questions.get(1),
            )
    finally:
        await engine.dispose()


async def test_migration_0007_upgrades_a_sqlite_database_with_data_in_place(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await _upgrade_with_data(url)
    profile, question = await _read_back(url)
    assert profile is not None and (profile.stage, profile.region, profile.skills) == (
        None,
        "",
        ("python",),
    )
    assert question is not None and question.wanted_stage is None


@pytest.mark.postgres
async def test_migration_0007_upgrades_a_postgres_database_with_data_in_place(
    fresh_postgres_url: str,
) -> None:
    await _upgrade_with_data(fresh_postgres_url)
    profile, question = await _read_back(fresh_postgres_url)
    assert profile is not None and (profile.stage, profile.region) == (None, "")
    assert question is not None and question.wanted_stage is None
