"""Rough edges a first week of real use found (issue 15), each as a person sees it in the console."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver, ConsoleFactory

ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"


async def session(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK, "as bob", "react ✋ 1")


# --- 2. the expiry DM ------------------------------------------------------------------------


async def test_the_expiry_dm_gives_the_asker_and_the_mentor_their_own_advice(
    console: ConsoleDriver,
) -> None:
    await session(console)
    out = await console("clock +20m", "clock +10m")
    assert "`/askmentor` again with where you got to" in out.one("DM alice", "closed")
    to_bob = out.one("DM bob", "closed")
    assert "/askmentor" not in to_bob and "Thanks for your time" in to_bob


# --- 3. activity after the wrap-up; the stale check after an extension ------------------------


async def test_writing_after_the_wrap_up_extends_once_and_asks_again(
    console: ConsoleDriver,
) -> None:
    await session(console)
    await console("clock +20m", "as alice", "say 1 One more thing: what about the index?")
    await console("as bob", "say 1 Add .reset_index() at the end.")
    out = await console("clock +10m")
    assert "no answer to the wrap-up" not in out.text
    assert "still talking" in out.one("thread #1", "+10 min")
    out = await console("clock +10m")
    assert "time's up" in out.one("thread #1")  # asked again at the new end
    out = await console("clock +10m")  # and nobody wrote this time
    assert "no answer to the wrap-up" in out.one("thread #1", "closed")


async def test_a_session_still_talking_when_every_extension_is_used_says_so(
    configured: ConsoleFactory,
) -> None:
    console = await configured(session={"max_extensions": 1})
    await session(console)
    await console("clock +20m", "as alice", "say 1 Still here")
    await console("clock +10m", "clock +10m", "say 1 And still here")
    out = await console("clock +10m")
    closed = out.one("thread #1", "closed")
    assert "every extension ran out" in closed and "no answer" not in closed


async def test_the_stale_thread_check_moves_with_an_extension(
    configured: ConsoleFactory,
) -> None:
    console = await configured(
        session={"timebox_minutes": 20, "extend_minutes": 30, "stale_after_minutes": 15}
    )
    await session(console)
    await console("as alice", "click extend 1")  # ends at 10:50 now
    out = await console("clock +15m")
    assert "quiet for a while" in out.one("thread #1")  # the claim-time check still holds
    await console("as bob", "say 1 Let me look")
    await console("as alice", "click extend 1")  # at 10:15 → ends at 11:20
    out = await console("clock +14m")
    assert "quiet for a while" not in out.text
    out = await console("clock +1m")
    assert "quiet for a while" in out.one("thread #1")  # 15 min after the extension


# --- 8. the extension length ------------------------------------------------------------------


async def test_the_intro_and_button_name_the_configured_extension(
    configured: ConsoleFactory,
) -> None:
    console = await configured(session={"extend_minutes": 15})
    await console("as bob", "/mentor join python, pandas", "as alice", ASK)
    out = await console("as bob", "react ✋ 1")
    intro = out.one("thread #1", "meet")
    assert "+15 min if you need it" in intro and "[+15 min → click extend 1]" in intro
    assert "10 min" not in intro


# --- 4. links, durations, plurals, a release with nobody else --------------------------------


async def test_a_link_to_a_question_without_a_thread_says_card(console: ConsoleDriver) -> None:
    for name in ("bob", "carol", "dave", "erin"):
        await console(f"as {name}", "/mentor join pandas")
    await console("as alice", ASK)
    out = await console("clock +10m")
    [dm] = [m for m in out if m.where.startswith("DM ") and "still waiting" in m]
    assert "#1 (card)" in dm and "(thread)" not in dm


async def test_a_long_wait_is_said_in_hours(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join pandas", "as alice", ASK)
    out = await console("clock +2h")
    assert "has had no mentor for 2 h." in out.one("#mentor-admins")


async def test_points_are_counted_in_words_in_the_digest(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join pandas", "as alice", ASK, "as bob", "react ✋ 1")
    await console("clock +4m", "say 1 Have you tried groupby with two keys?")  # real help
    await console("as alice", "click resolve 1")
    out = await console("as admin", "/mentoradmin digest")
    digest = out.to("#mentor-admins")[0]
    assert "pts" not in digest.text
    assert " point)" in digest.text or " points)" in digest.text


async def test_releasing_when_no_other_mentor_fits_does_not_promise_others(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas", "as alice", ASK, "as bob", "react ✋ 1")
    out = await console("click release 1")
    note = out.one("thread #1", "released")
    assert "other mentors are being asked" not in note
    assert "open to every mentor in the mentoring channel" in note
    assert "Other mentors are being asked" not in out.one("DM alice", "back in the queue")


# --- 5. nobody fits: paused, or no topics ------------------------------------------------------


async def test_a_question_whose_only_mentor_is_paused_says_they_are_away(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join kubernetes", "/mentor pause 2d")
    out = await console(
        "as alice", "/askmentor How do I roll back a kubernetes deployment after a bad release?"
    )
    said = out.one("only alice sees", "Your question is #1")
    assert "away right now" in said and "No mentor lists" not in said


async def test_a_question_without_topics_does_not_blame_the_topics(
    configured: ConsoleFactory,
) -> None:
    console = await configured(ask={"coaching": "off"})
    out = await console(
        "as alice", "/askmentor Where is the nearest good lunch place to the Berlin office?"
    )
    said = out.one("only alice sees", "Your question is #1")
    assert "Topics I found: none" in said
    assert "these topics" not in said
    assert "posted for every mentor in the mentoring channel" in said


# --- 9. one median, said the same way ----------------------------------------------------------


async def test_the_claim_wait_reads_the_same_for_the_asker_and_in_stats(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas", "as alice", ASK, "as bob", "react ✋ 1")
    out = await console(
        "as alice", "/askmentor How do I pivot a pandas DataFrame so that months become columns?"
    )
    assert "usually claimed in under a minute" in out.one("only alice sees", "#2")
    out = await console("as admin", "/mentoradmin stats")
    assert "Median time to claim: under a minute" in out.one("only admin sees")


# --- 6. each rating prompt is its own person's; a wrong click can be corrected ----------------


async def test_the_mentor_pressing_the_askers_rating_is_refused_politely(
    console: ConsoleDriver,
) -> None:
    await session(console)
    await console("as alice", "click resolve 1")
    out = await console("as bob", "click rate:1 1")
    assert "Those buttons are for the other person" in out.one("only bob sees")
    out = await console("click clarity:4 1")
    assert "how clear #1 was 4/5" in out.one("only bob sees")


async def test_the_other_persons_rating_button_before_the_resolve_says_it_isnt_finished(
    console: ConsoleDriver,
) -> None:
    # No prompt exists yet: nothing "addressed to you" to point at; the same as `rate:` says.
    await session(console)
    out = await console("as alice", "click clarity:3 1")
    said = out.one("only alice sees").text
    assert said == "#1 isn't finished yet; you can rate it once it's resolved.", said
    out = await console("click rate:3 1")
    assert out.one("only alice sees").text == said


async def test_the_asker_corrects_a_wrong_click_within_ten_minutes(console: ConsoleDriver) -> None:
    await session(console)
    await console("as alice", "click resolve 1", "click rate:1 1", "clock +5m")
    out = await console("click rate:5 1")
    assert "Changed: you rated the help on #1 5/5 (was 1/5)" in out.one("only alice sees")
    assert not out.to("#mentoring")  # the score is no news for the channel
    await console("clock +10m")
    out = await console("click rate:4 1")
    assert "can be changed within 10 minutes" in out.one("only alice sees")


# --- 10. the digest on demand is shown once ----------------------------------------------------


async def test_the_digest_on_demand_is_posted_once_and_the_admin_told_where(
    console: ConsoleDriver,
) -> None:
    out = await console("as admin", "/mentoradmin digest")
    assert len([s for s in out if "weekly digest" in s]) == 1
    assert "weekly digest" in out.one("#mentor-admins")
    assert "`/mentoradmin digest YYYY-Www` for another week" in out.one("#mentor-admins")
    assert out.one("only admin sees").text == (
        "Posted the digest of 2026-W48 (this week so far) in #mentor-admins."
    )


# --- 12. the console's tags, also for what an earlier run posted -------------------------------


async def test_a_later_console_run_names_cards_and_threads_of_an_earlier_one(
    configured: ConsoleFactory,
) -> None:
    first = await configured()
    await session(first)
    second = await configured()  # a new process on the same database
    out = await second("as alice", "say 1 Thanks, that worked", "click resolve 1")
    assert [s.where for s in out if s.where.startswith(("#", "thread", "private"))] == [
        "thread #1",
        "#mentoring",
        "thread #1",
        "thread #1",
        "thread #1",
    ]
    assert "Resolved" in out.one("#mentoring", "card updated")
    assert not any("?" in s.where or "thread-" in s.where for s in out)


async def test_a_claim_by_reaction_works_on_a_card_from_an_earlier_run(
    configured: ConsoleFactory,
) -> None:
    first = await configured()
    await first("as bob", "/mentor join python, pandas", "as alice", ASK)
    second = await configured()
    out = await second("as bob", "react ✋ 1")
    assert "You claimed #1" in out.one("only bob sees")
    assert "Claimed by bob" in out.one("#mentoring", "card updated")
    assert "meet" in out.one("thread #1")
