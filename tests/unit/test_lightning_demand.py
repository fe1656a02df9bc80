"""Cluster detection on hand-built question sets: the threshold, the window, one proposal per
topic; and the proposal it turns into after a question is asked."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.commands import PauseMentor, ResumeMentor, UpdateMentorSkills
from bot.config import Config
from bot.domain import NudgeKind, NudgeState, Question, QuestionState
from bot.lightning.demand import demand_period, find_demand
from bot.lightning.model import LightningState
from bot.lightning.proposals import UNTAUGHT_RECHECK
from tests.unit.core_harness import QUESTION, START, WORKSPACE, Core, start_core

ALICE, BOB = Core.user("alice"), Core.user("bob")


def asked(
    n: int, *topics: str, days_ago: float = 1, state: QuestionState = QuestionState.OPEN
) -> Question:
    return Question(
        workspace=WORKSPACE,
        asker=Core.user(f"asker{n}"),
        text=f"question {n}",
        created_at=START - timedelta(days=days_ago),
        topics=topics,
        state=state,
        id=n,
    )


def demand(
    questions: list[Question], *, proposed: frozenset[str] = frozenset()
) -> list[tuple[str, int]]:
    """(topic, questions) found with the defaults: 5 questions from 3 people within 28 days."""
    found = find_demand(
        questions, now=START, min_questions=5, min_askers=3, window_days=28, proposed=proposed
    )
    return [(d.topic, len(d.question_ids)) for d in found]


def test_five_questions_on_a_topic_are_demand_and_four_are_not() -> None:
    assert demand([asked(i, "pandas") for i in range(1, 5)]) == []
    assert demand([asked(i, "pandas") for i in range(1, 6)]) == [("pandas", 5)]


def test_only_questions_inside_the_window_count() -> None:
    inside = [asked(i, "sql", days_ago=27.9) for i in range(1, 5)]
    outside = asked(5, "sql", days_ago=28.1)
    assert demand([*inside, outside]) == []
    assert demand([*inside, asked(6, "sql", days_ago=28)]) == [("sql", 5)]


def test_cancelled_questions_are_no_demand() -> None:
    five = [asked(i, "docker") for i in range(1, 5)]
    cancelled = asked(5, "docker", state=QuestionState.CANCELLED)
    assert demand([*five, cancelled]) == []


def test_a_topic_proposed_in_the_window_is_not_proposed_again() -> None:
    five = [asked(i, "pandas", "python") for i in range(1, 6)]
    assert demand(five, proposed=frozenset({"pandas"})) == [("python", 5)]


def test_each_topic_of_a_question_counts_and_the_most_asked_comes_first() -> None:
    qs = [asked(i, "pandas", "python") for i in range(1, 6)] + [asked(9, "python")]
    assert demand(qs) == [("python", 6), ("pandas", 5)]


def test_a_question_listing_a_topic_twice_counts_once_and_askers_are_distinct() -> None:
    qs = [asked(i, "git", "git") for i in range(1, 6)]
    [found] = find_demand(qs, now=START, min_questions=5, min_askers=3, window_days=28)
    assert found.question_ids == (1, 2, 3, 4, 5)
    assert found.people == 5


def test_an_anonymous_question_counts_as_someone_of_its_own() -> None:
    """alice and bob by name on four cards, one anonymous question (alice's): whether a session
    is proposed may not depend on who asked it, or the proposal would tell."""
    from dataclasses import replace

    named = [replace(asked(i, "pandas"), asker=(ALICE, BOB)[i % 2]) for i in range(1, 5)]
    for anonymous_asker in (ALICE, Core.user("carl")):
        hidden = replace(asked(5, "pandas"), asker=anonymous_asker, anonymous=True)
        assert demand([*named, hidden]) == [("pandas", 5)]
    # Named, the same five are two people: not demand.
    assert demand([*named, replace(asked(5, "pandas"), asker=ALICE)]) == []


def test_demand_periods_change_every_window() -> None:
    first = demand_period(START, 28)
    assert demand_period(START + timedelta(days=28), 28) == first + 1


# --- the proposal after a question ------------------------------------------------------------


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


def proposals(core: Core) -> list[str]:
    return [
        m.plain() for m in core.chat.messages("send_dm") if any(a.id == "teach" for a in m.actions)
    ]


async def ask_times(core: Core, count: int, *, first: int = 1) -> None:
    for i in range(first, first + count):
        await core.ask(f"asker{i}", QUESTION)


async def test_the_fifth_question_on_a_topic_proposes_a_session_to_the_best_mentors(
    core: Core,
) -> None:
    await ask_times(core, 4)
    assert proposals(core) == []
    await ask_times(core, 1, first=5)
    sent = [
        (c.args["user"], c.message)
        for c in core.chat.of("send_dm")
        if c.message is not None and any(a.id == "teach" for a in c.message.actions)
    ]
    assert {user for user, _ in sent} == {BOB, Core.user("carol")}
    _, message = sent[0]
    assert "5 questions from 5 people about pandas came up in the last 28 days" in message.plain()
    assert [a.id for a in message.actions] == ["teach", "notnow"]
    [s] = core.db.rows("lightning")
    assert (s.topic, s.state, len(s.question_ids)) == ("pandas", LightningState.PROPOSED, 5)


async def test_one_proposal_per_topic_per_window(core: Core) -> None:
    await ask_times(core, 5)
    await ask_times(core, 5, first=6)
    assert len(core.db.rows("lightning")) == 1
    core.clock.advance(timedelta(days=29))
    await ask_times(core, 5, first=20)
    assert len(core.db.rows("lightning")) == 2


async def test_questions_outside_the_window_do_not_add_up(core: Core) -> None:
    await ask_times(core, 4)
    core.clock.advance(timedelta(days=29))
    await ask_times(core, 1, first=5)
    assert core.db.rows("lightning") == []


async def test_no_proposal_when_no_mentor_knows_the_topic() -> None:
    core = await start_core()
    for i in range(5):
        await core.ask(f"asker{i}", QUESTION)
    assert core.db.rows("lightning") == []


async def test_askers_of_the_clustered_questions_are_not_asked_to_teach(core: Core) -> None:
    for i in range(4):
        await core.ask(f"asker{i}", QUESTION)
    await core.ask("carol", QUESTION)  # carol knows pandas, but asked about it herself
    [s] = core.db.rows("lightning")
    assert s.invited == (BOB,)


async def test_the_threshold_and_window_come_from_the_config() -> None:
    core = await start_core(Config.model_validate({"lightning": {"min_questions": 2}}))
    await core.join("bob", "pandas")
    await core.ask("alice", QUESTION)
    await core.ask("dave", QUESTION)
    assert len(core.db.rows("lightning")) == 1


async def test_the_demand_check_is_a_step_of_its_own_after_the_ask(core: Core) -> None:
    """Counting a topic's questions and ranking its mentors are no part of the ask's decision
    (on SQLite they would hold the write lock, and every acknowledgement waiting to store its
    input, while they run): the ask stores a check due at once, decided on its own."""

    async def not_yet() -> None:  # as when the nudge worker has not come round to it yet
        return None

    await ask_times(core, 4)
    core.runtime.bus.nudged = not_yet
    await ask_times(core, 1, first=5)
    assert proposals(core) == [] and core.db.rows("lightning") == []
    checks = [n for n in core.db.rows("nudges") if n.kind is NudgeKind.LIGHTNING_DEMAND]
    assert [n.state for n in checks].count(NudgeState.PENDING) == 1
    await core.tick()
    assert len(core.db.rows("lightning")) == 1 and len(proposals(core)) == 2


def demand_checks(core: Core) -> int:
    return sum(n.kind is NudgeKind.LIGHTNING_DEMAND for n in core.db.rows("nudges"))


async def test_a_topic_nobody_can_teach_is_not_checked_again_on_every_ask() -> None:
    """Finding nobody to teach a topic is remembered for a while: the asks after it store no
    check (each would count, load and rank again only to find nobody)."""
    core = await start_core()
    await ask_times(core, 5)  # one check each: the fifth finds the demand, and nobody to teach
    # ... and stores the hourly check: nobody has to ask again for it to be looked at again
    assert demand_checks(core) == 6 and core.db.rows("lightning") == []
    assert pending_checks(core) == [START + UNTAUGHT_RECHECK]
    await ask_times(core, 3, first=6)
    assert demand_checks(core) == 6
    core.clock.advance(UNTAUGHT_RECHECK + timedelta(minutes=1))
    await core.tick()  # the hourly check: still nobody, the next one an hour later
    assert demand_checks(core) == 7 and core.db.rows("lightning") == []
    assert pending_checks(core) == [START + 2 * UNTAUGHT_RECHECK + timedelta(minutes=1)]
    await ask_times(core, 1, first=9)
    assert demand_checks(core) == 7


def pending_checks(core: Core) -> list[datetime]:
    return sorted(
        n.due_at
        for n in core.db.rows("nudges")
        if n.kind is NudgeKind.LIGHTNING_DEMAND and n.state is NudgeState.PENDING
    )


async def test_an_untaught_topic_is_proposed_when_a_mentor_joins_without_another_ask() -> None:
    """The review's case: five questions on pandas and no mentor; bob joins with pandas two
    hours later; nobody asks again: bob gets the proposal at once."""
    core = await start_core()
    await ask_times(core, 5)
    core.clock.advance(timedelta(hours=2))
    await core.tick()
    assert core.db.rows("lightning") == []
    await core.join("bob", "python", "pandas")
    [s] = core.db.rows("lightning")
    assert (s.topic, s.invited) == ("pandas", (BOB,))
    assert len(proposals(core)) == 1


async def test_an_untaught_topic_is_proposed_when_a_paused_mentor_resumes() -> None:
    core = await start_core()
    await core.join("bob", "pandas")
    await core.handle(PauseMentor(core.actor("bob"), None))
    await ask_times(core, 5)
    assert core.db.rows("lightning") == []
    await core.handle(ResumeMentor(core.actor("bob")))
    [s] = core.db.rows("lightning")
    assert (s.topic, s.invited) == ("pandas", (BOB,))


async def test_an_untaught_topic_is_looked_at_again_within_the_hour_after_a_pause_ends() -> None:
    """The end of a timed pause (and `/mentor skills`) announces no event: the hourly check
    finds the mentor back."""
    core = await start_core()
    await core.join("bob", "pandas")
    await core.handle(PauseMentor(core.actor("bob"), timedelta(hours=3)))
    await ask_times(core, 5)
    assert core.db.rows("lightning") == []
    for _ in range(4):
        core.clock.advance(UNTAUGHT_RECHECK)
        await core.tick()
    [s] = core.db.rows("lightning")
    assert (s.topic, s.invited) == ("pandas", (BOB,))


async def test_the_hourly_check_goes_on_when_the_question_it_started_from_is_resolved() -> None:
    core = await start_core()
    await core.join("bob", "negotiation")
    await ask_times(core, 5)
    assert pending_checks(core) == [START + UNTAUGHT_RECHECK]
    await core.claim("bob", 5)  # the question it hangs on is answered and resolved
    await core.resolve("asker5", 5)
    core.clock.advance(timedelta(minutes=5))
    await core.reply(UpdateMentorSkills(core.actor("bob"), ("negotiation", "pandas")))
    for _ in range(2):
        core.clock.advance(UNTAUGHT_RECHECK)
        await core.tick()
    [s] = core.db.rows("lightning")
    assert (s.topic, s.invited) == ("pandas", (BOB,))


async def test_the_hourly_check_stops_once_the_demand_has_left_the_window() -> None:
    core = await start_core()
    await ask_times(core, 5)
    core.clock.advance(timedelta(days=29))
    await core.tick()
    assert pending_checks(core) == []


async def test_a_mentor_joining_makes_an_untaught_topic_checked_again() -> None:
    core = await start_core()
    await ask_times(core, 5)
    await core.join("bob", "pandas")
    await ask_times(core, 1, first=6)
    [s] = core.db.rows("lightning")
    assert (s.topic, s.invited) == ("pandas", (BOB,))


async def test_a_mentor_taking_up_the_topic_makes_it_checked_again() -> None:
    """Any change to the roster counts (`/mentor skills` here, which announces no event)."""
    core = await start_core()
    await core.join("bob", "negotiation")
    await ask_times(core, 5)
    assert core.db.rows("lightning") == []
    await core.reply(UpdateMentorSkills(core.actor("bob"), ("negotiation", "pandas")))
    await ask_times(core, 1, first=6)
    [s] = core.db.rows("lightning")
    assert (s.topic, s.invited) == ("pandas", (BOB,))
