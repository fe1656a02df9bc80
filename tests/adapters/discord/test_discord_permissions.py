"""What Discord refuses for good, against the fake: a permission the bot lacks (skipped and told
to the operator once, never retried into a 403 storm), DMs to people it can't reach, locked and
archived session threads, and a privileged intent switched off."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import discord_payloads as p
import pytest
from discord_fake import FakeDiscord
from discord_harness import Harness, discord_config, start_bot, stop_bot
from discord_helpers import eventually

from adapters.discord.translate import channel_ref, thread_ref, user_ref
from bot.errors import StartupError
from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage, text
from bot.ports import DeliveryRefused

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
OTHER = "How do I rebase a feature branch onto main without losing commits?"


async def _settled(harness: Harness) -> None:
    """Until no delivery waits for a retry."""

    async def nothing_pending() -> bool:
        async with harness.app.uow_factory(read_only=True) as uow:
            return await uow.outbox.pending() == 0

    await eventually(nothing_pending)


@pytest.mark.parametrize(
    ("thread_mode", "refused", "needs"),
    [
        (
            "private",
            r"/channels/\d+/threads",
            "Create Private Threads and Send Messages in Threads",
        ),
        (
            "public",
            r"/channels/\d+/messages/\d+/threads",
            "Create Public Threads and Send Messages in Threads",
        ),
        ("public", r"/channels/{card}/messages", "Send Messages in Threads"),
    ],
    ids=["private thread", "thread under the card", "post in the thread"],
)
async def test_a_permission_the_bot_lacks_is_told_once_and_not_retried(
    harness: Harness, caplog: pytest.LogCaptureFixture, refused: str, needs: str
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    first = await harness.ask("alice", QUESTION)
    second = await harness.ask("alice", OTHER)
    for card in (first, second):
        pattern = refused.format(card=card["id"])
        fake.refuse("POST", pattern, code=50013, message="Missing Permissions")
    for n, card in enumerate((first, second), start=1):
        (reply,) = await fake.followups(await fake.click("bob", f"mm:claim:{n}", card["id"]))
        assert f"You claimed #{n}" in reply.content()
    await _settled(harness)
    harness.later(60)  # long past the first retry's back-off: nothing refused is tried again
    await _settled(harness)

    told = [r for r in caplog.records if needs in r.getMessage()]
    assert len(told) == 1, caplog.text  # one line for the operator, not one per session
    assert told[0].levelno == logging.ERROR
    assert "#mentoring in server Acme" in told[0].getMessage()
    assert len([r for r in fake.requests if r.status == 403]) == 2  # one per session


@pytest.mark.parametrize("code", [50007, 50278], ids=["closed DMs", "no server in common"])
@pytest.mark.parametrize("way", ["dm", "private", "expired reply"])
async def test_a_dm_discord_refuses_is_skipped_whichever_way_it_goes(
    harness: Harness, code: int, way: str
) -> None:
    fake = harness.fake
    if code == 50007:
        fake.close_dms("carol")
    else:
        fake.leave_every_server("carol")
    fake.expire_interaction_tokens()
    gateway = harness.adapter.gateway
    carol = user_ref(fake.users["carol"]["id"])
    message = ChatMessage(body=text("Your question is looking for a mentor again."))
    sends: dict[str, Any] = {
        "dm": lambda: gateway.send_dm(carol, message),
        "private": lambda: gateway.send_private(
            user=carol, channel=channel_ref(fake.mentoring_id), message=message
        ),
        "expired reply": lambda: gateway.reply(
            ReplyTo(carol, token="token-1", app_id=fake.application_id), message
        ),
    }
    with pytest.raises(DeliveryRefused, match=str(code)):
        await sends[way]()


async def test_a_locked_session_thread_is_skipped_not_reopened(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    await fake.archive_thread(card["id"], locked=True)  # a moderator closed it
    before = len(fake.requests)
    with pytest.raises(DeliveryRefused, match="locked"):
        await harness.adapter.gateway.post_in_thread(
            thread_ref(card["id"]), ChatMessage(body=text("How did it go?"))
        )
    # (Get Guild Member look-ups after the intro's post, whether its people still see the
    # thread, may land meanwhile: not asks about this thread.)
    asked = [r.method for r in fake.requests[before:] if "/members/" not in r.path]
    assert asked == ["POST"]
    assert fake.threads[card["id"]]["thread_metadata"]["archived"]


async def test_an_archived_thread_discord_refuses_a_post_in_is_reopened_and_posted_in(
    harness: Harness,
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    await fake.archive_thread(card["id"])
    fake.fail_next(
        "POST",
        rf"/channels/{card['id']}/messages",
        status=400,
        code=50083,
        message="Thread is archived",
        effect=False,
    )
    sent = await harness.adapter.gateway.post_in_thread(
        thread_ref(card["id"]), ChatMessage(body=text("How did it go?")), key="mmwrapup1"
    )
    assert sent.id.startswith(f"{card['id']}:")
    (reopened,) = [
        r for r in fake.requests if (r.method, r.path) == ("PATCH", f"/channels/{card['id']}")
    ]
    assert reopened.json()["archived"] is False
    assert [m["content"] for m in fake.channel_messages(card["id"])][-1] == "How did it go?"


async def test_member_events_without_the_server_members_intent_stop_start_up_clearly(
    fake_discord: FakeDiscord, sqlite_url: str
) -> None:
    config = discord_config(member_events=True)
    app, _, task, _ = await start_bot(fake_discord, config, sqlite_url)
    try:
        with pytest.raises(StartupError, match="Server Members Intent") as stopped:
            async with asyncio.timeout(10):
                await task
        assert "member_events = false" in str(stopped.value)
    finally:
        await stop_bot(app, task)


def _dms_to(fake: FakeDiscord, name: str) -> list[str]:
    """The text of every message the bot made in `name`'s DM channel."""
    dms = {d for d, u in fake.dm_channels.items() if u == fake.users[name]["id"]}
    return [m["content"] for m in fake.messages.values() if m["channel_id"] in dms]


@pytest.mark.parametrize(
    ("thread_mode", "refused", "code", "grant"),
    [
        ("private", r"/channels/\d+/threads", 50013, "Create Private Threads"),
        ("public", r"/channels/\d+/messages/\d+/threads", 50001, "Create Public Threads"),
    ],
    ids=["private thread, missing permissions", "thread under the card, missing access"],
)
async def test_a_refused_session_thread_is_told_to_asker_and_mentor_by_dm(
    harness: Harness, caplog: pytest.LogCaptureFixture, refused: str, code: int, grant: str
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    fake.refuse("POST", refused, code=code, message="Missing Permissions")
    (reply,) = await fake.followups(await fake.click("bob", "mm:claim:1", card["id"]))
    assert "You claimed #1" in reply.content()
    await fake.wait_until(lambda: bool(_dms_to(fake, "alice") and _dms_to(fake, "bob")))
    await _settled(harness)
    alice, bob = fake.users["alice"]["id"], fake.users["bob"]["id"]
    for name, other in (("alice", bob), ("bob", alice)):
        (told,) = [t for t in _dms_to(fake, name) if "couldn't open" in t]
        assert "Question #1" in told and "#mentoring" in told
        assert f"<@{other}>" in told and "direct messages" in told
        assert grant in told and "Send Messages in Threads" in told
    assert not fake.threads  # and nothing pretends otherwise: no intro anywhere
    # The operator: one line naming what to grant, and no one's id or words.
    (line,) = [r.getMessage() for r in caplog.records if grant in r.getMessage()]
    assert "#mentoring in server Acme" in line
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "aiohttp.access")
    assert alice not in logged and bob not in logged and "pandas" not in logged


@pytest.mark.parametrize("anonymous", [False, True])
async def test_a_refused_thread_is_said_in_the_channel_to_someone_whose_dms_are_closed(
    harness: Harness, anonymous: bool
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION, anonymous=anonymous)
    fake.close_dms("alice")
    # An anonymous session's private thread is opened in the channel, a public one on the card.
    where = r"/channels/\d+/threads" if anonymous else r"/channels/\d+/messages/\d+/threads"
    fake.refuse("POST", where, code=50013, message="Missing Permissions")
    await harness.join("bob")
    await fake.followups(await fake.click("bob", "mm:claim:1", card["id"]))
    alice = fake.users["alice"]["id"]

    def said_in_channel() -> list[str]:
        return [
            m["content"]
            for m in fake.channel_messages(fake.mentoring_id)
            if "couldn't open" in (m.get("content") or "")
        ]

    await fake.wait_until(lambda: any("couldn't open" in t for t in _dms_to(fake, "bob")))
    await _settled(harness)
    if anonymous:
        # Its session is private: a mention in the channel just as the card says "Claimed"
        # would point at the asker, so alice is not told there (bob, who knows her, is).
        assert said_in_channel() == []
        return
    (said,) = said_in_channel()
    assert said.startswith(f"<@{alice}>") and "direct message" in said
    assert "#1" not in said and fake.users["bob"]["id"] not in said


async def test_a_refused_public_thread_without_a_card_names_the_public_thread_permission(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # A question whose card was never posted gets its public thread in the channel, not under a
    # card: that takes Create Public Threads, as under a card, not Create Private Threads.
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await _a_refused_thread_without_a_card(harness, private=False)
    (line,) = [r.getMessage() for r in caplog.records if "may not" in r.getMessage()]
    assert "Create Public Threads and Send Messages in Threads" in line
    assert "Private" not in line
    for name in ("alice", "bob"):
        (told,) = [t for t in _dms_to(fake, name) if "couldn't open" in t]
        assert "Create Public Threads" in told and "Private" not in told


@pytest.mark.parametrize("private", [False, True])
async def test_someone_with_closed_dms_is_told_in_the_channel_only_for_a_public_session(
    harness: Harness, private: bool
) -> None:
    # A private session may be an anonymous question's: a mention in the channel just as its
    # card says "Claimed" would point at the asker.
    fake = harness.fake
    fake.close_dms("alice")
    await _a_refused_thread_without_a_card(harness, private=private)
    in_channel = [
        m for m in fake.channel_messages(fake.mentoring_id) if "couldn't open the thread" in str(m)
    ]
    assert len(in_channel) == (0 if private else 1)
    assert [t for t in _dms_to(fake, "bob") if "couldn't open" in t]  # bob's DMs are open


async def _a_refused_thread_without_a_card(harness: Harness, *, private: bool) -> None:
    """alice's and bob's session thread, in the channel (no card), refused for a permission."""
    fake = harness.fake
    fake.refuse("POST", r"/channels/\d+/threads", code=50013, message="Missing Permissions")
    members = [user_ref(fake.users[n]["id"]) for n in ("alice", "bob")]
    with pytest.raises(DeliveryRefused, match="50013"):
        await harness.adapter.gateway.open_thread(
            card=None,
            channel=channel_ref(fake.mentoring_id),
            members=members,
            private=private,
            name="Question #1",
        )


@pytest.mark.parametrize("thread_mode", ["private"])
@pytest.mark.parametrize("manage_threads", [False, True], ids=["invite link", "Manage Threads"])
async def test_members_refused_from_a_private_thread_name_what_adding_takes(
    harness: Harness, caplog: pytest.LogCaptureFixture, manage_threads: bool
) -> None:
    # The thread was made (Create Private Threads is there): adding people to it is what
    # Discord refused, and that takes Send Messages in Threads. The empty thread is deleted
    # when the bot may (Manage Threads); else it stays, for a retry to take.
    caplog.set_level(logging.INFO)
    fake = harness.fake
    if manage_threads:
        await fake.grant_bot(p.MANAGE_THREADS)
    card = await harness.ask("alice", QUESTION)
    fake.refuse(
        "PUT", r"/channels/\d+/thread-members/\d+", code=50013, message="Missing Permissions"
    )
    (reply,) = await fake.followups(await fake.click("bob", "mm:claim:1", card["id"]))
    assert "You claimed #1" in reply.content()
    await fake.wait_until(lambda: bool(_dms_to(fake, "alice") and _dms_to(fake, "bob")))
    await _settled(harness)
    (line,) = [r.getMessage() for r in caplog.records if "may not" in r.getMessage()]
    assert "add the asker and mentor to a private session thread" in line
    assert "Send Messages in Threads" in line and "Create Private Threads" not in line
    for name in ("alice", "bob"):
        (told,) = [t for t in _dms_to(fake, name) if "couldn't open" in t]
        assert "Send Messages in Threads" in told and "Create Private Threads" not in told
    (delete,) = [r for r in fake.requests if r.method == "DELETE"]
    if manage_threads:
        assert delete.status == 200 and not fake.threads
    else:
        assert delete.status == 403 and len(fake.threads) == 1
    assert len([r for r in fake.requests if r.path.endswith("/threads")]) == 1
