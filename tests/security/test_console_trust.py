"""Trust boundaries on the console (issue 10, items 1–8): who may do what, anonymity that holds,
the anonymous flag in every spelling, limits, hand-over with consent, cancel, input hygiene."""

from __future__ import annotations

import pytest

from tests.e2e.console_driver import ConsoleDriver

RAISE = "How should I negotiate a raise with my manager after a strong year of results?"
PANDAS = "How do I group a pandas DataFrame by two columns and sum one of them? I tried groupby."
MENTORS = (
    "as bob",
    "/mentor join python, pandas, negotiation",
    "as carol",
    "/mentor join negotiation, python, pandas",
)


async def anonymous_question(console: ConsoleDriver) -> None:
    await console(*MENTORS, "as alice", f"/askmentor --anonymous {RAISE}")


# --- 1. identity is an id -------------------------------------------------------------------


async def test_only_the_consoles_admin_gets_admin_commands(console: ConsoleDriver) -> None:
    refused = await console("as eve", "/mentoradmin stats")
    assert "is for admins" in refused.one("only eve sees")
    allowed = await console("as admin", "/mentoradmin stats")
    assert "Micromentor stats" in allowed.one("only admin sees")


# --- 2. anonymous questions -----------------------------------------------------------------


async def test_a_non_mentor_cannot_claim_an_anonymous_question(console: ConsoleDriver) -> None:
    await anonymous_question(console)
    await console("as eve")
    out = await console("click claim 1", "react ✋ 1")
    assert [s.where for s in out] == ["only eve sees", "only eve sees"]
    assert all("only active mentors can claim it" in s for s in out)
    assert "alice" not in out.text


async def test_the_anonymous_card_mentions_and_suggests_nobody(console: ConsoleDriver) -> None:
    await console(*MENTORS)
    out = await console("as alice", f"/askmentor --anonymous {RAISE}")
    card = out.one("#mentoring")
    assert "@" not in card.text
    assert "Suggested" not in card.text
    assert "alice" not in card.text
    # the suggested mentors hear privately instead
    assert {s.where for s in out if "asked anonymously (#1)" in s} == {"DM bob", "DM carol"}


async def test_the_channel_bump_of_an_anonymous_question_names_nobody(
    console: ConsoleDriver,
) -> None:
    await anonymous_question(console)
    out = await console("clock +3h")
    public = [s for s in out if s.where.startswith("#")]
    assert public, out
    assert all("@" not in s.text and "alice" not in s.text for s in public), out


async def test_why_shows_other_mentors_factors_to_admins_only(console: ConsoleDriver) -> None:
    await anonymous_question(console)
    own = await console("as carol", "/mentor why 1")
    assert "carol — score" in own.one("only carol sees").text
    assert "bob" not in own.text
    stranger = await console("as eve", "/mentor why 1")
    assert "score" not in stranger.text and "bob" not in stranger.text
    # An anonymous question: who is missing from a full ranking would be the asker.
    hidden = await console("as admin", "/mentor why 1")
    assert "asked anonymously" in hidden.text and "score" not in hidden.text
    await console("as alice", f"/askmentor {PANDAS}")  # #2, by name
    admin = await console("as admin", "/mentor why 2")
    assert {"carol — score", "bob — score"} <= {
        line.split(" — ")[0].split(". ", 1)[-1] + " — score"
        for line in admin.one("only admin sees").lines[1:]
    }


async def test_who_released_a_question_cannot_claim_it_again_and_the_asker_is_told(
    console: ConsoleDriver,
) -> None:
    await anonymous_question(console)
    released = await console("as carol", "click claim 1", "click release 1")
    assert "back in the queue" in released.one("DM alice")
    again = await console("click claim 1", "react ✋ 1")
    assert all("has had a session with you already" in s for s in again), again
    assert not again.to("thread #1")
    other = await console("as bob", "click claim 1")
    assert "You claimed #1" in other.one("only bob sees")


# --- 3. the flag ----------------------------------------------------------------------------

FLAGS = [
    f"--anonymous {RAISE}",
    f"—anonymous {RAISE}",
    f"–anonymous {RAISE}",
    f"-a {RAISE}",
    f"--Anonymous {RAISE}",
    f"--ANONYMOUS {RAISE}",
    f"{RAISE} --anonymous",
    f"{RAISE} —Anonymous",
    f"{RAISE} -A",
]


@pytest.mark.parametrize("text", FLAGS)
async def test_every_spelling_of_the_flag_posts_anonymously(
    console: ConsoleDriver, text: str
) -> None:
    out = await console("as alice", f"/askmentor {text}")
    card = out.one("#mentoring")
    assert "Asked by: anonymous" in card.lines
    assert "alice" not in card.text
    assert card.lines[1] == RAISE  # the flag is not part of the question


@pytest.mark.parametrize(
    ("typo", "meant"),
    [("--anonymus", "--anonymous"), ("—anon-ymous", "--anonymous"), ("--private", "--anonymous")],
)
async def test_another_dash_word_is_refused_and_nothing_is_posted(
    console: ConsoleDriver, typo: str, meant: str
) -> None:
    await console("as alice")
    out = await console(f"/askmentor {typo} {RAISE}")
    told = out.one("only alice sees")
    assert f"Did you mean `{meant}`?" in told.text and "Nothing was posted" in told.text
    assert out.to("#mentoring") == []
    assert len(out) == 1


# --- 5. limits ------------------------------------------------------------------------------

DIFFERENT = [
    "How do I read a large CSV file in pandas without running out of memory on my laptop?",
    "How do I write unit tests for a python function that calls an external HTTP API?",
    "How do I profile a slow python script to find which function takes the most time?",
    "How do I package a python library with pyproject.toml and publish it to our registry?",
    "How do I set up a python virtual environment on Windows for a new data project?",
    "How do I choose between threads and asyncio in python for a network crawler I wrote?",
]


async def test_a_sixth_ask_in_ten_minutes_is_refused_kindly_and_later_allowed(
    console: ConsoleDriver,
) -> None:
    out = await console("as alice", *(f"/askmentor {q}" for q in DIFFERENT))
    assert len(out.to("#mentoring")) == 5
    told = out.to("only alice sees")[-1]
    assert "You've asked 5 questions in the last 10 minutes" in told.text
    assert "Nothing was posted" in told.text
    later = await console("clock +11m", f"/askmentor {DIFFERENT[-1]}")
    assert len(later.to("#mentoring")) == 1


async def test_a_near_duplicate_of_ones_own_open_question_points_to_it(
    console: ConsoleDriver,
) -> None:
    await console("as alice", f"/askmentor {PANDAS}")
    out = await console(f"/askmentor {PANDAS[:-1]}!")
    assert out.to("#mentoring") == []
    assert "You already asked this as #1" in out.one("only alice sees")


@pytest.mark.parametrize("console_settings", [{"limits": {"asks": 0, "claims": 2}}])
async def test_claims_beyond_the_limit_are_refused_kindly(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice")
    await console(*(f"/askmentor {q}" for q in DIFFERENT[:3]))
    out = await console("as bob", "click claim 1", "click claim 2", "click claim 3")
    assert [s.text.startswith("You claimed") for s in out.to("only bob sees")] == [
        True,
        True,
        False,
    ]
    assert "claimed 2 questions in the last 60 minutes" in out.to("only bob sees")[-1].text
    assert not out.to("thread #3")


async def test_claim_release_cycles_earn_no_points_and_dm_nobody_twice(
    console: ConsoleDriver,
) -> None:
    await console(*MENTORS, "as alice", f"/askmentor {PANDAS}")
    dms = []
    for _ in range(3):
        out = await console("as bob", "click claim 1", "click release 1", "as carol")
        out += await console("click claim 1", "click release 1")
        dms += [s for s in out if s.where.startswith("DM") and s.where != "DM alice"]
    # the one mentor who was not on the card hears once that it is open again, not per release
    assert [s.where for s in dms] == ["DM carol"]
    board = await console("/mentor leaderboard all")
    assert "No points yet" in board.text


# --- 6. hand-over with consent --------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("eve", "eve isn't one"),
        ("alice", "can't mentor their own question"),
        ("micromentor", "micromentor isn't one"),
        ("<@U0CAROL01|carol>", "Hand a session over like"),
    ],
)
async def test_a_hand_over_that_does_not_fit_is_refused_and_moves_nothing(
    console: ConsoleDriver, target: str, reason: str
) -> None:
    await console(*MENTORS, "as alice", f"/askmentor {PANDAS}", "as bob", "click claim 1")
    out = await console(f"/mentor handover 1 {target}")
    assert [s.where for s in out] == ["only bob sees"]
    assert reason in out.text


async def test_a_hand_over_moves_the_session_only_on_accept(console: ConsoleDriver) -> None:
    await console(*MENTORS, "as alice", f"/askmentor {PANDAS}", "as bob", "click claim 1")
    asked = await console("/mentor handover 1 carol")
    assert "[Accept → click accept 1] [Decline → click decline 1]" in asked.one("DM carol").text
    await console("as carol", "click decline 1")
    still = await console("as bob", "click resolve 1")
    assert "resolved" in still.text.lower()


# --- 7. cancel ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["click cancel 1", "/askmentor cancel 1"])
async def test_the_asker_cancels_by_button_or_command(console: ConsoleDriver, how: str) -> None:
    await console(*MENTORS, "as alice", f"/askmentor {PANDAS}")
    out = await console(how)
    assert "#1 is cancelled" in out.one("only alice sees")
    assert "Cancelled by the asker" in out.one("#mentoring")


async def test_nobody_else_can_cancel(console: ConsoleDriver) -> None:
    await console(*MENTORS, "as alice", f"/askmentor {PANDAS}")
    await console("as bob")
    out = await console("/askmentor cancel 1", "click cancel 1")
    assert [s.where for s in out] == ["only bob sees", "only bob sees"]


# --- 8. input hygiene -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "invisible", ["\u200b\u200c\u200d", "\u2060\ufeff\u00ad", "\u202e\u2066\u2069", "\u3164\u2800"]
)
async def test_a_question_with_no_visible_text_is_refused(
    console: ConsoleDriver, invisible: str
) -> None:
    out = await console("as alice", f"/askmentor {invisible * 10}")
    assert out.to("#mentoring") == []
    assert len(out.to("only alice sees")) == 1


async def test_bidi_controls_are_stripped_from_the_card(console: ConsoleDriver) -> None:
    out = await console("as alice", f"/askmentor \u202e{PANDAS}\u202c\u2067x\u2069")
    card = out.one("#mentoring")
    assert PANDAS + "x" in card.lines
    assert not any(
        ch in card.text for ch in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


async def test_an_everyday_word_a_mentor_calls_a_skill_is_not_read_into_questions(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join year, python")
    out = await console(
        "as alice",
        "/askmentor How do I plan my goals for next year at work after a tough review?",
    )
    card = out.one("#mentoring")
    assert "year" not in next((line for line in card.lines if line.startswith("Topics")), "")
    assert "@bob" not in card.text
