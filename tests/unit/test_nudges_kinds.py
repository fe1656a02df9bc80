"""Every nudge kind on a fake clock: the escalation ladder, wrap-up and expiry, stale thread,
feedback request, follow-up check-in and the end of a mentor's pause."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    ExtendTimebox,
    PauseMentor,
    RateSession,
    RecordThreadActivity,
    RegisterWorkspace,
    ResumeMentor,
)
from bot.config import Config
from bot.domain import NudgeKind, NudgeState, QuestionState
from bot.refs import ChannelRef
from tests.unit.core_harness import ADMIN_CHANNEL, MENTORING, WORKSPACE, Core, start_core


async def tick(core: Core, **delta: float) -> None:
    """Move the fake clock and run the sweep, as the scheduler (or the console) does."""
    core.clock.advance(timedelta(**delta))
    await core.tick()


def channel_posts(core: Core, channel: object) -> list[str]:
    return [m.plain() for m in core.chat.messages("post_card", channel=channel) if m.kind != "card"]


def one_mentor_suggested() -> Config:
    return Config.model_validate({"matching": {"suggest": 1}})


@pytest.fixture
async def core() -> Core:
    core = await start_core(one_mentor_suggested())
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


# --- the escalation ladder ------------------------------------------------------------------


def not_suggested(core: Core, n: int) -> str:
    """The pandas mentor who is not on the card: the "next-best" one the ladder DMs."""
    [suggested] = core.question(n).suggested
    return ({"bob", "carol"} - {suggested.id}).pop()


async def test_after_ten_minutes_the_next_best_mentor_gets_a_dm_with_a_claim_button(
    core: Core,
) -> None:
    n = await core.ask("alice")
    other = not_suggested(core, n)
    await tick(core, minutes=9)
    assert core.chat.dms(core.user(other)) == []
    await tick(core, minutes=1)
    [dm] = core.chat.messages("send_dm", user=core.user(other))
    assert "still waiting for a mentor and fits your skills: " in dm.plain()
    # A DM button names its workspace: a DM is not inside one.
    assert [a.custom_id for a in dm.actions] == [f"mm:claim:{n}@{WORKSPACE.id}"]
    assert core.chat.dms(core.question(n).suggested[0]) == []


async def test_a_mentor_of_a_related_skill_only_is_told_the_question_is_close_to_their_skills() -> (
    None
):
    core = await start_core(one_mentor_suggested())
    await core.join("bob", "pandas")
    await core.join("carol", "python")  # pandas's related skill: next-best, not a topic match
    n = await core.ask("alice")
    assert core.question(n).suggested == (core.user("bob"),)
    await tick(core, minutes=10)
    [dm] = core.chat.dms(core.user("carol"))
    assert f"Question #{n} is still waiting for a mentor and is close to your skills: " in dm
    assert "fits your skills" not in dm


async def test_after_thirty_minutes_the_channel_is_bumped_mentioning_the_mentors_who_fit(
    core: Core,
) -> None:
    n = await core.ask("alice")
    await tick(core, minutes=10)
    await tick(core, minutes=20)
    [bump] = [m for m in core.chat.messages("post_card", channel=MENTORING) if m.kind != "card"]
    assert f"#{n}" in bump.plain() and "needs a mentor" in bump.plain()
    assert set(bump.mentions()) == {core.user("bob"), core.user("carol")}


async def test_the_bump_goes_to_the_wider_escalation_channel_when_one_is_set(
    core: Core,
) -> None:
    wider = ChannelRef(MENTORING.platform, "engineering")
    await core.handle(
        RegisterWorkspace(WORKSPACE, MENTORING, ADMIN_CHANNEL, escalation_channel=wider)
    )
    n = await core.ask("alice")
    await tick(core, minutes=30)
    [bump] = core.chat.messages("post_card", channel=wider)
    assert f"#{n}" in bump.plain() and "needs a mentor" in bump.plain()
    assert [m for m in core.chat.messages("post_card", channel=MENTORING) if m.kind != "card"] == []


async def test_after_two_hours_the_admins_are_told(core: Core) -> None:
    n = await core.ask("alice")
    for minutes in (10, 20, 90):
        await tick(core, minutes=minutes)
    [note] = channel_posts(core, ADMIN_CHANNEL)
    assert note.startswith(f"Heads-up: question #{n} has had no mentor for 2 h.")


async def test_after_a_day_the_question_is_unanswered_and_the_asker_is_told_kindly(
    core: Core,
) -> None:
    n = await core.ask("alice")
    before = len(core.chat.dms(core.user("alice")))  # her first-question badge
    for minutes in (10, 20, 90, 1320):
        await tick(core, minutes=minutes)
    assert core.question(n).state is QuestionState.UNANSWERED
    [dm] = core.chat.dms(core.user("alice"))[before:]
    assert "I'm sorry: no mentor could take your question" in dm
    assert "please ask again" in dm and "/askmentor" in dm


async def test_the_give_up_dm_greets_the_asker_by_name_without_pinging_them(core: Core) -> None:
    n = await core.ask("alice")
    before = len(core.chat.dms(core.user("alice")))
    for minutes in (10, 20, 90, 1320):
        await tick(core, minutes=minutes)
    assert core.question(n).state is QuestionState.UNANSWERED
    [dm] = core.chat.messages("send_dm", user=core.user("alice"))[before:]
    assert dm.plain().startswith("alice, I'm sorry")
    assert not dm.mentions()


async def test_the_give_up_message_lists_similar_resolved_questions(core: Core) -> None:
    earlier = await core.resolved(asker="dave", mentor="bob")
    n = await core.ask("alice")
    await tick(core, days=1)
    dm = core.chat.dms(core.user("alice"))[-1]
    assert "These answered questions may help meanwhile:" in dm and f"#{earlier}" in dm
    assert core.question(n).state is QuestionState.UNANSWERED


def escalation_dms(core: Core) -> list[str]:
    sent = [m.plain() for m in core.chat.messages("send_dm")]
    return [m for m in sent if "still waiting for a mentor" in m]


async def test_a_jump_past_the_re_post_still_re_posts_once_then_tells_the_admins(
    core: Core,
) -> None:
    """Down (or the console's clock moved) through the DM, the re-post and the admins' step:
    the mentors hear once, by the widest step (the channel re-post, not a DM before it), and
    the admins get their heads-up; the re-post is not lost to the later admins' step."""
    n = await core.ask("alice")
    await tick(core, hours=3)
    [bump] = channel_posts(core, MENTORING)
    assert f"#{n}" in bump and "needs a mentor" in bump
    assert escalation_dms(core) == []
    [note] = channel_posts(core, ADMIN_CHANNEL)
    assert note.startswith(f"Heads-up: question #{n} has had no mentor for 3 h.")
    for _ in range(3):  # nothing of it comes again later
        await tick(core, hours=3)
    assert len(channel_posts(core, MENTORING)) == 1
    assert len(channel_posts(core, ADMIN_CHANNEL)) == 1
    assert escalation_dms(core) == []


async def test_after_the_dm_a_jump_past_the_re_post_sends_the_re_post_and_the_heads_up(
    core: Core,
) -> None:
    n = await core.ask("alice")
    await tick(core, minutes=10)
    assert len(escalation_dms(core)) == 1
    await tick(core, hours=3)
    assert len(channel_posts(core, MENTORING)) == 1
    assert len(channel_posts(core, ADMIN_CHANNEL)) == 1
    assert len(escalation_dms(core)) == 1
    assert core.question(n).state is QuestionState.OPEN


async def test_a_jump_past_the_dm_to_the_re_post_sends_only_the_re_post(core: Core) -> None:
    await core.ask("alice")
    await tick(core, minutes=40)
    assert len(channel_posts(core, MENTORING)) == 1
    assert escalation_dms(core) == []
    assert channel_posts(core, ADMIN_CHANNEL) == []


async def test_a_jump_past_the_give_up_only_closes_the_question(core: Core) -> None:
    n = await core.ask("alice")
    await tick(core, days=2)
    assert core.question(n).state is QuestionState.UNANSWERED
    assert channel_posts(core, MENTORING) == [] and channel_posts(core, ADMIN_CHANNEL) == []
    assert escalation_dms(core) == []


async def test_a_dm_overtaken_only_by_the_admins_step_is_still_sent() -> None:
    """A ladder without a re-post: the DM is the only step asking mentors, so a jump past it
    and the admins' step sends both, once each."""
    ladder = [
        {"after_minutes": 10, "action": "dm_next"},
        {"after_minutes": 20, "action": "admins"},
        {"after_minutes": 1440, "action": "give_up"},
    ]
    core = await start_core(
        Config.model_validate({"matching": {"suggest": 1}, "nudges": {"escalation": ladder}})
    )
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    n = await core.ask("alice")
    await tick(core, minutes=45)
    assert len(core.chat.dms(core.user(not_suggested(core, n)))) == 1
    assert len(channel_posts(core, ADMIN_CHANNEL)) == 1
    assert channel_posts(core, MENTORING) == []


async def test_each_ladder_step_is_sent_exactly_once(core: Core) -> None:
    n = await core.ask("alice")
    for _ in range(6):
        await tick(core, minutes=10)
    await tick(core, minutes=1)
    assert len(core.chat.dms(core.user(not_suggested(core, n)))) == 1
    assert len(channel_posts(core, MENTORING)) == 1


# --- the session: wrap-up, expiry, stale thread ---------------------------------------------


async def test_time_up_posts_the_wrap_up_in_the_thread_with_resolve_and_extend(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=19)
    assert not any("time's up" in m for m in core.chat.in_thread(n))
    await tick(core, minutes=1)
    [wrap] = [m for m in core.chat.messages("post_in_thread") if "time's up" in m.plain()]
    assert (
        "Resolved? Need +10 min? Or need a longer chat? Agree on a call, then resolve this one."
        in wrap.plain()
    )
    assert {a.id for a in wrap.actions} >= {"resolve", "extend"}


async def test_writing_in_a_timed_out_sessions_thread_says_once_that_nobody_follows_it(
    core: Core,
) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    await tick(core, minutes=10)
    assert core.question(n).state is QuestionState.EXPIRED
    before = {who: len(core.chat.dms(core.user(who))) for who in ("alice", "bob", "carol")}
    for _ in range(2):  # told once, however often they write
        for who in ("alice", "bob", "carol"):  # carol: a bystander, nothing to tell
            await core.handle(RecordThreadActivity(core.actor(who), question_id=n))
    told = {who: core.chat.dms(core.user(who))[before[who] :] for who in before}
    assert told["carol"] == []
    [asker] = told["alice"]
    assert asker.startswith(f"The session on #{n} closed when its time ran out")
    assert "`/askmentor` again with where you got to" in asker
    [mentor] = told["bob"]
    assert "a DM or a call works" in mentor and "/askmentor" not in mentor


async def test_no_answer_to_the_wrap_up_expires_the_session_and_tells_both(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    await tick(core, minutes=10)
    assert core.question(n).state is QuestionState.EXPIRED
    assert any("has closed: its time box ran out" in m for m in core.chat.in_thread(n))
    for who in ("alice", "bob"):
        assert any(
            "was closed because its time box ran out" in m for m in core.chat.dms(core.user(who))
        )


async def test_extending_during_the_grace_period_keeps_the_session_open(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    await core.reply(ExtendTimebox(core.actor("alice"), n))
    await tick(core, minutes=10)
    assert core.question(n).state is QuestionState.CLAIMED
    await tick(core, minutes=1)  # the new end: 20 + 10 after the extension at minute 20
    assert sum("time's up" in m for m in core.chat.in_thread(n)) == 2


@pytest.fixture
async def half_hour() -> Core:
    """Sessions of 30 min: a quiet thread is checked at 15, well before the wrap-up."""
    core = await start_core(Config.model_validate({"session": {"timebox_minutes": 30}}))
    await core.join("bob", "python", "pandas")
    return core


async def test_a_quiet_thread_nudges_the_asker_and_the_mentor_once(half_hour: Core) -> None:
    core = half_hour
    n = await core.claimed()
    await tick(core, minutes=15)
    [stale] = [m for m in core.chat.messages("post_in_thread") if "quiet for a while" in m.plain()]
    # Activity is kept per question: quiet means neither side wrote, so both hear their step.
    assert stale.plain() == (
        f"@alice @bob, the thread on #{n} has been quiet for a while. "
        "alice, is this still needed? Resolve it ✅ if you're sorted, or say what's left. "
        "bob, still on it? Carry on, or release it if you can't continue."
    )
    assert [a.id for a in stale.actions] == ["resolve", "release", "extend"]
    await tick(core, minutes=4)
    assert sum("quiet for a while" in m for m in core.chat.in_thread(n)) == 1


async def test_the_quiet_thread_nudge_mentions_nobody_forgotten(half_hour: Core) -> None:
    core = half_hour
    n = await core.claimed()
    # The asker's person row is gone (forgotten) while the session row still names them.
    core.db.tables["people"].pop(core.user("alice"))
    await tick(core, minutes=15)
    [stale] = [m for m in core.chat.in_thread(n) if "quiet for a while" in m]
    assert stale == (
        f"@bob, the thread on #{n} has been quiet for a while. Still on it? Carry on, or "
        "release it if you can't continue."
    )


async def test_a_quiet_thread_close_to_its_wrap_up_hears_only_the_wrap_up() -> None:
    """Quiet after 15 min of a 20-min session: a check then would ask what the wrap-up asks 5
    min later, so the wrap-up alone speaks; after an extension to 30 min, a check at 35 would
    come after it, so none comes either. (Each minute is swept, as the scheduler does.)"""
    config = {"session": {"timebox_minutes": 20, "stale_after_minutes": 15}}
    core = await start_core(Config.model_validate(config))
    await core.join("bob", "python", "pandas")
    n = await core.claimed()
    for _ in range(19):
        await tick(core, minutes=1)
    assert not any("quiet for a while" in m for m in core.chat.in_thread(n))
    await tick(core, minutes=1)
    assert sum("time's up" in m for m in core.chat.in_thread(n)) == 1
    await core.reply(ExtendTimebox(core.actor("alice"), n))  # ends at 30: quiet check at 35 is past
    for _ in range(12):
        await tick(core, minutes=1)
    assert not any("quiet for a while" in m for m in core.chat.in_thread(n))


async def test_with_the_defaults_a_quiet_thread_is_checked_halfway_through() -> None:
    """The shipped `[session]`: a 20-minute session quiet for 10 minutes hears it then, 10
    minutes before its wrap-up."""
    core = await start_core()
    await core.join("bob", "python", "pandas")
    n = await core.claimed()
    await tick(core, minutes=9)
    assert not any("quiet for a while" in m for m in core.chat.in_thread(n))
    await tick(core, minutes=1)
    assert sum("quiet for a while" in m for m in core.chat.in_thread(n)) == 1


async def test_a_session_extended_far_enough_is_checked_again_when_quiet() -> None:
    core = await start_core(
        Config.model_validate({"session": {"timebox_minutes": 20, "extend_minutes": 30}})
    )
    await core.join("bob", "python")
    n = await core.claimed()
    await core.reply(ExtendTimebox(core.actor("alice"), n))  # ends at 50: checked at 15
    await tick(core, minutes=15)
    assert sum("quiet for a while" in m for m in core.chat.in_thread(n)) == 1


async def test_activity_moves_the_stale_check_to_when_the_thread_went_quiet() -> None:
    config = {"session": {"timebox_minutes": 60, "stale_after_minutes": 15}}
    core = await start_core(Config.model_validate(config))
    n = await core.claimed()
    await tick(core, minutes=10)
    await core.handle(RecordThreadActivity(core.actor("alice"), question_id=n))
    await tick(core, minutes=5)  # 15 min after the claim, 5 after the last message
    assert not any("quiet for a while" in m for m in core.chat.in_thread(n))
    await tick(core, minutes=10)  # 15 min after the last message
    assert sum("quiet for a while" in m for m in core.chat.in_thread(n)) == 1
    await tick(core, minutes=30)
    assert sum("quiet for a while" in m for m in core.chat.in_thread(n)) == 1


# --- after the session ----------------------------------------------------------------------


async def test_feedback_is_requested_when_no_rating_came(core: Core) -> None:
    n = await core.resolved()
    before = len(core.chat.dms(core.user("alice")))
    await tick(core, minutes=30)
    [dm] = core.chat.messages("send_dm", user=core.user("alice"))[before:]
    assert dm.plain().startswith(f"How helpful was your session on #{n}?")
    assert [a.id for a in dm.actions] == [f"rate:{i}" for i in range(1, 6)]


async def test_no_feedback_request_after_the_asker_rated(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    await tick(core, minutes=30)
    assert not any("How helpful" in m for m in core.chat.dms(core.user("alice")))


async def test_follow_up_asks_the_asker_whether_it_worked(core: Core) -> None:
    n = await core.resolved()
    await tick(core, days=3)
    [check] = [m for m in core.chat.dms(core.user("alice")) if m.startswith("Checking in")]
    assert f"#{n}" in check and "I hope it worked" in check and "/askmentor" in check


async def test_follow_up_after_a_low_rating_does_not_hope_it_worked(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 2))
    await tick(core, days=3)
    [check] = [m for m in core.chat.dms(core.user("alice")) if m.startswith("Checking in")]
    assert "I hope it worked" not in check
    assert "sorry it didn't quite help" in check and "another mentor" in check


async def test_after_care_more_than_a_week_late_is_dropped_not_sent(core: Core) -> None:
    """The bot was down (or the app removed) for weeks: "how helpful was it?" and "did it
    work?" about a session long gone are not sent; a pause's end still is."""
    await core.resolved()
    await core.reply(PauseMentor(core.actor("bob"), timedelta(days=2)))
    before = len(core.chat.dms(core.user("alice")))
    await tick(core, days=12)
    said = core.chat.dms(core.user("alice"))[before:]
    assert not any("How helpful" in m or "Checking in" in m for m in said), said
    after_care = [
        n for n in core.db.rows("nudges") if n.kind in (NudgeKind.FEEDBACK, NudgeKind.FOLLOW_UP)
    ]
    assert {n.state for n in after_care} == {NudgeState.SENT}  # done with: not tried again
    assert any("welcome back" in m for m in core.chat.dms(core.user("bob")))


async def test_after_care_that_waited_weeks_for_the_app_to_come_back_is_dropped(
    core: Core,
) -> None:
    """The app removed from the workspace right after a session, installed again three weeks
    later: no "how helpful was it?" about a session that old."""
    from bot.commands import RemoveWorkspace, RestoreWorkspace

    await core.resolved()
    before = len(core.chat.dms(core.user("alice")))
    await core.handle(RemoveWorkspace(WORKSPACE))
    for _ in range(21):
        await tick(core, days=1)
    await core.handle(RestoreWorkspace(WORKSPACE))
    await tick(core, minutes=1)
    said = core.chat.dms(core.user("alice"))[before:]
    assert not any("How helpful" in m or "Checking in" in m for m in said), said


async def test_a_mentor_whose_pause_ended_is_told_they_are_back(core: Core) -> None:
    await core.reply(PauseMentor(core.actor("bob"), timedelta(days=2)))
    await tick(core, days=2)
    [back] = [m for m in core.chat.dms(core.user("bob")) if "welcome back" in m]
    assert back.startswith("Your pause is over: welcome back!"), back  # a DM: no @bob
    assert core.profile("bob").paused_until is None


async def test_a_mentor_who_resumed_early_gets_no_welcome_back(core: Core) -> None:
    await core.reply(PauseMentor(core.actor("bob"), timedelta(days=2)))
    await core.reply(ResumeMentor(core.actor("bob")))
    await tick(core, days=2)
    assert not any("welcome back" in m for m in core.chat.dms(core.user("bob")))
    [nudge] = [n for n in core.db.rows("nudges") if n.kind is NudgeKind.PAUSE_END]
    assert nudge.state is NudgeState.SENT  # done: nothing left to say
