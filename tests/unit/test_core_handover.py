"""Hand-over: a running session passes from one mentor to another, with checks and a new intro."""

from __future__ import annotations

import pytest

from bot.commands import HandOverQuestion
from bot.domain import NudgeKind, NudgeState, QuestionState
from tests.unit.core_harness import Core, start_core


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


def hand_over(core: Core, by: str, n: int, to: str) -> HandOverQuestion:
    return HandOverQuestion(core.actor(by), n, core.user(to), to)


async def test_the_mentor_hands_the_session_to_another_mentor(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(hand_over(core, "bob", n, "carol"))
    assert said == f"#{n} is now with carol. Thank you for passing it on!"
    q = core.question(n)
    assert q.state is QuestionState.CLAIMED and q.mentor == core.user("carol")
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert any(f"bob handed #{n} over to @carol" in p for p in posted)
    assert any(p.startswith("@alice meet @carol") for p in posted)
    assert "Claimed by carol" in core.chat.card(n).plain()


async def test_the_wrap_up_is_rescheduled_for_the_new_mentor(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    pending = [
        x
        for x in core.db.rows("nudges")
        if x.kind is NudgeKind.WRAP_UP and x.state is NudgeState.PENDING
    ]
    assert [x.due_at for x in pending] == [core.question(n).timebox_ends_at]


@pytest.mark.parametrize(
    ("by", "to", "refusal"),
    [
        ("carol", "carol", "Only the mentor of #{n} (or an admin) can hand it over."),
        ("alice", "carol", "Only the mentor of #{n} (or an admin) can hand it over."),
        ("bob", "alice", "The asker of #{n} can't mentor their own question."),
        ("bob", "bob", "bob already has #{n}."),
    ],
)
async def test_a_hand_over_that_does_not_fit_is_refused_and_changes_nothing(
    core: Core, by: str, to: str, refusal: str
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    before = core.db.snapshot()
    said = await core.reply(hand_over(core, by, n, to))
    assert said == refusal.format(n=n)
    assert core.db.snapshot() == before


async def test_an_open_question_cannot_be_handed_over(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.reply(hand_over(core, "admin", n, "carol"))
    assert said == f"#{n} has no session running, so there is nothing to hand over."
