"""Discord: a question named only loosely asks the asker to pick an area (buttons) instead of a
wrong topic; the pick sets the topic."""

from __future__ import annotations

from discord_harness import Harness
from discord_helpers import custom_ids, sub

LOOSE = "Where do I do the parking permit renewal for the office garage in Berlin?"


async def test_a_loosely_named_question_shows_pick_one_buttons(harness: Harness) -> None:
    fake = harness.fake
    token = await fake.slash("bob", "mentor", sub("join", ("skills", 3, "account management")))
    await fake.followups(token)
    token = await fake.slash(
        "alice", "askmentor", [{"name": "question", "type": 3, "value": LOOSE}]
    )
    (reply,) = await fake.followups(token)
    body = reply.json()
    assert "not sure which area this is" in body["content"]
    assert "none I'm sure of" in body["content"]
    *ids, cancel = custom_ids(body)
    assert cancel == f"mm:cancel:1@{fake.guild_id}"
    g = fake.guild_id
    assert ids[0] == f"mm:topic:account management:1@{g}" and ids[-1] == f"mm:topic:other:1@{g}"
    answer = await harness.message_with(f"mm:topic:other:1@{g}")
    answer["channel_id"] = fake.mentoring_id
    token = await fake.click("alice", f"mm:topic:account management:1@{g}", answer["id"])
    (picked,) = await fake.followups(token)
    assert "#1 is about account management now" in picked.json()["content"]
