"""`/mentor learn stop` before any course keeps both from starting by themselves (the mentors'
one too, for someone who joins the mentor list later); a finished course can be taken again
with `/mentor learn start`; a first question held as a draft (for coaching or an FAQ entry)
brings lesson 1 only once it is posted, whichever held it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import AskQuestion
from bot.learning.commands import AnswerCheck, PostDraft, SaveFaq, ShowLearning, StopLearning
from tests.unit.core_harness import Core, start_core
from tests.unit.test_learning_courses import lessons_to, pending_lessons, titles

MENTORS_1 = "Running a short session · lesson 1 of 5"
ASKERS_1 = "Asking well · lesson 1 of 5"


@pytest.fixture
async def core() -> Core:
    return await start_core(learning=True)


async def test_a_stop_before_any_lesson_keeps_the_mentors_course_from_starting_at_join(
    core: Core,
) -> None:
    said = await core.reply(StopLearning(core.actor("zed")))
    assert "nor if you become a mentor" in said, said
    await core.join("zed", "sql")
    core.clock.advance(timedelta(days=2))
    await core.tick()
    assert lessons_to(core, core.user("zed")) == []
    shown = await core.reply(ShowLearning(core.actor("zed")))
    assert (
        "Running a short session: stopped before lesson 1 of 5 — `/mentor learn start` starts it"
    ) in shown, shown
    shown = await core.reply(ShowLearning(core.actor("zed"), start=True))
    assert "Running a short session: started (5 lessons); lesson 1 is in your DMs now" in shown
    assert any(t.startswith(MENTORS_1) for t in titles(core, core.user("zed")))


async def test_start_after_a_stop_lets_the_mentors_course_begin_at_a_later_join(
    core: Core,
) -> None:
    await core.handle(StopLearning(core.actor("zed")))
    shown = await core.reply(ShowLearning(core.actor("zed"), start=True))
    assert "Running a short session" not in shown  # zed mentors nobody (yet)
    await core.join("zed", "sql")
    assert [t for t in titles(core, core.user("zed")) if t.startswith(MENTORS_1)], titles(
        core, core.user("zed")
    )


async def finished(core: Core) -> None:
    """alice's askers' course, every lesson had and every quick check answered."""
    await core.ask("alice")
    for _ in range(4):
        core.clock.advance(timedelta(days=1))
        await core.tick()
    for lesson in range(1, 6):
        await core.handle(AnswerCheck(core.actor("alice"), "mentee", lesson, 2))


async def test_a_finished_course_is_taken_again_with_start(core: Core) -> None:
    await finished(core)
    alice = core.actor("alice")
    shown = await core.reply(ShowLearning(alice))
    assert "Asking well: complete (5 of 5 lessons, quick checks 4/5 right)" in shown, shown
    assert "`/mentor learn start` takes it again" in shown, shown
    stopped = await core.reply(StopLearning(alice))
    assert stopped.endswith("`/mentor learn start` takes them again."), stopped
    shown = await core.reply(ShowLearning(alice, start=True))
    assert "Asking well: taking it again (5 lessons); lesson 1 is in your DMs now" in shown
    assert titles(core, alice.user)[-1].startswith(ASKERS_1)
    assert len(lessons_to(core, alice.user)) == 6
    assert pending_lessons(core, alice.user) == [2]
    shown = await core.reply(ShowLearning(alice))
    assert "Asking well: lesson 1 of 5, its quick check not answered yet" in shown, shown
    said = await core.reply(AnswerCheck(alice, "mentee", 1, 2))
    assert said.startswith("Right!"), said  # answered anew, not "already"
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert titles(core, alice.user)[-1].startswith("Asking well · lesson 2 of 5")


async def test_start_picks_up_a_stopped_course_without_retaking_a_finished_one(
    core: Core,
) -> None:
    await finished(core)
    await core.join("alice", "pandas")  # the mentors' course begins
    await core.handle(StopLearning(core.actor("alice")))
    shown = await core.reply(ShowLearning(core.actor("alice")))
    assert "takes it again" not in shown, shown
    shown = await core.reply(ShowLearning(core.actor("alice"), start=True))
    assert "Asking well: complete" in shown and "taking it again" not in shown, shown
    assert "Running a short session: restarted after lesson 1 of 5" in shown, shown


FAQ_ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): it returns a Series indexed by both columns.'
LIKE_THE_FAQ = "How can I group a pandas DataFrame by two columns and get the sum?"


@pytest.mark.parametrize("held", ["coaching", "faq"])
async def test_a_first_question_held_as_a_draft_brings_lesson_1_once_posted(
    core: Core, held: str
) -> None:
    n = await core.resolved()
    await core.reply(SaveFaq(core.actor("bob"), n, FAQ_ANSWER))
    ask = LIKE_THE_FAQ if held == "faq" else "pandas NaN after fillna"
    said = await core.reply(AskQuestion(core.actor("dave"), ask))
    assert "held your question back" in said or said.startswith("Before I post it"), said
    assert lessons_to(core, core.user("dave")) == []  # held: nobody to wait for yet
    said = await core.reply(PostDraft(core.actor("dave"), 1))
    assert said.startswith("Thanks! Your question is #2."), said
    assert titles(core, core.user("dave"))[0].startswith(ASKERS_1)


@pytest.mark.parametrize("word", ["start", "restart", "again", "RESTART"])
def test_restart_is_read_as_start(word: str) -> None:
    from bot.commands import Actor
    from bot.refs import UserRef, WorkspaceRef
    from bot.textcommands.mentor import parse_mentor

    actor = Actor(UserRef("test", "bob"), "bob", WorkspaceRef("test", "T1"))
    assert parse_mentor(actor, f"learn {word}") == ShowLearning(actor, start=True)


def test_an_asker_finds_their_lessons_and_data_under_askmentor_too() -> None:
    from bot.commands import Actor, AskQuestion
    from bot.learning.commands import StopLearning
    from bot.privacy.commands import ExportMyData
    from bot.refs import UserRef, WorkspaceRef
    from bot.textcommands import parse_ask_command

    actor = Actor(UserRef("test", "ann"), "ann", WorkspaceRef("test", "T1"))
    assert parse_ask_command(actor, "learn") == ShowLearning(actor)
    assert parse_ask_command(actor, "learn stop") == StopLearning(actor)
    assert parse_ask_command(actor, "Learn restart") == ShowLearning(actor, start=True)
    assert parse_ask_command(actor, "mydata") == ExportMyData(actor)
    asked = parse_ask_command(actor, "learn pandas fast: where do I start?")
    assert isinstance(asked, AskQuestion)  # a question that starts with "learn"


async def test_the_askers_lessons_point_to_askmentor_learn(core: Core) -> None:
    await core.handle(ShowLearning(core.actor("ann")))
    [lesson] = lessons_to(core, core.user("ann"))
    assert "`/askmentor learn stop` ends the course" in lesson
