"""Console, a new user's walk through the mentor commands, line by line as they typed it."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver


async def test_an_offset_gets_the_fixed_zone_with_the_right_sign(console: ConsoleDriver) -> None:
    out = await console("as bob", "/mentor tz +2", "/mentor tz UTC+2", "/mentor tz GMT+2")
    said = out.to("only bob sees")
    assert len(said) == 3
    for typed, answer in zip(("+2", "UTC+2", "GMT+2"), said, strict=True):
        assert answer.text == (
            f"`{typed}` is not a timezone name. For UTC+2 all year, use `Etc/GMT-2` (IANA writes "
            "the sign the other way round). A city name like `Europe/Berlin` follows daylight "
            "saving; a fixed offset does not."
        )
    out = await console("/mentor tz UTC+05:30")
    assert "`Asia/Kolkata`" in out.one("only bob sees").text


async def test_a_mentor_in_new_york_reads_the_pause_in_their_time(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python, pandas", "/mentor tz America/New_York")
    out = await console("/mentor pause 7d")
    assert out.one("only bob sees").text.startswith(
        "Paused until Mon 2026-11-30 10:00 UTC (05:00 America/New_York)."
    )
    out = await console("/mentor me")
    me = out.one("only bob sees")
    assert "Status: paused until Mon 2026-11-30 10:00 UTC (05:00 America/New_York)" in me.lines
    assert "Points: 0 (thank-you points, all time)" in me.lines


async def test_join_with_a_typo_and_an_everyday_word(console: ConsoleDriver) -> None:
    out = await console("as bob", "/mentor join python, pandas, kubernets, gti")
    assert out.one("only bob sees").text == (
        "“gti” isn't a skill I know — did you mean git? Nothing was saved: send the list again "
        'with git, or put the skill in quotes ("gti") to keep it as you typed it.'
    )
    out = await console("/mentor join python, pandas, kubernets, git, management")
    card = out.one("only bob sees")
    assert "Skills: python, pandas, kubernetes, git, management (not matched)" in card.lines
    assert "[skills]" not in card.text
    assert "unless whoever runs Micromentor adds it to its skill list" in card.text


async def test_list_with_a_typo_finds_the_skill(console: ConsoleDriver) -> None:
    out = await console("as bob", "/mentor join python", "as alice", "/mentor list pyton")
    assert out.one("only alice sees").lines[:2] == (
        "Mentors for python (you typed pyton)",
        "• bob: python (in hours now)",
    )


async def test_private_kudos_reads_as_to_its_receiver(console: ConsoleDriver) -> None:
    out = await console("as carol", "as dave", "/kudos --private @carol for the help today")
    assert out.one("DM carol").text == "🙌 Kudos from dave: for the help today"


async def test_learn_start_after_stop_says_it_restarted(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python", "/mentor learn stop")
    out = await console("/mentor learn start")
    said = out.one("only bob sees")
    assert said.lines[1].startswith("• Running a short session: restarted after lesson 1 of 5;")
    assert "`/mentor learn start`" not in said.text
