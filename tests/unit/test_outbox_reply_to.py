"""Where an answer goes (`ReplyTo`) is stored with the input and with each answer: what an adapter
adds to it (the message a reaction was on, a note for the issuer) survives the JSON, untrusted
names in a note stay untrusted, rows stored before these were recorded still decode, and a
note goes with the first answer of a command only."""

from __future__ import annotations

from bot.commands import AskQuestion
from bot.flow.outbox import Op, ReplyTo
from bot.messagebus import Context
from bot.messages import UserText, filled
from bot.refs import ChannelRef, UserRef
from tests.unit.core_harness import QUESTION, Core, start_core

ALICE = UserRef("slack", "U1")
NOTE = filled("You can't see {channel}.", channel="**everyone** @here")


def test_a_reply_to_keeps_the_reacted_message_and_its_note_through_json() -> None:
    to = ReplyTo(ALICE, ChannelRef("slack", "C1"), reacted="123.456", note=NOTE)
    again = ReplyTo.from_json(to.to_json())
    assert again == to
    assert again.note is not None
    assert UserText("**everyone** @here") in again.note.spans  # still not the bot's own markup


def test_a_reply_to_stored_before_reacted_and_note_still_decodes() -> None:
    raw = ReplyTo(ALICE, thread="123.456").to_json()
    old = {k: v for k, v in raw.items() if k not in ("reacted", "note")}
    again = ReplyTo.from_json(old)
    assert again.thread == "123.456"
    assert again.reacted is None and again.note is None


async def _two_answers(cmd: AskQuestion, ctx: Context) -> None:
    ctx.reply("first")
    ctx.reply("second")


async def test_a_note_goes_with_the_first_answer_only() -> None:
    core: Core = await start_core()
    core.bus._handlers[AskQuestion] = _two_answers
    alice = core.actor("alice")
    await core.bus.handle(AskQuestion(alice, QUESTION), reply_to=ReplyTo(alice.user, note=NOTE))
    rows = sorted(core.db.tables["outbox"].values(), key=lambda r: r.id or 0)
    answers = [r.delivery for r in rows if r.delivery.op is Op.REPLY]
    assert [(d.message.plain() if d.message else None) for d in answers] == ["first", "second"]
    assert [d.reply_to.note if d.reply_to else None for d in answers] == [NOTE, None]
