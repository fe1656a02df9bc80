"""The bot stopped, its server removes it and invites it again meanwhile, and deletes its
mentoring channel: against the fake, the next start does not fail, the server is present (not
taken for one that removed the bot), and its admins are told to set a mentoring channel."""

from __future__ import annotations

import logging

import pytest
from discord_fake import FakeDiscord
from discord_harness import Harness, discord_config, run_once, start_bot, stop_bot, wait_started
from discord_helpers import ephemeral_answer, eventually, sub

from adapters.discord.translate import workspace_ref

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
SET_ONE = "create a text channel named #mentoring"


async def _logged(caplog: pytest.LogCaptureFixture, needle: str) -> None:
    async def seen() -> bool:
        return needle in caplog.text

    await eventually(seen)


def _said(body: dict[str, object]) -> str:
    embeds = body.get("embeds") or []
    return " ".join([str(body.get("content") or ""), *(str(e) for e in embeds)])  # type: ignore[union-attr]


async def test_reinvited_while_stopped_without_its_mentoring_channel_starts_and_admins_are_told(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    config = discord_config(guild_ids=[int(fake.guild_id)])
    await run_once(fake, config, sqlite_url)
    # While the bot is stopped: removed, #mentoring deleted, invited again (a new bot role).
    fake.reinvite_while_stopped()
    await fake.delete_channel(fake.mentoring_id, tell=False)
    general = fake.ids()
    fake.channel_names[general] = "general"

    app, adapter, task, clock = await start_bot(fake, config, sqlite_url)
    try:
        await wait_started(adapter, task)  # not a start-up that fails for want of #mentoring
        harness = Harness(fake, app, adapter, clock)
        assert adapter.gateway.gone(int(fake.guild_id)) is None
        async with app.uow_factory(read_only=True) as uow:
            ws = await uow.workspaces.get(workspace_ref(fake.guild_id))
        assert ws is not None and ws.removed_at is None
        told = [r for r in caplog.records if "no text channel 'mentoring'" in r.getMessage()]
        assert [r.levelno for r in told] == [logging.ERROR]
        assert "that channel was deleted since" in told[0].getMessage()

        # An admin's next command is answered, and tells them to set a mentoring channel.
        token = await fake.slash("admin", "mentoradmin", sub("stats"), channel_id=general)
        (reply,) = await fake.followups(token)
        assert SET_ONE in _said(reply.json())
        # A member's question is answered that it can't be posted, and not taken.
        options = [{"name": "question", "type": 3, "value": QUESTION}]
        token = await fake.slash("alice", "askmentor", options, channel_id=general)
        assert "questions can't be posted in this server" in await ephemeral_answer(harness, token)

        # A new #mentoring: questions are taken again, and posted there.
        new = await fake.create_channel("mentoring")
        await _logged(caplog, "takes questions again")
        token = await fake.slash("alice", "askmentor", options, channel_id=general)
        await fake.followups(token)
        await fake.wait_until(lambda: len(fake.channel_messages(new)) == 1)
    finally:
        await stop_bot(app, task)


async def test_a_member_s_command_in_a_server_without_its_mentoring_channel_is_not_told_to_set_one(
    harness: Harness,
) -> None:
    fake = harness.fake
    await fake.delete_channel(fake.mentoring_id)
    general = await fake.create_channel("general")
    token = await fake.slash(
        "bob", "mentor", sub("join", ("skills", 3, "python")), channel_id=general
    )
    (reply,) = await fake.followups(token)
    assert "Welcome aboard" in _said(reply.json())
    assert SET_ONE not in _said(reply.json())
