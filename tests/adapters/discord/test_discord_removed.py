"""A server that removed the bot, against the fake: nothing is sent for it any more — in its
channels, nor DMs said for it (the escalation ladder's) — also after a restart, when READY no
longer lists it; a Claim in a DM naming it is answered, not taken; invited again, it is served."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from discord_fake import FakeDiscord, Recorded
from discord_harness import (
    START,
    Harness,
    discord_config,
    run_once,
    start_bot,
    stop_bot,
    wait_started,
)
from discord_helpers import eventually

from adapters.discord.translate import channel_ref, user_ref, workspace_ref
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.messages import ChatMessage, text
from bot.refs import UserRef, WorkspaceRef

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
GONE = "skipped: the bot is no longer in that Discord server"


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    # The ladder on plain time; one mentor suggested at once, so that its first step (at 10
    # minutes) DMs the other.
    return {"nudges": {"quiet_hours": False}, "matching": {"suggest": 1}}


def _sent(requests: list[Recorded]) -> list[Recorded]:
    """What reaches a server's channels or a member: messages, threads, DMs opened."""
    return [r for r in requests if r.path.startswith(("/channels/", "/users/@me/channels"))]


async def _logged(caplog: pytest.LogCaptureFixture, needle: str) -> None:
    async def seen() -> bool:
        return needle in caplog.text

    await eventually(seen)


async def _drained(harness_app: Any) -> None:
    async def done() -> bool:
        async with harness_app.uow_factory(read_only=True) as uow:
            return await uow.outbox.pending() == 0

    await eventually(done)


def _dm(to: UserRef, said: str, workspace: WorkspaceRef | None) -> OutboxItem:
    delivery = Delivery(
        Op.DM,
        f"u:{to.key()}",
        message=ChatMessage(body=text(said)),
        user=to,
        workspace=workspace,
    )
    return OutboxItem(delivery, key=new_key(), due_at=START)


async def _removed(harness: Harness, caplog: pytest.LogCaptureFixture) -> None:
    fake = harness.fake
    await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id})
    await _logged(caplog, "removed from Discord server")


async def test_removed_while_running_the_ladder_dms_nobody_and_invited_again_it_goes_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await harness.join("bob")
    await harness.join("carol")
    await harness.ask("alice", QUESTION)
    async with harness.app.uow_factory(read_only=True) as uow:
        q = await uow.questions.get(1)
    assert q is not None and len(q.suggested) == 1
    await _removed(harness, caplog)
    asked = len(fake.requests)

    async def removed() -> bool:
        async with harness.app.uow_factory(read_only=True) as uow:
            ws = await uow.workspaces.get(workspace_ref(fake.guild_id))
        return ws is not None and ws.removed_at is not None

    await eventually(removed)  # stored, for every replica: not only this process's gateway
    harness.later(11 * 60)  # the ladder's first step (a DM to the other mentor) is due...

    async def notified() -> bool:
        async with harness.app.uow_factory(read_only=True) as uow:
            q = await uow.questions.get(1)
        return q is not None and bool(q.notified)

    async def waiting() -> bool:  # due, pending, and not even leased: nobody could be told
        async with harness.app.uow_factory(read_only=True) as uow:
            due = await uow.nudges.pending_for(1)
        now = harness.clock.now()
        return any(n.due_at <= now and n.attempts == 0 for n in due)

    assert await harness.app.runtime.nudge_worker.drain() == 0  # due, but not taken
    assert await waiting()
    assert not await notified()
    await _drained(harness.app)
    assert _sent(fake.requests[asked:]) == []
    assert "Give its role" not in caplog.text

    # Invited again: the ladder goes on where it is (the DM due since the 10th minute at the
    # next tick, then the channel bump at 30), as after any downtime (an overtaken step is
    # skipped, not spammed).
    await fake.invited()
    await _logged(caplog, "is ready: cards go to")
    assert not await removed()
    harness.later(60)
    await eventually(notified)
    harness.later(20 * 60)
    bumps = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages")
    assert bumps[0].status == 200
    # Removed again minutes later: stored again (not taken for a replay of the first removal).
    await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id})
    await eventually(removed)


async def test_a_claim_in_a_dm_naming_a_server_that_removed_the_bot_is_answered_not_taken(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await harness.join("bob")
    await harness.ask("alice", QUESTION)
    # A DM from the bot to bob to press the button on (Discord sends it as a DM interaction).
    bob = user_ref(fake.users["bob"]["id"])
    async with harness.app.uow_factory() as uow:
        await uow.outbox.add_many([_dm(bob, "Hello", workspace_ref(fake.guild_id))])
        await uow.commit()
    harness.app.runtime.wake()
    await fake.wait_until(
        lambda: any(m["channel_id"] in fake.dm_channels for m in fake.messages.values())
    )
    carrier = next(m for m in fake.messages.values() if m["channel_id"] in fake.dm_channels)
    await _removed(harness, caplog)

    token = await fake.click("bob", f"mm:claim:1@{fake.guild_id}", carrier["id"])
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    said = callback.json()["data"]["content"]
    assert "no longer in the Discord server" in said and "Acme" in said
    assert callback.json()["data"]["flags"] & 64  # ephemeral
    async with harness.app.uow_factory(read_only=True) as uow:
        q = await uow.questions.get(1)
        stored = await uow.inbox.pending()
    assert q is not None and q.mentor is None
    assert stored == 0


async def test_after_a_restart_a_server_missing_from_ready_is_not_sent_to_until_invited_again(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = fake_discord
    config = discord_config(guild_ids=[int(fake.guild_id)])
    await run_once(fake, config, sqlite_url)
    guild = workspace_ref(fake.guild_id)
    bob = user_ref(fake.users["bob"]["id"])
    digest = Delivery(
        Op.POST,
        f"ch:{channel_ref(fake.admin_id).key()}",
        message=ChatMessage(body=text("Digest")),
        channel=channel_ref(fake.admin_id),
        workspace=guild,
    )
    older = Delivery(  # a row stored before deliveries named their workspace
        Op.POST,
        f"ch:{channel_ref(fake.mentoring_id).key()}",
        message=ChatMessage(body=text("Nudge")),
        channel=channel_ref(fake.mentoring_id),
    )
    rows = [
        _dm(bob, "You earned a badge", guild),
        OutboxItem(digest, key=new_key(), due_at=START),
        OutboxItem(older, key=new_key(), due_at=START),
    ]

    # Removed while the bot was stopped: READY no longer lists the server.
    fake.member_at_ready = False
    caplog.clear()
    app, adapter, task, clock = await start_bot(fake, config, sqlite_url)
    try:
        async with app.uow_factory() as uow:
            await uow.outbox.add_many(rows)
            await uow.commit()
        asked = len(fake.requests)
        await wait_started(adapter, task)
        harness = Harness(fake, app, adapter, clock)
        harness.later(3)  # rows tried before READY were handed back for a moment
        await _drained(app)
        assert _sent(fake.requests[asked:]) == []
        gone = [r for r in caplog.records if "no longer has the bot" in r.getMessage()]
        assert [(r.levelno, r.getMessage()) for r in gone] == [
            (
                logging.INFO,
                f"Discord server Acme ({fake.guild_id}) no longer has the bot: nothing is sent "
                "there until it is invited again",
            )
        ]
        assert "Give its role" not in caplog.text
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

        # Invited again: delivered again.
        await fake.invited()
        await _logged(caplog, "is ready: cards go to")
        async with app.uow_factory() as uow:
            await uow.outbox.add_many([_dm(bob, "Welcome back", guild)])
            await uow.commit()
        app.runtime.wake()
        await fake.wait_until(
            lambda: any("Welcome back" in str(m.get("content")) for m in fake.messages.values())
        )
    finally:
        await stop_bot(app, task)
