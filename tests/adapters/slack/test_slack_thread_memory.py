"""Which thread a message is in, remembered (`ThreadMemory`): a ✅ on a message the bot has seen
(a reply it received or posted, a thread's first message) needs no conversations.replies call,
which Slack limits to one a minute for apps outside the Marketplace. What is remembered is what
conversations.replies would say; a message not seen is looked up as before; the memory is
bounded."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.slack.gateway import SlackGateway
from adapters.slack.runtime import SlackSettings, web_client
from adapters.slack.thread_memory import ThreadMemory
from adapters.slack.translate import channel_ref, thread_ref
from bot.domain import QuestionState
from bot.messages import ChatMessage, text
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_flows import card_updates, claimed, state_of

SAID = ChatMessage(body=text("hello"))
OTHER = "C0OTHER01"


def _gateway(fake: FakeSlack, **kw: Any) -> SlackGateway:
    client = web_client(SlackSettings(bot_token="xoxb-test", api_url=fake.api_url))
    return SlackGateway(client, team_id="T0FAKE001", **kw)


def _lookups(fake: FakeSlack, **where: Any) -> int:
    return len(fake.to("conversations.replies", **where))


def _reply_event(user: str, channel: str, ts: str, thread_ts: str, **kw: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": channel,
        "user": user,
        "text": "try groupby",
        "ts": ts,
        "thread_ts": thread_ts,
        "channel_type": "channel",
        **kw,
    }


def _written_in(fake: FakeSlack, channel: str, thread_ts: str) -> str:
    """A person's reply in the thread, as it is in the workspace (its event not received)."""
    ts = fake._next_ts()
    fake.messages[(channel, ts)] = {"type": "message", "ts": ts, "thread_ts": thread_ts}
    return ts


# --- the app: a ✅ in a session thread -------------------------------------------------------


async def test_a_checkmark_on_a_reply_the_bot_received_resolves_without_a_look_up(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    reply = _written_in(slack.fake, MENTORING, ts)
    await slack.event(_reply_event(USERS["bob"], MENTORING, reply, ts))
    await slack.settled()
    looked = _lookups(slack.fake)
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    assert await state_of(slack, 1) is QuestionState.RESOLVED
    assert _lookups(slack.fake) == looked


async def test_a_checkmark_on_the_bots_own_reply_needs_no_look_up(slack: SlackHarness) -> None:
    """The intro the bot posted in the session thread."""
    ts = await claimed(slack)
    intro = next(
        t for (_, t), m in slack.fake.messages.items() if m.get("thread_ts") == ts and t != ts
    )
    looked = _lookups(slack.fake)
    await slack.react("alice", MENTORING, intro, "white_check_mark")
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    assert _lookups(slack.fake) == looked


async def test_a_checkmark_on_the_card_of_a_session_thread_needs_no_look_up(
    slack: SlackHarness,
) -> None:
    """The card is the thread's first message: the bot's reply under it made it one."""
    ts = await claimed(slack)
    looked = _lookups(slack.fake)
    await slack.react("alice", MENTORING, ts, "white_check_mark")
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    assert _lookups(slack.fake) == looked


async def test_a_checkmark_on_a_reply_never_seen_is_looked_up_and_resolves(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    reply = _written_in(slack.fake, MENTORING, ts)  # no message event for it (not subscribed)
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    assert await state_of(slack, 1) is QuestionState.RESOLVED
    assert _lookups(slack.fake, channel=MENTORING, ts=reply) == 1


# --- the gateway: what it remembers is what conversations.replies says ----------------------


async def test_what_is_remembered_is_what_slack_says(fake_slack: FakeSlack) -> None:
    remembering = _gateway(fake_slack)
    card = await remembering.post_card(channel_ref(MENTORING), SAID)
    _, card_ts = card.id.split(":")
    # At the root without replies: the whole channel, as Slack says, asked each time (a reply
    # may come).
    assert await remembering.thread_of(MENTORING, card_ts) == thread_ref(MENTORING)
    assert await remembering.thread_of(MENTORING, card_ts) == thread_ref(MENTORING)
    assert _lookups(fake_slack, ts=card_ts) == 2
    posted = await remembering.post_in_thread(thread_ref(MENTORING, card_ts), SAID)
    _, reply_ts = posted.id.split(":")
    looked = _lookups(fake_slack)
    assert await remembering.thread_of(MENTORING, reply_ts) == thread_ref(MENTORING, card_ts)
    assert await remembering.thread_of(MENTORING, card_ts) == thread_ref(MENTORING, card_ts)
    assert _lookups(fake_slack) == looked
    # Gateways that remember nothing ask Slack, and are told the same.
    assert await _gateway(fake_slack).thread_of(MENTORING, reply_ts) == thread_ref(
        MENTORING, card_ts
    )
    assert await _gateway(fake_slack).thread_of(MENTORING, card_ts) == thread_ref(
        MENTORING, card_ts
    )
    assert _lookups(fake_slack) == looked + 2


async def test_a_reply_looked_up_once_is_not_looked_up_again(fake_slack: FakeSlack) -> None:
    gateway = _gateway(fake_slack)
    card = await _gateway(fake_slack).post_card(channel_ref(MENTORING), SAID)
    _, card_ts = card.id.split(":")
    reply = _written_in(fake_slack, MENTORING, card_ts)
    fake_slack.messages[(MENTORING, card_ts)]["thread_ts"] = card_ts
    for _ in range(3):
        assert await gateway.thread_of(MENTORING, reply) == thread_ref(MENTORING, card_ts)
    assert _lookups(fake_slack, ts=reply) == 1


async def test_a_message_in_another_channel_or_workspace_is_not_taken_for_it(
    fake_slack: FakeSlack,
) -> None:
    """A ts is unique in its channel only; one memory may serve several workspaces."""
    shared = ThreadMemory()
    gateway = _gateway(fake_slack, threads=shared)
    shared.learn("T0FAKE001", _reply_event(USERS["bob"], OTHER, "1.000002", "1.000001"))
    shared.learn("T0ELSE001", _reply_event(USERS["bob"], MENTORING, "1.000002", "1.000001"))
    assert await gateway.thread_of(OTHER, "1.000002") == thread_ref(OTHER, "1.000001")
    looked = _lookups(fake_slack)
    # Not in this workspace's channel: looked up (the fake knows no such message: taken as a
    # thread's first message, as before).
    assert await gateway.thread_of(MENTORING, "1.000002") == thread_ref(MENTORING, "1.000002")
    assert _lookups(fake_slack) == looked + 1


async def test_a_lookup_that_fails_is_not_remembered(fake_slack: FakeSlack) -> None:
    gateway = _gateway(fake_slack)
    assert await gateway.thread_of(MENTORING, "1.000009") == thread_ref(MENTORING, "1.000009")
    assert await gateway.thread_of(MENTORING, "1.000009") == thread_ref(MENTORING, "1.000009")
    assert _lookups(fake_slack, ts="1.000009") == 2
    assert len(gateway.threads) == 0


# --- the memory ------------------------------------------------------------------------------


def test_a_reply_and_its_threads_first_message_are_remembered() -> None:
    memory = ThreadMemory()
    memory.learn("T1", _reply_event("U1", "C1", "5.0", "4.0"))
    assert memory.thread_of("T1", "C1", "5.0") == thread_ref("C1", "4.0")
    assert memory.thread_of("T1", "C1", "4.0") == thread_ref("C1", "4.0")
    assert memory.thread_of("T1", "C2", "5.0") is None
    assert memory.thread_of("T2", "C1", "5.0") is None


@pytest.mark.parametrize(
    "event",
    [
        # At the root: it may get replies later (then conversations.replies says otherwise).
        {"type": "message", "channel": "C1", "user": "U1", "ts": "5.0"},
        # An edit: the event's ts is its own, the message inside another.
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "ts": "5.0",
            "hidden": True,
            "message": {"type": "message", "ts": "3.0", "thread_ts": "2.0"},
        },
        {
            "type": "message",
            "subtype": "message_changed",
            "channel": "C1",
            "ts": "5.0",
            "thread_ts": "2.0",
        },
        {
            "type": "message",
            "subtype": "message_deleted",
            "channel": "C1",
            "ts": "5.0",
            "deleted_ts": "3.0",
            "thread_ts": "2.0",
        },
        {
            "type": "message",
            "subtype": "message_replied",
            "channel": "C1",
            "ts": "5.0",
            "thread_ts": "2.0",
        },
        {"type": "reaction_added", "channel": "C1", "ts": "5.0", "thread_ts": "2.0"},
    ],
)
def test_edits_deletions_and_root_messages_teach_nothing(event: dict[str, Any]) -> None:
    memory = ThreadMemory()
    memory.learn("T1", event)
    assert len(memory) == 0


def test_the_memory_is_bounded_the_least_recently_used_forgotten_first() -> None:
    memory = ThreadMemory(size=3)
    memory.in_thread("T1", "C1", "1.0", "1.0")
    memory.in_thread("T1", "C1", "2.0", "2.0")
    memory.in_thread("T1", "C1", "3.0", "3.0")
    assert memory.thread_of("T1", "C1", "1.0") is not None  # used: kept
    memory.in_thread("T1", "C1", "4.0", "4.0")
    assert len(memory) == 3
    assert memory.thread_of("T1", "C1", "2.0") is None
    assert memory.thread_of("T1", "C1", "1.0") == thread_ref("C1", "1.0")
    for n in range(1000):
        memory.in_thread("T1", "C1", f"{n}.5", "9.0")
    assert len(memory) == 3


async def test_a_gateway_with_a_full_memory_looks_up_what_it_forgot(fake_slack: FakeSlack) -> None:
    gateway = _gateway(fake_slack, threads=ThreadMemory(size=2))
    card = await gateway.post_card(channel_ref(MENTORING), SAID)
    _, card_ts = card.id.split(":")
    thread = thread_ref(MENTORING, card_ts)
    replies = [(await gateway.post_in_thread(thread, SAID)).id.split(":")[1] for _ in range(3)]
    assert len(gateway.threads) == 2
    looked = _lookups(fake_slack)
    assert await gateway.thread_of(MENTORING, replies[0]) == thread  # forgotten: asked
    assert _lookups(fake_slack) == looked + 1
