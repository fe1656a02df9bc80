"""An answer goes through the command's response_url only while Slack takes it (30 minutes):
an older one is not tried, and the answer is ephemeral in the channel instead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.gateway import SlackGateway
from adapters.slack.translate import channel_ref, user_ref
from bot.clock import ManualClock
from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage, text
from tests.adapters.slack.fake_slack import FakeSlack

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SAID = ChatMessage(body=text("You are a mentor now."))


def _gateway(fake_slack: FakeSlack, *, clock: ManualClock | None) -> SlackGateway:
    client = AsyncWebClient(token="xoxb-test", base_url=fake_slack.api_url)
    return SlackGateway(client, clock=clock)


def _reply_to(fake_slack: FakeSlack, *, issued_at: datetime | None) -> ReplyTo:
    return ReplyTo(
        user_ref("U0BOB0001"),
        channel_ref("C0MENTOR1"),
        token=fake_slack.response_url("r1"),
        issued_at=issued_at,
    )


async def test_an_answer_past_the_response_url_s_30_minutes_is_ephemeral_untried(
    fake_slack: FakeSlack,
) -> None:
    gateway = _gateway(fake_slack, clock=ManualClock(NOW))
    await gateway.reply(_reply_to(fake_slack, issued_at=NOW - timedelta(minutes=30)), SAID)
    assert not fake_slack.to("response_url")
    (ephemeral,) = fake_slack.to("chat.postEphemeral")
    assert ephemeral.params["channel"] == "C0MENTOR1" and ephemeral.params["user"] == "U0BOB0001"


@pytest.mark.parametrize(
    ("issued_at", "clock"),
    [
        (NOW - timedelta(minutes=28), ManualClock(NOW)),
        (None, ManualClock(NOW)),  # stored before issue times were recorded
        (NOW - timedelta(hours=2), None),  # a gateway not told the time
    ],
    ids=["fresh", "undated", "no-clock"],
)
async def test_an_answer_goes_through_a_response_url_not_known_to_be_too_old(
    fake_slack: FakeSlack, issued_at: datetime | None, clock: ManualClock | None
) -> None:
    gateway = _gateway(fake_slack, clock=clock)
    await gateway.reply(_reply_to(fake_slack, issued_at=issued_at), SAID)
    (answer,) = fake_slack.to("response_url", key="r1")
    assert "mentor now" in answer.text()
    assert not fake_slack.to("chat.postEphemeral")
