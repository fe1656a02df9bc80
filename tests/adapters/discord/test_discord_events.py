"""Gateway events against the fake: which reactions and thread messages are a person's input,
a reaction taken back and given again, a member who leaves one of two servers, and the bot
removed from a server."""

from __future__ import annotations

import logging
from typing import Any

import discord_payloads as p
import pytest
from discord_harness import Harness
from discord_helpers import eventually

from adapters.discord.translate import channel_ref, thread_ref, user_ref, workspace_ref
from bot import commands as c
from bot.flow.inbox import Inbox
from bot.logs import PAYLOAD_LOGGERS
from bot.messages import ChatMessage, text
from bot.ports import DeliveryRefused

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"


class RecordedInbox:
    """The real inbox, keeping the commands the listeners stored, in order."""

    def __init__(self, inner: Inbox) -> None:
        self._inner = inner
        self.commands: list[c.Command] = []

    async def receive_command(self, command: c.Command, **kwargs: Any) -> bool:
        self.commands.append(command)
        return await self._inner.receive_command(command, **kwargs)

    def of(self, kind: type[c.Command]) -> list[Any]:
        return [command for command in self.commands if isinstance(command, kind)]


def _recorded(harness: Harness) -> RecordedInbox:
    recorded = RecordedInbox(harness.app.inbox)
    harness.app.runtime.inbox = recorded  # type: ignore[assignment]
    return recorded


async def _stored(recorded: RecordedInbox, kind: type[c.Command], count: int = 1) -> list[Any]:
    async def enough() -> bool:
        return len(recorded.of(kind)) >= count

    await eventually(enough)
    return recorded.of(kind)


@pytest.mark.parametrize(
    "kind", [6, 7, 4], ids=["pinned a message", "added someone", "renamed the thread"]
)
async def test_a_system_message_in_a_session_thread_is_not_activity(
    harness: Harness, kind: int
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    recorded = _recorded(harness)
    await fake.say("alice", card["id"], kind=kind)  # Discord's note of what Alice did
    await fake.say("carol", card["id"])  # then someone writes
    (activity,) = await _stored(recorded, c.RecordThreadActivity)
    assert activity.actor.user == user_ref(fake.users["carol"]["id"])


async def test_a_webhook_post_in_a_session_thread_is_not_activity(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    recorded = _recorded(harness)
    await fake.webhook_says(card["id"])
    await fake.say("carol", card["id"])
    (activity,) = await _stored(recorded, c.RecordThreadActivity)
    assert activity.actor.user == user_ref(fake.users["carol"]["id"])


async def test_a_raised_hand_from_another_bot_is_not_a_claim(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    recorded = _recorded(harness)
    other_bot = p.user(fake.ids(), "autoreact", bot=True)
    await fake.dispatch(
        "MESSAGE_REACTION_ADD",
        p.reaction_add(
            user_id=other_bot["id"],
            guild_id=fake.guild_id,
            channel_id=fake.mentoring_id,
            message_id=card["id"],
            emoji="✋",
            who=p.member(other_bot),
        ),
    )
    await fake.react("bob", fake.mentoring_id, card["id"])
    (claim,) = await _stored(recorded, c.HandleReaction)
    assert claim.actor.user == user_ref(fake.users["bob"]["id"])


async def test_a_server_emoji_named_like_the_raised_hand_is_not_a_claim(harness: Harness) -> None:
    # A custom emoji has an id and a name its server chose: one called "raised_hand" is not ✋.
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    recorded = _recorded(harness)
    carol = fake.users["carol"]
    custom = p.reaction_add(
        user_id=carol["id"],
        guild_id=fake.guild_id,
        channel_id=fake.mentoring_id,
        message_id=card["id"],
        emoji="raised_hand",
        who=p.member(carol),
    )
    custom["emoji"] = {"id": fake.ids(), "name": "raised_hand", "animated": False}
    await fake.dispatch("MESSAGE_REACTION_ADD", custom)
    await fake.react("bob", fake.mentoring_id, card["id"])
    (claim,) = await _stored(recorded, c.HandleReaction)
    assert claim.actor.user == user_ref(fake.users["bob"]["id"])


async def test_a_skin_toned_raised_hand_claims(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await fake.react("bob", fake.mentoring_id, card["id"], emoji="✋🏽")
    await harness.message_with("mm:resolve:1")
    assert fake.users["bob"]["id"] in fake.thread_members[card["id"]]


async def test_a_raised_hand_taken_back_and_given_again_claims_once_the_question_is_free(
    harness: Harness,
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("bob", card)
    await fake.react("carol", fake.mentoring_id, card["id"])  # too late: Bob has it
    await fake.wait_for(lambda r: "Bob claimed #1 first" in r.content())
    await fake.followups(await fake.click("bob", "mm:release:1", intro["id"]))
    await fake.wait_until(lambda: "mm:claim:1" in str(fake.messages[card["id"]]["components"]))
    # At once, well within the window that drops replayed events: Carol takes her ✋ back
    # and gives it again, which Discord tells as a removal and a new reaction.
    await fake.unreact("carol", fake.mentoring_id, card["id"])
    await fake.react("carol", fake.mentoring_id, card["id"])
    await fake.wait_until(lambda: fake.users["carol"]["id"] in fake.thread_members[card["id"]])


async def test_a_member_who_leaves_another_server_keeps_mentoring_here(harness: Harness) -> None:
    fake = harness.fake
    other = fake.ids()  # a second server the bot serves; Bob is a member of both
    await harness.app.bus.handle(
        c.RegisterWorkspace(
            workspace_ref(other), channel_ref(fake.ids()), channel_ref(fake.ids()), name="Other"
        )
    )
    await harness.join("bob")
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    worker = harness.app.runtime.inbox_worker
    taken = worker.processed
    await fake.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": other, "user": fake.users["bob"]})
    bob = user_ref(fake.users["bob"]["id"])

    async def processed() -> bool:
        async with harness.app.uow_factory(read_only=True) as uow:
            return worker.processed > taken and await uow.inbox.pending() == 0

    await eventually(processed)
    async with harness.app.uow_factory(read_only=True) as uow:
        # Still mentoring here, so not someone who has left.
        assert await uow.privacy.left_at(bob) is None
        profile = await uow.mentors.get(bob, workspace_ref(fake.guild_id))
        question = await uow.questions.get_by_number(workspace_ref(fake.guild_id), 1)
    assert profile is not None and profile.active
    assert question is not None and question.mentor == bob


async def test_removed_from_a_server_the_bot_stops_posting_there_at_once(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="adapters.discord")
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id})
    # Discord answers 403 Missing Access from now on; the bot does not even ask.
    fake.refuse("POST", r"/channels/\d+/messages")

    async def told() -> bool:
        return "removed from Discord server" in caplog.text

    await eventually(told)
    before = len(fake.requests)
    gateway = harness.adapter.gateway
    with pytest.raises(DeliveryRefused):
        await gateway.post_card(channel_ref(fake.mentoring_id), ChatMessage(body=text("Digest")))
    with pytest.raises(DeliveryRefused):
        await gateway.post_in_thread(thread_ref(card["id"]), ChatMessage(body=text("Nudge")))
    assert len(fake.requests) == before


async def test_a_server_that_is_only_unavailable_is_still_served(harness: Harness) -> None:
    fake = harness.fake
    await fake.dispatch("GUILD_DELETE", {"id": fake.guild_id, "unavailable": True})
    sent = await harness.adapter.gateway.post_card(
        channel_ref(fake.mentoring_id), ChatMessage(body=text("Digest"))
    )
    assert sent.id.startswith(f"{fake.mentoring_id}:")


async def test_a_message_mentioning_the_bot_is_not_taken_for_a_text_command(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Discord sends the content of a message that mentions the bot, Message Content intent or
    not: "@Micromentor help" is no command (there are none) — no error logged, and nothing of
    what the member wrote in the log."""
    import discord_payloads as p

    fake = harness.fake
    caplog.set_level(logging.DEBUG)
    user = fake.users["alice"]
    bot_id = fake.bot_user["id"]
    said = f"<@{bot_id}> help me with my secret project"
    msg = p.message(
        fake.ids(),
        channel_id=fake.mentoring_id,
        author=user,
        body={"content": said},
        guild_id=fake.guild_id,
    )
    msg["mentions"] = [fake.bot_user]
    msg["member"] = {k: v for k, v in p.member(user).items() if k != "user"}
    await fake.dispatch("MESSAGE_CREATE", msg)
    await harness.ask("alice", "How do I group a pandas DataFrame by two columns and sum one?")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert "CommandNotFound" not in caplog.text
    # Only discord.py's gateway DEBUG lines carry the payload, and those are held back from
    # every handler the bot configures (`bot.logs.PAYLOAD_LOGGERS`).
    told = [r.name for r in caplog.records if "secret project" in r.getMessage()]
    assert set(told) <= {"discord.gateway"}
    assert "discord.gateway" in PAYLOAD_LOGGERS


async def test_a_message_in_a_thread_of_another_channel_is_not_stored(harness: Harness) -> None:
    """Only threads of the server's mentoring channel can be sessions: a member writing in a
    thread of #mentor-admins (or of any other channel) stores nothing in the inbox."""
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    recorded = _recorded(harness)
    elsewhere = fake.ids()
    await fake.dispatch(
        "THREAD_CREATE",
        p.thread_channel(
            elsewhere,
            "release plans",
            guild_id=fake.guild_id,
            parent_id=fake.admin_id,
            owner_id=fake.users["admin"]["id"],
            private=False,
        )
        | {"newly_created": True},
    )
    await fake.say("carol", elsewhere)
    await fake.say("alice", card["id"])  # then someone writes in the session thread
    (activity,) = await _stored(recorded, c.RecordThreadActivity)
    assert activity.thread == thread_ref(card["id"])
    assert activity.actor.user == user_ref(fake.users["alice"]["id"])


async def test_a_session_threads_message_before_its_server_is_set_up_is_still_stored(
    harness: Harness,
) -> None:
    """Until the server's channels are known (connecting, before set-up finishes) a thread is
    not told apart by its channel: its messages are stored as ever and the core reads them
    by thread, so a session being talked in is not taken for quiet."""
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    recorded = _recorded(harness)
    channels = harness.adapter.events.channels
    known = channels.pop(int(fake.guild_id))
    try:
        await fake.say("alice", card["id"])
        (activity,) = await _stored(recorded, c.RecordThreadActivity)
    finally:
        channels[int(fake.guild_id)] = known
    assert activity.thread == thread_ref(card["id"])
