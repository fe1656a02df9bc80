"""An input the inbox gives up on is apologised for before its row is settled as failed: a crash
in between (or a report that fails) leaves the row pending, and it is given up again. The
apology's outbox key is the row's (`giveup_key`), so the person is told once, not at every
give-up; and it is said for the workspace the input came from."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import AskQuestion
from bot.flow.inbox import giveup_key
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Op, OutboxItem, ReplyTo
from bot.messagebus import SOMETHING_WENT_WRONG, Context
from tests.unit.core_harness import QUESTION, WORKSPACE, Core, start_core


class Killed(Exception):
    """The process dies right after the apology was stored, before the row is settled."""


async def _breaks(cmd: AskQuestion, ctx: Context) -> None:
    raise RuntimeError("the disk is full")


async def _failing_input(core: Core) -> None:
    """Alice's question, whose handler fails on every attempt, taken in by the inbox."""
    core.bus._handlers[AskQuestion] = _breaks
    alice = core.actor("alice")
    stored = await core.runtime.inbox.receive_command(
        AskQuestion(alice, QUESTION), key="test:ask:1", reply_to=ReplyTo(alice.user)
    )
    assert stored


def _apologies(core: Core) -> list[OutboxItem]:
    return [
        r
        for r in core.db.tables["outbox"].values()
        if r.delivery.op is Op.REPLY
        and r.delivery.message is not None
        and r.delivery.message.plain() == SOMETHING_WENT_WRONG
    ]


def _the_input(core: Core) -> InboxItem:
    [row] = [r for r in core.db.tables["inbox"].values() if r.key == "test:ask:1"]
    return row


async def test_a_give_up_repeated_after_a_crash_apologises_once() -> None:
    core = await start_core()
    worker = core.runtime.inbox_worker
    real = worker._on_give_up
    assert real is not None
    gave_up: list[int | None] = []

    async def apologise_then_die(item: InboxItem, error: str) -> None:
        gave_up.append(item.id)
        await real(item, error)  # the apology is stored (and, here, delivered at once)
        raise Killed("kill -9 before the row is settled")

    worker._on_give_up = apologise_then_die
    await _failing_input(core)
    await core.tick()
    assert gave_up and _the_input(core).state == "pending"  # to be given up again
    worker._on_give_up = real  # restarted
    core.clock.advance(timedelta(minutes=5))
    await core.tick()
    assert _the_input(core).state == "failed"
    said = [m.plain() for m in core.chat.messages("reply", user=core.user("alice"))]
    assert said == [SOMETHING_WENT_WRONG]  # told once, not at each give-up
    [apology] = _apologies(core)
    assert apology.key == giveup_key(_the_input(core))


async def test_giving_the_same_row_up_twice_stores_one_apology() -> None:
    """A second give-up of the row (another worker once the lease ran out, or the restarted
    process) finds the apology stored under the row's key and adds none."""
    core = await start_core()
    await _failing_input(core)
    async with core.db.uow_factory()() as uow:
        [item] = await uow.inbox.lease(core.clock.now(), lease=timedelta(seconds=30), limit=1)
        await uow.commit()
    await core.runtime.processor.give_up(item, "RuntimeError: the disk is full")
    await core.runtime.processor.give_up(item, "RuntimeError: the disk is full")
    said = [m.plain() for m in core.chat.messages("reply", user=core.user("alice"))]
    assert said == [SOMETHING_WENT_WRONG]
    [apology] = _apologies(core)
    assert apology.key == giveup_key(item)


async def test_the_apology_is_said_for_the_workspace_the_input_came_from() -> None:
    core = await start_core()
    await _failing_input(core)
    await core.tick()
    assert _the_input(core).state == "failed"
    [apology] = _apologies(core)
    assert apology.delivery.workspace == WORKSPACE


async def test_another_input_given_up_gets_its_own_apology() -> None:
    core = await start_core()
    await _failing_input(core)
    alice = core.actor("alice")
    await core.runtime.inbox.receive_command(
        AskQuestion(alice, QUESTION), key="test:ask:2", reply_to=ReplyTo(alice.user)
    )
    await core.tick()
    assert len(_apologies(core)) == 2
    said = [m.plain() for m in core.chat.messages("reply", user=core.user("alice"))]
    assert said == [SOMETHING_WENT_WRONG, SOMETHING_WENT_WRONG]


async def test_an_input_whose_sender_cant_be_read_is_given_up_not_retried_for_ever() -> None:
    """A row whose `reply_to` is unreadable fails every attempt (reading it is part of each) and
    its give-up has nobody to tell: it is settled as failed, not reported again and again."""
    core = await start_core()
    await _failing_input(core)
    row = _the_input(core)
    row.payload["reply_to"] = {"user": None}  # as an old or damaged row might hold
    await core.tick()
    assert _the_input(core).state == "failed"
    assert _apologies(core) == []
