"""What a new user's console walk tripped over (issue 15's "Done when"): an asker releasing a
second mentor, a ✅ from someone who can't resolve, an admin's extension, a name mistyped in an
export, an admin looking for pause, `--junior`, `/ask`."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"


async def two_mentors(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python, pandas", "as carol", "/mentor join pandas")
    await console("as alice", ASK)


async def test_an_asker_who_lets_a_second_mentor_go_is_told_who_can_still_take_it(
    console: ConsoleDriver,
) -> None:
    await two_mentors(console)
    await console("as bob", "click claim 1", "click release 1", "as carol", "click claim 1")
    out = await console("as alice", "click release 1")
    assert out.one("only alice sees").text == (
        "#1 is back in the queue: no mentor who hasn't had it yet lists its topics (the 2 "
        "mentors who had it aren't offered it again), but every mentor in the mentoring channel "
        "can still pick it up. If nobody does, I'll tell you when it closes."
    )
    # The thread says she let her mentor go, not that she gave up her question.
    assert out.one("thread #1").text.startswith("alice released carol from #1; it's back in")


async def test_a_check_mark_from_someone_who_cannot_resolve_is_answered(
    console: ConsoleDriver,
) -> None:
    await two_mentors(console)
    out = await console("as bob", "react ✋ 1")
    assert "press Resolve (the asker can also react ✅)" in out.one("thread #1", "meet")
    out = await console("react ✅ 1")
    assert out.one("only bob sees").text == (
        "Only the asker's ✅ resolves #1; press Resolve in its thread if you're done."
    )
    out = await console("as dave", "react ✅ 1")
    assert out.one("only dave sees").text == "Only the asker's ✅ resolves #1."
    out = await console("as alice", "react ✅ 1")
    assert "#1 is marked resolved." in out.one("only alice sees")


async def test_who_may_extend_names_the_admin_who_may(console: ConsoleDriver) -> None:
    await two_mentors(console)
    await console("as bob", "react ✋ 1")
    out = await console("as dave", "click extend 1")
    assert out.one("only dave sees").text == (
        "Only the asker or mentor of #1 (or an admin) can extend it."
    )
    out = await console("as admin", "click extend 1")
    assert "Extended #1 by 10 minutes" in out.one("only admin sees")


async def test_an_export_of_a_mistyped_name_says_nobody_is_called_that(
    console: ConsoleDriver,
) -> None:
    await two_mentors(console)
    out = await console("as admin", "/mentoradmin export alcie")
    said = out.one("only admin sees").text
    assert said.startswith(
        "I don't know anyone called alcie in this console, so there's nothing to export."
    )
    assert "alice" in said
    out = await console("/mentoradmin export alice")
    assert "I don't know anyone" not in out.text


async def test_an_admin_looking_to_pause_or_remove_a_mentor_is_sent_to_the_dashboard(
    console: ConsoleDriver,
) -> None:
    for typed in ("pause bob", "remove bob", "capacity bob 2"):
        out = await console("as admin", f"/mentoradmin {typed}")
        said = out.one("only admin sees").text
        assert said.startswith(f"I don't know `/mentoradmin {typed.split()[0]}`. Pausing, ")
        assert "dashboard's Mentors page (`/mentoradmin dashboard`)" in said


async def test_junior_asks_to_hear_from_early_career_mentors(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join career growth", "/mentor stage junior")
    out = await console("as alice", "/askmentor --junior Should I take the job offer or stay?")
    said = out.one("only alice sees").text
    assert "I don't know the option" not in said
    assert "Your draft (only you see it): Should I take the job offer or stay?" in said


async def test_a_short_form_of_a_command_is_named_as_the_one_meant(
    console: ConsoleDriver,
) -> None:
    out = await console("as alice", "/ask How do I pivot a pandas DataFrame?")
    assert "I don't understand `/ask`. Did you mean `/askmentor`?" in out.text


def test_a_date_and_time_says_its_weekday_in_the_console_and_the_fallback() -> None:
    """ "bob is back 2026-11-30 14:00 UTC" left the reader to work out it is a Monday."""
    from datetime import UTC, datetime

    from adapters.console.render import render_text
    from bot.messages import text, when

    monday = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    dated = when(monday, "UTC", with_date=True)
    assert dated.fallback == "Mon 2026-11-30 14:00 UTC"
    assert render_text(text(dated)).startswith(f"{monday.astimezone():%a %Y-%m-%d}")
    assert when(monday, "UTC").fallback == "14:00 UTC"
