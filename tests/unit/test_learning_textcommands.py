"""The learning feature's slash-command text: `/askmentor [--anonymous] [--senior] …`,
`/askmentor faq <words>`, `/mentor stage|region|learn [start|stop]|feedback` (the console's own lines
are tested through the console, in tests/e2e)."""

from __future__ import annotations

import pytest

from bot import commands as c
from bot.learning import commands as lc
from bot.refs import UserRef
from bot.textcommands import ParseError, parse_ask_command, parse_mentor
from tests.unit.core_harness import WORKSPACE

ACTOR = c.Actor(UserRef("test", "bob"), "bob", WORKSPACE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("How do I sort?", c.AskQuestion(ACTOR, "How do I sort?")),
        ("--senior How do I grow?", c.AskQuestion(ACTOR, "How do I grow?", stage="senior")),
        (
            "--anonymous --lead How do I grow?",
            c.AskQuestion(ACTOR, "How do I grow?", True, stage="lead"),
        ),
        (
            "--early -a How do I start?",
            c.AskQuestion(ACTOR, "How do I start?", True, stage="early"),
        ),
        ("faq pandas groupby", lc.SearchFaq(ACTOR, "pandas groupby")),
        ("FAQ  git  ", lc.SearchFaq(ACTOR, "git")),
        ("- a list item?", c.AskQuestion(ACTOR, "- a list item?")),
        ("What does -a do in ls?", c.AskQuestion(ACTOR, "What does -a do in ls?")),
        ("chapter 11", c.AskQuestion(ACTOR, "chapter 11")),  # not close to `cancel`
    ],
)
def test_askmentor_text_becomes_a_question_or_an_faq_search(raw: str, expected: object) -> None:
    assert parse_ask_command(ACTOR, raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("faq", "Search the FAQ like `/askmentor faq pandas groupby`."),
        ("--senior --lead How?", "Ask for one career stage at most, e.g. `--senior`."),
        ("--senoir How do I grow?", "I don't know the option `--senoir`. Did you mean `--senior`?"),
        ("cancle 1", "Did you mean `/askmentor cancel 1`?"),
        ("Cancell #12", "Did you mean `/askmentor cancel 12`?"),
    ],
)
def test_askmentor_mistakes_say_what_to_type(raw: str, message: str) -> None:
    said = parse_ask_command(ACTOR, raw)
    assert isinstance(said, ParseError) and said.message.startswith(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("stage senior", lc.SetMentorStage(ACTOR, "senior")),
        ("region US East", lc.SetMentorRegion(ACTOR, "US East")),
        ("region clear", lc.SetMentorRegion(ACTOR, "clear")),
        ("learn", lc.ShowLearning(ACTOR)),
        ("learn stop", lc.StopLearning(ACTOR)),
        ("learn start", lc.ShowLearning(ACTOR, start=True)),
        ("feedback", lc.ShowMentorFeedback(ACTOR)),
    ],
)
def test_mentor_subcommands_of_the_learning_feature(raw: str, expected: object) -> None:
    assert parse_mentor(ACTOR, raw) == expected


def test_mentor_region_without_a_region_shows_how_and_how_to_clear() -> None:
    said = parse_mentor(ACTOR, "region")
    assert isinstance(said, ParseError) and "`/mentor region clear`" in said.message


def test_mentor_stage_without_a_stage_lists_them() -> None:
    said = parse_mentor(ACTOR, "stage")
    assert isinstance(said, ParseError) and "early, mid, senior, lead, executive" in said.message
