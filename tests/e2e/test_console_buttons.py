"""Console, a mistyped `click`: it says the button isn't there and lists only the buttons on
that number that make sense now for the one clicking — not a claimed question's Claim, not a
resolved session's Resolve, not a lesson's quick check (unless one was meant), not a rating
already given, not a draft already posted, not someone else's."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"
NO_CLAM = "Sorry, there's no `clam` button on 1. What you can press there now: "


async def told(console: ConsoleDriver, who: str, line: str) -> str:
    return (await console(line)).one(f"only {who} sees").text


async def test_a_mistyped_click_lists_what_each_person_can_press_on_an_open_question(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK)
    # The asker: her Cancel, not the card's Claim (nor her lesson's quick check, also on 1).
    assert (
        await told(console, "alice", "click clam 1") == NO_CLAM + "click cancel 1 (Cancel (asker))."
    )
    await console("as bob")
    # Bob can claim it: his typo is named as what he meant (only among what he can press now).
    assert await told(console, "bob", "click clam 1") == (
        "Sorry, there's no `clam` button on 1. Did you mean `click claim 1`? What you can press "
        "there now: click claim 1 (Claim) · click notmine 1 (Not my area)."
    )


async def test_a_mistyped_click_leaves_out_a_claimed_questions_card_buttons(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK, "as bob", "react ✋ 1")
    session = "click resolve 1 (Resolve) · click release 1 (Release) · click extend 1 (+10 min)."
    assert await told(console, "bob", "click clam 1") == NO_CLAM + session
    await console("as alice")
    assert await told(console, "alice", "click clam 1") == NO_CLAM + session
    await console("as carol")
    assert await told(console, "carol", "click clam 1") == (
        "Sorry, there's no `clam` button on 1, and nothing there for you to press now."
    )


async def test_a_mistyped_click_after_the_session_lists_only_what_is_left_to_do(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join python, pandas",
        "as alice",
        ASK,
        "as bob",
        "react ✋ 1",
        "as alice",
        "click resolve 1",
    )
    said = await told(console, "alice", "click rat 1")
    assert said == (
        "Sorry, there's no `rat` button on 1. What you can press there now: click rate:1 1 (1) · "
        "click rate:2 1 (2) · click rate:3 1 (3) · click rate:4 1 (4) · click rate:5 1 (5)."
    )
    await console("click rate:5 1")
    said = await told(console, "alice", "click rat 1")
    assert said == (
        "Sorry, there's no `rat` button on 1. What you can press there now: "
        "comment 1 <text> (Add a comment)."
    )
    await console("as bob")
    said = await told(console, "bob", "click rat 1")
    assert "clarity:5" in said and "faq 1 <text> (Save as FAQ)" in said
    assert "rate:" not in said and "resolve" not in said and "mentor:" not in said


async def test_a_lessons_quick_check_is_listed_until_it_is_answered(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas")
    said = await told(console, "bob", "click mentor:release 1")
    assert said.startswith("Sorry, there's no `mentor:release` button on 1. What you can press")
    assert "click mentor:2 1 (Release it so others can pick it up)" in said
    await console("click mentor:2 1")
    assert await told(console, "bob", "click mentor:release 1") == (
        "Sorry, there's no `mentor:release` button on 1, and nothing there for you to press now."
    )


async def test_a_posted_drafts_buttons_are_not_listed(console: ConsoleDriver) -> None:
    await console(
        "as bob", "/mentor join pandas", "as alice", "/askmentor Can someone help me with pandas?"
    )
    said = await told(console, "alice", "click pots 1")
    assert "click post 1 (Post as is) · click edit 1 (Edit)" in said
    await console("click post 1")
    said = await told(console, "alice", "click pots 1")
    assert "post 1" not in said and "edit 1" not in said
    assert "click cancel 1 (Cancel (asker))" in said
