"""Console: a question named only loosely ("renewal") asks the asker to pick an area instead of
showing a wrong topic; the pick sets the topic and re-suggests."""

from __future__ import annotations

from bot.questions.topic_choice import UNSURE_PROMPT
from tests.e2e.console_driver import ConsoleDriver

LOOSE = "Where do I do the parking permit renewal for the office garage in Berlin?"


async def test_a_loosely_named_question_offers_pick_one_buttons(console: ConsoleDriver) -> None:
    await console("as ana", "/mentor join account management")
    out = await console("as bob", f"/askmentor {LOOSE}")
    confirmation = out.one("only bob sees")
    assert "Topics I found: none I'm sure of — a mentor will still see it." in confirmation.lines
    assert UNSURE_PROMPT in confirmation.lines
    assert confirmation.lines[-1].startswith(
        "[account management → click topic:account management 1]"
    )
    assert confirmation.lines[-1].endswith(
        "[Something else → click topic:other 1] [Cancel my question → click cancel 1]"
    )
    out = await console("click topic:other 1")
    assert "mentors will read #1 as you wrote it" in out.one("only bob sees")


async def test_a_topic_not_among_the_buttons_lists_the_ones_there(console: ConsoleDriver) -> None:
    await console("as ana", "/mentor join account management", "as bob", f"/askmentor {LOOSE}")
    said = (await console("click topic:facilities 1")).one("only bob sees").text
    assert said.startswith("Sorry, there's no `topic:facilities` button on 1."), said
    assert "click topic:account management 1 (account management)" in said
    assert "click topic:other 1 (Something else)" in said
    # A topic that is there is taken.
    out = await console("click topic:account management 1")
    assert "is about account management now" in out.one("only bob sees").text


async def test_a_supported_loose_word_is_a_topic_without_asking(console: ConsoleDriver) -> None:
    out = await console(
        "as bob",
        "/askmentor Our biggest customer's renewal is in May and their account manager left. "
        "How do I plan the renewal conversation?",
    )
    confirmation = out.one("only bob sees")
    assert "Topics I found: account management" in confirmation.lines
    assert UNSURE_PROMPT not in confirmation.lines


async def test_the_first_topic_picked_wins(console: ConsoleDriver) -> None:
    await console("as ana", "/mentor join account management")
    await console("as bob", f"/askmentor {LOOSE}", "click topic:account management 1")
    out = await console("click topic:other 1")
    assert out.one("only bob sees").text == "#1 is already about account management."
    assert out.to("#mentoring") == []
    out = await console("as ana", "/mentor why 1")
    assert "topics: account management" in out.one("only ana sees").text


async def test_a_question_naming_nothing_offers_the_areas_this_workspaces_mentors_cover(
    console: ConsoleDriver,
) -> None:
    """No plausible guess: the buttons are skills mentors here list whose words the question
    shares, never an area nobody here mentors, and never one that shares no word with it (the
    row is not filled up with unrelated skills)."""
    await console(
        "as ana",
        "/mentor join python, pandas, git",
        "as cy",
        "/mentor join git, career growth",
    )
    await console("as bob", "/askmentor I'm stuck with my thing, can someone help me grow?")
    out = await console("click post 1")  # coached first: posted as is
    confirmation = out.one("only bob sees")
    assert UNSURE_PROMPT in confirmation.lines
    buttons = confirmation.lines[-1]
    labels = [b.split(" → ")[0] for b in buttons.strip("[]").split("] [")]
    offered = labels[: -len(["Something else", "Cancel my question"])]
    assert offered == ["career growth"], buttons
