"""Console, mentors: join, skills, hours, tz, pause/resume, me, leaderboard, list, why — and the
helpful errors for bad hours, unknown timezones and empty skill lists."""

from __future__ import annotations

import pytest

from tests.e2e.console_driver import ConsoleDriver

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


@pytest.fixture
async def bob(console: ConsoleDriver) -> ConsoleDriver:
    await console("as bob", "/mentor join python, pandas")
    return console


async def test_join_welcomes_the_new_mentor_with_their_profile(console: ConsoleDriver) -> None:
    out = await console("as bob", "/mentor join python, pandas")
    assert out.one("only bob sees").lines == (
        "Mentor bob",
        "Welcome aboard! You're a mentor now. Questions in your areas will be suggested to you.",
        "Skills: python, pandas",
        "Hours: Mon-Sun 00:00-24:00 (UTC); in working hours now: yes",
        "Capacity: 3 sessions a week",
        "Career stage: not set (`/mentor stage senior`)",
        "Region: not set",
        "Status: active",
    )


async def test_join_without_skills_says_how_to_list_them(console: ConsoleDriver) -> None:
    out = await console("as bob", "/mentor join")
    assert out.one("only bob sees").text == (
        "Tell me at least one skill, separated by commas: `/mentor join python, sql, public speaking`."
    )


async def test_skills_replace_the_list(bob: ConsoleDriver) -> None:
    out = await bob("/mentor skills sql, rust")
    said = out.one("only bob sees")
    assert "Skills updated." in said.lines
    assert "Skills: sql, rust" in said.lines


async def test_join_and_skills_say_which_skills_were_listed_under_another_name(
    console: ConsoleDriver,
) -> None:
    said = (await console("as bob", "/mentor join python, career, k8s")).one("only bob sees")
    assert said.lines[2:4] == (
        "I've listed “career” as “career growth” and “k8s” as “kubernetes”.",
        "Skills: python, career growth, kubernetes",
    )
    said = (await console("/mentor skills Python, K8s")).one("only bob sees")
    assert said.lines[1:3] == ("Skills updated.", "I've listed “K8s” as “kubernetes”.")


async def test_hours_are_shown_back_in_the_profile(bob: ConsoleDriver) -> None:
    out = await bob("/mentor hours Mon 10:00-12:00, Wed 14:00-18:00")
    said = out.one("only bob sees")
    assert "Working hours updated." in said.lines
    assert "Hours: Mon 10:00-12:00, Wed 14:00-18:00 (UTC); in working hours now: yes" in said.lines


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ("whenever", "I could not read `whenever` as working hours. Write them like"),
        ("Mon-Fri 17:00-09:00", "the end time must be after the start time"),
        ("", "Working hours are empty. Write them like `Mon-Fri 09:00-17:00`."),
    ],
)
async def test_bad_hours_get_an_example(bob: ConsoleDriver, hours: str, message: str) -> None:
    out = await bob(f"/mentor hours {hours}")
    assert message in out.one("only bob sees")


async def test_timezone_is_set(bob: ConsoleDriver) -> None:
    out = await bob("/mentor tz Europe/Berlin")
    assert "Hours: Mon-Sun 00:00-24:00 (Europe/Berlin); in working hours now: yes" in out.one(
        "only bob sees"
    )


async def test_unknown_timezone_gets_a_suggestion(bob: ConsoleDriver) -> None:
    out = await bob("/mentor tz Berlin")
    assert out.one("only bob sees").text == (
        "`Berlin` is not a timezone I know. Did you mean `Europe/Berlin`?"
    )


async def test_me_shows_the_profile(bob: ConsoleDriver) -> None:
    out = await bob("/mentor me")
    assert out.one("only bob sees").lines[:3] == (
        "Mentor bob",
        "Skills: python, pandas",
        "Hours: Mon-Sun 00:00-24:00 (UTC); in working hours now: yes",
    )


async def test_mentor_commands_before_joining_say_how_to_join(console: ConsoleDriver) -> None:
    out = await console("as zed", "/mentor pause")
    assert out.one("only zed sees").text.startswith("You are not a mentor yet. Join with")
    # `/mentor me` shows someone who is no mentor their badges and points, and how to join.
    out = await console("/mentor me")
    shown = out.one("only zed sees")
    assert "You are not a mentor yet. Join with" in shown.text
    assert "Points: 0 (thank-you points, all time)" in shown.lines


async def test_paused_mentor_is_not_suggested_and_resumed_one_is(bob: ConsoleDriver) -> None:
    out = await bob("/mentor pause 7d")
    assert out.one("only bob sees").text.startswith("Paused until Mon 2026-11-30 10:00 UTC.")
    out = await bob("as alice", f"/askmentor {QUESTION}")
    assert "@bob" not in out.one("#mentoring")
    out = await bob("as bob", "/mentor resume")
    assert out.one("only bob sees").text == "Welcome back! You'll be suggested for questions again."
    out = await bob("as dave", f"/askmentor {QUESTION}")
    assert "Suggested: @bob" in out.one("#mentoring").lines


async def test_bad_pause_duration_is_explained(bob: ConsoleDriver) -> None:
    out = await bob("/mentor pause a while")
    assert out.one("only bob sees").text == (
        "I couldn't read `a while` as a duration. Try `/mentor pause 7d`, `12h` or `2w`."
    )


async def test_leaderboard_lists_points(bob: ConsoleDriver) -> None:
    await bob("as alice", f"/askmentor {QUESTION}", "as bob", "react ✋ 1")
    await bob("clock +4m", "say 1 Have you tried groupby with two keys?")  # real help
    await bob("as alice", "click resolve 1", "click rate:5 1")
    out = await bob("/mentor leaderboard")
    assert out.one("only alice sees").lines == (
        "Leaderboard — November 2026 (thank-you points)",
        "1. bob — 5",
    )


async def test_list_shows_the_mentor_directory(bob: ConsoleDriver) -> None:
    out = await bob("as carol", "/mentor join kubernetes", "/mentor list")
    assert out.one("only carol sees", "Mentors").lines == (
        "Mentors",
        "• bob: python, pandas (in hours now)",
        "• carol: kubernetes (in hours now)",
    )


async def test_list_by_skill(bob: ConsoleDriver) -> None:
    out = await bob("as carol", "/mentor join kubernetes", "/mentor list pandas")
    assert out.one("only carol sees", "Mentors").lines == (
        "Mentors for pandas",
        "• bob: python, pandas (in hours now)",
    )


async def test_why_explains_the_suggestion_to_the_suggested_mentor(bob: ConsoleDriver) -> None:
    await bob("as alice", f"/askmentor {QUESTION}")
    out = await bob("as bob", "/mentor why 1")
    said = out.one("only bob sees")
    assert said.lines[0] == "Why these mentors for #1 — topics: pandas"
    assert said.lines[1].startswith("Scores are as of now")
    assert said.lines[2].startswith("1. bob — score")


async def test_why_without_a_number_asks_which(bob: ConsoleDriver) -> None:
    out = await bob("/mentor why")
    assert out.one("only bob sees").text == "Which question? `/mentor why 3`"


async def test_unknown_mentor_subcommand_lists_the_commands(bob: ConsoleDriver) -> None:
    out = await bob("/mentor dance")
    assert out.one("only bob sees").text.startswith(
        "I don't know `/mentor dance`. Mentor commands: `/mentor join"
    )


async def test_join_keeps_numpy_beside_pandas(console: ConsoleDriver) -> None:
    # numpy is a library of its own, not another name for pandas: listing both keeps both.
    said = (await console("as bob", "/mentor join pandas, numpy")).one("only bob sees")
    assert not any(line.startswith("I've listed") for line in said.lines)
    assert "Skills: pandas, numpy" in said.lines


async def test_capacity_of_one_is_one_session(bob: ConsoleDriver) -> None:
    said = (await bob("/mentor capacity 1")).one("only bob sees")
    assert "Capacity: 1 session a week" in said.lines


async def test_pause_says_the_claimed_session_stays_theirs(bob: ConsoleDriver) -> None:
    await bob("as alice", f"/askmentor {QUESTION}", "as bob", "click claim 1")
    said = (await bob("/mentor pause 7d")).one("only bob sees")
    assert said.text.startswith("Paused until Mon 2026-11-30 10:00 UTC.")
    assert said.text.endswith(
        "I won't suggest you meanwhile. Your session #1 stays yours to finish (or release it)."
    )


async def test_why_names_the_fitting_mentors_left_out_and_why(bob: ConsoleDriver) -> None:
    await bob("as carol", "/mentor join pandas")
    await bob("as alice", f"/askmentor {QUESTION}")
    await bob("as bob", "click notmine 1", "as carol", "click claim 1", "click release 1")
    said = (await bob("as admin", "/mentor why 1")).one("only admin sees")
    assert said.lines == (
        "Why these mentors for #1 — topics: pandas",
        "Mentors whose skills fit these topics can't be suggested for it now: bob said "
        "“not my area” to it and carol released it.",
    )


async def test_why_of_an_anonymous_question_does_not_tell_its_asker_was_the_only_fit(
    console: ConsoleDriver,
) -> None:
    """carol is the only pandas mentor: whether she asked it anonymously or is away, an admin's
    `/mentor why` reads the same (the mentor list shows who fits, so "no mentor has a skill"
    would name her as its asker)."""
    await console("as carol", "/mentor join pandas", f"/askmentor --anonymous {QUESTION}")
    asked = (await console("as admin", "/mentor why 1")).one("only admin sees").lines
    await console("as carol", "/mentor pause", "as alice", f"/askmentor --anonymous {QUESTION} ok")
    paused = (await console("as admin", "/mentor why 2")).one("only admin sees").lines
    assert [line.replace("#2", "#1") for line in paused] == list(asked)
    assert "No mentor has a skill" not in " ".join(asked)


async def test_why_names_the_one_fitting_mentor_left_out_in_the_singular(
    console: ConsoleDriver,
) -> None:
    await console("as carol", "/mentor join pandas", "/mentor pause")
    await console("as alice", f"/askmentor {QUESTION}")
    said = (await console("as admin", "/mentor why 1")).one("only admin sees").lines[-1]
    assert (
        said
        == "The mentor whose skills fit these topics can't be suggested for it now: carol is paused."
    )
