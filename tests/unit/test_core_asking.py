"""Asking: validation that says what to change, the card, suggestions, anonymity, the confirmation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import Actor, AskQuestion, MarkNotMyArea, PauseMentor, RegisterWorkspace
from bot.config import AskSection, Config
from bot.domain import NudgeKind, NudgeState
from bot.messages import UserText
from bot.refs import WorkspaceRef
from tests.unit.core_harness import ADMIN_CHANNEL, MENTORING, QUESTION, WORKSPACE, Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core()


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "Please write your question after the command"),
        ("   \n\t ", "Please write your question after the command"),
        ("help pls", "That's a bit short"),
        ("pandas groupby broken?", "Add a sentence on what you're trying to do"),
        ("x" * 2001, "Your question is 2001 characters; the limit is 2000"),
    ],
    ids=["empty", "blank", "too-short", "too-few-words", "too-long"],
)
async def test_invalid_question_is_refused_with_what_to_change_and_nothing_is_stored(
    core: Core, text: str, hint: str
) -> None:
    said = await core.reply(AskQuestion(core.actor("alice"), text))
    assert hint in said
    assert core.db.tables["questions"] == {}
    assert core.chat.calls == []


async def test_question_is_trimmed_to_single_spaces_before_it_is_stored(core: Core) -> None:
    n = await core.ask("alice", "  How do I   group a pandas\nDataFrame by two columns?  ")
    assert core.question(n).text == "How do I group a pandas DataFrame by two columns?"


async def test_limits_come_from_the_config() -> None:
    core = await start_core(Config(ask=AskSection(min_length=1, min_words=1, coaching="off")))
    assert await core.ask("alice", "pandas?") == 1


async def test_question_is_posted_as_a_card_in_the_mentoring_channel(core: Core) -> None:
    n = await core.ask("alice")
    [post] = core.chat.of("post_card")
    assert post.args["channel"] == MENTORING
    card = core.chat.card(n)
    assert card.kind == "card" and card.question_id == n
    assert QUESTION in card.plain()
    assert "Asked by: alice" in card.plain()
    assert [a.id for a in card.actions] == ["claim", "notmine", "cancel"]
    assert core.question(n).card == post.result


async def test_confirmation_gives_the_number_topics_and_suggested_mentors(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    assert said.startswith("Thanks! Your question is #1.")
    assert "Topics I found: pandas" in said
    assert "Suggested mentors: bob." in said


async def test_matching_mentors_are_suggested_on_the_card_with_a_mention(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    await core.join("carol", "kubernetes")
    n = await core.ask("alice")
    card = core.chat.card(n)
    assert "Suggested: @bob" in card.plain()
    assert core.user("bob") in card.mentions()
    assert core.user("carol") not in card.mentions()
    assert core.question(n).suggested == (core.user("bob"),)


async def test_asker_is_never_suggested_for_their_own_question(core: Core) -> None:
    await core.join("bob", "pandas")
    n = await core.ask("bob")
    assert core.question(n).suggested == ()


async def test_a_mentor_asking_about_their_own_topic_is_not_told_nobody_lists_it(
    core: Core,
) -> None:
    await core.join("bob", "pandas")
    said = await core.reply(AskQuestion(core.actor("bob"), QUESTION))
    assert "You're the only mentor who lists these topics;" in said
    assert "No mentor lists these topics yet" not in said


async def test_without_matching_mentors_the_asker_learns_it_goes_to_everyone(core: Core) -> None:
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    assert "No mentor lists these topics yet" in said


async def test_the_only_paused_mentor_is_away_in_the_singular_and_back_in_the_workspace_zone(
    core: Core,
) -> None:
    await core.handle(
        RegisterWorkspace(WORKSPACE, MENTORING, ADMIN_CHANNEL, timezone="Europe/Berlin")
    )
    await core.join("bob", "pandas")
    await core.handle(PauseMentor(core.actor("bob"), timedelta(days=2)))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    assert (
        "The mentor for these topics is away right now (back Wed 2026-11-25 11:00 CET); it's posted "
        "for every mentor in the mentoring channel meanwhile."
    ) in said
    assert "bob" not in said  # nobody named


async def test_paused_mentors_are_away_until_the_first_of_them_is_back(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.join("carol", "pandas")
    await core.handle(PauseMentor(core.actor("bob"), timedelta(days=3)))
    await core.handle(PauseMentor(core.actor("carol"), timedelta(days=1)))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    assert (
        "The mentors for these topics are away right now (the first is back Tue 2026-11-24 10:00 "
        "UTC); it's posted for every mentor in the mentoring channel meanwhile."
    ) in said
    assert "bob" not in said and "carol" not in said


@pytest.mark.parametrize("others", [0, 1], ids=["alone", "with-one-back-tomorrow"])
async def test_a_mentor_paused_until_they_resume_gives_no_time_back(
    core: Core, others: int
) -> None:
    await core.join("bob", "pandas")
    await core.handle(PauseMentor(core.actor("bob"), None))
    if others:
        await core.join("carol", "pandas")
        await core.handle(PauseMentor(core.actor("carol"), timedelta(days=1)))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    away = "The mentors for these topics are" if others else "The mentor for these topics is"
    assert f"{away} away right now; it's posted for every mentor" in said
    assert "back" not in said


async def test_anonymous_asker_is_not_on_the_card(core: Core) -> None:
    n = await core.ask("alice", anonymous=True)
    card = core.chat.card(n)
    assert "Asked by: anonymous" in card.plain()
    assert "alice" not in card.plain()
    assert core.user("alice") not in card.mentions()


async def test_anonymous_asker_is_told_the_card_hides_their_name(core: Core) -> None:
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, anonymous=True))
    assert "posted anonymously" in said


async def test_anonymous_asking_can_be_switched_off() -> None:
    core = await start_core(Config(ask=AskSection(allow_anonymous=False)))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, anonymous=True))
    assert "Anonymous questions are switched off" in said
    assert core.db.tables["questions"] == {}


async def test_asking_in_a_workspace_that_is_not_set_up_is_refused(core: Core) -> None:
    stranger = core.actor("alice")
    stranger = type(stranger)(stranger.user, "alice", WorkspaceRef("test", "elsewhere"))
    said = await core.reply(AskQuestion(stranger, QUESTION))
    assert "not set up in this workspace" in said
    assert core.db.tables["questions"] == {}


async def test_asking_schedules_the_first_escalation_step(core: Core) -> None:
    n = await core.ask("alice")
    nudges = [nd for nd in core.db.rows("nudges") if nd.question_id is not None]
    pending = [nd for nd in nudges if nd.state is NudgeState.PENDING]
    assert {(nd.kind.value, nd.question_id) for nd in pending} == {("escalate", n)}
    assert min(nd.step for nd in pending) == 0
    # The lightning demand check, a step of its own right after the ask, is done already.
    [check] = [nd for nd in nudges if nd.kind is NudgeKind.LIGHTNING_DEMAND]
    assert check.state is NudgeState.SENT


async def test_card_shows_user_text_as_untrusted_text(core: Core) -> None:
    n = await core.ask("alice", "How do I stop @everyone pings in <!channel> with a pandas bot?")
    assert core.chat.card(n).body.spans == (
        UserText("How do I stop @everyone pings in <!channel> with a pandas bot?"),
    )


async def test_a_mentor_newly_suggested_for_an_anonymous_question_is_told_by_dm() -> None:
    """The card names nobody: after "not my area" the mentor suggested instead hears of it."""
    core = await start_core(Config.model_validate({"matching": {"suggest": 1}}))
    await core.join("bob", "pandas")
    await core.join("carol", "pandas")
    n = await core.ask("alice", anonymous=True)
    [first] = core.db.tables["questions"][n].suggested
    other = "carol" if first == core.user("bob") else "bob"
    before = [m for m in core.chat.dms(core.user(other)) if "asked anonymously" in m]
    assert before == []
    said = await core.reply(MarkNotMyArea(Actor(first, first.id, core.actor("bob").workspace), n))
    assert "suggest" in said
    told = [m for m in core.chat.dms(core.user(other)) if "asked anonymously" in m]
    assert len(told) == 1 and f"#{n}" in told[0]
    assert "alice" not in told[0]
