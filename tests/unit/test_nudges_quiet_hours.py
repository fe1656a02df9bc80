"""Quiet hours: nudges to people outside their working hours wait for their next working time,
in their own timezone and across daylight-saving changes; session messages and asker-facing
nudges right after the asker acted go at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import Actor, AskQuestion, PauseMentor, SetMentorTimezone
from bot.config import Config
from bot.domain import NudgeKind, NudgeState, QuestionState
from bot.hours import WeeklyHours
from tests.unit.core_harness import WORKSPACE, Core, start_core


async def tick(core: Core, **delta: float) -> None:
    core.clock.advance(timedelta(**delta))
    await core.tick()


async def sweep_at(core: Core, when: datetime) -> None:
    core.clock.set(when)
    await core.tick()


def nudge_of(core: Core, kind: NudgeKind) -> object:
    [nudge] = [n for n in core.db.rows("nudges") if n.kind is kind]
    return nudge


async def ask_from(core: Core, name: str, tz: str, *, anonymous: bool = False) -> int:
    """Someone whose platform reports timezone `tz` asks (they are not a mentor)."""
    actor = Actor(core.user(name), name, WORKSPACE, timezone=tz)
    said = await core.reply(
        AskQuestion(actor, "How do I group a pandas DataFrame by two columns?", anonymous)
    )
    return int(said.split("#")[1].split(maxsplit=1)[0].rstrip("."))


@pytest.mark.parametrize(
    ("tz", "expected_utc"),
    [
        # Resolved Mon 10:00 UTC, follow-up due Thu 10:00 UTC; default hours Mon-Fri 09-17 local.
        ("UTC", datetime(2026, 11, 26, 10, 0, tzinfo=UTC)),  # inside hours: at once
        ("America/New_York", datetime(2026, 11, 26, 14, 0, tzinfo=UTC)),  # 05:00 there
        ("Asia/Tokyo", datetime(2026, 11, 27, 0, 0, tzinfo=UTC)),  # 19:00 there: Fri 09:00
    ],
)
async def test_the_follow_up_waits_for_the_askers_working_time(
    tz: str, expected_utc: datetime
) -> None:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    n = await ask_from(core, "alice", tz)
    await core.claim("bob", n)
    await core.resolve("bob", n)
    await tick(core, days=3)
    follow_up = nudge_of(core, NudgeKind.FOLLOW_UP)
    assert follow_up.due_at == expected_utc  # type: ignore[attr-defined]
    if expected_utc > core.clock.now():  # waiting for working hours is not a failed attempt
        assert follow_up.attempts == 0  # type: ignore[attr-defined]
    await sweep_at(core, expected_utc)
    assert sum(m.startswith("Checking in") for m in core.chat.dms(core.user("alice"))) == 1


async def test_an_asker_whose_timezone_is_unknown_gets_the_follow_up_at_once_even_at_night() -> (
    None
):
    core = await start_core()
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice")  # no timezone from the platform (as in the console)
    await core.claim("bob", n)
    await core.resolve("bob", n)
    core.clock.set(core.clock.now().replace(hour=23) + timedelta(days=3))
    await core.tick()
    assert sum(m.startswith("Checking in") for m in core.chat.dms(core.user("alice"))) == 1


async def test_the_feedback_request_right_after_a_resolve_goes_out_even_after_hours() -> None:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    n = await ask_from(core, "alice", "Asia/Tokyo")  # 19:00 in Tokyo
    await core.claim("bob", n)
    await core.resolve("alice", n)
    await tick(core, minutes=30)
    assert any(m.startswith("How helpful") for m in core.chat.dms(core.user("alice")))


@pytest.mark.parametrize(
    ("tz", "paused_at", "expected_utc"),
    [
        # EU clocks go forward on Sun 2026-03-29: Monday 09:00 in Berlin is 07:00 UTC, not 08:00.
        (
            "Europe/Berlin",
            datetime(2026, 3, 27, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        ),
        # US clocks go forward on Sun 2026-03-08: Monday 09:00 in New York is 13:00 UTC.
        (
            "America/New_York",
            datetime(2026, 3, 6, 18, 0, tzinfo=UTC),
            datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
        ),
        # US clocks go back on Sun 2026-11-01: Monday 09:00 in New York is 14:00 UTC again.
        (
            "America/New_York",
            datetime(2026, 10, 30, 18, 0, tzinfo=UTC),
            datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
        ),
    ],
)
async def test_welcome_back_over_a_dst_weekend_waits_for_monday_morning_local_time(
    tz: str, paused_at: datetime, expected_utc: datetime
) -> None:
    core = await start_core()
    core.clock.set(paused_at)
    await core.join("bob", "python", hours="Mon-Fri 09:00-17:00")
    await core.reply(SetMentorTimezone(core.actor("bob"), tz))
    await core.reply(PauseMentor(core.actor("bob"), timedelta(days=1)))  # ends on Saturday
    await tick(core, days=1)
    assert core.chat.dms(core.user("bob")) == []
    assert nudge_of(core, NudgeKind.PAUSE_END).due_at == expected_utc  # type: ignore[attr-defined]
    await sweep_at(core, expected_utc - timedelta(minutes=1))
    assert core.chat.dms(core.user("bob")) == []
    await sweep_at(core, expected_utc)
    assert any("welcome back" in m for m in core.chat.dms(core.user("bob")))


async def test_session_messages_in_the_thread_go_at_once_but_the_stale_nudge_waits() -> None:
    core = await start_core()
    core.clock.set(datetime(2026, 11, 23, 16, 50, tzinfo=UTC))  # bob works until 17:00 UTC
    await core.join("bob", "python", "pandas", hours="Mon-Fri 09:00-17:00")
    n = await core.claimed()
    await tick(core, minutes=15)  # 17:05: bob is off work
    assert not any("quiet for a while" in m for m in core.chat.in_thread(n))
    await tick(core, minutes=5)  # 17:10: time's up, said in the thread the two are in
    assert any("time's up" in m for m in core.chat.in_thread(n))
    stale = nudge_of(core, NudgeKind.STALE)
    assert stale.state is NudgeState.PENDING  # type: ignore[attr-defined]
    assert stale.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # type: ignore[attr-defined]


async def test_escalation_dms_wait_when_every_fitting_mentor_is_off_work() -> None:
    config = Config.model_validate(
        {
            "matching": {"suggest": 1},
            "nudges": {
                "escalation": [
                    {"after_minutes": 10, "action": "dm_next"},
                    {"after_minutes": 1440, "action": "give_up"},
                ]
            },
        }
    )
    core = await start_core(config)
    await core.join("bob", "python", "pandas")
    await core.join("kenji", "pandas", hours="Mon-Fri 09:00-17:00")
    await core.reply(SetMentorTimezone(core.actor("kenji"), "Asia/Tokyo"))  # 19:10 there
    await core.ask("alice")
    await tick(core, minutes=10)
    assert core.chat.dms(core.user("kenji")) == []
    await sweep_at(core, datetime(2026, 11, 24, 0, 0, tzinfo=UTC))  # Tue 09:00 in Tokyo
    assert len(core.chat.dms(core.user("kenji"))) == 1


@pytest.mark.parametrize(
    ("anonymous", "closed_at"),
    [
        # Tue 10:00 UTC is 19:00 in Tokyo: the kind note waits for Wednesday 09:00 there...
        (False, datetime(2026, 11, 25, 0, 0, tzinfo=UTC)),
        # ...but an anonymous card must not close as its asker's day starts: it says where they are.
        (True, datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
    ],
)
async def test_giving_up_waits_for_the_askers_morning_unless_they_asked_anonymously(
    anonymous: bool, closed_at: datetime
) -> None:
    core = await start_core()
    n = await ask_from(core, "alice", "Asia/Tokyo", anonymous=anonymous)  # nobody mentors it
    await sweep_at(core, closed_at - timedelta(minutes=1))  # the ladder gives up after a day
    assert core.question(n).state is QuestionState.OPEN
    await sweep_at(core, closed_at)
    assert core.question(n).state is QuestionState.UNANSWERED


async def test_quiet_hours_can_be_switched_off() -> None:
    core = await start_core(Config.model_validate({"nudges": {"quiet_hours": False}}))
    core.clock.set(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))  # a Saturday
    await core.join("bob", "python", hours="Mon-Fri 09:00-17:00")
    await core.reply(PauseMentor(core.actor("bob"), timedelta(hours=1)))
    await tick(core, hours=1)
    assert any("welcome back" in m for m in core.chat.dms(core.user("bob")))


def test_next_working_start_skips_the_missing_hour_of_a_spring_forward_night() -> None:
    hours = WeeklyHours.parse("Sun 01:00-04:00")
    # Sun 2026-03-29 in Berlin: 02:00-03:00 does not exist; 00:30 UTC is 01:30 CET, inside.
    inside = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    assert hours.next_start(inside, "Europe/Berlin") == inside
    before = datetime(2026, 3, 28, 23, 0, tzinfo=UTC)  # 00:00 CET
    assert hours.next_start(before, "Europe/Berlin") == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
