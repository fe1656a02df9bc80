"""Session and feedback replies found in a console walk-through: a hand-over keeps the first
claim time, only a resolved session is rated (and earns points), a closed one says why it can't
be, "not my area" with nobody else to suggest, and the asker's ✅ on a card with no session."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    AcceptHandOver,
    AskQuestion,
    CancelQuestion,
    HandleReaction,
    HandOverQuestion,
    MarkNotMyArea,
    RateSession,
    ReleaseQuestion,
    ShowStats,
)
from bot.domain import QuestionState
from bot.refs import MessageRef, ThreadRef
from tests.unit.core_harness import START, Core, start_core


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


def points_of(core: Core, name: str) -> int:
    return sum(e.points for e in core.db.rows("points") if e.user == core.user(name))


async def expire(core: Core, n: int) -> None:
    for minutes in (20, 10):  # the wrap-up, then its grace with no answer
        core.clock.advance(timedelta(minutes=minutes))
        await core.tick()
    assert core.question(n).state is QuestionState.EXPIRED


# --- 1. a hand-over keeps the question's first claim time ------------------------------------


async def test_accepting_a_hand_over_keeps_the_first_claim_time_but_starts_a_new_time_box(
    core: Core,
) -> None:
    await core.join("carol", "pandas")
    n = await core.ask("alice")
    core.clock.advance(timedelta(minutes=5))
    assert (await core.claim("bob", n)).startswith(f"You claimed #{n}")
    core.clock.advance(timedelta(minutes=10))
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert said == f"#{n} is now yours. Thank you for taking it on!"
    q = core.question(n)
    assert q.mentor == core.user("carol")
    assert q.claimed_at == START + timedelta(minutes=5)  # bob's claim, not carol's accept
    # carol's session has a time box of its own, from when she took it on.
    accepted = START + timedelta(minutes=15)
    assert q.timebox_ends_at == accepted + timedelta(minutes=core.config.session.timebox_minutes)
    assert q.last_activity_at == accepted and q.extensions == 0
    stats = (await core.reply(ShowStats(core.actor("admin")))).splitlines()
    assert stats[2].startswith("Median time to claim: 5 min;")
    said = await core.reply(
        AskQuestion(core.actor("dave"), "How do I pivot a pandas DataFrame?", False)
    )
    assert "usually claimed in about 5 min" in said, said


# --- 2. only a resolved session is rated ------------------------------------------------------


async def test_an_expired_session_cannot_be_rated_and_earns_no_points(core: Core) -> None:
    n = await core.claimed()
    await expire(core, n)
    before = points_of(core, "bob")
    said = await core.reply(RateSession(core.actor("alice"), n, 5, role="asker"))
    assert said == (
        f"The session on #{n} closed when its time ran out, before it was resolved, so "
        "there's nothing to rate. Thank you all the same!"
    )
    said = await core.reply(RateSession(core.actor("bob"), n, 5, role="mentor"))
    assert "there's nothing to rate" in said
    assert core.db.rows("feedback") == []
    assert points_of(core, "bob") == before
    assert not [p for p in core.db.rows("points") if p.reason == "good rating"]


async def test_no_rating_prompt_is_sent_when_a_session_expires(core: Core) -> None:
    """Why expired sessions are not rated: nobody is asked to (the prompt follows a resolve)."""
    n = await core.claimed()
    await expire(core, n)
    prompts = [m for m in core.chat.messages("post_in_thread") if "Rate 1–5" in m.plain()]
    assert prompts == []


# --- 3. a cancelled or given-up question says why there's nothing to rate ---------------------


async def test_rating_a_cancelled_question_says_it_was_cancelled(core: Core) -> None:
    n = await core.ask("alice")
    await core.reply(CancelQuestion(core.actor("alice"), n))
    assert core.question(n).state is QuestionState.CANCELLED
    said = await core.reply(RateSession(core.actor("alice"), n, 4))
    assert said == f"#{n} was cancelled, so there's nothing to rate."
    assert core.db.rows("feedback") == []


async def test_rating_a_question_no_mentor_took_says_so(core: Core) -> None:
    n = await core.ask("alice")
    for minutes in (10, 20, 90, 1320):  # the escalation steps, then the give-up
        core.clock.advance(timedelta(minutes=minutes))
        await core.tick()
    assert core.question(n).state is QuestionState.UNANSWERED
    said = await core.reply(RateSession(core.actor("alice"), n, 4))
    assert said == f"#{n} closed without a mentor taking it, so there's nothing to rate."


async def test_an_open_question_is_still_not_finished(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.reply(RateSession(core.actor("alice"), n, 4))
    assert said == f"#{n} isn't finished yet; you can rate it once it's resolved."


# --- 4. not my area with nobody else to suggest ----------------------------------------------


async def test_not_my_area_with_no_other_mentor_says_it_stays_open_for_everyone(
    core: Core,
) -> None:
    n = await core.ask("alice")
    assert core.question(n).suggested == (core.user("bob"),)
    said = await core.reply(MarkNotMyArea(core.actor("bob"), n))
    assert said == (
        f"Thanks — I have no other mentor to suggest for #{n}, so it stays open for everyone "
        f"in the mentoring channel. I'll ask you less about {', '.join(core.question(n).topics)}."
    )
    assert "suggest #" not in said
    assert core.question(n).suggested == ()


async def test_not_my_area_with_another_mentor_still_suggests_them(core: Core) -> None:
    await core.join("carol", "pandas")
    n = await core.ask("alice")
    said = await core.reply(MarkNotMyArea(core.actor("bob"), n))
    assert said.startswith(f"Thanks — I'll suggest #{n} to others and ask you less about ")
    assert core.user("carol") in core.question(n).suggested


# --- 5. the asker's ✅ on the card of a question with no session --------------------------------


async def test_the_askers_tick_on_an_open_card_says_how_to_cancel(core: Core) -> None:
    n = await core.ask("alice")
    card = core.question(n).card
    assert card is not None
    said = await core.reply(HandleReaction(core.actor("alice"), card, "white_check_mark"))
    assert said == (
        f"#{n} has no session yet; cancel it with `/askmentor cancel {n}` if you don't need "
        "help any more."
    )
    assert core.question(n).state is QuestionState.OPEN


@pytest.mark.parametrize("who", ["bob", "zed"])
async def test_someone_elses_tick_on_an_open_card_stays_ignored(core: Core, who: str) -> None:
    n = await core.ask("alice")
    card = core.question(n).card
    assert card is not None
    assert await core.reply(HandleReaction(core.actor(who), card, "white_check_mark")) == ""
    assert core.question(n).state is QuestionState.OPEN


# --- 6. ✅ on the card of a session, and in a released session's old thread --------------------


async def test_the_askers_tick_on_the_card_of_a_session_resolves_it(core: Core) -> None:
    # A Discord card is not in its session's thread (a Slack card heads it): the ✅ comes with the
    # mentoring channel as its "thread", or none, and still resolves, as it does on Slack.
    n = await core.claimed()
    q = core.question(n)
    assert q.card is not None and q.thread is not None
    channel = ThreadRef(q.card.platform, "mentoring-channel")
    await core.handle(HandleReaction(core.actor("alice"), q.card, "white_check_mark", channel))
    assert core.question(n).state is QuestionState.RESOLVED


async def test_the_mentors_or_a_bystanders_tick_on_the_card_does_not_resolve(core: Core) -> None:
    n = await core.claimed()
    card = core.question(n).card
    assert card is not None
    # Not silently: the intro says the asker's ✅ resolves, so they are told whose it takes.
    for name in ("bob", "zed"):
        said = await core.reply(HandleReaction(core.actor(name), card, "white_check_mark"))
        assert said.startswith(f"Only the asker's ✅ resolves #{n}"), said
    assert core.question(n).state is QuestionState.CLAIMED


async def test_the_askers_tick_in_a_released_sessions_thread_says_how_to_cancel(
    core: Core,
) -> None:
    n = await core.claimed()
    thread = core.question(n).thread
    assert thread is not None
    await core.handle(ReleaseQuestion(core.actor("bob"), n))
    assert core.question(n).state is QuestionState.OPEN
    message = MessageRef(thread.platform, f"{thread.id}/a-reply")
    said = await core.reply(
        HandleReaction(core.actor("alice"), message, "white_check_mark", thread)
    )
    assert said == (
        f"#{n} has no session any more; cancel it with `/askmentor cancel {n}` if you don't "
        "need help any more."
    )
    assert core.question(n).state is QuestionState.OPEN
