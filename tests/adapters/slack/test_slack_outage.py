"""Slack down or out of reach (a 5xx, Slack's own passing trouble, a connection that can't be
made) is `Unavailable`: the deliverer waits the outage out (`[flow] give_up_after_minutes`)
rather than giving the delivery up after `max_attempts`. A refusal or any other error is
unchanged."""

from __future__ import annotations

import socket

import pytest
from slack_sdk.errors import SlackApiError

from adapters.slack.errors import SlackUnavailable
from adapters.slack.gateway import SlackGateway
from adapters.slack.runtime import SlackSettings, web_client
from adapters.slack.translate import channel_ref, message_ref, user_ref
from bot.messages import ChatMessage, text
from bot.ports import DeliveryRefused, Unavailable
from tests.adapters.slack.conftest import MENTORING
from tests.adapters.slack.fake_slack import FakeSlack

SAID = ChatMessage(body=text("Hello"))


def _gateway(api_url: str) -> SlackGateway:
    return SlackGateway(web_client(SlackSettings(bot_token="xoxb-test", api_url=api_url)))


@pytest.mark.parametrize("status", [500, 502, 503, 504])
async def test_a_server_error_is_slack_being_unavailable(
    fake_slack: FakeSlack, status: int
) -> None:
    fake_slack.fail_after_apply["chat.postMessage"] = status
    with pytest.raises(Unavailable) as raised:
        await _gateway(fake_slack.api_url).send_dm(user_ref("U0BOB"), SAID, key="k1")
    # Still Slack's error, with its response, for whoever looks at the code or the status.
    assert isinstance(raised.value, SlackUnavailable) and isinstance(raised.value, SlackApiError)
    assert raised.value.response.status_code == status
    assert str(raised.value) == "Slack: internal_error (Slack is unavailable)"


async def test_slacks_own_passing_trouble_is_slack_being_unavailable(
    fake_slack: FakeSlack,
) -> None:
    fake_slack.errors["chat.postMessage"] = "service_unavailable"
    with pytest.raises(Unavailable):
        await _gateway(fake_slack.api_url).post_card(channel_ref(MENTORING), SAID, key="k1")


@pytest.mark.parametrize("code", ["internal_error", "fatal_error", "request_timeout"])
async def test_an_internal_error_with_http_200_counts_attempts(
    fake_slack: FakeSlack, code: str
) -> None:
    """It may be about this request alone (a payload Slack trips over each time; a POST cut
    short, Slack's ``request_timeout``): waited out for hours, it would hold every later
    delivery of its lane behind it."""
    fake_slack.errors["chat.postMessage"] = code
    with pytest.raises(SlackApiError) as raised:
        await _gateway(fake_slack.api_url).post_card(channel_ref(MENTORING), SAID, key="k1")
    assert not isinstance(raised.value, Unavailable)


async def test_slack_out_of_reach_is_slack_being_unavailable() -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    gateway = _gateway(f"http://127.0.0.1:{port}/api/")
    with pytest.raises(Unavailable, match="Slack could not be reached"):
        await gateway.send_dm(user_ref("U0BOB"), SAID, key="k1")
    with pytest.raises(Unavailable):
        await gateway.update_card(message_ref("C1", "1700000000.000100"), SAID)


@pytest.mark.parametrize(
    ("code", "raised"),
    [("channel_not_found", DeliveryRefused), ("invalid_arguments", SlackApiError)],
)
async def test_a_refusal_or_another_error_is_not_an_outage(
    fake_slack: FakeSlack, code: str, raised: type[Exception]
) -> None:
    fake_slack.errors["chat.postMessage"] = code
    with pytest.raises(raised) as error:
        await _gateway(fake_slack.api_url).post_card(channel_ref(MENTORING), SAID, key="k1")
    assert not isinstance(error.value, Unavailable)
