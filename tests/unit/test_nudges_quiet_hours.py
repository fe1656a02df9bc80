"""Quiet hours: nudges to people outside their working hours wait for their next working time,
in their own timezone and across daylight-saving changes; session messages and asker-facing
nudges right after the asker acted go at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.commands import Actor, AskQuestion, PauseMentor, SetMentorHours, SetMentorTimezone
from bot.config import Config
from bot.domain import MentorProfile, NudgeKind, NudgeState, QuestionState
from bot.hours import WeeklyHours
from bot.nudges.coverage import LATEST_AFTER, ladder_due
from bot.refs import UserRef
from tests.unit.core_harness import QUESTION, WORKSPACE, Core, start_core


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
    core = await start_core(Config.model_validate({"session": {"timebox_minutes": 30}}))
    core.clock.set(datetime(2026, 11, 23, 16, 50, tzinfo=UTC))  # bob works until 17:00 UTC
    await core.join("bob", "python", "pandas", hours="Mon-Fri 09:00-17:00")
    n = await core.claimed()
    await tick(core, minutes=15)  # 17:05: bob is off work
    assert not any("quiet for a while" in m for m in core.chat.in_thread(n))
    await tick(core, minutes=15)  # 17:20: time's up, said in the thread the two are in
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


# --- the unclaimed ladder counts the working time of the mentors who fit ----------------------

FRIDAY_EVENING = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
OFFICE = "Mon-Fri 09:00-17:00"


def ladder(core: Core) -> list[datetime]:
    rows = sorted((n for n in core.db.rows("nudges") if n.kind is NudgeKind.ESCALATE), key=_step)
    return [n.due_at for n in rows]


def _step(n: object) -> int:
    return n.step  # type: ignore[attr-defined,no-any-return]


async def office_mentors_on_friday_evening(*names: str) -> Core:
    core = await start_core()
    core.clock.set(FRIDAY_EVENING)
    for name in names or ("bob",):
        await core.join(name, "python", "pandas", hours=OFFICE)
    return core


async def test_asked_when_no_suggested_mentor_is_at_work_the_reply_says_when_one_is_back() -> None:
    core = await office_mentors_on_friday_evening()
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, False))
    assert "Suggested mentors: bob." in said
    assert "No mentor for this is at work right now; bob is back Mon 09:00 UTC." in said


async def test_the_reply_names_the_first_mentor_back_in_the_askers_own_timezone() -> None:
    core = await start_core()
    core.clock.set(datetime(2026, 11, 29, 10, 0, tzinfo=UTC))  # a Sunday morning
    await core.join("bob", "python", "pandas", hours=OFFICE)
    await core.join("kenji", "pandas", hours=OFFICE)
    await core.reply(SetMentorTimezone(core.actor("kenji"), "Asia/Tokyo"))  # Mon 00:00 UTC
    actor = Actor(core.user("alice"), "alice", WORKSPACE, timezone="Europe/Berlin")
    said = await core.reply(AskQuestion(actor, QUESTION, False))
    assert "No mentor for this is at work right now; kenji is back Mon 01:00 CET." in said


@pytest.mark.parametrize("hours", [OFFICE, None])  # at work now; no hours: around the clock
async def test_no_word_about_working_hours_while_a_suggested_mentor_is_at_work(
    hours: str | None,
) -> None:
    core = await start_core()  # Monday 10:00
    if hours is None:
        core.clock.set(FRIDAY_EVENING)
        await core.join("bob", "python", "pandas")
    else:
        await core.join("bob", "python", "pandas", hours=hours)
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, False))
    assert "Suggested mentors: bob." in said and "at work" not in said


async def test_the_ladder_counts_only_time_in_which_a_fitting_mentor_is_at_work() -> None:
    core = await office_mentors_on_friday_evening()
    n = await core.ask("alice")
    minute = timedelta(minutes=1)
    # 10 and 30 minutes and 2 hours of bob's Monday; a day of his working time by Wednesday.
    assert ladder(core) == [
        MONDAY_9 + 10 * minute,
        MONDAY_9 + 30 * minute,
        MONDAY_9 + 120 * minute,
        datetime(2026, 12, 2, 17, 0, tzinfo=UTC),
    ]
    for at in ("2026-11-27T18:30", "2026-11-27T20:30", "2026-11-28T20:30", "2026-11-30T08:59"):
        await sweep_at(core, datetime.fromisoformat(at).replace(tzinfo=UTC))
    assert core.question(n).state is QuestionState.OPEN
    assert [m for m in core.chat.messages("post_card") if m.kind != "card"] == []
    await sweep_at(core, datetime(2026, 12, 2, 16, 59, tzinfo=UTC))
    assert core.question(n).state is QuestionState.OPEN
    await sweep_at(core, datetime(2026, 12, 2, 17, 0, tzinfo=UTC))
    assert core.question(n).state is QuestionState.UNANSWERED


async def test_the_channel_bump_comes_when_the_mentors_who_fit_are_at_work() -> None:
    core = await office_mentors_on_friday_evening("bob", "carol")
    n = await core.ask("alice")
    await sweep_at(core, MONDAY_9 + timedelta(minutes=29))
    assert [m for m in core.chat.messages("post_card") if m.kind != "card"] == []
    await sweep_at(core, MONDAY_9 + timedelta(minutes=30))
    [bump] = [m for m in core.chat.messages("post_card") if m.kind != "card"]
    assert f"#{n}" in bump.plain()
    assert set(bump.mentions()) == {core.user("bob"), core.user("carol")}


async def test_one_fitting_mentor_without_hours_keeps_the_ladder_on_plain_time() -> None:
    core = await office_mentors_on_friday_evening()
    await core.join("carol", "pandas")  # no hours set: around the clock
    await core.ask("alice")
    assert ladder(core) == [FRIDAY_EVENING + timedelta(minutes=m) for m in (10, 30, 120, 1440)]


async def test_a_mentor_who_set_hours_after_the_ask_is_waited_for_when_the_step_is_due() -> None:
    core = await start_core()
    core.clock.set(FRIDAY_EVENING)
    await core.join("bob", "python", "pandas")  # around the clock when alice asks
    n = await core.ask("alice")
    await core.reply(SetMentorHours(core.actor("bob"), OFFICE))  # ...then only Mon-Fri
    await sweep_at(core, FRIDAY_EVENING + timedelta(days=1))
    assert core.question(n).state is QuestionState.OPEN
    give_up = max((n for n in core.db.rows("nudges") if n.kind is NudgeKind.ESCALATE), key=_step)
    assert give_up.due_at == datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    assert give_up.attempts == 0  # waiting is not a failed attempt


async def test_without_quiet_hours_the_ladder_runs_on_plain_time() -> None:
    core = await start_core(Config.model_validate({"nudges": {"quiet_hours": False}}))
    core.clock.set(FRIDAY_EVENING)
    await core.join("bob", "python", "pandas", hours=OFFICE)
    await core.ask("alice")
    assert ladder(core) == [FRIDAY_EVENING + timedelta(minutes=m) for m in (10, 30, 120, 1440)]


def mentor(hours: str, *, tz: str = "UTC", paused_until: datetime | None = None) -> MentorProfile:
    return MentorProfile(
        ref=UserRef("test", "m"),
        workspace=WORKSPACE,
        skills=("pandas",),
        timezone=tz,
        hours=WeeklyHours.parse(hours),
        paused_until=paused_until,
    )


def test_a_paused_mentor_counts_from_the_end_of_the_pause() -> None:
    [due] = ladder_due([mentor("Mon-Sun 00:00-24:00", paused_until=MONDAY_9)], FRIDAY_EVENING, [10])
    assert due == MONDAY_9 + timedelta(minutes=10)


def test_working_time_in_the_mentors_own_timezone_and_across_a_dst_change() -> None:
    # Sat 2026-03-28 18:00 UTC; Berlin's clocks go forward on Sunday: Monday 09:00 is 07:00 UTC.
    asked = datetime(2026, 3, 28, 18, 0, tzinfo=UTC)
    [due] = ladder_due([mentor(OFFICE, tz="Europe/Berlin")], asked, [30])
    assert due == datetime(2026, 3, 30, 7, 30, tzinfo=UTC)


def test_a_mentor_who_hardly_works_keeps_no_step_waiting_more_than_a_week_extra() -> None:
    [due] = ladder_due([mentor("Sat 10:00-10:30")], FRIDAY_EVENING, [1440])
    assert due == FRIDAY_EVENING + timedelta(minutes=1440) + LATEST_AFTER
