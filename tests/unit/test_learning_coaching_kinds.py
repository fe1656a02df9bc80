"""Coaching advice that fits the kind of question: a technical one is asked for the exact error
message, one about people, a career or wellbeing for the asker's role and what they considered,
never for an error message."""

from __future__ import annotations

import pytest

from bot.commands import AskQuestion
from bot.learning.coaching import coach
from bot.matching import build_taxonomy, extract_topics, question_kind
from tests.unit.core_harness import start_core

STUCK = "I feel stuck in my role and don't know what to do next, any advice?"
RAISE = "How do I ask for a raise?"


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        (STUCK, "people"),
        (RAISE, "people"),
        ("My manager keeps rejecting my ideas", "people"),
        ("my code is broken", "technical"),
        ("my deploy keeps failing", "technical"),
        ("Everything feels like a lot lately", ""),
    ],
)
def test_a_question_reads_as_technical_or_about_people(question: str, kind: str) -> None:
    tax = build_taxonomy()
    assert question_kind(tax, question, extract_topics(question, tax)) == kind


def test_a_people_problem_is_asked_for_the_role_and_what_was_considered_not_an_error() -> None:
    tips = coach(STUCK, ["career growth"], kind="people").suggestions
    assert tips and not any("error" in t for t in tips)
    assert any(t.startswith("Say what your role is") for t in tips)


def test_a_technical_problem_keeps_the_exact_error_advice() -> None:
    question = "Our deploy to the staging cluster fails every night, why would that be?"
    tips = coach(question, kind="technical").suggestions
    assert any("paste the exact error message" in t for t in tips)


def test_context_for_a_people_question_asks_for_the_situation_not_a_version() -> None:
    [tip] = coach(RAISE, ["salary negotiation"], kind="people").suggestions
    assert tip.startswith("Add a sentence of context (salary negotiation): your role")
    assert "version" not in tip


async def test_a_held_career_question_gets_advice_for_a_career_question() -> None:
    core = await start_core()
    await core.join("bob", "career growth")
    [stuck] = await core.handle(AskQuestion(core.actor("alice"), STUCK))
    said = stuck.plain()
    assert said.startswith("Before I post it:")
    assert "error" not in said and "what you've considered or tried" in said
    [raise_] = await core.handle(AskQuestion(core.actor("alice"), RAISE))
    assert "version" not in raise_.plain() and "your role and situation" in raise_.plain()
    [broken] = await core.handle(
        AskQuestion(core.actor("alice"), "My pytest run is broken since this morning, help?")
    )
    assert "paste the exact error message" in broken.plain()
