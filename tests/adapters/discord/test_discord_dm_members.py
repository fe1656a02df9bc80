"""A button pressed in the bot's DM names its server (``…@<guild id>``); against the fake, someone
who is no member of that server (any more: their DMs outlive their membership) is answered and
nothing is taken or opened, while a member's press works as ever."""

from __future__ import annotations

from typing import Any

import pytest
from discord_fake import FakeDiscord
from discord_harness import Harness

from adapters.discord.translate import user_ref

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
NOT_A_MEMBER = "not a member of the Discord server Acme"


async def _callback(fake: FakeDiscord, token: str) -> dict[str, Any]:
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    return callback.json()


@pytest.mark.parametrize("action", ["claim", "comment"])
async def test_a_dm_button_of_a_server_its_presser_left_is_answered_and_does_nothing(
    harness: Harness, action: str
) -> None:
    fake = harness.fake
    await harness.join("bob")
    await harness.ask("alice", QUESTION)
    carrier = await harness.dm_to("bob")
    fake.leave_every_server("bob")

    token = await fake.click("bob", f"mm:{action}:1@{fake.guild_id}", carrier)
    answer = await _callback(fake, token)
    assert answer["type"] == 4  # an answer: no form opened, nothing deferred for later
    assert NOT_A_MEMBER in answer["data"]["content"]
    async with harness.app.uow_factory(read_only=True) as uow:
        question = await uow.questions.get(1)
        pending = await uow.inbox.pending()
    assert question is not None and question.mentor is None
    assert pending == 0


async def test_a_dm_claim_by_a_member_of_its_server_claims(harness: Harness) -> None:
    fake = harness.fake
    await harness.join("bob")
    await harness.ask("alice", QUESTION)
    carrier = await harness.dm_to("bob")

    token = await fake.click("bob", f"mm:claim:1@{fake.guild_id}", carrier)
    await fake.followups(token)
    async with harness.app.uow_factory(read_only=True) as uow:
        question = await uow.questions.get(1)
    assert question is not None and question.mentor == user_ref(fake.users["bob"]["id"])
