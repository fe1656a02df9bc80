"""Running a session: release back to the queue, resolve (button or ✅), cancel, extend, activity."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    AskQuestion,
    CancelQuestion,
    ExtendTimebox,
    HandleReaction,
    MarkNotMyArea,
    RateSession,
    RecordThreadActivity,
    ReleaseQuestion,
)
from bot.domain import NudgeKind, NudgeState, QuestionState
from bot.refs import MessageRef
from tests.unit.core_harness import QUESTION, Core, start_core


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


def pending(core: Core, n: int) -> set[NudgeKind]:
    return {
        nd.kind
        for nd in core.db.rows("nudges")
        if nd.question_id == n and nd.state is NudgeState.PENDING
    }


# --- release ---------------------------------------------------------------------------------


async def test_release_puts_the_question_back_to_open_without_a_mentor(core: Core) -> None:
    n = await core.claimed(mentor="bob")
    said = await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert said == f"You released #{n}. Thanks for letting others pick it up."
    q = core.question(n)
    assert (q.state, q.mentor, q.timebox_ends_at) == (QuestionState.OPEN, None, None)


async def test_the_asker_letting_their_mentor_go_is_told_what_happens_next_and_not_blamed(
    core: Core,
) -> None:
    n = await core.claimed(mentor="bob")
    said = await core.reply(ReleaseQuestion(core.actor("alice"), n))
    assert said == f"#{n} is back in the queue: other mentors who fit are being asked."
    # bob did not release it himself; he is told it moved on, not that he let it go
    again = await core.claim("bob", n)
    assert again.startswith(f"#{n} has had a session with you already"), again
    assert "You released" not in again


async def test_release_re_notifies_other_matching_mentors_but_not_the_releaser(
    core: Core,
) -> None:
    n = await core.claimed(mentor="bob")
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert core.chat.dms(core.user("carol")) == [
        f"Question #{n} is looking for a mentor again, in your areas: {QUESTION}"
    ]
    assert core.chat.dms(core.user("bob")) == []
    assert core.question(n).suggested == (core.user("carol"),)


async def test_release_tells_the_thread_and_reopens_the_card(core: Core) -> None:
    n = await core.claimed(mentor="bob")
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert core.chat.in_thread(n)[-1].startswith(f"bob released #{n}; it's back in the queue")
    card = core.chat.card(n)
    assert "Open: waiting for a mentor" in card.plain()
    assert [a.id for a in card.actions] == ["claim", "notmine", "cancel"]


async def test_release_swaps_session_reminders_for_escalation(core: Core) -> None:
    n = await core.claimed(mentor="bob")
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert pending(core, n) == {NudgeKind.ESCALATE}


async def test_an_admin_releasing_tells_the_mentor_and_the_asker_who_did_it(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(ReleaseQuestion(core.actor("admin"), n))
    assert said == f"Released #{n} from bob's session; bob and the asker are told."
    assert core.chat.in_thread(n)[-1].startswith(f"An admin released #{n}; ")
    [to_bob] = core.chat.dms(core.user("bob"))
    assert to_bob.startswith(f"An admin released your session on #{n}")
    assert "stop working on it" in to_bob
    to_alice = core.chat.dms(core.user("alice"))[-1]
    assert to_alice.startswith(f"An admin put your question #{n} back in the queue.")
    assert "your mentor had to let it go" not in to_alice


async def test_a_mentor_who_said_not_my_area_is_not_asked_again_on_release(core: Core) -> None:
    n = await core.ask("alice")
    await core.reply(MarkNotMyArea(core.actor("carol"), n))
    await core.claim("bob", n)
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert core.user("carol") not in core.question(n).suggested
    assert "@carol" not in core.chat.card(n).plain()
    assert core.chat.dms(core.user("carol")) == []
    # Nobody else is suggested, though bob and carol list pandas: the asker hears the truth.
    told = core.chat.dms(core.user("alice"))[-1]
    assert "No other mentor who fits is free to take it right now" in told
    assert "lists its topics" not in told


async def test_released_with_no_mentor_listing_its_topics_says_so(core: Core) -> None:
    n = await core.ask("alice", "How do I negotiate a raise with my manager next week?")
    await core.claim("dave", n)
    await core.reply(ReleaseQuestion(core.actor("dave"), n))
    assert core.question(n).suggested == ()
    assert "No other mentor lists its topics" in core.chat.dms(core.user("alice"))[-1]


async def test_released_question_can_be_claimed_by_another_mentor(core: Core) -> None:
    n = await core.claimed(mentor="bob")
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert (await core.claim("carol", n)).startswith(f"You claimed #{n}")
    assert core.question(n).claims == 2


# --- resolve ---------------------------------------------------------------------------------


async def test_resolve_marks_it_resolved_and_thanks_both_in_the_thread(core: Core) -> None:
    n = await core.claimed()
    assert await core.resolve("alice", n) == f"#{n} is marked resolved."
    q = core.question(n)
    assert q.state is QuestionState.RESOLVED
    assert q.resolved_at == core.clock.now()
    assert f"#{n} is resolved (by alice). Thank you both!" in core.chat.in_thread(n)


async def test_resolve_asks_the_asker_to_rate_the_help_and_the_mentor_the_clarity(
    core: Core,
) -> None:
    n = await core.claimed()
    await core.resolve("bob", n)
    *_, asker_prompt, mentor_prompt = core.chat.messages(
        "post_in_thread", thread=core.chat.thread_of(n)
    )
    assert asker_prompt.body.mentions() == (core.user("alice"),)
    # No [Add a comment] before a rating: a comment typed then would be turned away.
    assert [a.id for a in asker_prompt.actions] == [f"rate:{i}" for i in range(1, 6)]
    assert mentor_prompt.body.mentions() == (core.user("bob"),)
    assert [a.id for a in mentor_prompt.actions][:5] == [f"clarity:{i}" for i in range(1, 6)]
    assert "comment" not in [a.id for a in mentor_prompt.actions]
    said = await core.reply(RateSession(core.actor("alice"), n, 4))
    assert said.endswith("Want to add a comment?")  # the rating's reply offers it


async def test_resolve_updates_the_card(core: Core) -> None:
    n = await core.claimed()
    await core.resolve("alice", n)
    assert "Status: Resolved ✅ · helped by bob" in core.chat.card(n).plain()


async def test_resolve_schedules_feedback_and_follow_up_and_nothing_else(core: Core) -> None:
    n = await core.claimed()
    await core.resolve("alice", n)
    assert pending(core, n) == {NudgeKind.FEEDBACK, NudgeKind.FOLLOW_UP}


async def test_resolved_question_is_offered_as_similar_to_later_askers(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(
        AskQuestion(
            core.actor("dave"), "How do I group a pandas DataFrame by two columns and count rows?"
        )
    )
    assert "Already answered, maybe useful meanwhile:" in said
    assert f"#{n}" in said


@pytest.mark.parametrize("emoji", ["✅", "white_check_mark"])
async def test_check_mark_by_the_asker_in_the_thread_resolves(core: Core, emoji: str) -> None:
    n = await core.claimed()
    q = core.question(n)
    assert q.card is not None
    said = await core.reply(HandleReaction(core.actor("alice"), q.card, emoji, q.thread))
    assert said == f"#{n} is marked resolved."
    assert core.question(n).state is QuestionState.RESOLVED


@pytest.mark.parametrize("who", ["bob", "zed"], ids=["mentor", "bystander"])
async def test_check_mark_by_anyone_but_the_asker_does_not_resolve(core: Core, who: str) -> None:
    """In the thread a ✅ may just agree with a message: nothing said. On the card, where the
    intro says the asker's ✅ resolves, the one who reacted is told whose it takes."""
    n = await core.claimed()
    q = core.question(n)
    assert q.card is not None
    in_thread = MessageRef(q.card.platform, "a-message-in-the-thread")
    assert await core.handle(HandleReaction(core.actor(who), in_thread, "✅", q.thread)) == []
    said = await core.reply(HandleReaction(core.actor(who), q.card, "✅", q.thread))
    assert said.startswith(f"Only the asker's ✅ resolves #{n}")
    assert ("press Resolve" in said) is (who == "bob")
    assert core.question(n).state is QuestionState.CLAIMED


async def test_check_mark_outside_its_thread_and_card_does_nothing(core: Core) -> None:
    # (✅ on the card itself resolves: test_core_sessions_feedback_fixes.py.)
    n = await core.claimed()
    q = core.question(n)
    assert q.card is not None
    elsewhere = MessageRef(q.card.platform, "some-other-message")
    assert await core.handle(HandleReaction(core.actor("alice"), elsewhere, "✅", None)) == []
    assert core.question(n).state is QuestionState.CLAIMED


# --- cancel ----------------------------------------------------------------------------------


async def test_asker_cancels_an_open_question(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.reply(CancelQuestion(core.actor("alice"), n))
    assert said == f"#{n} is cancelled. Ask again any time."
    assert core.question(n).state is QuestionState.CANCELLED
    assert "Cancelled by the asker" in core.chat.card(n).plain()
    assert pending(core, n) == set()


async def test_an_admin_cancelling_an_open_question_tells_its_asker_and_the_card_says_who(
    core: Core,
) -> None:
    n = await core.ask("alice")
    said = await core.reply(CancelQuestion(core.actor("admin"), n))
    assert said == f"#{n} is cancelled; its asker is told."
    assert core.question(n).state is QuestionState.CANCELLED
    card = core.chat.card(n).plain()
    assert "Cancelled by an admin" in card and "by the asker" not in card
    [told] = core.chat.dms(core.user("alice"))[-1:]
    assert told.startswith(f"An admin cancelled your question #{n}: ")
    assert "`/askmentor` again" in told


async def test_the_asker_cannot_cancel_a_running_session_and_is_told_what_works(
    core: Core,
) -> None:
    # CANCELLED comes only from OPEN for the asker: a session ends with a resolve or a release.
    n = await core.claimed(asker="alice", mentor="bob")
    before = core.db.snapshot()
    said = await core.reply(CancelQuestion(core.actor("alice"), n))
    assert said == (
        f"#{n} is in a session with bob: resolve it when you're done (or release it if you'd "
        "rather have another mentor)."
    )
    assert core.db.snapshot() == before
    assert core.question(n).state is QuestionState.CLAIMED


async def test_cancelling_a_question_released_from_its_session_tells_the_thread(
    core: Core,
) -> None:
    n = await core.claimed()
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    await core.reply(CancelQuestion(core.actor("alice"), n))
    assert core.question(n).state is QuestionState.CANCELLED
    # Back in the queue, nobody's session: the cancel is recorded, no absent mentor thanked.
    assert core.chat.in_thread(n)[-1] == f"The asker cancelled #{n}."


async def test_an_admin_cancelling_a_released_question_thanks_nobody(core: Core) -> None:
    n = await core.claimed()
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    await core.reply(CancelQuestion(core.actor("admin"), n))
    assert core.chat.in_thread(n)[-1] == f"An admin cancelled #{n}."
    assert not [m for m in core.chat.dms(core.user("bob")) if "cancelled" in m]


# --- extend ----------------------------------------------------------------------------------


async def test_extend_adds_ten_minutes_to_the_time_box(core: Core) -> None:
    n = await core.claimed()
    ends = core.question(n).timebox_ends_at
    assert ends is not None
    said = await core.reply(ExtendTimebox(core.actor("alice"), n))
    assert said == f"Extended #{n} by 10 minutes."
    assert core.question(n).timebox_ends_at == ends + timedelta(minutes=10)
    assert core.chat.in_thread(n)[-1].startswith(f"+10 min: the session on #{n} now ends at")


async def test_extend_is_refused_after_the_maximum_number_of_extensions(core: Core) -> None:
    n = await core.claimed()
    for _ in range(core.config.session.max_extensions):
        await core.reply(ExtendTimebox(core.actor("bob"), n))
    said = await core.reply(ExtendTimebox(core.actor("bob"), n))
    assert said.startswith(f"#{n} has been extended 3 times already.")
    assert core.question(n).extensions == 3


async def test_extending_an_open_question_is_refused(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.reply(ExtendTimebox(core.actor("alice"), n))
    assert said == f"Question #{n} is not claimed yet, so it can't be extended."


# --- not my area, activity -------------------------------------------------------------------


async def test_not_my_area_takes_the_mentor_off_the_suggestions(core: Core) -> None:
    n = await core.ask("alice")
    assert core.user("bob") in core.question(n).suggested
    said = await core.reply(MarkNotMyArea(core.actor("bob"), n))
    assert said.startswith(f"Thanks — I'll suggest #{n} to others")
    assert core.user("bob") not in core.question(n).suggested
    assert "@bob" not in core.chat.card(n).plain()


async def test_not_my_area_counts_for_the_next_question_at_once(core: Core) -> None:
    first = await core.ask("alice")
    top, other = core.question(first).suggested[:2]
    await core.reply(MarkNotMyArea(core.actor(top.id), first))
    # Asked a moment later (the ranking's memo of who declined what is seconds old at most):
    # the "not my area" already counts.
    second = await core.ask("dave", "How do I pivot a pandas DataFrame with two index columns?")
    assert core.question(second).suggested[0] == other


async def test_not_my_area_twice_is_noted_once(core: Core) -> None:
    n = await core.ask("alice")
    await core.reply(MarkNotMyArea(core.actor("bob"), n))
    assert await core.reply(MarkNotMyArea(core.actor("bob"), n)) == (
        f"Noted already: #{n} isn't your area."
    )
    assert len(core.db.rows("not_my_area")) == 1


async def test_not_my_area_on_a_claimed_question_records_nothing(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(MarkNotMyArea(core.actor("bob"), n))
    assert said == f"#{n} is no longer looking for a mentor, so there's nothing to pass on."
    assert core.db.rows("not_my_area") == []


async def test_thread_activity_records_only_the_time(core: Core) -> None:
    n = await core.claimed()
    core.clock.advance(timedelta(minutes=3))
    await core.handle(RecordThreadActivity(core.actor("bob"), question_id=n))
    assert core.question(n).last_activity_at == core.clock.now()


async def test_a_bystander_writing_in_the_thread_is_not_session_activity(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    before = core.question(n).last_activity_at
    core.clock.advance(timedelta(minutes=3))
    await core.handle(RecordThreadActivity(core.actor("carol"), question_id=n))
    assert core.question(n).last_activity_at == before
    await core.handle(RecordThreadActivity(core.actor("alice"), question_id=n))
    assert core.question(n).last_activity_at == core.clock.now()


async def test_an_admin_cancelling_is_named_in_the_thread_not_blamed_on_the_asker(
    core: Core,
) -> None:
    n = await core.claimed()
    await core.reply(CancelQuestion(core.actor("admin"), n))
    assert core.chat.in_thread(n)[-1] == (f"An admin cancelled #{n}. Thanks for your time!")
    # The mentor of the session under way is told where they will look, too.
    [told] = [m for m in core.chat.dms(core.user("bob")) if "An admin cancelled" in m]
    assert told == (
        f"An admin cancelled #{n}, the question of your session, so you can stop working on it. "
        "Thank you for your help!"
    )


async def test_an_admin_cancelling_an_open_question_tells_no_mentor(core: Core) -> None:
    await core.join("bob", "python", "pandas")  # suggested, but in no session
    n = await core.ask("alice")
    await core.reply(CancelQuestion(core.actor("admin"), n))
    assert not [m for m in core.chat.dms(core.user("bob")) if "An admin cancelled" in m]


async def test_the_follow_up_reads_as_one_sentence(core: Core) -> None:
    n = await core.resolved()
    core.clock.advance(timedelta(days=4))
    await core.tick()
    [check] = [m for m in core.chat.dms(core.user("alice")) if m.startswith("Checking in on")]
    assert check.startswith(f"Checking in on #{n} with bob: I hope it worked."), check
