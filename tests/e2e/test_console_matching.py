"""Console, questions as people ask them: own words, ask when unsure, a pick that re-suggests."""

from __future__ import annotations

from bot.questions.topic_choice import UNSURE_PROMPT
from tests.e2e.console_driver import ConsoleDriver

VAGUE = "Everything feels like a lot lately and I don't know what to do about it"


async def test_a_mentors_own_words_find_a_question_that_names_no_skill(
    console: ConsoleDriver,
) -> None:
    await console(
        "as maya",
        "/mentor join salary negotiation",
        "/mentor about Ex-recruiter: answering offers and counter-offers",
        "as omar",
        "/mentor join promotion",
    )
    out = await console(
        "as bob", "/askmentor I got a counter-offer from my employer and don't know how to answer"
    )
    assert "Suggested: @maya" in out.one("#mentoring").lines


async def test_an_unsure_ask_offers_topic_buttons_and_a_click_resuggests(
    console: ConsoleDriver,
) -> None:
    await console("as aisha", "/mentor join workplace wellbeing")
    out = await console("as bob", f"/askmentor {VAGUE}")
    # No goal, no context: coaching offers a preview first; posting it as is goes on as before.
    assert out.one("only bob sees").lines[-1] == "[Post as is → click post 1] [Edit → click edit 1]"
    out = await console("click post 1")
    confirmation = out.one("only bob sees")
    assert UNSURE_PROMPT in confirmation.lines
    assert confirmation.lines[-1].endswith(
        "[Something else → click topic:other 1] [Cancel my question → click cancel 1]"
    )
    out = await console("click topic:workplace wellbeing 1")
    assert "aisha" in out.one("only bob sees")
    assert "Suggested: @aisha" in out.one("#mentoring").lines


async def test_something_else_keeps_the_question_as_written(console: ConsoleDriver) -> None:
    await console("as bob", f"/askmentor {VAGUE}", "click post 1")
    out = await console("click topic:other 1")
    assert "mentors will read #1 as you wrote it" in out.one("only bob sees")
