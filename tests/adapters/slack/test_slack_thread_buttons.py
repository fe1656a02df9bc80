"""A button pressed on a message inside a session's thread (Extend, Resolve, a rating) is answered
in that thread (chat.postEphemeral with its thread_ts), not on the response_url, whose answer
would show at the channel's root; a button on a message at the root is answered as before."""

from __future__ import annotations

from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.test_slack_flows import claimed

WRAP_UP = "1700000009.000009"  # a message of the bot's inside the thread


async def press_in_thread(slack: SlackHarness, action_id: str, *, thread_ts: str) -> None:
    """block_actions as Slack sends it for a button on a reply in a thread: the container and
    the message both carry the thread's ts."""
    await slack._press(
        "bob",
        action_id,
        99,
        container={
            "type": "message",
            "message_ts": WRAP_UP,
            "channel_id": MENTORING,
            "is_ephemeral": False,
            "thread_ts": thread_ts,
        },
        channel={"id": MENTORING, "name": "mentoring"},
        message={"type": "message", "ts": WRAP_UP, "thread_ts": thread_ts, "text": "wrap-up"},
        response_url=slack.fake.response_url("thr1"),
    )


async def test_a_button_pressed_in_a_thread_is_answered_in_that_thread(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    await press_in_thread(slack, "mm:extend:1", thread_ts=ts)
    answered = await slack.fake.wait_for(
        lambda: slack.fake.to("chat.postEphemeral", user=USERS["bob"], thread_ts=ts),
        what="the answer in the thread",
    )
    assert answered[0].params["channel"] == MENTORING
    await slack.settled()
    assert not slack.fake.to("response_url", key="thr1")


async def test_a_button_on_a_message_at_the_root_is_answered_on_its_response_url(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    await slack.settled()
    before = len(slack.fake.to("response_url"))
    await slack.click("bob", "mm:extend:1", channel=MENTORING, ts=ts)
    await slack.settled()
    assert len(slack.fake.to("response_url")) > before
    assert not slack.fake.to("chat.postEphemeral", user=USERS["bob"], thread_ts=ts)
