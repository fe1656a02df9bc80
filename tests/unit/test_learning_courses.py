"""The two courses in chat: lesson 1 with the first ask or join, the next ones one a day as
nudges (quiet hours respected), `/mentor learn` (where you are, never a lesson before its day),
`/mentor learn stop`, quick checks, completion, and an admin's own lessons from bot.toml."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import Actor, AskQuestion
from bot.config import Config, LearningSection, Lesson, SessionSection
from bot.domain import NudgeKind, NudgeState
from bot.learning.commands import AnswerCheck, ShowLearning, StopLearning
from bot.learning.courses import Course, course, lesson_message
from bot.learning.model import Track
from bot.privacy.commands import LeaveProgramme, PersonLeft
from bot.refs import UserRef
from tests.unit.core_harness import QUESTION, START, WORKSPACE, Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core(learning=True)


def lessons_to(core: Core, user: UserRef) -> list[str]:
    return [m for m in core.chat.dms(user) if " · lesson " in m.split("\n", 1)[0]]


def titles(core: Core, user: UserRef) -> list[str]:
    return [m.split("\n", 1)[0] for m in lessons_to(core, user)]


def pending_lessons(core: Core, user: UserRef) -> list[int]:
    return [
        n.step
        for n in core.db.rows("nudges")
        if n.kind is NudgeKind.LESSON and n.target == user and n.state is NudgeState.PENDING
    ]


@pytest.mark.parametrize("track", list(Track))
def test_each_shipped_course_has_four_to_six_short_lessons_with_a_quick_check(
    track: Track,
) -> None:
    c = course(track, Config())
    assert 4 <= len(c) <= 6
    for lesson in c.lessons:
        assert 2 <= len(lesson.body.strip().splitlines()) <= 5
        assert 2 <= len(lesson.check.options) <= 4
        assert all(len(option) <= 60 for option in lesson.check.options)  # fits a button


def test_a_lesson_message_has_one_button_per_option_on_its_lesson() -> None:
    c = course(Track.MENTEE, Config())
    msg = lesson_message(c, 2)
    assert [a.custom_id for a in msg.actions] == ["mm:mentee:1:2", "mm:mentee:2:2", "mm:mentee:3:2"]
    assert msg.title is not None and "lesson 2 of 5" in msg.title.plain()


async def test_the_first_question_brings_the_first_askers_lesson(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.ask("alice")
    assert titles(core, core.user("alice")) == [
        "Asking well · lesson 1 of 5: What a 20-minute session can do"
    ]
    assert pending_lessons(core, core.user("alice")) == [2]


async def test_joining_as_a_mentor_brings_the_first_mentors_lesson(core: Core) -> None:
    await core.join("bob", "pandas")
    assert titles(core, core.user("bob")) == [
        "Running a short session · lesson 1 of 5: Your first claim"
    ]
    assert pending_lessons(core, core.user("bob")) == [102]


async def test_asking_again_does_not_start_the_course_again(core: Core) -> None:
    await core.ask("alice")
    await core.ask("alice", QUESTION + " Again, with sums.")
    assert len(lessons_to(core, core.user("alice"))) == 1


async def test_the_next_lessons_come_one_a_day_until_the_course_is_complete(core: Core) -> None:
    await core.ask("alice")
    for day in range(2, 6):
        core.clock.advance(timedelta(hours=23))
        await core.tick()
        assert len(lessons_to(core, core.user("alice"))) == day - 1  # not before the day is up
        core.clock.advance(timedelta(hours=1))
        await core.tick()
        assert len(lessons_to(core, core.user("alice"))) == day
    last = lessons_to(core, core.user("alice"))[-1]
    assert "lesson 5 of 5" in last and "complete" not in last.replace("to complete the", "")
    # The last lesson says so after its quick check, which completes the course (no `stop`).
    assert last.index("Quick check:") < last.index("That was the last lesson")
    assert last.rstrip().endswith(
        "That was the last lesson: answer its quick check with the buttons below to complete the "
        "course."
    )
    assert "/mentor learn stop" not in last
    assert "/askmentor learn stop" in lessons_to(core, core.user("alice"))[-2]
    core.clock.advance(timedelta(days=10))
    await core.tick()
    assert len(lessons_to(core, core.user("alice"))) == 5
    assert pending_lessons(core, core.user("alice")) == []
    [enrollment] = core.db.rows("learning")
    assert enrollment.completed_at is not None


async def test_a_lesson_due_at_night_waits_for_the_learners_working_morning(core: Core) -> None:
    # alice's platform says she is in New York: 10:00 UTC is 05:00 there.
    alice = Actor(core.user("alice"), "alice", WORKSPACE, timezone="America/New_York")
    await core.handle(AskQuestion(alice, QUESTION))
    core.clock.advance(timedelta(days=1))  # Tuesday 10:00 UTC = 05:00 in New York
    await core.tick()
    assert len(lessons_to(core, alice.user)) == 1
    core.clock.advance(timedelta(hours=3, minutes=59))  # 08:59 in New York
    await core.tick()
    assert len(lessons_to(core, alice.user)) == 1
    core.clock.advance(timedelta(minutes=1))  # 09:00, the default working hours begin
    await core.tick()
    assert len(lessons_to(core, alice.user)) == 2


async def test_stopping_the_course_stops_the_lessons(core: Core) -> None:
    await core.ask("alice")
    said = await core.reply(StopLearning(core.actor("alice")))
    assert said.startswith("Done: no more lessons.")
    core.clock.advance(timedelta(days=7))
    await core.tick()
    assert len(lessons_to(core, core.user("alice"))) == 1


async def test_a_mentor_who_left_mentoring_gets_no_more_mentor_lessons(core: Core) -> None:
    await core.join("bob", "pandas")
    said = await core.reply(LeaveProgramme(core.actor("bob")))
    assert "you won't be suggested or asked any more" in said
    core.clock.advance(timedelta(days=7))
    await core.tick()
    assert len(lessons_to(core, core.user("bob"))) == 1
    # Should they come back, `/mentor learn start` picks up where it stopped.
    await core.join("bob", "pandas")
    said = await core.reply(ShowLearning(core.actor("bob")))
    assert "stopped after 1 of 5 lessons" in said


async def test_a_mentor_who_left_mentoring_still_gets_the_askers_lessons(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.ask("bob")
    assert len(lessons_to(core, core.user("bob"))) == 2  # lesson 1 of each course
    await core.handle(LeaveProgramme(core.actor("bob")))
    core.clock.advance(timedelta(days=1))
    await core.tick()
    new = lessons_to(core, core.user("bob"))[2:]
    # Stopping mentoring stops the mentors' course, not the askers' one.
    assert len(new) == 1 and "lesson 2 of 5: Give context" in new[0], new


async def test_someone_who_left_the_workspace_gets_no_more_lessons(core: Core) -> None:
    await core.ask("alice")
    await core.handle(PersonLeft(core.user("alice"), WORKSPACE))
    core.clock.advance(timedelta(days=7))
    await core.tick()
    assert len(lessons_to(core, core.user("alice"))) == 1


async def test_stopping_before_any_lesson_keeps_the_course_from_starting_later(
    core: Core,
) -> None:
    said = await core.reply(StopLearning(core.actor("zed")))
    assert said == (
        "Done: no lessons will come — not when you ask, nor if you become a mentor. "
        "`/mentor learn start` starts them any time."
    )
    await core.ask("zed")  # a first question starts the askers' course for anyone else
    core.clock.advance(timedelta(days=3))
    await core.tick()
    assert lessons_to(core, core.user("zed")) == []
    shown = await core.reply(ShowLearning(core.actor("zed")))
    assert "Asking well: stopped before lesson 1 of 5 — `/mentor learn start` starts it" in shown
    shown = await core.reply(ShowLearning(core.actor("zed"), start=True))  # asked for: it starts
    assert "Asking well: started (5 lessons); lesson 1 is in your DMs now" in shown, shown
    # By DM, where its quick check's buttons stay (not in an answer only zed sees for a while).
    assert [t.split(":")[0] for t in titles(core, core.user("zed"))] == [
        "Asking well · lesson 1 of 5"
    ]
    assert " · lesson " not in shown
    assert "Running a short session" not in shown  # zed mentors nobody: no mentors' course


async def test_learn_shows_where_you_are_and_never_sends_a_lesson_early(core: Core) -> None:
    await core.ask("alice")
    alice = core.actor("alice")
    for _ in range(3):  # checking where you are, again and again, moves nothing forward
        said = await core.reply(ShowLearning(alice))
        assert "Asking well: lesson 1 of 5, its quick check not answered yet" in said, said
        assert "lesson 2 comes by DM from Tue 2026-11-24 10:00 UTC" in said
        assert "`/mentor learn stop` ends the lessons" in said
        assert "· lesson 2 of 5" not in said
    assert len(lessons_to(core, alice.user)) == 1
    await core.handle(AnswerCheck(alice, "mentee", 1, 2))
    said = await core.reply(ShowLearning(alice))
    assert "lesson 1 of 5, its quick check answered (quick checks 1/1 right)" in said
    [enrollment] = core.db.rows("learning")
    assert enrollment.next_lesson == 2
    assert pending_lessons(core, alice.user) == [2]
    # lesson 2 comes on its day, by DM, as it would have without `/mentor learn`
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert titles(core, alice.user)[1:] == ["Asking well · lesson 2 of 5: Give context"]
    said = await core.reply(ShowLearning(alice))
    assert "lesson 2 of 5, its quick check not answered yet" in said
    assert "lesson 3 comes by DM from Wed 2026-11-25 10:00 UTC" in said


async def test_learn_on_a_complete_course_says_so_and_offers_no_stop(core: Core) -> None:
    await core.ask("alice")
    for _ in range(4):
        core.clock.advance(timedelta(days=1))
        await core.tick()
    said = await core.reply(ShowLearning(core.actor("alice")))
    assert (
        "Asking well: all 5 lessons had; the last one's quick check is not answered yet "
        "(the buttons are on the lesson)"
    ) in said
    assert "stop" not in said
    assert len(lessons_to(core, core.user("alice"))) == 5
    # Stopping then says, as `/mentor learn` does, that the last quick check is still open,
    # not that the course is done nor that `/mentor learn start` starts it again.
    stopped = await core.reply(StopLearning(core.actor("alice")))
    assert stopped == (
        "That was the last lesson; its quick check is still open (the buttons are on the "
        "lesson, in your DMs) — nothing more will come."
    )
    # Once it is answered, the course is finished.
    await core.handle(AnswerCheck(core.actor("alice"), "mentee", 5, 2))
    stopped = await core.reply(StopLearning(core.actor("alice")))
    assert stopped == (
        "You have no lessons running: you finished them all. Well done! "
        "`/mentor learn start` takes them again."
    )


async def test_answering_the_last_quick_check_completes_the_course(core: Core) -> None:
    await core.ask("alice")
    for _ in range(4):
        core.clock.advance(timedelta(days=1))
        await core.tick()
    alice = core.actor("alice")
    said = await core.reply(AnswerCheck(alice, "mentee", 4, 2))
    assert said.startswith("Right! The answer is “I expected 3 rows, got 0”.")  # quoted once
    assert "complete" not in said
    said = await core.reply(AnswerCheck(alice, "mentee", 5, 2))
    assert said.startswith("Right! The answer is “Suggest a longer mentoring chat”.")
    assert said.endswith("Course complete. Thank you! 🎓")
    again = await core.reply(AnswerCheck(alice, "mentee", 5, 2))
    assert again.startswith("You answered this one already.") and "complete" not in again
    shown = await core.reply(ShowLearning(alice))
    assert "Asking well: complete (5 of 5 lessons, quick checks 2/2 right)" in shown


async def test_learn_on_a_stopped_course_shows_it_stopped_and_how_to_pick_it_up(
    core: Core,
) -> None:
    await core.ask("alice")
    await core.handle(StopLearning(core.actor("alice")))
    core.clock.advance(timedelta(days=2))
    await core.tick()
    said = await core.reply(ShowLearning(core.actor("alice")))
    assert said == (
        "Your lessons\n"
        "• Asking well: stopped after 1 of 5 lessons — `/mentor learn start` picks it up again"
    )
    assert len(lessons_to(core, core.user("alice"))) == 1
    assert core.db.rows("learning")[0].stopped_at is not None


async def test_learn_start_after_stopping_picks_up_where_it_stopped(core: Core) -> None:
    await core.ask("alice")
    await core.handle(StopLearning(core.actor("alice")))
    core.clock.advance(timedelta(days=2))
    await core.tick()  # the lesson nudge finds the course stopped
    said = await core.reply(ShowLearning(core.actor("alice"), start=True))
    # lesson 2's day has come: it comes at once
    assert "restarted after lesson 1 of 5; lesson 2" in said
    assert "lesson 2 of 5" in titles(core, core.user("alice"))[-1]
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert "lesson 3 of 5" in lessons_to(core, core.user("alice"))[-1]


async def test_learn_start_right_after_stopping_picks_up_on_the_next_lessons_day(
    core: Core,
) -> None:
    await core.ask("alice")
    await core.handle(StopLearning(core.actor("alice")))
    core.clock.advance(timedelta(hours=2))
    said = await core.reply(ShowLearning(core.actor("alice"), start=True))
    assert "restarted after lesson 1 of 5; lesson 2" in said
    assert "lesson 2 comes by DM from Tue 2026-11-24 10:00 UTC" in said
    assert "· lesson 2 of 5" not in said
    core.clock.advance(timedelta(hours=22))
    await core.tick()
    assert titles(core, core.user("alice"))[1:] == ["Asking well · lesson 2 of 5: Give context"]


async def test_learn_schedules_a_next_lesson_that_went_missing(core: Core) -> None:
    await core.ask("alice")
    core.db.tables["nudges"].clear()  # as if the lesson's nudge were lost
    said = await core.reply(ShowLearning(core.actor("alice")))
    assert "lesson 2 comes by DM from Tue 2026-11-24 10:00 UTC" in said
    assert pending_lessons(core, core.user("alice")) == [2]
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert len(lessons_to(core, core.user("alice"))) == 2


async def test_learn_with_no_course_starts_the_askers_one(core: Core) -> None:
    said = await core.reply(ShowLearning(core.actor("zed")))
    assert "Asking well: starting now; lesson 1 is in your DMs now" in said
    assert titles(core, core.user("zed")) == [
        "Asking well · lesson 1 of 5: What a 20-minute session can do"
    ]
    assert "Running a short session" not in said


async def test_a_mentor_who_joined_before_the_lessons_existed_gets_both_courses(
    core: Core,
) -> None:
    await core.join("bob", "pandas")
    core.db.tables["learning"].clear()  # as after upgrading a bot that had no lessons
    await core.reply(ShowLearning(core.actor("bob")))
    shown = titles(core, core.user("bob"))
    assert "Asking well · lesson 1 of 5: What a 20-minute session can do" in shown
    assert any(t.startswith("Running a short session · lesson 1 of 5") for t in shown), shown


async def test_learn_says_so_when_lessons_are_switched_off() -> None:
    off = await start_core(Config(learning=LearningSection(enabled=False)), learning=True)
    assert await off.reply(ShowLearning(off.actor("zed"))) == "Lessons are switched off here."


async def test_quick_checks_count_right_answers_once(core: Core) -> None:
    await core.ask("alice")
    alice = core.actor("alice")
    assert (await core.reply(AnswerCheck(alice, "mentee", 1, 2))).startswith("Right!")
    again = await core.reply(AnswerCheck(alice, "mentee", 1, 1))
    assert again.startswith("You answered this one already. The answer is")
    said = await core.reply(ShowLearning(alice))
    assert "quick checks 1/1 right" in said


async def test_a_wrong_answer_is_told_the_right_one_and_why(core: Core) -> None:
    await core.ask("alice")
    said = await core.reply(AnswerCheck(core.actor("alice"), "mentee", 1, 1))
    assert said.startswith("Not quite. The answer is “Why this one query is slow”.")
    assert "One focused problem fits." in said


async def test_a_lesson_not_had_yet_cannot_be_answered(core: Core) -> None:
    await core.ask("alice")
    said = await core.reply(AnswerCheck(core.actor("alice"), "mentee", 3, 1))
    assert said.startswith("That lesson isn't one you've had yet.")


async def test_quick_check_buttons_send_the_answer(core: Core) -> None:
    from bot.commands import button_command

    assert button_command(core.actor("alice"), "mentor:3", 4) == AnswerCheck(
        core.actor("alice"), "mentor", 4, 3
    )


async def test_an_admins_own_lessons_from_bot_toml_replace_the_shipped_course() -> None:
    own = [
        Lesson.model_validate(
            {
                "title": f"Our way {i}",
                "body": "Ask in #help first.\nThen here.",
                "check": {"question": "Where first?", "options": ["#help", "DM"], "answer": 1},
            }
        )
        for i in range(1, 5)
    ]
    core = await start_core(Config(learning=LearningSection(mentee=own)), learning=True)
    await core.ask("alice")
    assert titles(core, core.user("alice")) == ["Asking well · lesson 1 of 4: Our way 1"]


def _every_text(c: Course) -> list[str]:
    said = [c.title]
    for lesson in c.lessons:
        check = lesson.check
        said += [lesson.title, lesson.body, check.question, *check.options, check.explain]
    return said


@pytest.mark.parametrize("track", list(Track))
def test_every_shipped_lesson_renders_without_a_placeholder_left(track: Track) -> None:
    c = course(track, Config())
    for said in _every_text(c):
        assert "{" not in said and "}" not in said, said
    for number in range(1, len(c) + 1):
        msg = lesson_message(c, number).plain()
        assert "{" not in msg and "}" not in msg, msg


def test_the_lessons_say_the_workspaces_time_box_and_extension() -> None:
    config = Config(session=SessionSection(timebox_minutes=30, extend_minutes=15))
    mentor = course(Track.MENTOR, config)
    lesson = mentor.lesson(2)
    assert lesson is not None
    assert lesson.title == "30 minutes, one next step"
    assert "Keep an eye on the time box; +15 min is there when you're close." in lesson.body
    assert "+10 min" not in lesson.body
    assert "Some questions outgrow 30 minutes:" in str(mentor.lessons[3].body)
    mentee = course(Track.MENTEE, config)
    first = lesson_message(mentee, 1).plain()
    assert "Asking well · lesson 1 of 5: What a 30-minute session can do" in first
    assert "one question, one mentor, about 30 minutes." in first
    assert "Which of these fits a 30-minute session best?" in first
    for track in Track:
        assert not any("20" in said for said in _every_text(course(track, config)))


def test_the_shipped_course_is_filled_once_per_time_box() -> None:
    """Training reads the course on every lesson, check and `/mentor learn`: the shipped one is
    filled in once for a workspace's figures, and a different time box gets its own."""
    twenty, thirty = Config(), Config(session=SessionSection(timebox_minutes=30))
    for track in Track:
        assert course(track, twenty) is course(track, Config())
        assert course(track, thirty) is not course(track, twenty)
    assert "30 minutes" in (course(Track.MENTOR, thirty).lessons[1].title)
    assert "20 minutes" in (course(Track.MENTOR, twenty).lessons[1].title)


def test_an_admins_lesson_may_name_the_time_box_and_keeps_its_other_braces() -> None:
    own = [
        Lesson.model_validate(
            {
                "title": "Our {timebox_minutes} minutes",
                "body": 'Write {"rows": 3} as JSON; +{extend_minutes} min if needed. {other}',
                "check": {"question": "Where {first}?", "options": ["#help", "DM"], "answer": 1},
            }
        )
    ] * 2
    config = Config(
        learning=LearningSection(mentor=own),
        session=SessionSection(timebox_minutes=25, extend_minutes=5),
    )
    lesson = course(Track.MENTOR, config).lessons[0]
    assert lesson.title == "Our 25 minutes"
    assert lesson.body == 'Write {"rows": 3} as JSON; +5 min if needed. {other}'
    assert lesson.check.question == "Where {first}?"


async def test_the_first_lessons_greeting_counts_the_courses_lessons_and_its_pace() -> None:
    own = [
        Lesson.model_validate(
            {
                "title": f"Our way {i}",
                "body": "Ask in #help first.",
                "check": {"question": "Where first?", "options": ["#help", "DM"], "answer": 1},
            }
        )
        for i in range(1, 4)
    ]
    config = Config(learning=LearningSection(mentor=own, every_days=2))
    core = await start_core(config, learning=True)
    await core.join("bob", "pandas")
    await core.ask("alice")
    [bob] = lessons_to(core, core.user("bob"))
    assert (
        "Here is the first of three short lessons on running a short session — one every 2 "
        "days, a minute each." in bob
    )
    [alice] = lessons_to(core, core.user("alice"))
    assert (
        "here is the first of five short lessons on getting the most out of micromentoring "
        "— one every 2 days" in alice
    )


def test_a_lesson_whose_answer_is_not_an_option_is_refused_at_start_up() -> None:
    with pytest.raises(ValueError, match="answer 3 is not one of the 2 options"):
        Lesson.model_validate(
            {
                "title": "t",
                "body": "b",
                "check": {"question": "q", "options": ["a", "b"], "answer": 3},
            }
        )


async def test_lessons_switched_off_send_nothing() -> None:
    core = await start_core(Config(learning=LearningSection(enabled=False)), learning=True)
    await core.join("bob", "pandas")
    await core.ask("alice")
    assert lessons_to(core, core.user("alice")) == lessons_to(core, core.user("bob")) == []
    assert START == core.clock.now()


async def test_learn_after_leaving_mentoring_says_the_mentors_course_waits_and_promises_none(
    core: Core,
) -> None:
    """The review's case: `/mentor leave`, then `/mentor learn start` promised lesson 2 by DM, which
    never came (the lesson's nudge stopped the course again)."""
    await core.join("bob", "pandas")
    await core.ask("bob")  # the askers' course too
    await core.handle(StopLearning(core.actor("bob")))
    await core.handle(LeaveProgramme(core.actor("bob")))
    for _ in range(2):
        said = await core.reply(ShowLearning(core.actor("bob"), start=True))
        assert (
            "Running a short session: paused after 1 of 5 lessons: you left the mentor list. "
            "Join again (`/mentor join <skills>`) and `/mentor learn start` picks it up." in said
        ), said
        # only the askers' course promises a lesson
        assert said.count("comes by DM") + said.count("is in your DMs now") == 1, said
        assert "`/mentor learn stop` ends the lessons" in said
        core.clock.advance(timedelta(days=1))
        await core.tick()
    running = [t for t in titles(core, core.user("bob")) if t.startswith("Running")]
    assert len(running) == 1, running
    assert any("Asking well · lesson 2 of 5" in t for t in titles(core, core.user("bob")))
    # Back on the list, `/mentor learn start` picks the mentors' course up again.
    await core.join("bob", "pandas")
    said = await core.reply(ShowLearning(core.actor("bob"), start=True))
    assert "Running a short session: restarted after lesson 1 of 5; lesson 2" in said


async def test_the_next_lessons_time_follows_the_learners_working_hours_in_their_zone(
    core: Core,
) -> None:
    """Lesson 2 is due a day after lesson 1, at night in New York: its nudge waits for the
    learner's working morning, and `/mentor learn` says so, in their zone too."""
    from bot.commands import SetMentorTimezone

    await core.join("bob", "pandas", hours="Mon-Fri 09:00-17:00")
    await core.handle(SetMentorTimezone(core.actor("bob"), "America/New_York"))
    said = await core.reply(ShowLearning(core.actor("bob")))
    # due Tue 10:00 UTC (05:00 in New York): it comes at 09:00 there, 14:00 UTC
    assert "lesson 2 comes by DM from Tue 2026-11-24 14:00 UTC (09:00 America/New_York)" in said, (
        said
    )
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert len(lessons_to(core, core.user("bob"))) == 1
    core.clock.advance(timedelta(hours=4))
    await core.tick()
    assert titles(core, core.user("bob"))[1].startswith("Running a short session · lesson 2 of 5")


async def test_a_lesson_closed_dms_refuse_waits_for_mentor_learn() -> None:
    """A lesson refused by closed DMs is not counted as had: the course waits at it (nothing
    further comes on its own) and `/mentor learn` sends it again once the DMs are open."""
    from tests.unit.test_core_handover import _ClosedDms

    chat = _ClosedDms("zed")
    core = await start_core(chat=chat, learning=True)
    said = await core.reply(ShowLearning(core.actor("zed")))
    assert "lesson 1 is in your DMs now" in said
    await core.tick()
    assert len([c for c in chat.calls if c.method == "refused_dm"]) == 1
    core.clock.advance(timedelta(days=8))  # the next lesson's day passes: it is not sent
    await core.tick()
    assert len([c for c in chat.calls if c.method == "refused_dm"]) == 1
    chat.closed.clear()  # zed opens their DMs
    said = await core.reply(ShowLearning(core.actor("zed")))
    assert "lesson 1 is in your DMs now" in said, said
    await core.tick()
    assert titles(core, core.user("zed"))[-1].startswith("Asking well · lesson 1 of 5")


async def test_learn_start_after_stopping_picks_up_only_the_courses_that_had_begun(
    core: Core,
) -> None:
    """A mentor who never asked: `stop` records the askers' course as stopped (so it does not
    start by itself), and `start` picks up the mentors' course only."""
    await core.join("bob", "pandas")
    await core.handle(StopLearning(core.actor("bob")))
    core.clock.advance(timedelta(days=2))
    await core.tick()
    said = await core.reply(ShowLearning(core.actor("bob"), start=True))
    assert "Running a short session: restarted after lesson 1 of 5; lesson 2" in said
    assert (
        "Asking well: not started (5 lessons) — you stopped it before its first lesson, so it "
        "stays off" in said
    )
    assert not any(t.startswith("Asking well") for t in titles(core, core.user("bob")))
    # Asked for again, nothing else being picked up, it starts.
    said = await core.reply(ShowLearning(core.actor("bob"), start=True))
    assert "Asking well: started (5 lessons)" in said, said
