"""Discord, questions as people ask them: topic buttons when unsure, the pick re-suggests; a
mentor's own words through /mentor join and /mentor about."""

from __future__ import annotations

from typing import Any

import pytest
from discord_harness import Harness
from discord_helpers import custom_ids, eventually, sub

from adapters.discord.translate import user_ref, workspace_ref

CLOSE_CALL = "I feel tired and keep answering messages every evening"


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    # Questions phrased as people talk have no stated goal; coaching (tested in
    # test_discord_learning) would hold them for a preview before the topic buttons.
    return {"ask": {"coaching": "off"}}


async def test_a_close_call_shows_topic_buttons_and_a_click_sets_the_topic(
    harness: Harness,
) -> None:
    fake = harness.fake
    token = await fake.slash("bob", "mentor", sub("join", ("skills", 3, "boundaries")))
    await fake.followups(token)
    options = [{"name": "question", "type": 3, "value": CLOSE_CALL}]
    token = await fake.slash("alice", "askmentor", options)
    (reply,) = await fake.followups(token)
    *ids, cancel = custom_ids(reply.json())
    assert cancel == f"mm:cancel:1@{fake.guild_id}"
    # Each names the server: the answer may reach the asker by DM, shared by every server.
    g = fake.guild_id
    assert ids[-1] == f"mm:topic:other:1@{g}"
    assert f"mm:topic:boundaries:1@{g}" in ids and all(i.startswith("mm:topic:") for i in ids)
    # the buttons are on the ephemeral answer, which Discord sends along with the click
    answer = await harness.message_with(f"mm:topic:other:1@{g}")
    # Discord puts an ephemeral answer in the channel the command was used in (the fake: "0")
    answer["channel_id"] = fake.mentoring_id
    token = await fake.click("alice", f"mm:topic:boundaries:1@{g}", answer["id"])
    (picked,) = await fake.followups(token)
    assert "#1 is about boundaries now" in picked.json()["content"]
    bob = user_ref(fake.users["bob"]["id"])

    async def resuggested() -> bool:
        async with harness.app.uow_factory(read_only=True) as uow:
            q = await uow.questions.get(1)
        return q is not None and q.topics[0] == "boundaries" and q.suggested == (bob,)

    await eventually(resuggested)


async def test_join_and_about_take_the_mentors_own_words(harness: Harness) -> None:
    fake = harness.fake
    options = sub("join", ("skills", 3, "negotiation"), ("about", 3, "Answering offers"))
    await fake.followups(await fake.slash("bob", "mentor", options))
    bob, guild = user_ref(fake.users["bob"]["id"]), workspace_ref(fake.guild_id)
    async with harness.app.uow_factory(read_only=True) as uow:
        profile = await uow.mentors.get(bob, guild)
    assert profile is not None and profile.about == "Answering offers"
    await fake.followups(
        await fake.slash("bob", "mentor", sub("about", ("text", 3, "Counter-offers too")))
    )
    async with harness.app.uow_factory(read_only=True) as uow:
        profile = await uow.mentors.get(bob, guild)
    assert profile is not None and profile.about == "Counter-offers too"
