"""A configured channel deleted while the bot runs, against the fake (CHANNEL_DELETE): the
operator is told once what to do; without its mentoring channel a server's questions are answered
that they can't be posted, and not taken; nothing is asked of Discord for the deleted channel
again (cards already there, the digest); a new channel of the configured name restores it."""

from __future__ import annotations

import asyncio
import logging

import pytest
from discord_fake import FakeDiscord, Recorded
from discord_harness import Harness, discord_config, run_once, start_bot, stop_bot, wait_started
from discord_helpers import ephemeral_answer, eventually, sub

from bot.errors import StartupError

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
CANT_POST = "questions can't be posted in this server right now"
DELETED_SKIP = "skipped: that Discord channel was deleted"


async def _logged(caplog: pytest.LogCaptureFixture, needle: str) -> None:
    async def seen() -> bool:
        return needle in caplog.text

    await eventually(seen)


async def _ask_in_general(harness: Harness, question: str | None) -> str:
    """/askmentor from #general (one made for it: #mentoring is gone); the token."""
    fake = harness.fake
    general = next((c for c, n in fake.channel_names.items() if n == "general"), None)
    general = general or await fake.create_channel("general")
    options = [] if question is None else [{"name": "question", "type": 3, "value": question}]
    return await fake.slash("alice", "askmentor", options, channel_id=general)


def _to(requests: list[Recorded], channel_id: str) -> list[Recorded]:
    return [r for r in requests if r.path.startswith(f"/channels/{channel_id}")]


def _told(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """The operator's lines about a deleted channel (not the skipped deliveries')."""
    return [
        r
        for r in caplog.records
        if r.name == "adapters.discord.listeners" and "was deleted" in r.getMessage()
    ]


async def _stored(harness: Harness) -> tuple[int, int]:
    """Questions and pending inbox items."""
    async with harness.app.uow_factory(read_only=True) as uow:
        questions = [q for q in [await uow.questions.get(n) for n in (1, 2, 3)] if q is not None]
        pending = await uow.inbox.pending()
    return len(questions), pending


async def test_mentoring_channel_deleted_questions_are_refused_until_a_new_one_is_made(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    old = fake.mentoring_id
    home = harness.adapter.runner.home_guild
    await fake.delete_channel(old)
    await _logged(caplog, "its mentoring channel #mentoring was deleted")
    # The bot is still in the server: DMs that name no server stay its own.
    assert harness.adapter.runner.home_guild == home == int(fake.guild_id)
    assert [(r.levelno, r.getMessage()) for r in _told(caplog)] == [
        (
            logging.ERROR,
            f"Discord server 'Acme' ({fake.guild_id}): its mentoring channel #mentoring was "
            "deleted. Questions asked there are answered that they can't be posted, and not "
            "taken, until it has one again: create a text channel named 'mentoring' (the bot "
            "takes it at once), or set [channels] mentoring in bot.toml to another channel's "
            "name or id and restart; make sure the bot can see it.",
        )
    ]
    asked = len(fake.requests)

    # A question typed in the option, and one that would open the form: answered, not taken.
    token = await _ask_in_general(harness, QUESTION)
    said = await ephemeral_answer(harness, token)
    assert CANT_POST in said and "not saved" in said and "#mentoring" in said
    token = await _ask_in_general(harness, None)
    assert CANT_POST in await ephemeral_answer(harness, token)  # no form to fill in for nothing
    assert await _stored(harness) == (0, 0)
    assert _to(fake.requests[asked:], old) == []

    # A server admin makes a new #mentoring: questions are taken, and posted there.
    new = await fake.create_channel("mentoring")
    await _logged(caplog, "takes questions again")
    token = await _ask_in_general(harness, QUESTION)
    await fake.followups(token)
    await fake.wait_until(lambda: len(fake.channel_messages(new)) == 1)
    assert _to(fake.requests[asked:], old) == []
    assert len(_told(caplog)) == 1


async def test_a_card_in_the_deleted_channel_is_not_asked_of_discord_again(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await harness.join("bob")
    await harness.ask("alice", QUESTION)
    old = fake.mentoring_id
    await fake.delete_channel(old)
    await _logged(caplog, "its mentoring channel #mentoring was deleted")
    asked = len(fake.requests)

    # Cancelling still works (nothing is posted for it but the card's edit, refused unasked).
    token = await _ask_in_general(harness, "cancel 1")
    await fake.followups(token)
    await _logged(caplog, DELETED_SKIP)
    harness.later(60 * 60)  # anything the ladder would have posted there is due by now
    await _logged(caplog, DELETED_SKIP)
    assert _to(fake.requests[asked:], old) == []
    assert caplog.text.count(DELETED_SKIP) == 1
    assert "Give its role" not in caplog.text


async def test_admin_channel_deleted_the_digest_is_skipped_unasked_and_questions_go_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    admin = fake.admin_id
    await fake.delete_channel(admin)
    await _logged(caplog, "its admin channel #mentor-admins was deleted")
    assert "What goes there (digests, escalations, ratings) is skipped" in caplog.text
    asked = len(fake.requests)

    await harness.ask("alice", QUESTION)  # the mentoring channel is there: taken and posted
    token = await fake.slash("admin", "mentoradmin", sub("digest"))
    await fake.followups(token)
    await _logged(caplog, DELETED_SKIP)
    assert _to(fake.requests[asked:], admin) == []
    assert caplog.text.count(DELETED_SKIP) == 1
    assert len(_told(caplog)) == 1


async def test_both_channels_deleted_a_new_mentoring_channel_takes_questions_again(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The admin channel gone as well does not keep the server unset-up once a new mentoring
    channel is made: questions are taken there, the admin posts are still skipped, unasked, and
    a new admin channel is taken too."""
    caplog.set_level(logging.INFO)
    fake = harness.fake
    old_admin, old_mentoring = fake.admin_id, fake.mentoring_id
    await fake.delete_channel(old_admin)
    await _logged(caplog, "its admin channel #mentor-admins was deleted")
    await fake.delete_channel(old_mentoring)
    await _logged(caplog, "its mentoring channel #mentoring was deleted")
    assert len(_told(caplog)) == 2  # each told once, the admin one too
    token = await _ask_in_general(harness, QUESTION)
    assert CANT_POST in await ephemeral_answer(harness, token)
    asked = len(fake.requests)

    new = await fake.create_channel("mentoring")
    await _logged(caplog, "takes questions again")
    token = await _ask_in_general(harness, QUESTION)
    said = await fake.followups(token)
    assert CANT_POST not in str(said)
    await fake.wait_until(lambda: len(fake.channel_messages(new)) == 1)
    token = await fake.slash("admin", "mentoradmin", sub("digest"), channel_id=new)
    await fake.followups(token)
    await _logged(caplog, DELETED_SKIP)
    assert _to(fake.requests[asked:], old_admin) == []
    assert _to(fake.requests[asked:], old_mentoring) == []
    assert len(_told(caplog)) == 2  # the admin channel still missing is not told again

    admin = await fake.create_channel("mentor-admins")
    token = await fake.slash("admin", "mentoradmin", sub("digest"), channel_id=new)
    await fake.followups(token)
    await fake.wait_until(lambda: len(fake.channel_messages(admin)) >= 1)


async def test_an_admin_channel_deleted_while_stopped_does_not_stop_the_next_start(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Set up before, the server's stored channels stand in for the deleted admin one (its
    posts are skipped, the operator told once): questions are taken after the restart as they
    were before it, not a start-up that fails for want of an admin channel."""
    caplog.set_level(logging.INFO)
    fake = fake_discord
    config = discord_config(guild_ids=[int(fake.guild_id)])
    await run_once(fake, config, sqlite_url)
    await fake.delete_channel(fake.admin_id, tell=False)  # not connected to hear it
    app, adapter, task, clock = await start_bot(fake, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        assert "has no text channel 'mentor-admins'" in caplog.text
        harness = Harness(fake, app, adapter, clock)
        await harness.ask("alice", QUESTION)
        await fake.wait_until(lambda: len(fake.channel_messages(fake.mentoring_id)) >= 1)
        asked = len(fake.requests)
        token = await fake.slash("admin", "mentoradmin", sub("digest"))
        await fake.followups(token)
        await _logged(caplog, DELETED_SKIP)  # skipped unasked, as while running
        assert _to(fake.requests[asked:], fake.admin_id) == []
    finally:
        await stop_bot(app, task)


async def test_an_admin_channel_renamed_while_stopped_is_still_a_configuration_to_mend(
    fake_discord: FakeDiscord, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The stored channel stands in only for one that is gone: one still there under another
    name than bot.toml's is not posted to behind the operator's back (the only server: start-up
    stops, saying which channel is missing, as before)."""
    fake = fake_discord
    config = discord_config(guild_ids=[int(fake.guild_id)])
    await run_once(fake, config, sqlite_url)
    fake.channel_names[fake.admin_id] = "old-admins"  # renamed while the bot was stopped
    app, _, task, _ = await start_bot(fake, config, sqlite_url)
    try:
        with pytest.raises(StartupError):
            async with asyncio.timeout(10):
                await task
        assert "has no text channel 'mentor-admins'" in caplog.text
    finally:
        await stop_bot(app, task)
