"""Who can see a session, against the fake: a question asked (from another channel) by a member
the mentoring channel's permission overwrites keep from viewing it or reading its history is
answered at once and not taken, since its session thread would be invisible to them."""

from __future__ import annotations

import discord_payloads as p
import pytest
from discord_harness import Harness
from discord_helpers import ephemeral_answer

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
CANNOT_SEE = "you can't see that channel"


async def _ask_in_general(harness: Harness, who: str, question: str | None = QUESTION) -> str:
    """/askmentor from #general (made for it); the token."""
    general = await harness.fake.create_channel("general")
    options = [] if question is None else [{"name": "question", "type": 3, "value": question}]
    return await harness.fake.slash(who, "askmentor", options, channel_id=general)


async def _questions(harness: Harness) -> int:
    async with harness.app.uow_factory(read_only=True) as uow:
        return sum([await uow.questions.get(n) is not None for n in (1, 2)])


@pytest.mark.parametrize("question", [QUESTION, None], ids=["typed", "form"])
async def test_a_member_who_cant_view_the_mentoring_channel_is_told_and_nothing_is_taken(
    harness: Harness, question: str | None
) -> None:
    fake = harness.fake
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))
    said = await ephemeral_answer(harness, await _ask_in_general(harness, "alice", question))
    assert CANNOT_SEE in said and "#mentoring" in said
    assert await _questions(harness) == 0
    assert not fake.channel_messages(fake.mentoring_id)


async def test_a_member_denied_the_mentoring_channels_history_is_told_too(
    harness: Harness,
) -> None:
    fake = harness.fake
    alice = fake.users["alice"]["id"]
    await fake.set_overwrites(
        fake.mentoring_id, [p.overwrite(alice, member=True, deny=p.READ_MESSAGE_HISTORY)]
    )
    said = await ephemeral_answer(harness, await _ask_in_general(harness, "alice"))
    assert CANNOT_SEE in said
    assert await _questions(harness) == 0


async def test_a_member_whose_role_sees_the_private_mentoring_channel_asks_as_usual(
    harness: Harness,
) -> None:
    fake = harness.fake
    await fake.restrict_channel(fake.mentoring_id, seen_by=("alice",))
    token = await _ask_in_general(harness, "alice")
    await fake.followups(token)
    await fake.wait_until(lambda: bool(fake.channel_messages(fake.mentoring_id)))
    assert not [r for r in fake.interaction_callbacks(token) if r.json()["type"] == 4]


async def test_a_dm_claim_by_a_mentor_who_cant_view_the_mentoring_channel_is_refused(
    harness: Harness,
) -> None:
    fake = harness.fake
    await harness.join("bob")
    await harness.ask("alice", QUESTION)
    carrier = await harness.dm_to("bob")
    await fake.restrict_channel(fake.mentoring_id, seen_by=("alice",))

    token = await fake.click("bob", f"mm:claim:1@{fake.guild_id}", carrier)
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == 4
    assert "you can't see that channel" in callback.json()["data"]["content"]
    async with harness.app.uow_factory(read_only=True) as uow:
        question = await uow.questions.get(1)
    assert question is not None and question.mentor is None
