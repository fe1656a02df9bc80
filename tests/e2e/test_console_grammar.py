"""Console grammar: help, unknown lines, bad syntax — always a message, never a traceback."""

from __future__ import annotations

import pytest

from adapters.console.translate import HELP
from tests.e2e.console_driver import ConsoleDriver

AS_USAGE = "Give a user name of letters, digits, `_`, `.` or `-` (no spaces): `as alice`."


async def test_help_prints_the_grammar(console: ConsoleDriver) -> None:
    out = await console("help")
    assert out.one("console").text == HELP


async def test_help_lists_share_with_a_questions_buttons_where_it_works(
    console: ConsoleDriver,
) -> None:
    out = await console("help")
    said = " ".join(out.one("console").text.split())
    assert "share (a resolved question's summary)" in said
    lightning = said[said.index("on lightning session n:") : said.index("on a held draft")]
    assert "share" not in lightning  # `click share <n>` shares question n's summary


async def test_an_unknown_line_says_so_and_prints_the_help(console: ConsoleDriver) -> None:
    out = await console("as alice", "dance wildly")
    assert out.one("only alice sees").text == "I don't understand `dance`."
    assert out.one("console", "Lines you can type:").text == HELP
    assert "Traceback" not in console.all.text


@pytest.mark.parametrize(
    ("line", "meant"),
    [("/mentr join python", "/mentor"), ("/kudo bob thanks", "/kudos"), ("hlep", "help")],
)
async def test_a_typo_in_the_first_word_suggests_what_was_meant_without_the_whole_help(
    console: ConsoleDriver, line: str, meant: str
) -> None:
    out = await console("as alice", line)
    word = line.split()[0]
    assert (
        out.one("only alice sees").text == f"I don't understand `{word}`. Did you mean `{meant}`?"
    )
    assert "Lines you can type:" not in out.text


async def test_askmentor_help_shows_how_to_ask_rather_than_asking_help(
    console: ConsoleDriver,
) -> None:
    out = await console("as alice", "/askmentor help")
    said = out.one("only alice sees").text
    assert said.startswith("`/askmentor <your question>` finds mentors"), said
    assert "--anonymous" in said and "/askmentor faq <words>" in said
    assert "Thanks! Your question is" not in out.text


async def test_help_names_every_lightning_subcommand(console: ConsoleDriver) -> None:
    said = " ".join((await console("help")).one("console").text.split())
    for sub in ("propose", "accept", "list", "join", "leave", "rate", "move", "cancel"):
        assert f"{sub} <" in said or f"| {sub}" in said or f"/lightning {sub}" in said, sub


async def test_commands_before_choosing_a_user_ask_who_you_are(console: ConsoleDriver) -> None:
    out = await console("/askmentor How do I group a pandas DataFrame by two columns?")
    assert out.one("console").text == "First say who you are: `as alice`."


async def test_as_switches_the_acting_user(console: ConsoleDriver) -> None:
    out = await console("as alice")
    assert out.one("console").text == "you are now alice"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("as", AS_USAGE),
        ("as alice smith", AS_USAGE),
        ("as bob!", AS_USAGE),
        ("clock soon", "Move the clock like `clock +10m`, `clock +2h` or `clock +3d`."),
    ],
)
async def test_bad_console_instructions_explain_the_syntax(
    console: ConsoleDriver, line: str, message: str
) -> None:
    out = await console(line)
    assert out.one("console").text == message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("react ✋", "React like `react ✋ 3`."),
        ("react ✋ 7", "There is no question #7. Check the number and try again."),
        ("click claim", "Click like `click claim 3` or `click rate:5 3`."),
        ("click dance 1", "There's no `dance` button. Buttons: claim, release, resolve"),
        ("say 1", "Write in a thread like `say 1 Have you tried ...?`"),  # as typed
        ("say one hello", "Write in a thread like `say 3 Have you tried ...?`"),
        ("comment x", "Comment like `comment 3 Very clear, thanks!`"),
        ("faq 1", "Save an FAQ answer like `faq 1 Use df.groupby([...]).sum()`."),  # as typed
        ("faq x Use groupby", "Save an FAQ answer like `faq 3 Use df.groupby([...]).sum()`."),
        ("click claim 7", "There is no question #7. Check the number and try again."),
    ],
)
async def test_bad_input_gets_a_message_saying_what_to_type(
    console: ConsoleDriver, line: str, message: str
) -> None:
    out = await console("as alice", line)
    assert out.one("only alice sees").text.startswith(message)
    assert "Traceback" not in out.text


def test_every_button_the_console_lists_is_one_a_click_presses() -> None:
    from adapters.console import translate
    from bot.commands import Actor, button_command
    from bot.refs import UserRef, WorkspaceRef

    actor = Actor(UserRef("console", "alice"), "alice", WorkspaceRef("console", "local"))
    forms = {"comment", "teach", "faq"}  # a line of their own in the console
    example = {"rate:1..rate:5": "rate:5", "clarity:1..clarity:5": "clarity:5"}
    example |= {"topic:<name>": "topic:git", "lrate:1..lrate:5": "lrate:5"}
    example |= {"mentee:<option>": "mentee:1", "mentor:<option>": "mentor:1"}
    listed = translate._CARD_BUTTONS + translate._LIGHTNING_BUTTONS
    dead = [b for b in listed if b not in forms and not button_command(actor, example.get(b, b), 1)]
    assert dead == []
    said = translate._click(actor, "dance", 1, lambda n, action: None)
    assert all(b in str(said) for b in listed)


async def test_a_reaction_to_a_missing_question_says_what_the_bot_says_of_it_elsewhere(
    console: ConsoleDriver,
) -> None:
    out = await console("as alice", "react ✋ 99", "click claim 99", "/askmentor cancel 99")
    said = [s.text for s in out.to("only alice sees")]
    assert said == ["There is no question #99. Check the number and try again."] * 3


@pytest.mark.parametrize("emoji", ["👍", ":thumbsup:", "+1"])
async def test_a_reaction_the_bot_does_not_act_on_says_which_ones_it_does(
    console: ConsoleDriver, emoji: str
) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice")
    await console("/askmentor How do I group a pandas DataFrame by two columns and sum one?")
    out = await console("as bob", f"react {emoji} 1")
    said = out.one("only bob sees").text
    shown = emoji if not emoji.isascii() else f":{emoji.strip(':')}:"
    assert said == shown + (
        " does nothing here: react ✋ on a question to claim it; its asker's ✅ in the thread "
        "or on the question resolves it."
    ), said
    # 🙋 and :raised_hand: are claims as ✋ is: taken, not told off.
    out = await console("react :raised_hand: 1")
    assert "does nothing here" not in out.text and "claimed" in out.text, out


async def test_blank_lines_and_comments_print_nothing(console: ConsoleDriver) -> None:
    assert await console("", "   ", "# a comment") == []


async def test_quit_stops_reading_the_script(console: ConsoleDriver) -> None:
    await console("quit")
    assert console.session.running is False


async def test_the_comment_button_explains_the_comment_line(console: ConsoleDriver) -> None:
    out = await console("as alice", "click comment 1")
    assert out.one("only alice sees").text == (
        "In the console, write your comment as a line: `comment 1 Very clear, thanks!`"
    )
