"""A delivery someone waits on (a hand-over offer) that the outbox gives up on is reported to the
core (its `if_refused`) before the row is marked failed: a crash in between, or a report that
fails (the inbox closed by a shutdown while the outbox drains), leaves the row pending, and a
later attempt reports it — the report is idempotent by its inbox key."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import HandOverQuestion
from bot.flow.inbox import InboxClosed
from bot.flow.outbox import OutboxItem
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused
from bot.refs import MessageRef, UserRef
from tests.unit.core_harness import Core, start_core
from tests.unit.fake_chat import FakeChat


class _FailingDms(FakeChat):
    """Every DM to `refusing` fails: an error that counts as an attempt (not an outage), or,
    with `refused`, a refusal (closed DMs)."""

    def __init__(self, failing: str, *, refused: bool = False) -> None:
        super().__init__(platform="test")
        self.failing = failing
        self.refused = refused

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        if user.id == self.failing:
            if self.refused:
                raise DeliveryRefused("cannot send messages to this user")
            raise RuntimeError("the platform answered something unexpected")
        return await super().send_dm(user, message, key=key, retry=retry)


class Killed(Exception):
    """kill -9: nothing after it runs in the dead process."""


async def _offer_to_carol(*, refused: bool = False) -> tuple[Core, int]:
    core = await start_core(chat=_FailingDms("carol", refused=refused))
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))
    return core, n


async def _ticks(core: Core, *, minutes: int, every: timedelta = timedelta(minutes=1)) -> None:
    for _ in range(int(timedelta(minutes=minutes) / every)):
        core.clock.advance(every)
        await core.tick()


def _told_bob(core: Core) -> list[str]:
    return [d for d in core.chat.dms(core.user("bob")) if "couldn't reach" in d]


def _offer_row(core: Core) -> OutboxItem:
    [row] = [
        r
        for r in core.db.tables["outbox"].values()
        if r.delivery.if_refused is not None and r.delivery.user == core.user("carol")
    ]
    return row


async def test_the_give_up_is_reported_before_the_row_is_marked_failed() -> None:
    core, n = await _offer_to_carol()
    worker = core.runtime.outbox_worker
    real = worker._on_give_up
    assert real is not None
    states: list[str] = []

    async def reporting(item: OutboxItem, error: str) -> None:
        states.append(core.db.tables["outbox"][item.id].state)
        await real(item, error)

    worker._on_give_up = reporting
    await _ticks(core, minutes=15)
    assert states == ["pending"]  # a crash at this point leaves the row to be tried again
    assert _offer_row(core).state == "failed"
    [told] = _told_bob(core)
    assert told.startswith("I couldn't reach carol by direct message")
    assert core.question(n).handover_to is None


async def test_a_crash_between_giving_up_and_reporting_loses_nothing() -> None:
    core, n = await _offer_to_carol()
    worker = core.runtime.outbox_worker
    real = worker._on_give_up
    died: list[int | None] = []

    async def killed_here(item: OutboxItem, error: str) -> None:
        died.append(item.id)
        raise Killed("kill -9")

    worker._on_give_up = killed_here
    for _ in range(30):
        core.clock.advance(timedelta(minutes=1))
        try:
            await core.tick()
        except Killed:
            break
        if died:
            break
    assert died, "the outbox never gave up"
    assert _offer_row(core).state == "pending"
    worker._on_give_up = real  # restarted, with the real report
    await _ticks(core, minutes=30)
    [told] = _told_bob(core)
    assert told.startswith("I couldn't reach carol by direct message")
    assert core.question(n).handover_to is None
    assert _offer_row(core).state == "failed"


async def test_a_report_the_closed_inbox_refuses_is_made_after_the_restart() -> None:
    """A shutdown closes the inbox before the outbox drains: the give-up on the last attempt
    can't be stored then; the row stays pending and the restarted process reports it."""
    core, n = await _offer_to_carol()
    inbox = core.runtime.inbox
    closed: list[str] = []
    real = inbox.receive_command

    async def shutting_down(*args: object, key: str, **kwargs: object) -> bool:
        closed.append(key)
        raise InboxClosed()

    inbox.receive_command = shutting_down  # type: ignore[method-assign]
    await _ticks(core, minutes=15)
    assert closed and all(k.startswith("refused:") for k in closed)
    assert _offer_row(core).state == "pending"
    assert not _told_bob(core)
    inbox.receive_command = real  # type: ignore[method-assign]
    await _ticks(core, minutes=15)
    [told] = _told_bob(core)
    assert told.startswith("I couldn't reach carol by direct message")
    assert core.question(n).handover_to is None


async def test_a_refusal_met_by_the_closed_inbox_is_reported_after_the_restart() -> None:
    """Closed DMs refuse the offer while the inbox is closed for a shutdown: the row is handed
    back (neither failed nor counted) and reported once the inbox takes input again."""
    core, n = await _offer_to_carol()  # its first attempt failed: it is retried
    assert _offer_row(core).state == "pending"
    inbox = core.runtime.inbox
    real = inbox.receive_command

    async def shutting_down(*args: object, **kwargs: object) -> bool:
        raise InboxClosed()

    inbox.receive_command = shutting_down  # type: ignore[method-assign]
    assert isinstance(core.chat, _FailingDms)
    core.chat.refused = True  # carol's DMs are closed from now on
    await _ticks(core, minutes=5)
    row = _offer_row(core)
    assert row.state == "pending" and row.attempts <= 2
    assert not _told_bob(core)
    inbox.receive_command = real  # type: ignore[method-assign]
    await _ticks(core, minutes=5)
    assert len(_told_bob(core)) == 1
    assert core.question(n).handover_to is None
    assert _offer_row(core).state == "failed"
