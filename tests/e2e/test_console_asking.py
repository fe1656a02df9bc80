"""Console, asking: the card in #mentoring with suggestions, the asker's confirmation, anonymity."""

from __future__ import annotations

import pytest

from tests.e2e.console_driver import ConsoleDriver

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


@pytest.fixture
async def with_mentors(console: ConsoleDriver) -> ConsoleDriver:
    await console("as bob", "/mentor join python, pandas", "as carol", "/mentor join kubernetes")
    return console


async def test_ask_posts_a_card_in_mentoring_with_the_question_and_how_to_claim(
    with_mentors: ConsoleDriver,
) -> None:
    out = await with_mentors("as alice", f"/askmentor {QUESTION}")
    card = out.one("#mentoring")
    assert card.lines[:3] == ("Question #1", QUESTION, "Asked by: alice")
    assert "Topics: pandas" in card.lines
    assert "How to claim: press Claim or react with ✋" in card.lines
    assert card.lines[-1] == (
        "[Claim → click claim 1] [Not my area → click notmine 1] [Cancel (asker) → click cancel 1]"
    )


async def test_the_card_suggests_the_mentors_whose_skills_fit(with_mentors: ConsoleDriver) -> None:
    out = await with_mentors("as alice", f"/askmentor {QUESTION}")
    card = out.one("#mentoring")
    assert "Suggested: @bob" in card.lines
    assert "carol" not in card


async def test_only_the_asker_sees_the_confirmation_with_number_and_mentors(
    with_mentors: ConsoleDriver,
) -> None:
    out = await with_mentors("as alice", f"/askmentor {QUESTION}")
    assert out.one("only alice sees").lines[:3] == (
        "Thanks! Your question is #1.",
        "Topics I found: pandas",
        "Suggested mentors: bob.",
    )


async def test_questions_are_numbered_in_order(with_mentors: ConsoleDriver) -> None:
    await with_mentors("as alice", f"/askmentor {QUESTION}")
    out = await with_mentors("as dave", "/askmentor How do I deploy a python app on kubernetes?")
    assert out.one("#mentoring").lines[0] == "Question #2"
    [suggested] = [line for line in out.one("#mentoring").lines if line.startswith("Suggested:")]
    assert "@carol" in suggested


async def test_anonymous_question_card_hides_the_asker(with_mentors: ConsoleDriver) -> None:
    out = await with_mentors("as alice", f"/askmentor --anonymous {QUESTION}")
    card = out.one("#mentoring")
    assert "Asked by: anonymous" in card.lines
    assert "alice" not in card
    assert "posted anonymously" in out.one("only alice sees")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("/askmentor", "Please write your question after the command, e.g. `/askmentor"),
        ("/askmentor pandas?", "That's a bit short for a mentor to help with."),
        ("/askmentor " + "word " * 500, "characters; the limit is 2000. Please shorten it"),
    ],
    ids=["empty", "too-short", "too-long"],
)
async def test_a_bad_question_is_answered_privately_and_posts_nothing(
    console: ConsoleDriver, line: str, message: str
) -> None:
    out = await console("as alice", line)
    assert out.to("#mentoring") == []
    assert message in out.one("only alice sees")


async def test_an_answered_similar_question_is_offered_to_the_next_asker(
    with_mentors: ConsoleDriver,
) -> None:
    await with_mentors(
        "as alice",
        f"/askmentor {QUESTION}",
        "as bob",
        "click claim 1",
        "as alice",
        "click resolve 1",
    )
    out = await with_mentors(
        "as dave", "/askmentor How do I group a pandas DataFrame by two columns and count rows?"
    )
    said = out.one("only dave sees")
    assert "Already answered, maybe useful meanwhile:" in said
    assert f"• #1 (thread) {QUESTION}" in said.lines


async def test_asking_for_a_career_stage_is_acknowledged_in_the_confirmation(
    with_mentors: ConsoleDriver,
) -> None:
    await with_mentors("as bob", "/mentor stage lead")
    out = await with_mentors("as alice", f"/askmentor --senior {QUESTION}")
    confirmation = out.one("only alice sees", "Your question is #1")
    assert (
        "You asked to hear from someone at the senior career stage or beyond; "
        "I suggest such mentors first." in confirmation
    )


async def test_a_career_stage_is_not_promised_for_mentors_who_have_not_given_it(
    with_mentors: ConsoleDriver,
) -> None:
    # bob joined without a career stage: he is the best fit of any stage, not a senior one.
    out = await with_mentors("as alice", f"/askmentor --senior {QUESTION}")
    confirmation = out.one("only alice sees", "Your question is #1")
    assert "I suggest such mentors first" not in confirmation
    assert confirmation.lines[2:4] == (
        "You asked to hear from someone at the senior career stage or beyond, but the mentor "
        "suggested hasn't given that stage or beyond in their profile, so this is the best fit "
        "of any stage:",
        "Suggested mentors: bob.",
    )


async def test_mentors_suggested_at_no_career_stage_are_the_best_fits_of_any(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas", "as carol", "/mentor join pandas")
    out = await console("as alice", f"/askmentor --senior {QUESTION}")
    confirmation = out.one("only alice sees", "Your question is #1")
    assert confirmation.lines[2:4] == (
        "You asked to hear from someone at the senior career stage or beyond, but none of the "
        "mentors suggested has given that stage or beyond in their profile, so these are the "
        "best fits of any stage:",
        "Suggested mentors: bob, carol.",
    )


async def test_a_career_stage_names_only_the_suggested_mentors_at_it(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "/mentor stage senior",
        "as carol",
        "/mentor join pandas",
        "/mentor stage early",
    )
    out = await console("as alice", f"/askmentor --senior {QUESTION}")
    confirmation = out.one("only alice sees", "Your question is #1")
    assert "I suggest such mentors first" not in confirmation
    assert confirmation.lines[2:4] == (
        "You asked to hear from someone at the senior career stage or beyond; of the mentors "
        "suggested, only bob is — the others are good fits at an earlier stage or one they "
        "haven't given.",
        "Suggested mentors: bob, carol.",
    )


async def test_the_usual_claim_time_is_not_promised_for_a_question_no_mentor_fits(
    with_mentors: ConsoleDriver,
) -> None:
    await with_mentors("as alice", f"/askmentor {QUESTION}", "as bob", "click claim 1")
    out = await with_mentors(
        "as frank", "/askmentor How do I write a Terraform module for an S3 bucket?"
    )
    confirmation = out.one("only frank sees", "Your question is #2")
    assert "No mentor lists these topics yet" in confirmation
    assert "usually claimed" not in confirmation
    assert "You'll get a thread with your mentor as soon as someone claims it." in confirmation
    # A question a mentor fits still hears how soon questions are usually claimed.
    out = await with_mentors(
        "as dave", "/askmentor How do I pivot a pandas DataFrame so months become columns?"
    )
    assert "usually claimed in under a minute" in out.one("only dave sees", "Your question is #3")


async def test_a_career_stage_is_not_promised_when_no_mentor_is_suggested(
    console: ConsoleDriver,
) -> None:
    out = await console(
        "as alice", "/askmentor --senior How do I speed up a slow SQL query on a big table?"
    )
    confirmation = out.one("only alice sees", "Your question is #1")
    assert "career stage" not in confirmation
    assert "No mentor lists these topics yet" in confirmation


async def test_a_plain_question_says_nothing_about_career_stages(
    with_mentors: ConsoleDriver,
) -> None:
    out = await with_mentors("as alice", f"/askmentor {QUESTION}")
    assert "career stage" not in out.one("only alice sees", "Your question is #1")


async def test_askmentor_mine_lists_your_open_questions_anonymous_ones_too(
    with_mentors: ConsoleDriver,
) -> None:
    deploy = "How do I deploy a python app to kubernetes with helm charts?"
    await with_mentors(
        "as alice",
        f"/askmentor {QUESTION}",
        f"/askmentor --anonymous {deploy}",
        "as bob",
        "click claim 1",
    )
    for typed in ("/askmentor mine", "/askmentor list", "/askmentor status"):
        out = await with_mentors("as alice", typed)
        said = out.one("only alice sees")
        assert "Your open questions" in said.lines
        assert f"• #2 (you asked anonymously, open): {deploy}" in said.lines
        assert f"• #1 (you asked, claimed by bob): {QUESTION}" in said.lines
        assert "a bit short" not in said
        assert out.to("#mentoring") == []
    # Someone else's list holds none of them, the anonymous one least of all.
    out = await with_mentors("as dave", "/askmentor mine")
    assert deploy not in out.one("only dave sees")
    # A short question starting with the word is still a question.
    out = await with_mentors("as alice", "/askmentor mine crafting?")
    assert "That's a bit short for a mentor to help with." in out.one("only alice sees")
