"""APScheduler wiring and the digest on real databases: the sweep ticks and sends, each workspace
gets a cron job in its timezone, overdue work runs at start-up, two replicas post one digest,
the SQL figures match a hand-built week, the chart and `micromentor digest` write a PNG."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import ManualClock
from bot.commands import RegisterWorkspace, SendDigest
from bot.config import Config
from bot.digest.chart import render_digest_chart
from bot.digest.figures import IsoWeek, tally_questions
from bot.digest.report import print_digest
from bot.domain import (
    Feedback,
    MentorProfile,
    Nudge,
    NudgeKind,
    PointsEntry,
    Question,
    QuestionState,
)
from bot.hours import WeeklyHours
from bot.main import build_app
from bot.messages import ChatMessage
from bot.refs import ChannelRef, MessageRef, UserRef, WorkspaceRef
from schedules import Ticker, _plan_digests, start_scheduler
from tests.unit.fake_chat import FakeChat

WS = WorkspaceRef("test", "T1")
OTHER = WorkspaceRef("test", "T2")
ADMINS = ChannelRef("test", "admins")
AFTER_SLOT = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # Monday after 2026-W48, past 09:00 UTC
MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class SignallingChat(FakeChat):
    """A FakeChat that lets a test await the first DM or channel post."""

    def __init__(self) -> None:
        super().__init__(platform="test")
        self.dm = asyncio.Event()
        self.posted = asyncio.Event()

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        ref = await super().send_dm(user, message, key=key, retry=retry)
        self.dm.set()
        return ref

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        ref = await super().post_card(channel, message, key=key, retry=retry)
        self.posted.set()
        return ref


async def start_app(
    url: str, clock: ManualClock, *, tz: str = "UTC", config: Config | None = None
) -> tuple[App, SignallingChat]:
    chat = SignallingChat()
    app = await build_app(
        config or Config(), clock=clock, gateways={"test": chat}, database_url=url
    )
    await app.bus.handle(
        RegisterWorkspace(WS, ChannelRef("test", "mentoring"), ADMINS, timezone=tz)
    )
    return app, chat


async def stop(app: App) -> None:
    await app.dispose()


# --- the scheduler ----------------------------------------------------------------------------


async def test_the_sweep_job_sends_a_due_nudge_right_after_start_up(sqlite_url: str) -> None:
    clock = ManualClock(MON)
    config = Config.model_validate({"nudges": {"sweep_seconds": 0.05}})
    app, chat = await start_app(sqlite_url, clock, config=config)
    bob = UserRef("test", "bob")
    async with app.uow_factory() as uow:
        await uow.mentors.save(
            MentorProfile(
                ref=bob,
                workspace=WS,
                skills=("python",),
                hours=WeeklyHours.parse("Mon-Sun 00:00-24:00"),
                paused_until=MON - timedelta(hours=1),
            )
        )
        await uow.nudges.add(
            Nudge(
                kind=NudgeKind.PAUSE_END, workspace=WS, target=bob, due_at=MON - timedelta(hours=1)
            )
        )
        await uow.commit()
    scheduler = start_scheduler(app)
    try:
        await asyncio.wait_for(chat.dm.wait(), timeout=10)
        assert "welcome back" in chat.dms(bob)[0]
        assert scheduler.get_job("nudge-sweep") is not None
    finally:
        await scheduler.stop()
        await stop(app)


async def test_each_workspace_gets_a_digest_cron_job_in_its_own_timezone(sqlite_url: str) -> None:
    app, _ = await start_app(sqlite_url, ManualClock(MON), tz="America/New_York")
    scheduler = start_scheduler(app)
    try:
        job = None
        for _ in range(200):  # the plan job runs once at start-up; wait for it
            job = scheduler.get_job(f"digest:{WS.key()}")
            if job is not None:
                break
            await asyncio.sleep(0.01)
        assert job is not None
        assert str(job.trigger.timezone) == "America/New_York"
        fire = job.trigger.get_next_fire_time(None, datetime(2026, 11, 24, tzinfo=UTC))
        assert fire.astimezone(UTC) == datetime(2026, 11, 30, 14, 0, tzinfo=UTC)  # Mon 09:00 EST
    finally:
        await scheduler.stop()
        await stop(app)


async def a_question_in_the_week(app: App) -> None:
    """The digest of a week with nothing in it is not posted: give it something."""
    async with app.uow_factory() as uow:
        await uow.questions.add(question(1, QuestionState.OPEN))
        await uow.commit()


async def test_an_overdue_digest_is_posted_right_after_start_up(sqlite_url: str) -> None:
    app, chat = await start_app(sqlite_url, ManualClock(AFTER_SLOT))
    await a_question_in_the_week(app)
    scheduler = start_scheduler(app)
    try:
        await asyncio.wait_for(chat.posted.wait(), timeout=10)
        [digest] = chat.messages("post_card", channel=ADMINS)
        assert "weekly digest — 2026-W48" in digest.plain()
        assert digest.attachment is not None and digest.attachment.data.startswith(b"\x89PNG")
    finally:
        await scheduler.stop()
        await stop(app)


async def test_a_digest_slot_that_fails_is_caught_up_at_the_next_plan_tick(
    sqlite_url: str,
) -> None:
    """The database away at the cron slot: the digest is not lost until next week's slot; the
    plan tick a minute later decides it (once)."""
    clock = ManualClock(MON)
    app, chat = await start_app(sqlite_url, clock)
    await a_question_in_the_week(app)
    scheduler = Ticker(timezone=UTC)  # not started: the test runs its jobs by hand
    try:
        await _plan_digests(app, scheduler)  # Monday 09:00 of 2026-W48: nothing due yet
        job = scheduler.get_job(f"digest:{WS.key()}")
        assert job is not None
        handle = app.bus.handle

        async def database_away(*args: object, **kwargs: object) -> object:
            raise ConnectionError("the database is away")

        clock.set(AFTER_SLOT)
        app.bus.handle = database_away  # type: ignore[method-assign]
        with contextlib.suppress(ConnectionError):
            await job.func(*job.args)
        app.bus.handle = handle  # type: ignore[method-assign]
        await app.runtime.drain()
        assert chat.messages("post_card", channel=ADMINS) == []
        await _plan_digests(app, scheduler)
        await _plan_digests(app, scheduler)
        await app.runtime.drain()
        [digest] = chat.messages("post_card", channel=ADMINS)
        assert "weekly digest — 2026-W48" in digest.plain()
    finally:
        await stop(app)


# --- the digest on shared databases -------------------------------------------------------------


async def test_two_replicas_post_one_digest_per_workspace_and_week(db_url: str) -> None:
    clock = ManualClock(AFTER_SLOT)
    one, chat_one = await start_app(db_url, clock)
    two, chat_two = await start_app(db_url, clock)
    await a_question_in_the_week(one)
    try:
        await asyncio.gather(
            *(app.bus.handle(SendDigest(AFTER_SLOT)) for app in (one, two, one, two))
        )
        await asyncio.gather(one.runtime.drain(), two.runtime.drain())
        posts = chat_one.messages("post_card", channel=ADMINS) + chat_two.messages(
            "post_card", channel=ADMINS
        )
        assert len(posts) == 1
    finally:
        await stop(one)
        await stop(two)


def user(name: str) -> UserRef:
    return UserRef("test", name)


def question(
    n: int,
    state: QuestionState,
    *,
    ws: WorkspaceRef = WS,
    hours_in: float = 0,
    topics: tuple[str, ...] = ("python",),
    claim: int | None = None,
    resolve: int | None = None,
    anonymous: bool = False,
) -> Question:
    created = MON + timedelta(hours=hours_in)
    return Question(
        workspace=ws,
        asker=user(f"asker{n}"),
        text=f"question {n}",
        created_at=created,
        anonymous=anonymous,
        topics=topics,
        state=state,
        claimed_at=created + timedelta(minutes=claim) if claim is not None else None,
        resolved_at=created + timedelta(minutes=resolve) if resolve is not None else None,
    )


async def test_sql_figures_match_a_hand_built_week(db_url: str) -> None:
    app, _ = await start_app(db_url, ManualClock(AFTER_SLOT))
    try:
        week = [
            question(1, QuestionState.RESOLVED, claim=4, resolve=30),
            question(2, QuestionState.RESOLVED, topics=("python", "pandas"), claim=10, resolve=50),
            question(3, QuestionState.RESOLVED, topics=("kubernetes",), claim=6, resolve=45),
            question(4, QuestionState.UNANSWERED, topics=("kubernetes",)),
            question(5, QuestionState.EXPIRED, topics=("rust",), claim=20),
            question(6, QuestionState.OPEN, topics=("kubernetes",), anonymous=True),
            question(7, QuestionState.CANCELLED, topics=(), hours_in=6 * 24 + 14.9),
        ]
        outside = [
            question(8, QuestionState.RESOLVED, hours_in=-9.5, claim=1, resolve=2),  # W47
            question(9, QuestionState.RESOLVED, hours_in=7 * 24 - 9, claim=1, resolve=2),  # W49
            question(10, QuestionState.RESOLVED, ws=OTHER, claim=1, resolve=2),
        ]
        async with app.uow_factory() as uow:
            for q in week + outside:
                await uow.questions.add(q)
            ratings = [
                (1, "asker", 5),
                (2, "asker", 4),
                (3, "asker", 2),
                (1, "mentor", 3),
                (8, "asker", 1),
            ]
            feedback = [
                Feedback(week[i - 1].id if i <= 7 else outside[0].id or 0, user("x"), role, s, MON)
                for i, role, s in ratings
            ]  # type: ignore[arg-type]
            for f in feedback:
                await uow.feedback.add(f)
            points = [
                PointsEntry(WS, user("bob"), 3, "resolve", MON),
                PointsEntry(WS, user("bob"), 2, "rating", MON + timedelta(days=2)),
                PointsEntry(WS, user("carol"), 4, "resolve", MON),
                PointsEntry(WS, user("dave"), 9, "resolve", MON - timedelta(days=2)),  # W47
                PointsEntry(OTHER, user("erin"), 9, "resolve", MON),
            ]
            for p in points:
                await uow.points.add(p)
            await uow.commit()
        start, end = IsoWeek(2026, 48).bounds("UTC")
        async with app.uow_factory() as uow:
            got = await uow.digests.tally(WS, start, end, top_mentors=2)
        assert (got.asked, got.claimed, got.resolved, got.unanswered, got.expired) == (
            7,
            4,
            3,
            1,
            1,
        )
        assert (got.cancelled, got.still_open) == (1, 1)
        assert got.median_minutes_to_claim == pytest.approx(8.0, abs=0.01)
        assert got.median_minutes_to_resolve == pytest.approx(45.0, abs=0.01)
        assert got.average_rating == pytest.approx(11 / 3) and got.ratings == 3
        assert got.average_clarity == pytest.approx(3.0)
        assert got.topics == (("kubernetes", 3), ("python", 2), ("pandas", 1), ("rust", 1))
        assert got.top_mentors == ((user("bob"), 5), (user("carol"), 4))
        in_week_points = [p for p in points if p.workspace == WS and start <= p.at < end]
        expected = tally_questions(week, feedback, in_week_points, top_mentors=2)
        assert got.topics == expected.topics and got.top_mentors == expected.top_mentors
        assert got.asked_by_minute == expected.asked_by_minute
        assert sum(n for _, _, n in got.asked_by_minute) == 7
    finally:
        await stop(app)


# --- the chart and the command line -----------------------------------------------------------


async def test_micromentor_digest_prints_the_week_and_writes_the_chart(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app, _ = await start_app(sqlite_url, ManualClock(AFTER_SLOT))
    try:
        async with app.uow_factory() as uow:
            await uow.questions.add(question(1, QuestionState.RESOLVED, claim=3, resolve=20))
            await uow.commit()
        png = tmp_path / "digest.png"
        report = partial(
            print_digest, uow_factory=app.uow_factory, config=app.config, now=AFTER_SLOT
        )
        assert await report(week=None, png=png, workspace=None) == 0
        out = capsys.readouterr().out
        assert "weekly digest — 2026-W48" in out and "1 asked" in out
        # At the terminal, another week is asked for with the CLI's option, not a chat command.
        assert "`micromentor digest --week YYYY-Www` for another week" in out
        assert "/mentoradmin" not in out
        assert png.read_bytes().startswith(b"\x89PNG")
        assert await report(week="2026-W99", png=None, workspace=None) == 2
        assert await report(week=None, png=None, workspace="nope") == 2
    finally:
        await stop(app)


def test_the_chart_is_a_png_even_for_an_empty_week() -> None:
    from bot.digest.figures import WeekTally, build_digest

    digest = build_digest(
        workspace=WS,
        week=IsoWeek(2026, 48),
        tz="UTC",
        this=WeekTally(),
        previous=WeekTally(),
        mentors=[],
        gap_max_mentors=1,
    )
    assert render_digest_chart(digest).startswith(b"\x89PNG")
