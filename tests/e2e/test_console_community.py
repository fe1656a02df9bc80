"""Console, community: a lightning session from five pandas questions to its rating on the
console's clock; kudos and their limits; badges, the streak and the leaderboard as people see them."""

from __future__ import annotations

import pytest

from tests.e2e.console_driver import ConsoleDriver

QUESTIONS = (
    "How do I group a pandas DataFrame by two columns and sum one of them?",
    "How do I pivot a pandas DataFrame so that months become columns?",
    "Why does pandas merge give me duplicate rows after joining two tables?",
    "How do I read only some columns of a big CSV file with pandas quickly?",
    "How can I fill missing values in a pandas column with the previous value?",
)
TITLE = "groupby, pivot and merge"


@pytest.fixture
async def demand(console: ConsoleDriver) -> ConsoleDriver:
    """bob mentors pandas; ann, ben, cat, dan and eve each asked a pandas question."""
    lines = ["as bob", "/mentor join python, pandas", "/mentor hours Mon-Sun 00:00-24:00"]
    for name, question in zip(("ann", "ben", "cat", "dan", "eve"), QUESTIONS, strict=True):
        lines += [f"as {name}", f"/askmentor {question}"]
    await console(*lines)
    return console


async def test_the_fifth_question_proposes_a_session_to_bob(console: ConsoleDriver) -> None:
    lines = ["as bob", "/mentor join python, pandas"]
    for name, question in zip(("ann", "ben", "cat", "dan"), QUESTIONS[:4], strict=True):
        lines += [f"as {name}", f"/askmentor {question}"]
    out = await console(*lines)
    assert not [dm for dm in out.to("DM bob") if "⚡" in dm.text]  # (lesson 1 came on join)
    out = await console("as eve", f"/askmentor {QUESTIONS[4]}")
    proposal = out.one("DM bob")
    assert proposal.lines[0].startswith(
        "⚡ 5 questions from 5 people about pandas came up in the last 28 days."
    )
    assert proposal.lines[-1] == (
        "[I'll teach it → /lightning accept 1 <YYYY-MM-DD HH:MM> <title>] "
        "[Not now → click notnow 1]"
    )


async def test_a_mentor_who_joins_after_everyone_said_not_now_is_asked(
    demand: ConsoleDriver,
) -> None:
    out = await demand("as bob", "click notnow 1")  # the only mentor asked; nobody next
    assert not [dm for dm in out.to("DM bob") if "⚡" in dm.text]
    out = await demand("as carol", "/mentor join pandas")
    proposal = out.one("DM carol", "⚡")
    assert proposal.lines[0].startswith(
        "⚡ 5 questions from 5 people about pandas came up in the last 28 days."
    )
    assert proposal.lines[-1].endswith("[Not now → click notnow 1]")
    out = await demand("as dave", "/mentor join rust")  # can't teach it: not asked
    assert not [dm for dm in out.to("DM dave") if "⚡" in dm.text]
    out = await demand("as carol", "/lightning accept 1 2026-11-30 10:00 Pandas basics")
    assert "Lightning session #1: Pandas basics" in out.one("#mentoring").text


async def test_new_skills_after_everyone_said_not_now_are_found_within_the_hour(
    demand: ConsoleDriver,
) -> None:
    out = await demand("as carol", "/mentor join rust", "as bob", "click notnow 1")
    assert not [dm for dm in out.to("DM carol") if "⚡" in dm.text]  # rust: not asked
    out = await demand("as carol", "/mentor skills rust, pandas")  # no event: the hour finds it
    assert not [dm for dm in out.to("DM carol") if "⚡" in dm.text]
    out = await demand("clock +1h")
    assert out.one("DM carol", "⚡").lines[-1].endswith("[Not now → click notnow 1]")
    out = await demand("click notnow 1", "clock +1h", "clock +1d")  # nobody left: nothing more
    assert not [dm for dm in out.to("DM bob") + out.to("DM carol") if "⚡" in dm.text]


async def test_the_whole_lightning_flow_on_the_console(demand: ConsoleDriver) -> None:
    out = await demand("as bob", f"/lightning accept 1 2026-11-25 15:00 {TITLE}")
    card = out.one("#mentoring")
    assert card.lines[0] == f"⚡ Lightning session #1: {TITLE}"
    assert "When: Wed 2026-11-25 15:00 UTC · 15 min" in card.lines
    assert "Going: 0 signed up" in card.lines and card.lines[-1] == "[I'll join → click join 1]"
    for name in ("ann", "ben", "cat", "dan", "eve"):
        assert out.one(f"DM {name}", "You asked about pandas recently")
    assert "is on Wed 2026-11-25 15:00 UTC" in out.one("only bob sees").text

    out = await demand("as ann", "click join 1", "as ben", "/lightning join 1")
    updates = out.to("#mentoring")
    assert [u.lines[0] for u in updates] == [f"(card updated) ⚡ Lightning session #1: {TITLE}"] * 2
    assert "Going: 2 signed up" in updates[-1].lines
    assert out.one("only ann sees").text.startswith("You're in!")

    out = await demand("clock +1d", "clock +5h")  # Tuesday 15:00: a day before
    assert "is tomorrow" in out.one("DM ann", "⏰").text
    assert "you're speaking" in out.one("DM bob", "⏰").text
    out = await demand("clock +23h", "clock +45m")  # Wednesday 14:45
    assert "starts in 15 minutes" in out.one("DM ben", "⏰").text

    out = await demand("clock +30m")  # it has ended
    held = out.one("#mentoring")
    assert "Held: 2 signed up" in held.lines
    assert out.one("DM ann", "How was the lightning session").lines[-1] == (
        " ".join(f"[{i} → click lrate:{i} 1]" for i in range(1, 6))
    )
    assert "2 people signed up" in out.one("DM bob", "Thank you for teaching").text

    out = await demand("as ann", "click lrate:5 1", "as ben", "/lightning rate 1 4")
    assert out.one("only ann sees").text.startswith("Thanks for rating #1 5/5")
    assert "Held: 2 signed up; rated by 2" in out.to("#mentoring")[-1].lines
    assert "⚡ Lightning speaker" in out.one("DM bob", "new badge").text

    out = await demand("as admin", "/mentoradmin digest")
    digest = out.one("#mentor-admins").text
    assert (
        f"Lightning sessions held: 1 — “{TITLE}” by bob (2 signed up, rated 4.5/5 by 2)" in digest
    )
    # The month so far is the week: its most helpful are not listed twice.
    assert "Most thanked: 1. bob (5 points)" in digest
    assert "Most helpful in November 2026: the same as this week's most thanked." in digest


async def test_a_lightning_session_anyone_proposes(console: ConsoleDriver) -> None:
    out = await console("as dave", "/lightning propose sql 2026-11-24 12:00 window functions")
    assert out.one("only dave sees").text.startswith(
        "Thank you! Lightning session #1 “window functions”"
    )
    out = await console("as erin", "/lightning list")
    assert out.one("only erin sees").lines == (
        "Coming up: lightning sessions",
        "#1 “window functions” by dave — Tue 2026-11-24 12:00 UTC, 15 min, 0 going · "
        "`/lightning join 1`",
    )


async def test_the_speaker_moves_then_cancels_a_session_and_sign_ups_hear_of_it(
    console: ConsoleDriver,
) -> None:
    await console("as dave", "/lightning propose sql 2026-11-24 12:00 window functions")
    await console("as erin", "/lightning join 1")
    out = await console("/lightning cancel 1")
    assert out.one("only erin sees").text.startswith(
        "Sorry, only the speaker of lightning session #1 (or an admin) can cancel it."
    )
    out = await console("as dave", "/lightning move 1 2026-11-26 16:30")
    assert out.one("only dave sees").text == (
        "Moved lightning session #1 “window functions” to Thu 2026-11-26 16:30 UTC. "
        "I've told the 1 person who signed up. The reminders follow the new time."
    )
    assert "has moved to Thu 2026-11-26 16:30 UTC" in out.one("DM erin").text
    assert "Thu 2026-11-26 16:30 UTC" in out.one("#mentoring").text
    out = await console("/lightning cancel 1")
    assert "I've told the 1 person who signed up." in out.one("only dave sees").text
    assert "is cancelled: its speaker called it off" in out.one("DM erin").text
    assert "This session was cancelled." in out.one("#mentoring").text
    out = await console("clock +3d")
    assert not [line for line in out.to("DM erin") if "⏰" in line.text]


async def test_not_now_after_joining_takes_you_off_the_list(console: ConsoleDriver) -> None:
    await console(
        "as ann", "/mentor join pandas", f"/lightning propose pandas 2026-11-25 15:00 {TITLE}"
    )
    out = await console("as dan", "click join 1", "as eve", "click join 1")
    assert "Going: 2 signed up" in out.to("#mentoring")[-1].lines
    out = await console("as dan", "click notnow 1")
    assert out.one("only dan sees").text == (
        f"You're off the list for #1 “{TITLE}”; join again any time before it starts."
    )
    assert "Going: 1 signed up" in out.one("#mentoring").lines
    out = await console("click notnow 1")  # said twice: nothing is waiting any more
    assert out.one("only dan sees").text == "No problem — nothing is waiting for you there."
    out = await console("clock +1d", "clock +5h", "clock +23h", "clock +45m", "clock +30m")
    assert len([s for s in out.to("DM eve") if "⏰" in s.text]) == 2
    assert out.one("DM eve", "How was the lightning session")
    assert out.to("DM dan") == []  # neither reminder nor rating prompt
    assert "Held: 1 signed up" in out.to("#mentoring")[-1].lines
    thanks = out.one("DM ann", "Thank you for teaching").text
    assert "1 person signed up" in thanks
    assert "points come with talks 2 or more people sign up for" in thanks  # not this one


async def test_leave_from_a_reminder_or_as_a_command_takes_you_off_the_list(
    console: ConsoleDriver,
) -> None:
    await console(
        "as ann", "/mentor join pandas", f"/lightning propose pandas 2026-11-25 15:00 {TITLE}"
    )
    out = await console("as dan", "click join 1")
    assert out.one("only dan sees").lines[-1] == "[Leave → click leave 1]"
    out = await console("as eve", "click join 1", "as cat", "/lightning leave 1")
    assert out.one("only cat sees").text == "You're not signed up for #1."
    out = await console("clock +1d", "clock +5h")  # Tuesday 15:00: a day before
    assert out.one("DM dan", "⏰").lines[-1] == "[Leave → click leave 1]"
    assert "[Leave" not in out.one("DM ann", "⏰").text  # the speaker cancels instead
    out = await console("as dan", "click leave 1", "as eve", "/lightning leave 1")
    off = f"You're off the list for #1 “{TITLE}”; join again any time before it starts."
    assert out.one("only dan sees").text == off and out.one("only eve sees").text == off
    out = await console("clock +23h", "clock +45m", "clock +30m")
    assert out.to("DM dan") == [] and out.to("DM eve") == []  # no reminder, no rating prompt
    assert "Signed up: nobody" in out.to("#mentoring")[-1].lines


async def test_the_speaker_sees_their_own_session_listed_without_a_join_hint(
    console: ConsoleDriver,
) -> None:
    await console("as dave", "/lightning propose sql 2026-11-24 12:00 window functions")
    out = await console("/lightning list")
    assert out.one("only dave sees").lines == (
        "Coming up: lightning sessions",
        "#1 “window functions” by dave (you're speaking) — Tue 2026-11-24 12:00 UTC, 15 min, "
        "0 going",
    )


async def test_teach_is_a_form_on_the_platforms_and_a_line_in_the_console(
    demand: ConsoleDriver,
) -> None:
    out = await demand("as bob", "click teach 1")
    assert out.one("only bob sees").text == (
        "In the console, give the time and title as a line: "
        "`/lightning accept 1 <YYYY-MM-DD HH:MM> <title>`"
    )


async def test_kudos_and_their_limits_on_the_console(console: ConsoleDriver) -> None:
    out = await console("as bob", "as cat", "as ann", "/kudos bob for explaining merges so clearly")
    assert (
        out.one("#mentoring").text == "🙌 Kudos to @bob from ann: for explaining merges so clearly"
    )
    assert out.one("only ann sees").text == (
        "Thanks sent to bob in the mentoring channel. You can thank 4 more people today."
    )
    out = await console("/kudos bob for the SQL tip as well")
    assert "You've thanked bob today already" in out.one("only ann sees").text
    out = await console("/kudos ann for being me")
    assert out.one("only ann sees").text.startswith("Kudos are for thanking someone else")
    out = await console("/kudos --private cat for the quiet help")
    assert out.one("DM cat").text == "🙌 Kudos from ann: for the quiet help"
    assert not out.to("#mentoring")


async def test_console_kudos_to_a_made_up_name_are_refused_and_give_no_points(
    console: ConsoleDriver,
) -> None:
    """Slack and Discord take a real member; a console name is typed: a name nobody has been
    (`as`) nor the bot has recorded is nobody, and gets neither kudos nor points."""
    await console("as bob", "/mentor join pandas", "as cat")
    out = await console("as ann", "/kudos nobody for the great tip")
    assert out.one("only ann sees").text == (
        "I don't know anyone called nobody in this console, so no kudos were sent. People "
        "here: bob, cat. Someone new? `as nobody` brings them in; then thank them again."
    )
    assert not out.to("#mentoring")
    out = await console("/mentor leaderboard all")
    assert "nobody" not in out.text
    out = await console("/kudos cat for the quiet help")  # someone met: as before
    assert out.one("#mentoring").text == "🙌 Kudos to @cat from ann: for the quiet help"


async def test_badges_streak_and_leaderboard_for_a_helping_mentor(console: ConsoleDriver) -> None:
    await console(
        "as bob",
        "/mentor join python, pandas",
        "as ann",
        f"/askmentor {QUESTIONS[0]}",
        "as bob",
        "click claim 1",
        "clock +4m",  # a session that helped: still talking minutes after the claim
        "say 1 Have you tried df.groupby(['a', 'b'])['c'].sum()?",
        "as ann",
        "click resolve 1",
    )
    out = await console("as bob", "/mentor me", "/mentor leaderboard", "/mentor leaderboard all")
    me, month, every = out.to("only bob sees")
    assert "Helping streak: 🔥 1 week (best 1)" in me.lines
    assert "Badges: 🤝 First session" in me.lines
    assert month.lines == ("Leaderboard — November 2026 (thank-you points)", "1. bob — 3")
    assert every.lines == ("Leaderboard — all time (thank-you points)", "1. bob — 3")
    out = await console("/mentor leaderboard forever")
    assert "month" in out.one("only bob sees").text


async def test_a_mentor_thanks_the_asker_of_an_anonymous_question_privately_only(
    console: ConsoleDriver,
) -> None:
    """Only its mentor knows whose an anonymous question was: their public kudos to the asker
    would tell the channel. Refused, nothing posted, no points; privately it goes; a mentor who
    never took one of cat's anonymous questions thanks cat in public as before."""
    await console(
        "as bob",
        "/mentor join pandas",
        "as dan",
        "/mentor join pandas",
        "as cat",
        "/askmentor --anonymous How do I pivot a pandas DataFrame with two index columns?",
        "as bob",
        "click claim 1",
        "as cat",
        "click resolve 1",
        "clock +1d",
    )
    out = await console("as bob", "/kudos cat thanks for a well-posed question")
    assert out.one("only bob sees").text == (
        "cat asked you a question anonymously lately, so thanking them in public could tell "
        "others whose it was. Nothing was posted: thank them privately with `/kudos --private`."
    )
    assert not out.to("#mentoring")
    out = await console("/kudos --private cat thanks for a well-posed question")
    assert out.one("DM cat").text == "🙌 Kudos from bob: thanks for a well-posed question"
    assert not out.to("#mentoring")
    out = await console("as dan", "/kudos cat for the great lightning notes")
    assert out.one("#mentoring").text == "🙌 Kudos to @cat from dan: for the great lightning notes"
    out = await console("clock +31d", "as bob", "/kudos cat for the great lightning notes")
    assert out.one("#mentoring").text == "🙌 Kudos to @cat from bob: for the great lightning notes"


async def test_a_mentor_who_released_an_anonymous_question_thanks_its_asker_privately_only(
    console: ConsoleDriver,
) -> None:
    """A mentor who claimed an anonymous question and released it knows whose it was as well
    as the mentor who took it after them: their public kudos to the asker is refused too."""
    await console(
        "as bob",
        "/mentor join pandas",
        "as dan",
        "/mentor join pandas",
        "as cat",
        "/askmentor --anonymous How do I pivot a pandas DataFrame with two index columns?",
        "as bob",
        "click claim 1",
        "click release 1",
        "as dan",
        "click claim 1",
        "as cat",
        "click resolve 1",
        "clock +1d",
    )
    out = await console("as bob", "/kudos cat thanks for a well-posed question")
    assert out.one("only bob sees").text.startswith(
        "cat asked you a question anonymously lately, so thanking them in public"
    )
    assert not out.to("#mentoring")
    out = await console("clock +31d", "as bob", "/kudos cat for the great lightning notes")
    assert out.one("#mentoring").text == "🙌 Kudos to @cat from bob: for the great lightning notes"
