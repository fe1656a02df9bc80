"""The late resolve of a session its time box closed (``LATE_RESOLVE``): it counts the session
as ending when its time ran out (not when Resolve was pressed) while what follows it is due
from the press; a second late Resolve is told plainly the question is resolved, and by whom;
writing in the thread of a closed session says Resolve can still be pressed, while it can."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

import bot.questions.sessions as sessions
from bot.commands import Actor, AskQuestion, RecordThreadActivity, ResolveQuestion
from bot.config import Config, LearningSection
from bot.domain import NudgeKind, NudgeState, QuestionState
from tests.unit.core_harness import QUESTION, START, WORKSPACE, Core, start_core


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


async def tick(core: Core, **delta: float) -> None:
    core.clock.advance(timedelta(**delta))
    await core.tick()


async def expired(core: Core) -> int:
    """A question alice asked at START that bob claimed; its time box closed (30 min later)."""
    n = await core.claimed()
    await tick(core, minutes=20)  # the wrap-up
    await tick(core, minutes=10)  # its grace, with no answer
    assert core.question(n).state is QuestionState.EXPIRED
    return n


# --- 1. a late resolve counts the session as it was --------------------------------------------


async def test_a_late_resolve_is_stamped_when_the_session_closed_not_when_pressed(
    core: Core,
) -> None:
    n = await expired(core)
    closed_at = core.question(n).closed_at
    assert closed_at is not None
    await tick(core, hours=20)
    assert await core.resolve("bob", n) == f"#{n} is marked resolved."
    q = core.question(n)
    assert q.state is QuestionState.RESOLVED
    assert q.resolved_at == closed_at and q.closed_at == closed_at
    assert q.resolved_by == core.user("bob")


async def test_a_late_resolve_counts_in_the_digest_as_the_session_lasted(core: Core) -> None:
    n = await expired(core)
    await tick(core, hours=5)
    await core.resolve("alice", n)
    digest = await core.digest("2026-W48")
    # Asked at 10:00, claimed at once, closed at 10:30: 30 min to resolve, not 5 h 30 min.
    assert "to resolve 30 min" in digest, digest


async def test_what_follows_a_late_resolve_is_due_from_the_press_not_from_the_close(
    core: Core,
) -> None:
    n = await expired(core)
    await tick(core, hours=20)
    pressed = core.clock.now()
    await core.resolve("bob", n)
    due = {
        nudge.kind: nudge.due_at
        for nudge in core.db.rows("nudges")
        if nudge.question_id == core.question(n).pk and nudge.state is NudgeState.PENDING
    }
    nudges = core.config.nudges
    assert due[NudgeKind.FEEDBACK] == pressed + timedelta(minutes=nudges.feedback_after_minutes)
    assert due[NudgeKind.FOLLOW_UP] == pressed + timedelta(days=nudges.follow_up_days)
    # Nothing overdue goes out at once: the rating request waits its usual half hour.
    await core.tick()
    assert not any("How helpful" in m for m in core.chat.dms(core.user("alice")))
    await tick(core, minutes=nudges.feedback_after_minutes)
    assert sum("How helpful" in m for m in core.chat.dms(core.user("alice"))) == 1


def _in_utc(core: Core, name: str) -> Actor:
    """`name` as their platform tells it: in UTC, so default working hours (09-17) apply."""
    return Actor(core.user(name), name, WORKSPACE, timezone="UTC")


async def _resolved_in_the_evening(core: Core, *, late: bool) -> int:
    """alice (in UTC) presses Resolve after her working hours: at 18:30 on a session whose time
    box ran out at 10:30 (late), or at 18:40 on one she asked at 18:20 (in time)."""
    if not late:
        core.clock.set(START.replace(hour=18, minute=20))
    said = await core.reply(AskQuestion(_in_utc(core, "alice"), QUESTION, False))
    n = int(said.removeprefix("Thanks! Your question is #").split(maxsplit=1)[0].rstrip("."))
    await core.claim("bob", n)
    if late:
        await tick(core, minutes=20)  # the wrap-up
        await tick(core, minutes=10)  # its grace, with no answer
        assert core.question(n).state is QuestionState.EXPIRED
        core.clock.set(START.replace(hour=18, minute=30))
    else:
        core.clock.set(START.replace(hour=18, minute=40))
    await core.tick()
    assert await core.reply(ResolveQuestion(_in_utc(core, "alice"), n)) == (
        f"#{n} is marked resolved."
    )
    return n


@pytest.mark.parametrize("late", [True, False])
async def test_the_rating_request_after_an_evening_resolve_goes_at_once_late_or_not(
    late: bool,
) -> None:
    """The asker just pressed Resolve: she is evidently around, so quiet hours do not hold the
    rating request until her next morning, though a late resolve's `resolved_at` is 10:30."""
    core = await start_core()
    await core.join("bob", "python", "pandas")
    n = await _resolved_in_the_evening(core, late=late)
    pressed = core.clock.now()
    await tick(core, minutes=core.config.nudges.feedback_after_minutes)
    asked = [m for m in core.chat.dms(core.user("alice")) if m.startswith("How helpful")]
    assert len(asked) == 1, (pressed, core.question(n).resolved_at)
    # The follow-up three days on is no reply to a press: it waits for her working time.
    follow_up = core.config.nudges.follow_up_days
    core.clock.set(pressed + timedelta(days=follow_up))
    await core.tick()
    assert not any(m.startswith("Checking in") for m in core.chat.dms(core.user("alice")))
    core.clock.set((pressed + timedelta(days=follow_up + 1)).replace(hour=9))
    await core.tick()
    assert sum(m.startswith("Checking in") for m in core.chat.dms(core.user("alice"))) == 1


async def test_next_steps_after_a_late_evening_resolve_go_at_once() -> None:
    config = Config().model_copy(update={"learning": LearningSection(enabled=False)})
    core = await start_core(config, learning=True)  # the next steps without the lessons
    await core.join("bob", "python", "pandas")
    await _resolved_in_the_evening(core, late=True)
    await tick(core, minutes=core.config.followup.after_minutes)
    assert sum(m.startswith("Next steps after") for m in core.chat.dms(core.user("alice"))) == 1


async def test_a_resolve_in_time_is_still_stamped_when_pressed(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=7)
    await core.resolve("alice", n)
    q = core.question(n)
    assert q.resolved_at == q.closed_at == START + timedelta(minutes=7)


# --- 2. a second late Resolve ----------------------------------------------------------------


async def test_a_second_late_resolve_says_plainly_it_is_resolved_and_by_whom(core: Core) -> None:
    n = await expired(core)
    await tick(core, hours=1)
    assert await core.resolve("alice", n) == f"#{n} is marked resolved."
    before = core.db.snapshot()
    assert await core.resolve("bob", n) == (
        f"Question #{n} is already marked resolved by its asker; nothing more to do."
    )
    assert await core.resolve("alice", n) == (
        f"Question #{n} is already marked resolved by you; nothing more to do."
    )
    assert await core.reply(ResolveQuestion(core.actor("admin"), n)) == (
        f"Question #{n} is already marked resolved by its asker; nothing more to do."
    )
    assert core.db.snapshot() == before


async def test_the_mentors_resolve_first_is_named_to_the_asker(core: Core) -> None:
    n = await expired(core)
    await core.resolve("bob", n)
    assert await core.resolve("alice", n) == (
        f"Question #{n} is already marked resolved by its mentor; nothing more to do."
    )


async def test_a_late_resolve_losing_the_race_says_who_won_not_to_try_again(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both pressed the late Resolve at once: the one whose press came second read the question
    while it was still closed, and its write finds it resolved."""
    n = await expired(core)
    stale = core.question(n)
    await core.resolve("bob", n)
    real = sessions.load_question

    async def read_before_bob(ctx, actor, number):  # type: ignore[no-untyped-def]
        found = await real(ctx, actor, number)
        return replace(stale, version=found.version) if number == n else found

    monkeypatch.setattr(sessions, "load_question", read_before_bob)
    said = await core.resolve("alice", n)
    assert said == f"Question #{n} is already marked resolved by its mentor; nothing more to do."
    assert core.question(n).resolved_by == core.user("bob")


# --- 3. writing in the thread of a closed session ----------------------------------------------


def _told(core: Core, name: str) -> list:
    return [
        m
        for m in core.chat.messages("send_dm", user=core.user(name))
        if "no longer follows its thread" in m.plain()
    ]


async def test_writing_in_a_closed_sessions_thread_offers_the_late_resolve(core: Core) -> None:
    n = await expired(core)
    await tick(core, hours=3)
    await core.handle(RecordThreadActivity(core.actor("alice"), question_id=n))
    [dm] = _told(core, "alice")
    assert (
        "press Resolve to mark it resolved (you can until Tue 2026-11-24 10:30 UTC)" in dm.plain()
    )
    assert [(a.id, a.question_id) for a in dm.actions] == [("resolve", n)]
    # Told once, not at every message.
    await core.handle(RecordThreadActivity(core.actor("alice"), question_id=n))
    assert len(_told(core, "alice")) == 1
    assert await core.resolve("alice", n) == f"#{n} is marked resolved."


async def test_writing_in_the_thread_after_the_late_resolve_ran_out_says_it_closed(
    core: Core,
) -> None:
    n = await expired(core)
    await tick(core, hours=25)
    await core.handle(RecordThreadActivity(core.actor("bob"), question_id=n))
    [dm] = _told(core, "bob")
    assert dm.plain() == (
        f"The session on #{n} closed when its time ran out, so the bot no longer follows its "
        "thread: a message there may go unread. If you agreed to carry on, a DM or a call "
        "works. It closed over 24 hours ago, so it can't be marked resolved any more."
    )
    assert dm.actions == ()


async def test_the_press_of_a_late_resolve_is_kept_apart_from_when_the_session_ended(
    core: Core,
) -> None:
    """What follows a resolve is due from the press, and quiet hours take it as the asker's
    last action: it is stored, not worked out from a nudge's due time (which a failed send
    moves on)."""
    n = await expired(core)
    await tick(core, hours=6)
    pressed = core.clock.now()
    assert await core.resolve("alice", n) == f"#{n} is marked resolved."
    q = core.question(n)
    assert q.resolve_pressed_at == pressed and q.resolved_at == q.closed_at != pressed
    on_time = await core.claimed()
    await tick(core, minutes=5)
    assert await core.resolve("alice", on_time) == f"#{on_time} is marked resolved."
    q = core.question(on_time)
    assert q.resolve_pressed_at == q.resolved_at == core.clock.now()
