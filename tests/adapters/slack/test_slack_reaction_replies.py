"""The answer to a reaction goes to the thread of the message reacted to (reaction_added names
the message only, Slack's docs): the apology for a reaction given up on too. The message is
stored apart from the answer's thread_ts (`ReplyTo.reacted`): a replica of an earlier release
never takes it for a thread_ts, and answers it stored the earlier way still find their thread."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.slack.translate import channel_ref, user_ref
from bot.flow.outbox import Delivery, Op, OutboxItem, ReplyTo, new_key
from bot.messagebus import SOMETHING_WENT_WRONG
from bot.messages import ChatMessage, text
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.test_slack_flows import claimed


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    return {"flow": {"inbox_attempts": 1}}  # the first failure gives the input up


def _a_reply_in(slack: SlackHarness, ts: str) -> str:
    """The ts of a person's reply in thread `ts` whose message event the bot never received:
    its thread is not known (`ThreadMemory`), so a reaction on it is looked up."""
    reply = slack.fake._next_ts()
    slack.fake.messages[(MENTORING, reply)] = {"type": "message", "ts": reply, "thread_ts": ts}
    return reply


async def _stored_reply_tos(slack: SlackHarness) -> list[dict[str, Any]]:
    """The answers' `reply_to` as the outbox rows hold them."""
    async with slack.app.engine.connect() as conn:
        specs = (await conn.execute(sa.text("SELECT spec FROM outbox"))).scalars().all()
    decoded = [json.loads(s) if isinstance(s, str) else s for s in specs]
    return [spec["reply_to"] for spec in decoded if "reply_to" in spec]


def _lookup_fails_once(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    """The ✅'s thread can't be looked up once (an error that counts as a failed attempt)."""
    looked_up = slack.fake._conversations_replies
    failures = iter([{"ok": False, "error": "invalid_auth"}])

    def once(p: dict[str, Any]) -> dict[str, Any]:
        return next(failures, None) or looked_up(p)

    monkeypatch.setattr(slack.fake, "_conversations_replies", once)


async def test_the_apology_for_a_reaction_given_up_on_goes_to_its_thread(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = await claimed(slack)
    reply = _a_reply_in(slack, ts)
    _lookup_fails_once(slack, monkeypatch)
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    [said] = await slack.replies_to("alice", re.escape(SOMETHING_WENT_WRONG[:40]))
    assert said.method == "chat.postEphemeral" and said.params["channel"] == MENTORING
    assert said.params.get("thread_ts") == ts
    assert said.params["user"] == USERS["alice"]


async def test_a_reactions_answer_is_stored_with_a_thread_an_earlier_release_can_use(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its thread is a thread_ts or none, never a marker an earlier release would send to Slack
    as one (refused as an invalid thread_ts, again and again); the message reacted to is a key
    of its own, which that release does not read."""
    ts = await claimed(slack)
    reply = _a_reply_in(slack, ts)
    _lookup_fails_once(slack, monkeypatch)  # its apology is stored with what reply_to said
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    await slack.replies_to("alice", re.escape(SOMETHING_WENT_WRONG[:40]))
    stored = [r for r in await _stored_reply_tos(slack) if r.get("reacted")]
    assert [r["reacted"] for r in stored] == [reply]
    assert all(r["thread"] is None for r in stored)


async def test_an_answer_stored_with_the_earlier_thread_marker_still_goes_to_that_thread(
    slack: SlackHarness,
) -> None:
    """A row an earlier release stored (``thread: "of:<ts>"``) is read as the message reacted
    to: its answer shows in that message's thread, as it did."""
    ts = await claimed(slack)
    reply = _a_reply_in(slack, ts)
    raw = ReplyTo(user_ref(USERS["alice"]), channel_ref(MENTORING)).to_json()
    for key in ("reacted", "note"):
        del raw[key]  # unknown to that release
    raw["thread"] = f"of:{reply}"
    to = ReplyTo.from_json(raw)
    said = ChatMessage(body=text("Resolved #1 as it was stored before."))
    delivery = Delivery(Op.REPLY, f"r:{to.user.key()}", message=said, reply_to=to)
    async with slack.app.uow_factory() as uow:
        await uow.outbox.add_many([OutboxItem(delivery, key=new_key(), due_at=datetime.now(UTC))])
        await uow.commit()
    slack.app.runtime.wake()
    [answer] = await slack.replies_to("alice", "as it was stored before")
    assert answer.method == "chat.postEphemeral" and answer.params["channel"] == MENTORING
    assert answer.params.get("thread_ts") == ts
