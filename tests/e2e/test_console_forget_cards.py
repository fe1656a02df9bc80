"""Console, forgetting an asker: what the admin hears back and which cards are redrawn (a
forgotten person's name and words leave every card over that showed them; an anonymous card
over, which never named them, is not pointed at)."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
RAISE = "How do I ask my manager for a raise without sounding pushy?"


async def test_forgetting_an_asker_of_an_open_anonymous_question_says_what_was_taken_out(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas", "as carol", f"/askmentor --anonymous {QUESTION}")
    out = await console("as admin", "/mentoradmin forget carol confirm")
    said = out.one("only admin sees").text
    assert said == (
        "Done: carol is forgotten. An open question they asked anonymously is withdrawn, its "
        "text removed."
    ), out
    [card] = out.to("#mentoring")
    assert QUESTION not in card.text and "Asked by: anonymous" in card.text, card


async def test_forgetting_a_named_asker_redraws_their_closed_cards_without_their_name(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "as dan",
        f"/askmentor {QUESTION}",
        "as bob",
        "react ✋ 1",
        "as dan",
        "click resolve 1",
        "/askmentor How do I pivot a pandas DataFrame with two index columns?",
        "/askmentor cancel 2",
        f"/askmentor --anonymous {RAISE}",
        "as bob",
        "react ✋ 3",
        "as dan",
        "click resolve 3",
    )
    out = await console("as admin", "/mentoradmin forget dan confirm")
    assert out.one("only admin sees").text == "Done: dan is forgotten.", out
    cards = {c.text.split("\n", 1)[0]: c.text for c in out.to("#mentoring")}
    assert set(cards) == {"(card updated) Question #1", "(card updated) Question #2"}, out
    for card in cards.values():
        assert "dan" not in card and "Asked by: someone forgotten" in card, card
        assert "[removed on request]" in card and "pandas DataFrame" not in card, card
    assert "helped by bob" in cards["(card updated) Question #1"]
