"""The sweep on real databases: leases, restarts, two sweepers sharing PostgreSQL, and the
outbox retrying what a platform refused."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from bot.app import App
from bot.clock import ManualClock
from bot.commands import (
    Actor,
    AskQuestion,
    ClaimQuestion,
    CommentOnSession,
    RateSession,
    RegisterMentor,
    RegisterWorkspace,
    ResolveQuestion,
    SetMentorHours,
)
from bot.config import Config
from bot.domain import MentorProfile, Nudge, NudgeKind, NudgeState, Person
from bot.hours import WeeklyHours
from bot.main import build_app
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from storage.engine import create_engine
from storage.tables import NudgeRow, OutboxRow, table_of
from tests.unit.fake_chat import FakeChat

NUDGE = table_of(NudgeRow)
OUTBOX = table_of(OutboxRow)

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday morning
WS = WorkspaceRef("test", "T1")
ALWAYS = WeeklyHours.parse("Mon-Sun 00:00-24:00")
LEASE = timedelta(seconds=60)
ONE_SUGGESTED = Config.model_validate({"matching": {"suggest": 1}})


def actor(name: str) -> Actor:
    return Actor(UserRef("test", name), name, WS)


async def start_app(
    url: str, clock: ManualClock, config: Config | None = None
) -> tuple[App, FakeChat]:
    chat = FakeChat(platform="test", interleave=True)
    app = await build_app(
        config or Config(), clock=clock, gateways={"test": chat}, database_url=url
    )
    await app.bus.handle(
        RegisterWorkspace(WS, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
    )
    return app, chat


async def stop(app: App) -> None:
    await app.dispose()


async def paused_mentors(app: App, count: int, *, ended_at: datetime) -> None:
    """`count` mentors whose pause ended at `ended_at`, each with its welcome-back nudge due."""
    async with app.uow_factory() as uow:
        for i in range(count):
            ref = UserRef("test", f"m{i}")
            await uow.people.upsert(Person(ref=ref, name=f"m{i}"))
            await uow.mentors.save(
                MentorProfile(
                    ref=ref, workspace=WS, skills=("python",), hours=ALWAYS, paused_until=ended_at
                )
            )
            await uow.nudges.add(
                Nudge(kind=NudgeKind.PAUSE_END, workspace=WS, target=ref, due_at=ended_at)
            )
        await uow.commit()


async def nudges_in(url: str) -> list[sa.Row[Any]]:
    """Every nudge row as stored (read straight from the table)."""
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(sa.select(NUDGE).order_by(NUDGE.c.id)))
    finally:
        await engine.dispose()


# --- leases -----------------------------------------------------------------------------------


async def test_a_leased_nudge_goes_to_one_caller_until_its_lease_runs_out(db_url: str) -> None:
    app, _ = await start_app(db_url, ManualClock(START))
    try:
        await paused_mentors(app, 3, ended_at=START)
        async with app.uow_factory() as uow:
            first = await uow.nudges.lease(START, lease=LEASE, limit=2)
            await uow.commit()
        async with app.uow_factory() as uow:
            second = await uow.nudges.lease(START, lease=LEASE, limit=10)
            again = await uow.nudges.lease(
                START + LEASE + timedelta(seconds=1), lease=LEASE, limit=10
            )
            await uow.commit()
        assert len(first) == 2 and len(second) == 1
        assert {n.id for n in first}.isdisjoint({n.id for n in second})
        assert len(again) == 3  # every lease expired: a crashed sender's rows come back
    finally:
        await stop(app)


async def test_a_lease_taken_over_by_another_sweeper_cannot_be_held_any_more(db_url: str) -> None:
    app, _ = await start_app(db_url, ManualClock(START))
    try:
        await paused_mentors(app, 1, ended_at=START)
        async with app.uow_factory() as uow:
            [mine] = await uow.nudges.lease(START, lease=LEASE, limit=1)
            await uow.commit()
        later = START + LEASE + timedelta(seconds=1)
        async with app.uow_factory() as uow:
            [theirs] = await uow.nudges.lease(later, lease=LEASE, limit=1)
            await uow.commit()
        async with app.uow_factory() as uow:
            assert mine.lease_until is not None and theirs.lease_until is not None
            assert not await uow.nudges.hold(
                mine.id or 0, lease_until=mine.lease_until, until=later + LEASE
            )
            assert await uow.nudges.hold(
                theirs.id or 0, lease_until=theirs.lease_until, until=later + LEASE
            )
    finally:
        await stop(app)


async def test_postponing_gives_the_attempt_back(db_url: str) -> None:
    app, _ = await start_app(db_url, ManualClock(START))
    try:
        await paused_mentors(app, 1, ended_at=START)
        async with app.uow_factory() as uow:
            [n] = await uow.nudges.lease(START, lease=LEASE, limit=1)
            await uow.nudges.postpone(n.id or 0, due_at=START + timedelta(hours=5))
            await uow.commit()
        [row] = await nudges_in(db_url)
        assert (row.attempts, row.state, row.due_at) == (0, "pending", START + timedelta(hours=5))
    finally:
        await stop(app)


async def test_a_sweeper_that_lost_its_lease_hands_nothing_back_until_working_hours(
    db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow sender outlives its lease, another sweeper takes the nudge, then the slow one's
    sender says "later" (quiet hours): the other's lease and attempt stand untouched."""
    from bot.nudges import kinds
    from bot.nudges.quiet_hours import Later
    from bot.nudges.sweep import NudgeSweep

    app, _ = await start_app(db_url, ManualClock(START))
    try:
        await paused_mentors(app, 1, ended_at=START)
        async with app.uow_factory() as uow:
            [mine] = await uow.nudges.lease(START, lease=LEASE, limit=1)
            await uow.commit()
        assert isinstance(app.clock, ManualClock)
        app.clock.set(START + LEASE + timedelta(seconds=1))
        async with app.uow_factory() as uow:
            [theirs] = await uow.nudges.lease(app.clock.now(), lease=LEASE, limit=1)
            await uow.commit()

        async def quiet(*_: Any) -> None:
            raise Later(START + timedelta(hours=5))

        monkeypatch.setitem(kinds.SENDERS, NudgeKind.PAUSE_END, quiet)
        await NudgeSweep(app.bus, lease=LEASE)(mine)
        [row] = await nudges_in(db_url)
        assert (row.attempts, row.state) == (2, "pending")
        assert row.lease_until == theirs.lease_until and row.due_at == START
    finally:
        await stop(app)


async def test_a_nudge_leased_just_before_the_app_was_removed_waits_and_says_nothing(
    db_url: str,
) -> None:
    from bot.nudges.sweep import NudgeSweep

    app, chat = await start_app(db_url, ManualClock(START))
    try:
        await paused_mentors(app, 1, ended_at=START)
        async with app.uow_factory() as uow:
            [leased] = await uow.nudges.lease(START, lease=LEASE, limit=1)
            await uow.commit()
        async with app.uow_factory() as uow:
            assert await uow.workspaces.mark_removed(WS, START)
            await uow.commit()
        await NudgeSweep(app.bus, lease=LEASE)(leased)
        await app.runtime.drain()
        [row] = await nudges_in(db_url)
        # Handed back as it was: its due time kept (its lateness is judged from it once the
        # workspace is back), and not leased again meanwhile.
        assert (row.state, row.due_at, row.attempts, row.lease_until) == ("pending", START, 0, None)
        async with app.uow_factory() as uow:
            assert await uow.nudges.lease(START + timedelta(hours=2), lease=LEASE, limit=5) == []
        assert chat.messages("send_dm") == []
    finally:
        await stop(app)


# --- restarts ---------------------------------------------------------------------------------


async def test_a_process_started_later_sends_the_due_nudge_exactly_once(sqlite_url: str) -> None:
    first, _ = await start_app(sqlite_url, ManualClock(START), ONE_SUGGESTED)
    await first.bus.handle(
        RegisterMentor(actor("bob"), ("python", "pandas"), hours="Mon-Sun 00:00-24:00")
    )
    await first.bus.handle(RegisterMentor(actor("carol"), ("pandas",), hours="Mon-Sun 00:00-24:00"))
    await first.bus.handle(
        AskQuestion(actor("alice"), "How do I group a pandas DataFrame by two columns?", False)
    )
    await stop(first)  # the process exits before anything is due

    later = ManualClock(START + timedelta(minutes=11))
    second, chat = await start_app(sqlite_url, later, ONE_SUGGESTED)
    await second.runtime.drain()
    await second.runtime.drain()
    await stop(second)
    third, chat3 = await start_app(sqlite_url, later, ONE_SUGGESTED)
    await third.runtime.drain()
    await stop(third)

    escalations = [m for m in chat.messages("send_dm") if "still waiting for a mentor" in m.plain()]
    assert len(escalations) == 1  # bob was suggested on the card; carol gets the DM
    assert chat3.messages("send_dm") == []


async def test_a_low_rating_is_judged_from_disk_after_a_restart_and_alerts_once(
    sqlite_url: str,
) -> None:
    """The low-rating alert waits for the rating's change window as a nudge row: a process
    started after the window posts it once, with the rating and comment as they stand."""
    first, _ = await start_app(sqlite_url, ManualClock(START))
    await first.bus.handle(RegisterMentor(actor("bob"), ("pandas",), hours="Mon-Sun 00:00-24:00"))
    await first.bus.handle(
        AskQuestion(actor("alice"), "How do I group a pandas DataFrame by two columns?", False)
    )
    await first.bus.handle(ClaimQuestion(actor("bob"), 1))
    await first.bus.handle(ResolveQuestion(actor("alice"), 1))
    await first.bus.handle(RateSession(actor("alice"), 1, 1))
    await first.bus.handle(RateSession(actor("alice"), 1, 2))  # changed within the window
    await first.bus.handle(CommentOnSession(actor("alice"), 1, "No answer at all."))
    await stop(first)  # down before the window closes

    later = ManualClock(START + timedelta(minutes=10))
    admins = ChannelRef("test", "admins")
    second, chat = await start_app(sqlite_url, later)
    await second.runtime.drain()
    await second.runtime.drain()
    await stop(second)
    third, chat3 = await start_app(sqlite_url, later)
    await third.runtime.drain()
    await stop(third)

    [alert] = [m.plain() for m in chat.messages("post_card", channel=admins)]
    assert "was rated 2/5 by its asker" in alert and "Comment: No answer at all." in alert
    assert chat3.messages("post_card", channel=admins) == []
    [row] = [r for r in await nudges_in(sqlite_url) if r.kind == NudgeKind.LOW_RATING.value]
    assert row.state == NudgeState.SENT.value


async def test_a_process_down_past_the_re_post_re_posts_once_at_start_up(sqlite_url: str) -> None:
    """Down from the ask until three hours later: at start-up the overdue ladder re-posts the
    question in the channel once and tells the admins once; the DM the re-post overtook is not
    sent, and a process started after it sends none of it again."""
    first, _ = await start_app(sqlite_url, ManualClock(START), ONE_SUGGESTED)
    for name, skills in (("bob", ("python", "pandas")), ("carol", ("pandas",))):
        await first.bus.handle(RegisterMentor(actor(name), skills, hours="Mon-Sun 00:00-24:00"))
    await first.bus.handle(
        AskQuestion(actor("alice"), "How do I group a pandas DataFrame by two columns?", False)
    )
    await stop(first)

    later = ManualClock(START + timedelta(hours=3))
    second, chat = await start_app(sqlite_url, later, ONE_SUGGESTED)
    await second.runtime.drain()
    await stop(second)
    third, chat3 = await start_app(sqlite_url, later, ONE_SUGGESTED)
    await third.runtime.drain()
    await stop(third)

    def said(chat: FakeChat, channel: str) -> list[str]:
        ref = ChannelRef("test", channel)
        return [m.plain() for m in chat.messages("post_card", channel=ref) if m.kind != "card"]

    [bump] = said(chat, "mentoring")
    assert "#1" in bump and "needs a mentor" in bump
    assert len(said(chat, "admins")) == 1
    assert not any("still waiting for a mentor" in m.plain() for m in chat.messages("send_dm"))
    assert said(chat3, "mentoring") == [] and said(chat3, "admins") == []
    steps = [r for r in await nudges_in(sqlite_url) if r.kind == NudgeKind.ESCALATE.value]
    assert [(r.step, r.state) for r in steps] == [
        (0, "sent"),
        (1, "sent"),
        (2, "sent"),
        (3, "pending"),
    ]


async def test_an_escalation_step_waits_on_disk_for_the_fitting_mentors_working_time(
    sqlite_url: str,
) -> None:
    """Asked on Friday evening while bob was around the clock; he then keeps Mon-Fri office
    hours. The give-up due on Saturday is not sent: its row waits for a day of his working
    time (Wednesday 17:00), pending, with no attempt spent; nothing else about it changes."""
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    clock = ManualClock(friday)
    app, chat = await start_app(sqlite_url, clock)
    await app.bus.handle(
        RegisterMentor(actor("bob"), ("python", "pandas"), hours="Mon-Sun 00:00-24:00")
    )
    await app.bus.handle(
        AskQuestion(actor("alice"), "How do I group a pandas DataFrame by two columns?", False)
    )
    await app.bus.handle(SetMentorHours(actor("bob"), "Mon-Fri 09:00-17:00"))
    clock.set(friday + timedelta(days=1))
    await app.runtime.drain()
    await stop(app)
    steps = [r for r in await nudges_in(sqlite_url) if r.kind == NudgeKind.ESCALATE.value]
    assert [(r.step, r.state, r.attempts) for r in steps] == [(i, "pending", 0) for i in range(4)]
    assert steps[-1].due_at.replace(tzinfo=UTC) == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert [m for m in chat.messages("post_card") if m.kind != "card"] == []
    assert not any("no mentor could take" in m.plain() for m in chat.messages("send_dm"))


# --- two sweepers on one database ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("db", "count"), [("sqlite", 200), pytest.param("postgres", 1000, marks=pytest.mark.postgres)]
)
async def test_two_sweepers_send_every_due_nudge_exactly_once(
    db: str, count: int, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(f"{db}_url")
    config = Config.model_validate({"nudges": {"batch_size": 25}})
    clock = ManualClock(START)
    one, chat_one = await start_app(url, clock, config)
    two, chat_two = await start_app(url, clock, config)
    try:
        await paused_mentors(one, count, ended_at=START - timedelta(minutes=1))
        await asyncio.gather(one.runtime.drain(), two.runtime.drain())
        sent = Counter(
            c.args["user"].id for chat in (chat_one, chat_two) for c in chat.of("send_dm")
        )
        assert len(sent) == count and set(sent.values()) == {1}
        assert {n.state for n in await nudges_in(url)} == {NudgeState.SENT.value}
    finally:
        await stop(one)
        await stop(two)


# --- retries ----------------------------------------------------------------------------------


async def outbox_in(url: str) -> list[sa.Row[Any]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(sa.select(OUTBOX).order_by(OUTBOX.c.id)))
    finally:
        await engine.dispose()


async def test_a_send_failing_twice_then_succeeding_is_stored_sent_with_three_attempts(
    db_url: str,
) -> None:
    clock = ManualClock(START)
    config = Config.model_validate({"flow": {"retry_base_seconds": 30}})
    app, chat = await start_app(db_url, clock, config)
    try:
        await paused_mentors(app, 1, ended_at=START)
        chat.fail_on.add("send_dm")
        for at in (START, START + timedelta(seconds=30)):
            clock.set(at)
            await app.runtime.drain()
        chat.fail_on.clear()
        clock.set(START + timedelta(seconds=90))
        await app.runtime.drain()
        [nudge] = await nudges_in(db_url)
        assert (nudge.state, nudge.attempts) == ("sent", 1)  # decided once
        [row] = await outbox_in(db_url)
        assert (row.state, row.attempts) == ("sent", 3)
        assert row.last_error.startswith("ChatFailure")
        assert row.result is not None  # the ref the platform gave back
        assert sum(not isinstance(c.result, Exception) for c in chat.calls) == 1
    finally:
        await stop(app)
