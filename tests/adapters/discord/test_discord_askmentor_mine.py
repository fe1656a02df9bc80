"""Discord, `/askmentor question:mine`: the asker's open questions (their home view, only they
see it), not a question too short to post."""

from __future__ import annotations

import json

from discord_harness import Harness

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
EPHEMERAL = 64


async def test_askmentor_mine_shows_your_open_questions(harness: Harness) -> None:
    await harness.ask("alice", QUESTION, anonymous=True)
    options = [{"name": "question", "type": 3, "value": "mine"}]
    token = await harness.fake.slash("alice", "askmentor", options)
    (reply,) = await harness.fake.followups(token)
    body = reply.json()
    assert harness.fake.is_ephemeral(reply)
    said = json.dumps(body, ensure_ascii=False)
    assert (
        "Your open questions" in said
        and "#1 (you asked anonymously, open)" in said
        and QUESTION in said
    )
    assert "a bit short" not in said
