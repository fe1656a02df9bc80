"""What the adapter adds to a command's answer (a mentor joining who can't see the mentoring
channel is warned) is stored with the command: an answer sent after a restart, or by another
replica, carries it as one sent at once does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from discord_fake import FakeDiscord, Recorded
from discord_harness import discord_config, start_bot, stop_bot, wait_started
from discord_helpers import eventually, sub

CANNOT_SEE = "you can't see that channel"


def _said(followup: Recorded) -> str:
    """A follow-up's text: its content and its embeds'."""
    body = followup.json()
    embeds = [e.get("description", "") for e in body.get("embeds", [])]
    return " ".join([body.get("content") or "", *embeds])


async def test_a_join_warning_still_comes_with_an_answer_sent_after_a_restart(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = fake_discord
    config = discord_config(guild_ids=[int(fake.guild_id)])
    app, adapter, task, _ = await start_bot(fake, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))
        general = await fake.create_channel("general")
        # The answer's first try fails; the bot stops before its retry is due.
        # (The edit of its "thinking…": after the restart Discord's original response says it
        # is still thinking, so the retry edits it too.)
        fake.fail_next(
            "PATCH", r"/webhooks/\d+/.+", status=400, code=50035, message="Invalid Form Body"
        )
        skills = sub("join", ("skills", 3, "python, pandas"))
        token = await fake.slash("alice", "mentor", skills, channel_id=general)
        (refused,) = await fake.followups(token)
        assert refused.status == 400

        async def retry_due_later() -> bool:
            return "outbox reply #1 failed on attempt 1, retrying" in caplog.text

        await eventually(retry_due_later)
    finally:
        await stop_bot(app, task)

    app, adapter, task, clock = await start_bot(fake, config, sqlite_url)  # a fresh gateway
    try:
        await wait_started(adapter, task)
        clock.advance(timedelta(minutes=1))
        app.runtime.wake()
        _, sent = await fake.followups(token, count=2)
        said = _said(sent)
        assert sent.status == 200 and "Welcome aboard" in said
        assert CANNOT_SEE in said and "#mentoring" in said
        assert len(re.findall(re.escape(CANNOT_SEE), said)) == 1
    finally:
        await stop_bot(app, task)
