"""Answers on an interaction token only while Discord takes it: a follow-up within 15 minutes of
the interaction, a DM after that without trying the token (each refused try is an invalid
request, and enough of those bar the bot's IP for a while)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from discord_harness import Harness
from discord_helpers import eventually, sub

from adapters.discord.translate import interaction_reply_to
from bot.flow.outbox import Delivery, Op, OutboxItem, ReplyTo, new_key
from bot.messages import ChatMessage, text

SAID = "Only you see this: your profile is saved."


def _dm_posts(harness: Harness, name: str) -> list[str]:
    """The bodies of the messages the bot DMed `name` (answered 200)."""
    fake = harness.fake
    dms = {d for d, u in fake.dm_channels.items() if u == fake.users[name]["id"]}
    return [
        str(r.body)
        for r in fake.requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.split("/")[2] in dms
    ]


def _followups(harness: Harness, token: str) -> int:
    """How many answers were tried on `token`: edits of its "thinking…" and follow-ups."""
    return len([r for r in harness.fake.requests if harness.fake.answered_on(token, r)])


async def _answer(harness: Harness, token: str, *, issued_at: datetime | None) -> None:
    """An answer to bob's interaction `token` as the outbox holds it, then sent."""
    fake = harness.fake
    reply_to = interaction_reply_to(
        user_id=fake.users["bob"]["id"],
        channel_id=fake.mentoring_id,
        token=token,
        application_id=fake.application_id,
    )
    raw = reply_to.to_json()
    del raw["issued_at"]  # as rows stored before issue times were recorded hold it
    if issued_at is not None:
        raw["issued_at"] = issued_at.isoformat()
    stored = ReplyTo.from_json(raw)
    delivery = Delivery(
        Op.REPLY, f"r:{stored.user.key()}", message=ChatMessage(body=text(SAID)), reply_to=stored
    )
    async with harness.app.uow_factory() as uow:
        await uow.outbox.add_many([OutboxItem(delivery, key=new_key(), due_at=harness.clock.now())])
        await uow.commit()
    harness.app.runtime.wake()


async def test_an_answer_to_an_interaction_older_than_15_minutes_goes_by_dm_untried(
    harness: Harness,
) -> None:
    issued = harness.clock.now() - timedelta(minutes=15)
    await _answer(harness, "old-token", issued_at=issued)
    await harness.fake.wait_until(lambda: bool(_dm_posts(harness, "bob")))
    (said,) = _dm_posts(harness, "bob")
    assert "profile is saved" in said
    assert _followups(harness, "old-token") == 0


@pytest.mark.parametrize(
    "age", [timedelta(minutes=13), None], ids=["fresh", "stored-before-issue-times"]
)
async def test_an_answer_to_a_fresh_or_undated_interaction_is_a_follow_up(
    harness: Harness, age: timedelta | None
) -> None:
    """An answer stored before issue times were recorded tries its token, as it always did."""
    issued = harness.clock.now() - age if age is not None else None
    await _answer(harness, "new-token", issued_at=issued)
    (followup,) = await harness.fake.followups("new-token")
    assert followup.status == 200 and "profile is saved" in followup.content()
    assert not _dm_posts(harness, "bob")


async def test_an_answer_held_up_past_15_minutes_after_the_command_comes_by_dm(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The answer's first try fails; its retry comes after the token lapsed: straight to a DM.
    (The token's age is the interaction's receipt, recorded with the answer.)"""
    fake = harness.fake
    fake.fail_next(
        "PATCH", r"/webhooks/\d+/.+", status=400, code=50035, message="Invalid Form Body"
    )
    token = await fake.slash("bob", "mentor", sub("join", ("skills", 3, "python, pandas")))
    (refused,) = await fake.followups(token)
    assert refused.status == 400

    async def retry_due_later() -> bool:
        return "outbox reply #1 failed on attempt 1, retrying" in caplog.text

    await eventually(retry_due_later)
    harness.later(15 * 60)
    await fake.wait_until(lambda: bool(_dm_posts(harness, "bob")))
    (said,) = _dm_posts(harness, "bob")
    assert "python" in said.lower()
    assert _followups(harness, token) == 1
