"""The end of a session: the wrap-up once every extension is used, a refused extend as an
answer to it, and the late resolve of a session its time box closed."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import ExtendTimebox, HandleReaction, RateSession, ReleaseQuestion
from bot.domain import QuestionState
from bot.privacy.commands import ForgetPerson
from tests.unit.core_harness import Core, start_core


async def tick(core: Core, **delta: float) -> None:
    core.clock.advance(timedelta(**delta))
    await core.tick()


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


async def _all_extended(core: Core) -> int:
    n = await core.claimed()
    for _ in range(core.config.session.max_extensions):
        await core.reply(ExtendTimebox(core.actor("bob"), n))
    return n


def _wrap_ups(core: Core, n: int) -> list:
    return [
        m
        for m in core.chat.messages("post_in_thread")
        if m.question_id == n and "time's up" in m.plain()
    ]


async def test_the_wrap_up_offers_no_extension_once_every_one_is_used(core: Core) -> None:
    n = await _all_extended(core)
    await tick(core, minutes=50)
    [wrap] = _wrap_ups(core, n)
    assert "+10 min" not in wrap.plain()
    assert (
        "No extensions are left. Need a longer chat? Agree on a call, then resolve" in wrap.plain()
    )
    assert {a.id for a in wrap.actions} == {"resolve", "release"}


async def test_the_wrap_up_still_offers_an_extension_while_one_is_left(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    [wrap] = _wrap_ups(core, n)
    assert "Need +10 min?" in wrap.plain()
    assert "extend" in {a.id for a in wrap.actions}


async def test_a_refused_extend_after_the_wrap_up_answers_it(core: Core) -> None:
    n = await _all_extended(core)
    await tick(core, minutes=50)
    said = await core.reply(ExtendTimebox(core.actor("alice"), n))
    assert said.startswith(f"#{n} has been extended 3 times already.")
    await tick(core, minutes=11)
    assert core.question(n).state is QuestionState.EXPIRED
    # They were still at it: the close says so, not "no answer to the wrap-up".
    [closed] = [m for m in core.chat.in_thread(n) if "has closed" in m]
    assert "its time box and every extension ran out" in closed, closed


async def test_a_timed_out_session_can_still_be_resolved_by_its_mentor(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    await tick(core, minutes=10)
    assert core.question(n).state is QuestionState.EXPIRED
    closed = next(m for m in core.chat.in_thread(n) if "has closed" in m)
    assert "can still press Resolve within 24 hours" in closed
    # Said to both in the thread: nothing only the asker does (their DM says to ask again).
    assert closed.rstrip().endswith(
        "Thanks both! If it did help, either of you can still press Resolve within 24 hours."
    ), closed
    assert "/askmentor" not in closed
    assert "/askmentor" in core.chat.dms(core.user("alice"))[-1]
    await tick(core, hours=5)
    assert await core.resolve("bob", n) == f"#{n} is marked resolved."
    q = core.question(n)
    assert q.state is QuestionState.RESOLVED and q.resolved_by == core.user("bob")
    # The asker can rate it now, which is what gives the mentor the credit.
    said = await core.reply(RateSession(core.actor("alice"), n, 5, role="asker"))
    assert "nothing to rate" not in said, said
    assert core.db.rows("feedback")


async def test_the_askers_check_mark_resolves_a_timed_out_session(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    await tick(core, minutes=10)
    q = core.question(n)
    assert q.card is not None
    await core.handle(HandleReaction(core.actor("alice"), q.card, "✅", q.thread))
    assert core.question(n).state is QuestionState.RESOLVED


async def test_a_timed_out_session_cannot_be_resolved_after_a_day(core: Core) -> None:
    n = await core.claimed()
    await tick(core, minutes=20)
    await tick(core, minutes=10)
    await tick(core, hours=25)
    said = await core.resolve("alice", n)
    assert said == (
        f"Question #{n} closed when its time box ran out over 24 hours ago, so it can't be "
        "resolved any more."
    )
    assert core.question(n).state is QuestionState.EXPIRED


async def test_the_asker_releasing_the_only_fitting_mentor_is_told_nobody_else_fits(
    core: Core,
) -> None:
    n = await core.claimed()  # bob is the only mentor for it
    said = await core.reply(ReleaseQuestion(core.actor("alice"), n))
    assert said.startswith(f"#{n} is back in the queue: no other mentor lists its topics"), said
    assert "I'll tell you when it closes" in said
    # bob did not let it go: the refusal doesn't say he did
    again = await core.claim("bob", n)
    assert again.startswith(f"#{n} has had a session with you already"), again
    assert "released from your session" not in again


async def test_a_timed_out_session_of_someone_forgotten_since_stays_closed(core: Core) -> None:
    """Forgetting the asker leaves their closed question to the erasure: the mentor's Resolve
    still on a DM must not bring it back (prompts and reminders for a forgotten person)."""
    n = await core.claimed()
    await tick(core, minutes=20)
    await tick(core, minutes=10)
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert said.startswith("Done:"), said
    refused = await core.resolve("bob", n)
    assert refused == f"Question #{n} is closed, so it can't be resolved any more.", refused
    assert core.question(n).state is QuestionState.EXPIRED
