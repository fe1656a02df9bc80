"""Claim, release, resolve, cancel, extend and rating cancel or reschedule the nudges that no
longer apply; a failed send is retried with back-off and given up after a bound."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.commands import (
    CancelQuestion,
    ExtendTimebox,
    PauseMentor,
    RateSession,
    ReleaseQuestion,
)
from bot.config import Config
from bot.domain import Nudge, NudgeKind, NudgeState
from bot.privacy.commands import ForgetPerson
from tests.unit.core_harness import START, Core, start_core

LADDER = [(0, 10), (1, 30), (2, 120), (3, 1440)]


async def tick(core: Core, **delta: float) -> None:
    core.clock.advance(timedelta(**delta))
    await core.tick()


def delivered_dms(core: Core, name: str) -> list[str]:
    return [
        c.message.plain()
        for c in core.chat.calls
        if c.method == "send_dm"
        and c.args["user"] == core.user(name)
        and c.message is not None
        and not isinstance(c.result, Exception)
    ]


def pending(core: Core, n: int) -> list[Nudge]:
    return sorted(
        (x for x in core.db.rows("nudges") if x.question_id == n and x.state is NudgeState.PENDING),
        key=lambda x: (x.due_at, x.id),
    )


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


async def test_asking_schedules_the_whole_ladder_at_fixed_times(core: Core) -> None:
    n = await core.ask("alice")
    assert [(x.kind, x.step, x.due_at) for x in pending(core, n)] == [
        (NudgeKind.ESCALATE, step, START + timedelta(minutes=m)) for step, m in LADDER
    ]


async def test_claim_cancels_the_ladder_and_schedules_wrap_up_and_stale_check(core: Core) -> None:
    n = await core.claimed()
    assert [(x.kind, x.due_at) for x in pending(core, n)] == [
        (NudgeKind.STALE, START + timedelta(minutes=10)),
        (NudgeKind.WRAP_UP, START + timedelta(minutes=20)),
    ]


async def test_a_claim_schedules_no_stale_check_just_before_the_wrap_up() -> None:
    """Quiet after 15 min of a 20-min session is 5 min before time's up, less than half the
    quiet period: the wrap-up alone asks."""
    config = {"session": {"timebox_minutes": 20, "stale_after_minutes": 15}}
    core = await start_core(Config.model_validate(config))
    await core.join("bob", "python", "pandas")
    n = await core.claimed()
    assert [(x.kind, x.due_at) for x in pending(core, n)] == [
        (NudgeKind.WRAP_UP, START + timedelta(minutes=20)),
    ]


async def test_release_cancels_the_session_nudges_and_restarts_the_ladder(core: Core) -> None:
    n = await core.claimed()
    core.clock.advance(timedelta(minutes=5))
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    released_at = START + timedelta(minutes=5)
    assert [(x.kind, x.due_at) for x in pending(core, n)] == [
        (NudgeKind.ESCALATE, released_at + timedelta(minutes=m)) for _, m in LADDER
    ]


async def test_resolve_leaves_only_the_feedback_request_and_the_follow_up(core: Core) -> None:
    n = await core.resolved()
    assert [x.kind for x in pending(core, n)] == [NudgeKind.FEEDBACK, NudgeKind.FOLLOW_UP]


async def test_cancel_cancels_every_nudge_of_the_question(core: Core) -> None:
    n = await core.ask("alice")
    before = core.chat.dms(core.user("alice"))  # her first-question badge
    await core.reply(CancelQuestion(core.actor("alice"), n))
    assert pending(core, n) == []
    await tick(core, days=2)
    assert core.chat.dms(core.user("alice")) == before


async def test_cancelling_a_claimed_question_cancels_its_wrap_up(core: Core) -> None:
    n = await core.claimed()
    await core.reply(CancelQuestion(core.actor("admin"), n))  # the asker can't: an admin can
    await tick(core, hours=1)
    assert not any("time's up" in m for m in core.chat.in_thread(n))


async def test_extend_moves_the_wrap_up_to_the_new_end(core: Core) -> None:
    n = await core.claimed()
    await core.reply(ExtendTimebox(core.actor("bob"), n))
    wraps = [x for x in pending(core, n) if x.kind is NudgeKind.WRAP_UP]
    assert [x.due_at for x in wraps] == [START + timedelta(minutes=30)]


async def test_rating_cancels_the_feedback_request(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 4))
    assert [x.kind for x in pending(core, n)] == [NudgeKind.FOLLOW_UP]


async def test_claim_after_a_ladder_step_stops_the_rest(core: Core) -> None:
    n = await core.ask("alice")
    await tick(core, minutes=10)
    await core.claim("bob", n)
    await tick(core, days=1)
    assert all("needs a mentor" not in m.plain() for m in core.chat.messages("post_card"))
    assert not any("I'm sorry" in m for m in core.chat.dms(core.user("alice")))


async def test_forgetting_the_asker_of_a_resolved_question_cancels_its_feedback_and_follow_up(
    core: Core,
) -> None:
    n = await core.resolved()
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert said.startswith("Done: alice is forgotten"), said
    assert pending(core, n) == []
    before = len(core.chat.of("send_dm"))
    await tick(core, days=5)
    # Nobody is left to ask: no rating request or check-in to the tombstone in her place.
    assert core.chat.of("send_dm")[before:] == []


async def test_forgetting_one_rater_keeps_the_other_raters_held_low_rating_alert(
    core: Core,
) -> None:
    """Both rated low: each has a held alert (target: the rater). Forgetting the asker cancels
    hers only; a cancel by question and kind would take the mentor's along."""
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 1))
    await core.handle(RateSession(core.actor("bob"), n, 2))
    held = [x for x in pending(core, n) if x.kind is NudgeKind.LOW_RATING]
    assert {(x.target, x.step) for x in held} == {(core.user("alice"), 0), (core.user("bob"), 1)}
    [hers] = [x.id for x in held if x.target == core.user("alice")]
    [his] = [x.id for x in held if x.target == core.user("bob")]
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert said.startswith("Done: alice is forgotten"), said
    states = {x.id: x.state for x in core.db.rows("nudges")}
    assert states[hers] is NudgeState.CANCELLED
    assert states[his] is NudgeState.PENDING
    assert [x.id for x in pending(core, n) if x.kind is NudgeKind.LOW_RATING] == [his]


# --- failures -------------------------------------------------------------------------------
# A nudge is decided once (the pause is over, the welcome-back recorded); sending what it said is
# the outbox's job, retried there with back-off and given up after [flow] max_attempts.


def dm_row(core: Core) -> object:
    [row] = [r for r in core.db.rows("outbox") if r.delivery.op == "dm"]
    return row


async def test_a_send_that_fails_twice_then_succeeds_is_sent_once_with_attempts_recorded() -> None:
    core = await start_core(
        Config.model_validate({"flow": {"retry_base_seconds": 30, "max_attempts": 5}})
    )
    await core.join("bob", "python")
    await core.reply(PauseMentor(core.actor("bob"), timedelta(hours=1)))
    core.chat.fail_on.add("send_dm")
    await tick(core, hours=1)  # attempt 1 fails: retried in 30 s
    [nudge] = core.db.rows("nudges")
    assert nudge.state is NudgeState.SENT  # decided once, whatever the platform does
    await tick(core, seconds=30)  # attempt 2 fails: retried in 60 s
    await tick(core, seconds=59)
    row = dm_row(core)
    assert (row.state, row.attempts) == ("pending", 2)
    core.chat.fail_on.clear()
    await tick(core, seconds=1)  # attempt 3 succeeds
    row = dm_row(core)
    assert (row.state, row.attempts) == ("sent", 3)
    assert "ChatFailure" in row.last_error
    assert sum("welcome back" in m for m in delivered_dms(core, "bob")) == 1
    await tick(core, hours=1)
    assert sum("welcome back" in m for m in delivered_dms(core, "bob")) == 1


async def test_a_send_that_keeps_failing_gives_up_after_the_bound_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = await start_core(
        Config.model_validate({"flow": {"max_attempts": 3, "retry_base_seconds": 10}})
    )
    await core.join("bob", "python")
    await core.reply(PauseMentor(core.actor("bob"), timedelta(hours=1)))
    core.chat.fail_on.add("send_dm")
    with caplog.at_level(logging.WARNING, logger="bot.flow.worker"):
        await tick(core, hours=1)
        await tick(core, seconds=10)
        await tick(core, seconds=20)
        await tick(core, hours=5)
    row = dm_row(core)
    assert (row.state, row.attempts) == ("failed", 3)
    assert sum(c.method == "send_dm" for c in core.chat.calls) == 3
    assert delivered_dms(core, "bob") == []
    assert any("gave up after 3 attempts" in r.getMessage() for r in caplog.records)
    assert not any("bob" in r.getMessage() for r in caplog.records)  # no ids in the log


async def test_a_nudge_that_fails_to_be_decided_is_retried_then_given_up(
    caplog: pytest.LogCaptureFixture,
) -> None:
    core = await start_core(
        Config.model_validate({"nudges": {"max_attempts": 2, "retry_base_seconds": 10}})
    )
    await core.join("bob", "python")
    await core.reply(PauseMentor(core.actor("bob"), timedelta(hours=1)))

    async def broken(ctx: object, nudge: object, now: object) -> None:
        raise RuntimeError("a bug in a nudge")

    from bot.nudges import kinds

    original = kinds.SENDERS[NudgeKind.PAUSE_END]
    kinds.SENDERS[NudgeKind.PAUSE_END] = broken
    try:
        with caplog.at_level(logging.WARNING, logger="bot.flow.worker"):
            await tick(core, hours=1)
            await tick(core, seconds=10)
            await tick(core, hours=1)
    finally:
        kinds.SENDERS[NudgeKind.PAUSE_END] = original
    [nudge] = core.db.rows("nudges")
    assert (nudge.state, nudge.attempts) == (NudgeState.FAILED, 2)
    assert "a bug in a nudge" in nudge.last_error
    assert any("gave up after 2 attempts" in r.getMessage() for r in caplog.records)
