"""Console, sessions: claim by reaction or click, who won, the thread, say, release, resolve,
cancel, ratings and comments — asserting what each user sees."""

from __future__ import annotations

import pytest

from tests.e2e.console_driver import ConsoleDriver

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


@pytest.fixture
async def asked(console: ConsoleDriver) -> ConsoleDriver:
    """bob and carol mentor pandas; alice asked question #1."""
    await console(
        "as bob",
        "/mentor join python, pandas",
        "as carol",
        "/mentor join pandas",
        "as alice",
        f"/askmentor {QUESTION}",
    )
    return console


@pytest.fixture
async def claimed(asked: ConsoleDriver) -> ConsoleDriver:
    """…and bob claimed it."""
    await asked("as bob", "click claim 1")
    return asked


@pytest.mark.parametrize("line", ["react ✋ 1", "react raising_hand 1", "click claim 1"])
async def test_claim_by_reaction_or_click_updates_the_card_and_tells_the_mentor(
    asked: ConsoleDriver, line: str
) -> None:
    out = await asked("as bob", line)
    card = out.one("#mentoring")
    assert card.lines[0] == "(card updated) Question #1"
    assert "Status: Claimed by bob" in card.lines
    assert out.one("only bob sees").text == (
        "You claimed #1. I'm opening your session thread with the asker — say hello there!"
    )


async def test_thread_intro_names_asker_and_mentor(asked: ConsoleDriver) -> None:
    out = await asked("as bob", "react ✋ 1")
    intro = out.one("thread #1")
    assert intro.lines[0] == "@alice meet @bob: a 20-minute session on question #1."
    assert f"Question: {QUESTION}" in intro.lines
    assert "Time box: until 10:20 UTC; +10 min if you need it." in intro.lines
    assert intro.lines[-1] == (
        "[Resolve → click resolve 1] [Release → click release 1] [+10 min → click extend 1]"
    )


async def test_the_loser_of_a_claim_is_told_who_won_and_nothing_else_happens(
    claimed: ConsoleDriver,
) -> None:
    out = await claimed("as carol", "react ✋ 1")
    assert [s.where for s in out] == ["console", "only carol sees"]
    assert out.one("only carol sees").text == "bob claimed #1 first. Thanks for jumping in!"


async def test_the_asker_cannot_claim_their_own_question(asked: ConsoleDriver) -> None:
    out = await asked("click claim 1")
    assert out.one("only alice sees").text == (
        "You asked #1 yourself, so you can't claim it. A mentor will pick it up."
    )


async def test_say_writes_in_the_thread_as_the_current_user(claimed: ConsoleDriver) -> None:
    out = await claimed('say 1 Use df.groupby(["a", "b"])["c"].sum()')
    assert out.one("thread #1").text == 'bob: Use df.groupby(["a", "b"])["c"].sum()'


async def test_say_before_a_thread_exists_says_so(asked: ConsoleDriver) -> None:
    out = await asked("say 1 hello?")
    assert out.one("only alice sees").text == (
        "Question #1 has no session thread yet: it opens when a mentor claims it."
    )
    out = await asked("say 4 hello?")
    assert out.one("only alice sees").text == (
        "There is no thread for question #4. Check the number and try again."
    )


async def test_release_reopens_the_card_and_re_notifies_other_mentors(
    claimed: ConsoleDriver,
) -> None:
    out = await claimed("click release 1")
    assert out.one("thread #1").text.startswith("bob released #1; it's back in the queue")
    card = out.one("#mentoring")
    assert "Status: Open: waiting for a mentor" in card.lines
    assert "Suggested: @carol" in card.lines
    assert list(out.one("DM carol").lines) == [
        "Question #1 is looking for a mentor again, in your areas: " + QUESTION,
        "[Claim → click claim 1]",
    ]
    assert out.to("DM bob") == []
    assert out.one("only bob sees").text == "You released #1. Thanks for letting others pick it up."


async def test_after_release_another_mentor_can_claim(claimed: ConsoleDriver) -> None:
    await claimed("click release 1")
    out = await claimed("as carol", "react ✋ 1")
    assert "Status: Claimed by carol" in out.one("#mentoring")
    assert (
        out.one("thread #1").lines[0] == "@alice meet @carol: a 20-minute session on question #1."
    )


@pytest.mark.parametrize("who", ["alice", "bob"], ids=["asker", "mentor"])
async def test_resolve_by_asker_or_mentor_closes_the_session_and_asks_for_ratings(
    claimed: ConsoleDriver, who: str
) -> None:
    out = await claimed(f"as {who}", "click resolve 1")
    assert "Status: Resolved ✅ · helped by bob" in out.one("#mentoring")
    thread = [s.text for s in out.to("thread #1")]
    assert thread[0] == f"#1 is resolved (by {who}). Thank you both!"
    assert thread[1].startswith("@alice, how helpful was this session on #1? Rate 1–5.")
    assert thread[2].startswith("@bob, how clear was question #1? Rate 1–5.")
    assert out.one(f"only {who} sees").text == "#1 is marked resolved."


async def test_check_mark_from_the_asker_in_the_thread_resolves(claimed: ConsoleDriver) -> None:
    out = await claimed("as alice", "say 1 ✅")
    assert "Status: Resolved ✅ · helped by bob" in out.one("#mentoring")
    assert out.one("only alice sees").text == "#1 is marked resolved."


@pytest.mark.parametrize("mark", ["✔️", ":heavy_check_mark:", ":white_check_mark:"])
async def test_any_resolve_emoji_said_by_the_asker_resolves(
    claimed: ConsoleDriver, mark: str
) -> None:
    out = await claimed("as alice", f"say 1 {mark}")
    assert out.one("only alice sees").text == "#1 is marked resolved."


async def test_check_mark_from_the_mentor_is_just_a_message(claimed: ConsoleDriver) -> None:
    out = await claimed("say 1 ✅")
    assert [s.text for s in out] == ["bob: ✅"]


async def test_someone_else_cannot_resolve_and_is_told_who_can(claimed: ConsoleDriver) -> None:
    out = await claimed("as carol", "click resolve 1")
    assert [s.where for s in out] == ["console", "only carol sees"]
    assert out.one("only carol sees").text == (
        "Only the asker or mentor of #1 (or an admin) can resolve it."
    )


async def test_asker_cancels_an_open_question(asked: ConsoleDriver) -> None:
    out = await asked("click cancel 1")
    assert "Status: Cancelled by the asker" in out.one("#mentoring")
    assert out.one("only alice sees").text == "#1 is cancelled. Ask again any time."


@pytest.mark.parametrize("how", ["click cancel 1", "/askmentor cancel 1"])
async def test_the_asker_cannot_cancel_a_running_session(claimed: ConsoleDriver, how: str) -> None:
    out = await claimed("as alice", how)
    assert [s.where for s in out] == ["console", "only alice sees"]
    assert out.one("only alice sees").text == (
        "#1 is in a session with bob: resolve it when you're done (or release it if you'd "
        "rather have another mentor)."
    )
    out = await claimed("click rate:5 1")  # still a session: nothing was cancelled
    assert "isn't finished yet" in out.one("only alice sees").text


async def test_cancelling_after_a_release_tells_the_thread(claimed: ConsoleDriver) -> None:
    out = await claimed("click release 1", "as alice", "click cancel 1")
    assert out.to("thread #1")[-1].text == "The asker cancelled #1."


async def test_not_my_area_is_remembered_when_the_question_is_released(
    asked: ConsoleDriver,
) -> None:
    await asked("as carol", "click notmine 1")
    out = await asked("as bob", "click claim 1", "click release 1")
    assert out.to("DM carol") == []
    assert "@carol" not in out.to("#mentoring")[-1].text
    out = await asked("as carol", "click claim 1", "click release 1")
    told = out.one("DM alice").text
    assert "No other mentor who fits is free to take it right now" in told, told


async def test_an_admin_releasing_a_session_tells_the_mentor_and_the_asker(
    claimed: ConsoleDriver,
) -> None:
    out = await claimed("as admin", "click release 1")
    assert out.one("only admin sees").text == (
        "Released #1 from bob's session; bob and the asker are told."
    )
    assert out.one("thread #1").text.startswith("An admin released #1;")
    assert out.one("DM bob").text.startswith("An admin released your session on #1")
    assert out.one("DM alice").text.startswith("An admin put your question #1 back in the queue.")


async def test_hand_over_replies_say_who_has_the_session(claimed: ConsoleDriver) -> None:
    await claimed("as dave", "/mentor join pandas", "/mentor pause 7d")
    out = await claimed("as bob", "/mentor handover 1 bob")
    assert out.one("only bob sees").text == "You already have #1."
    out = await claimed("/mentor handover 1 dave")
    assert out.one("only bob sees").text.startswith("dave is away (paused as a mentor)")
    assert out.to("DM dave") == []
    out = await claimed("/mentor handover 1 carol")
    assert out.one("only bob sees").text == (
        "Asked carol to take over #1. It stays with you until carol accepts."
    )
    out = await claimed("as carol", "click accept 1", "click accept 1")
    assert out.to("only carol sees")[-1].text == "#1 is already yours."
    out = await claimed("as admin", "/mentor handover 1 bob")
    assert out.one("only admin sees").text == (
        "Asked bob to take over #1. It stays with carol until bob accepts."
    )


async def test_extend_adds_ten_minutes(claimed: ConsoleDriver) -> None:
    out = await claimed("click extend 1")
    assert out.one("thread #1").text == "+10 min: the session on #1 now ends at 10:30 UTC."
    assert out.one("only bob sees").text == "Extended #1 by 10 minutes."


async def test_rate_thanks_the_asker_and_leaves_the_card_alone(claimed: ConsoleDriver) -> None:
    out = await claimed("as alice", "click resolve 1")
    assert "Status: Resolved ✅ · helped by bob" in out.one("#mentoring").lines
    out = await claimed("click rate:5 1")
    assert not out.to("#mentoring")
    assert out.one("only alice sees").text.startswith("Thanks! You rated the help on #1 5/5.")


async def test_rating_again_after_ten_minutes_is_refused(claimed: ConsoleDriver) -> None:
    await claimed("as alice", "click resolve 1", "click rate:5 1", "clock +11m")
    out = await claimed("click rate:1 1")
    assert out.one("only alice sees").text.startswith("You rated the help on #1 5/5 already")
    assert out.to("#mentoring") == []


async def test_a_comment_is_saved_after_the_rating(claimed: ConsoleDriver) -> None:
    await claimed("as alice", "click resolve 1", "click rate:4 1")
    out = await claimed("comment 1 Quick and clear.")
    assert out.one("only alice sees").text == "Thanks, your comment on #1 is saved."


async def test_mentor_rates_the_questions_clarity(claimed: ConsoleDriver) -> None:
    await claimed("as alice", "click resolve 1")
    out = await claimed("as bob", "click clarity:4 1")
    assert out.one("only bob sees").text == (
        "Thanks! You rated how clear #1 was 4/5. Anything to add?\n[Add a comment → comment 1 <text>]"
    )


async def test_a_rating_outside_one_to_five_is_refused(claimed: ConsoleDriver) -> None:
    await claimed("as alice", "click resolve 1")
    out = await claimed("click rate:9 1")
    assert out.one("only alice sees").text == "Ratings go from 1 (not helpful) to 5 (very helpful)."


async def test_anonymous_question_gets_a_private_thread_naming_the_asker_to_the_mentor(
    console: ConsoleDriver,
) -> None:
    out = await console(
        "as bob",
        "/mentor join pandas",
        "as alice",
        f"/askmentor --anonymous {QUESTION}",
        "as bob",
        "react ✋ 1",
    )
    for card in out.to("#mentoring"):
        assert "alice" not in card
    intro = out.one("thread #1")
    assert intro.lines[0] == "@alice meet @bob: a 20-minute session on question #1."


async def test_only_the_asker_and_the_mentor_write_in_a_private_thread(
    console: ConsoleDriver,
) -> None:
    """As on Slack and Discord, where nobody else is a member of it."""
    await console(
        "as bob", "/mentor join pandas", "as alice", f"/askmentor --anonymous {QUESTION}",
        "as bob", "react ✋ 1",
    )  # fmt: skip
    out = await console("as dan", "say 1 hello, who is this?")
    assert out.to("thread #1") == []
    assert out.one("only dan sees").text == (
        "Thread #1 is private to its asker and mentor; only they write in it."
    )
    out = await console("as alice", "say 1 thanks bob", "as bob", "say 1 you're welcome")
    assert [s.text for s in out.to("thread #1")] == ["alice: thanks bob", "bob: you're welcome"]


@pytest.mark.parametrize("line", ["react ✋🏽 1", "react :raising_hand::skin-tone-2: 1"])
async def test_a_claim_reaction_with_a_skin_tone_claims_too(
    asked: ConsoleDriver, line: str
) -> None:
    out = await asked("as bob", line)
    assert "Status: Claimed by bob" in out.one("#mentoring").lines


async def test_a_mentor_hands_the_session_over_in_the_same_thread(claimed: ConsoleDriver) -> None:
    await claimed("as carol", "/mentor join pandas")
    out = await claimed("as bob", "/mentor handover 1 @carol")
    assert out.one("only bob sees").text == (
        "Asked carol to take over #1. It stays with you until carol accepts."
    )
    assert out.one("DM carol").lines[-1] == "[Accept → click accept 1] [Decline → click decline 1]"
    out = await claimed("as carol", "click accept 1")
    assert out.one("thread #1", "handed").text == "bob handed #1 over to @carol. Thanks both!"
    assert out.one("thread #1", "meet").lines[0].startswith("@alice meet @carol")
    assert out.one("only carol sees").text == "#1 is now yours. Thank you for taking it on!"
    resolved = await claimed("as carol", "click resolve 1")
    assert "helped by carol" in resolved.one("#mentoring").text


async def test_an_anonymous_asker_cannot_be_found_by_trying_hand_overs(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join python, pandas",
        "as alice",
        f"/askmentor --anonymous {QUESTION} I tried groupby on one column.",
        "as bob",
        "react ✋ 1",
    )
    out = await console("as admin", "/mentor handover 1 alice", "/mentor handover 1 dave")
    to_asker, to_nobody = (s.text for s in out.to("only admin sees"))
    assert to_asker == to_nobody.replace("dave", "alice")
    assert "asker" not in to_asker


async def test_an_admins_hand_over_says_an_admin_did_it_and_tells_the_mentor(
    claimed: ConsoleDriver,
) -> None:
    out = await claimed("as admin", "/mentor handover 1 carol", "as carol", "click accept 1")
    assert out.one("thread #1", "handed").text == "An admin handed #1 over to @carol. Thanks both!"
    offered = out.one("DM bob", "offered").text  # told when it was asked, too
    assert offered.startswith("An admin offered your session on #1 to carol;")
    told = out.one("DM bob", "handed").text
    assert told.startswith("An admin handed your session on #1 over to carol")
    assert "stop working on it" in told
