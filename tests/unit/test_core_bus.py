"""The message bus: refusals roll back, a failing handler is logged and the user reassured, and a
decision is never undone by a platform that fails to hear it."""

from __future__ import annotations

import logging

import pytest

from bot.commands import AskQuestion, Command, RegisterMentor, ShowStats
from bot.domain import Person
from bot.messagebus import SOMETHING_WENT_WRONG, Context
from bot.messages import ChatMessage, text
from tests.unit.core_harness import QUESTION, Core, start_core
from tests.unit.fake_chat import FakeChat

NEVER_SENT = ChatMessage(body=text("this must never be sent"))


async def _writes_then_breaks(cmd: AskQuestion, ctx: Context) -> None:
    await ctx.uow.people.upsert(Person(cmd.actor.user, cmd.actor.name))
    ctx.outbox.dm(cmd.actor.user, NEVER_SENT)
    raise RuntimeError("the disk is full")


@pytest.fixture
async def broken_core() -> Core:
    """A core whose ask handler writes a row and records a delivery, then fails."""
    core = await start_core()
    core.bus._handlers[AskQuestion] = _writes_then_breaks
    return core


async def test_a_failing_handler_tells_the_user_something_went_wrong_and_nothing_was_lost(
    broken_core: Core,
) -> None:
    said = await broken_core.reply(AskQuestion(broken_core.actor("alice"), QUESTION))
    assert said == SOMETHING_WENT_WRONG
    assert "something went wrong" in said and "Nothing was lost" in said


async def test_a_failing_handler_rolls_back_its_writes_and_what_it_meant_to_say(
    broken_core: Core,
) -> None:
    core = broken_core
    before = core.db.snapshot()
    await core.handle(AskQuestion(core.actor("alice"), QUESTION))
    assert core.db.tables["people"] == before["people"]
    assert core.db.rows("outbox") == []
    assert core.chat.calls == []
    assert core.db.rollbacks == 1


async def test_a_failing_handler_is_logged_with_the_command(
    broken_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.messagebus"):
        await broken_core.handle(AskQuestion(broken_core.actor("alice"), QUESTION))
    [record] = caplog.records
    assert record.getMessage() == "handler failed for AskQuestion"
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


async def test_the_log_never_carries_the_question_text(
    broken_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.messagebus"):
        await broken_core.handle(AskQuestion(broken_core.actor("alice"), QUESTION))
    assert QUESTION not in caplog.records[0].getMessage()


async def test_a_platform_that_fails_never_undoes_the_decision() -> None:
    core = await start_core(chat=FakeChat(platform="test", fail_on=["post_card"]))
    n = await core.ask("alice")
    assert core.question(n).text == QUESTION
    [row] = [r for r in core.db.rows("outbox") if r.state == "pending"]
    assert row.attempts == 1 and "post_card failed" in row.last_error
    core.chat.fail_on.clear()
    core.clock.advance(row.due_at - core.clock.now())
    await core.tick()
    assert core.chat.card(n).question_id == n
    assert core.question(n).card is not None


async def test_a_refusal_rolls_back_what_the_handler_wrote_before_it() -> None:
    core = await start_core()
    # joining records the person first, then finds the skill list empty and refuses
    said = await core.reply(RegisterMentor(core.actor("zed"), ()))
    assert said.startswith("Tell me at least one skill")
    assert core.db.tables["people"] == {}
    assert core.db.tables["mentors"] == {}


async def test_a_command_without_a_handler_is_a_programming_error() -> None:
    core = await start_core()

    class Unknown(Command):
        pass

    with pytest.raises(LookupError, match="no handler for Unknown"):
        await core.handle(Unknown())


async def test_replies_go_only_to_the_issuer_and_not_through_the_chat() -> None:
    core = await start_core()
    await core.reply(ShowStats(core.actor("admin")))
    assert core.chat.calls == []


async def test_a_closed_inbox_takes_no_new_input() -> None:
    from bot.flow.inbox import InboxClosed

    core = await start_core()
    core.runtime.inbox.close()
    with pytest.raises(InboxClosed):
        await core.runtime.inbox.receive_command(
            AskQuestion(core.actor("alice"), QUESTION), key="k1"
        )
    assert core.db.rows("inbox") == []
