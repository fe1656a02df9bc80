"""Inputs go to the inbox before Discord is answered: stored first, acknowledged after, answered
later; typos answered at once; duplicates and replays have one effect; a database that is down
gets an honest "try again"."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import pytest
from discord_fake import FakeDiscord
from discord_harness import Harness
from discord_helpers import eventually, sub

from adapters.discord.interactions import NOT_NOW
from bot.commands import Command
from bot.flow.inbox import Inbox
from bot.flow.outbox import ReplyTo

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
EPHEMERAL = 64
CHANNEL_MESSAGE = 4  # an interaction answered with a message at once
DEFERRED = 5  # "thinking…", answered later by follow-ups


class WatchedInbox:
    """The real inbox, noting how many requests the fake had seen when each input was stored."""

    def __init__(self, inner: Inbox, fake: FakeDiscord) -> None:
        self._inner = inner
        self._fake = fake
        self.stored_after: list[int] = []

    async def receive_command(
        self, command: Command, *, key: str, reply_to: ReplyTo | None = None
    ) -> bool:
        fresh = await self._inner.receive_command(command, key=key, reply_to=reply_to)
        self.stored_after.append(len(self._fake.requests))
        return fresh


class DownInbox:
    """An inbox whose database can't be reached."""

    async def receive_command(self, command: Command, **_: Any) -> bool:
        raise ConnectionRefusedError("the database is down")


async def test_a_slash_command_is_stored_before_it_is_acknowledged(harness: Harness) -> None:
    fake = harness.fake
    watched = WatchedInbox(harness.app.inbox, fake)
    harness.app.runtime.inbox = watched  # type: ignore[assignment]
    token = await fake.slash("bob", "mentor", sub("join", ("skills", 3, "python")))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == DEFERRED
    assert watched.stored_after and fake.requests.index(callback) >= watched.stored_after[0]
    (answer,) = await fake.followups(token)
    assert harness.fake.is_ephemeral(answer)


async def test_a_typo_is_answered_at_once_without_the_inbox(harness: Harness) -> None:
    fake = harness.fake
    watched = WatchedInbox(harness.app.inbox, fake)
    harness.app.runtime.inbox = watched  # type: ignore[assignment]
    token = await fake.slash("admin", "mentoradmin", sub("digest", ("week", 3, "nonsense")))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == CHANNEL_MESSAGE
    assert callback.json()["data"]["flags"] & EPHEMERAL
    assert "2026-W48" in callback.json()["data"]["content"]
    assert watched.stored_after == []


async def test_when_the_database_is_down_the_user_is_asked_to_try_again(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = harness.fake
    harness.app.runtime.inbox = DownInbox()  # type: ignore[assignment]
    options = [{"name": "question", "type": 3, "value": QUESTION}]
    token = await fake.slash("alice", "askmentor", options)
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == CHANNEL_MESSAGE
    assert callback.json()["data"]["flags"] & EPHEMERAL
    assert callback.json()["data"]["content"] == NOT_NOW
    assert "could not store a Discord interaction" in caplog.text
    assert fake.channel_messages(fake.mentoring_id) == []


async def test_the_same_interaction_delivered_twice_has_one_effect(harness: Harness) -> None:
    fake = harness.fake
    options = [{"name": "question", "type": 3, "value": QUESTION}]
    token = await fake.slash("alice", "askmentor", options)
    await fake.followups(token)
    await fake.replay("INTERACTION_CREATE")
    # Stored (or not) before it is acknowledged; Discord refuses a second acknowledgement.
    (again,) = await fake.wait_for(
        lambda r: r.path.endswith(f"/{token}/callback") and r.status == 400
    )
    assert again.json()["type"] == DEFERRED
    # Alice's inputs are processed in order: once her next one is answered, a stored replay
    # would have been processed, and answered, before it.
    await fake.followups(await fake.slash("alice", "mentor", sub("me")))
    assert len([r for r in fake.requests if fake.answered_on(token, r)]) == 1
    await fake.wait_until(lambda: bool(fake.channel_messages(fake.mentoring_id)))
    assert len(fake.channel_messages(fake.mentoring_id)) == 1
    async with harness.app.uow_factory() as uow:
        assert await uow.questions.get(2) is None


async def test_a_replayed_reaction_event_has_one_effect(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="adapters.discord")
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await fake.react("bob", fake.mentoring_id, card["id"])
    await harness.message_with("mm:resolve:1")
    await fake.wait_for(lambda r: "You claimed #1" in r.content())
    await fake.replay("MESSAGE_REACTION_ADD")  # as after a RESUME

    async def dropped() -> bool:
        return "a Discord event seen before was dropped" in caplog.text

    await eventually(dropped)
    assert len([r for r in fake.requests if r.path.endswith("/threads")]) == 1
    assert len([r for r in fake.requests if "claimed #1" in r.content()]) == 1


class SlowInbox:
    """A database that is slow or locked (SQLite waits up to its busy timeout for the lock):
    storing takes longer than Discord's 3 seconds; `fails` then, or stores in the end."""

    def __init__(self, inner: Inbox, *, seconds: float, fails: bool = False) -> None:
        self._inner = inner
        self._seconds = seconds
        self._fails = fails

    async def receive_command(self, command: Command, **kwargs: Any) -> bool:
        await asyncio.sleep(self._seconds)
        if self._fails:
            raise TimeoutError("database is locked")
        return await self._inner.receive_command(command, **kwargs)


async def test_a_slow_database_still_gets_the_interaction_acknowledged_within_3_seconds(
    harness: Harness,
) -> None:
    """Discord: "you must send an initial response within 3 seconds of receiving the event" —
    else the token is invalid and the member sees "The application did not respond"."""
    fake = harness.fake
    harness.app.runtime.inbox = SlowInbox(harness.app.inbox, seconds=3.5)  # type: ignore[assignment]
    started = time.monotonic()
    token = await fake.slash("bob", "mentor", sub("join", ("skills", 3, "python")))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert time.monotonic() - started < 2.8
    assert callback.json()["type"] == DEFERRED
    (answer,) = await fake.followups(token)  # stored in the end: answered as usual
    assert "mentor" in str(answer.json()).lower()


async def test_a_store_that_fails_after_the_acknowledgement_asks_to_try_again(
    harness: Harness,
) -> None:
    fake = harness.fake
    slow = SlowInbox(harness.app.inbox, seconds=2.5, fails=True)
    harness.app.runtime.inbox = slow  # type: ignore[assignment]
    options = [{"name": "question", "type": 3, "value": QUESTION}]
    token = await fake.slash("alice", "askmentor", options)
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == DEFERRED
    (answer,) = await fake.followups(token)
    assert answer.content() == NOT_NOW
    assert answer.method == "PATCH"  # the "thinking…" edited into it, not a follow-up
    assert harness.fake.is_ephemeral(answer)
