"""The message bus: refusals roll back, a failing handler is logged and the user reassured."""

from __future__ import annotations

import logging

import pytest

from bot.commands import AskQuestion, Command, RegisterMentor, ShowStats
from bot.messagebus import SOMETHING_WENT_WRONG
from tests.unit.core_harness import QUESTION, Core, start_core
from tests.unit.fake_chat import FakeChat


@pytest.fixture
async def failing_chat_core() -> Core:
    return await start_core(chat=FakeChat(platform="test", fail_on=["post_card"]))


async def test_a_failing_handler_tells_the_user_something_went_wrong_and_nothing_was_lost(
    failing_chat_core: Core,
) -> None:
    said = await failing_chat_core.reply(AskQuestion(failing_chat_core.actor("alice"), QUESTION))
    assert said == SOMETHING_WENT_WRONG
    assert "something went wrong" in said and "Nothing was lost" in said


async def test_a_failing_handler_rolls_the_transaction_back(failing_chat_core: Core) -> None:
    core = failing_chat_core
    before = core.db.snapshot()
    await core.handle(AskQuestion(core.actor("alice"), QUESTION))
    assert core.db.tables["questions"] == {}
    assert core.db.tables["people"] == before["people"]
    assert core.db.rows("nudges") == []
    assert core.db.rollbacks == 1


async def test_a_failing_handler_is_logged_with_the_command(
    failing_chat_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.messagebus"):
        await failing_chat_core.handle(AskQuestion(failing_chat_core.actor("alice"), QUESTION))
    [record] = caplog.records
    assert record.getMessage() == "handler failed for AskQuestion"
    assert record.exc_info is not None and record.exc_info[0] is not None
    assert record.exc_info[0].__name__ == "ChatFailure"


async def test_the_log_never_carries_the_question_text(
    failing_chat_core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.messagebus"):
        await failing_chat_core.handle(AskQuestion(failing_chat_core.actor("alice"), QUESTION))
    assert QUESTION not in caplog.records[0].getMessage()


async def test_the_bus_works_again_after_a_failure(failing_chat_core: Core) -> None:
    core = failing_chat_core
    await core.handle(AskQuestion(core.actor("alice"), QUESTION))
    core.chat.fail_on.clear()
    assert await core.ask("alice") >= 1
    assert len(core.db.tables["questions"]) == 1


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
