"""Slack's rate limits as its docs tell them: chat.postMessage's own ``rate_limited`` (HTTP 200)
is waited out like a 429; ``request_timeout`` (a POST cut short) counts attempts; and the look
for an earlier attempt, which Slack may allow one call a minute (conversations.history/replies
for commercially distributed apps outside the Marketplace, since 2025), can't postpone a
delivery for ever."""

from __future__ import annotations

import logging

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from adapters.slack.errors import cannot_look, classify
from adapters.slack.gateway import SlackGateway
from adapters.slack.runtime import SlackSettings, web_client
from adapters.slack.translate import channel_ref, thread_ref, user_ref
from bot.messages import ChatMessage, text
from bot.ports import RetryAfter, Unavailable
from tests.adapters.slack.conftest import MENTORING, SlackHarness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_delivery import cards
from tests.adapters.slack.test_slack_flows import QUESTION

CARD = ChatMessage(body=text("Question #1"))


def _gateway(fake: FakeSlack) -> SlackGateway:
    return SlackGateway(web_client(SlackSettings(bot_token="xoxb-test", api_url=fake.api_url)))


# --- rate_limited ----------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["chat.postMessage", "chat.postEphemeral"])
async def test_rate_limited_in_a_200_body_is_waited_out_not_counted(
    fake_slack: FakeSlack, method: str
) -> None:
    """chat.postMessage / chat.postEphemeral: ``rate_limited`` ("Application has posted too
    many messages"), with HTTP 200 and no Retry-After: a rate limit, waited out for a minute."""
    fake_slack.errors[method] = "rate_limited"
    gateway = _gateway(fake_slack)
    with pytest.raises(RetryAfter) as raised:
        if method == "chat.postMessage":
            await gateway.post_card(channel_ref(MENTORING), CARD, key="k1")
        else:
            await gateway.send_private(
                user=user_ref("U0BOB0001"), channel=channel_ref(MENTORING), message=CARD
            )
    assert raised.value.seconds == 60


def _error(code: str, *, status: int = 200, headers: dict[str, str] | None = None) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code},
        headers=headers or {},
        status_code=status,
    )
    return SlackApiError(code, response)  # type: ignore[no-untyped-call]


def test_rate_limited_keeps_a_retry_after_slack_gives() -> None:
    found = classify(_error("rate_limited", headers={"Retry-After": "7"}))
    assert isinstance(found, RetryAfter) and found.seconds == 7
    ratelimited = classify(_error("ratelimited", status=429))  # unchanged: a second
    assert isinstance(ratelimited, RetryAfter) and ratelimited.seconds == 1


@pytest.mark.parametrize("code", ["rate_limited", "ratelimited"])
def test_a_rate_limited_look_up_is_waited_for(code: str) -> None:
    assert not cannot_look(_error(code))


# --- request_timeout -------------------------------------------------------------------------


async def test_request_timeout_is_a_bad_request_that_counts_attempts(
    fake_slack: FakeSlack,
) -> None:
    """Slack: "The method was called via a POST request, but the POST data was either missing
    or truncated": an ordinary failure (attempts counted), not an outage waited out for
    hours."""
    fake_slack.errors["chat.postMessage"] = "request_timeout"
    with pytest.raises(SlackApiError) as raised:
        await _gateway(fake_slack).post_card(channel_ref(MENTORING), CARD, key="k1")
    assert not isinstance(raised.value, Unavailable | RetryAfter)


# --- the look for an earlier attempt, rate limited after its first page -----------------------


async def _posted_behind(fake: FakeSlack, gateway: SlackGateway, newer: int) -> None:
    """A card posted whose answer was lost (applied, answered 500), then `newer` messages."""
    fake.fail_after_apply["chat.postMessage"] = 500
    with pytest.raises(SlackApiError):
        await gateway.post_card(channel_ref(MENTORING), CARD, key="k1")
    for n in range(newer):
        fake.messages[(MENTORING, f"1800000000.{n:06d}")] = {"text": f"chatter {n}"}


async def test_a_look_rate_limited_after_its_first_page_posts_again(
    fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    """The first page of the history did not hold the earlier attempt and the second is rate
    limited for a minute: waiting would start over at the first page and meet the limit again,
    for ever. The look ends there, as one that can't be made: posted again."""
    gateway = _gateway(fake_slack)
    await _posted_behind(fake_slack, gateway, newer=250)
    fake_slack.fail_next(
        "conversations.history", status=429, headers={"Retry-After": "60"}, after=1
    )
    with caplog.at_level(logging.WARNING, logger="adapters.slack.gateway"):
        posted = await gateway.post_card(channel_ref(MENTORING), CARD, key="k1", retry=True)
    assert posted.id.startswith(f"{MENTORING}:")
    assert len(fake_slack.to("conversations.history", channel=MENTORING)) == 1
    assert len(fake_slack.to("conversations.history", channel=MENTORING, failed=True)) == 1
    assert len(fake_slack.to("chat.postMessage", channel=MENTORING)) == 1
    assert "could not look further back" in caplog.text


async def test_a_thread_look_rate_limited_after_its_first_page_posts_again(
    fake_slack: FakeSlack,
) -> None:
    gateway = _gateway(fake_slack)
    root = await gateway.post_card(channel_ref(MENTORING), CARD)
    ts = root.id.split(":")[-1]
    for n in range(250):
        fake_slack.messages[(MENTORING, f"1700000001.{n:06d}")] = {"text": "hi", "thread_ts": ts}
    fake_slack.fail_next(
        "conversations.replies", status=429, headers={"Retry-After": "60"}, after=1
    )
    posted = await gateway.post_in_thread(thread_ref(MENTORING, ts), CARD, key="k2", retry=True)
    assert posted.id.startswith(f"{MENTORING}:")
    assert len(fake_slack.to("conversations.replies", failed=True)) == 1


async def test_a_look_rate_limited_on_its_first_page_still_waits(fake_slack: FakeSlack) -> None:
    """Nothing read yet: the delivery waits (Retry-After) and looks again, as before."""
    gateway = _gateway(fake_slack)
    await _posted_behind(fake_slack, gateway, newer=250)
    fake_slack.fail_next("conversations.history", status=429, headers={"Retry-After": "60"})
    with pytest.raises(RetryAfter):
        await gateway.post_card(channel_ref(MENTORING), CARD, key="k1", retry=True)
    found = await gateway.post_card(channel_ref(MENTORING), CARD, key="k1", retry=True)
    assert len(fake_slack.to("chat.postMessage", channel=MENTORING)) == 0  # found, not posted
    [card] = [ts for (_, ts), m in fake_slack.messages.items() if m.get("metadata")]
    assert found.id == f"{MENTORING}:{card}"


async def test_a_card_whose_look_is_rate_limited_on_page_two_is_delivered_soon(
    slack: SlackHarness,
) -> None:
    """End to end: the card's post went out but answered 500, a busy channel pushed it off the
    first page, and Slack allows one history call a minute. The delivery is done within
    seconds (posted again), not postponed a minute at a time for ever."""
    await slack.join("bob", "python, pandas")
    for n in range(250):
        slack.fake.messages[(MENTORING, f"1800000000.{n:06d}")] = {"text": f"chatter {n}"}
    slack.fake.fail_after_apply[f"chat.postMessage@{MENTORING}"] = 500
    slack.fake.fail_next(
        "conversations.history", status=429, headers={"Retry-After": "60"}, after=1
    )
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.fake.wait_for(lambda: cards(slack, 1), what="the card's first attempt")
    await slack.settled(within=20)
    assert slack.fake.to("conversations.history", channel=MENTORING, failed=True)
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None
