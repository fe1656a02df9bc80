"""Delivery against a Slack that fails as Slack documents it: 5xx, a post applied but answered
with an error, a closed DM, a slow Slack. State stays right, every deliverable message is
delivered exactly once, the undeliverable one is logged (without ids) and skipped, and nobody
else waits for it."""

from __future__ import annotations

import json
import logging
import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_slack_response import AsyncSlackResponse as SlackResponse

from adapters.slack.errors import classify
from adapters.slack.gateway import OUTBOX_EVENT, SlackGateway
from adapters.slack.runtime import SlackSettings, web_client
from adapters.slack.translate import channel_ref, user_ref
from bot.domain import QuestionState
from bot.messages import ChatMessage, text
from bot.ports import DeliveryRefused, RetryAfter
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_flows import QUESTION, asked, claimed, intro, state_of


def card_key(slack: SlackHarness) -> str:
    """The idempotency key of the card's delivery, as the outbox stored it."""
    [post] = [
        c
        for c in slack.fake.calls
        if c.method == "chat.postMessage"
        and "Question #1*" in c.text()
        and not c.params.get("thread_ts")
    ]
    return str(post.params["metadata"]["event_payload"]["key"])


def cards(slack: SlackHarness, number: int) -> list[dict[str, object]]:
    """Card messages as they exist in the fake workspace (a post answered with an error may
    still have been made)."""
    return [
        m
        for (channel, ts), m in slack.fake.messages.items()
        if channel == MENTORING
        and f"Question #{number}*" in json.dumps(m.get("blocks"))
        and m.get("thread_ts") in (None, ts)
    ]


def thread_messages(slack: SlackHarness, ts: str, needle: str) -> list[dict[str, object]]:
    return [
        m
        for (channel, mts), m in slack.fake.messages.items()
        if channel == MENTORING
        and m.get("thread_ts") == ts
        and mts != ts
        and needle in json.dumps(m.get("blocks"))
    ]


async def test_a_server_error_on_the_card_is_retried_and_the_card_posted_once(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.fail_next("chat.postMessage", status=503, headers={})
    slack.fake.fail_next("chat.postMessage", status=503, headers={})
    slack.fake.fail_next("chat.postMessage", status=503, headers={})
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.replies_to("alice", "your question is #1")
    await slack.card_of(1)
    await slack.settled(within=20)
    assert len(cards(slack, 1)) == 1
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None and q.card.id.endswith(slack.card_ts(1))


async def test_a_post_that_went_out_but_answered_an_error_is_not_posted_twice(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.fail_after_apply[f"chat.postMessage@{MENTORING}"] = 500  # the card's post
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.replies_to("alice", "your question is #1")
    await slack.settled(within=20)
    [card] = cards(slack, 1)
    assert card["metadata"] == {
        "event_type": OUTBOX_EVENT,
        "event_payload": {"key": card_key(slack)},
    }
    looked = slack.fake.to("conversations.history", channel=MENTORING)
    assert looked and looked[0].params.get("include_all_metadata") in (True, "true", "1")
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None and q.card.id.endswith(slack.card_ts(1))
    # The claim still finds the card and its thread.
    await slack.react("bob", MENTORING, slack.card_ts(1))
    await intro(slack, slack.card_ts(1))
    assert await state_of(slack, 1) is QuestionState.CLAIMED


async def test_a_thread_message_that_went_out_but_answered_an_error_is_not_posted_twice(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    slack.fake.fail_after_apply["chat.postMessage"] = 502
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=ts)
    await slack.replies_to("bob", "you claimed #1")
    await slack.settled(within=20)
    assert len(thread_messages(slack, ts, " meet ")) == 1
    assert slack.fake.to("conversations.replies", channel=MENTORING, ts=ts)


async def test_a_closed_dm_is_skipped_logged_without_ids_and_holds_up_nobody(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.join("carol", "python, pandas")
    await slack.join("dave", "python, pandas")
    ts = await claimed(slack, mentor="bob")
    # carol has closed her DMs with the app; a release DMs the suggested mentors.
    slack.fake.refuse[USERS["carol"]] = "messages_tab_disabled"
    with caplog.at_level(logging.INFO):
        await slack.click("bob", "mm:release:1", channel=MENTORING, ts=ts)
        await slack.replies_to("bob", "you released #1")
        await slack.settled()
    assert await state_of(slack, 1) is QuestionState.OPEN
    dms_to_dave = [
        c
        for c in slack.fake.to("chat.postMessage", channel=USERS["dave"])
        if "looking for a mentor again" in c.text()
    ]
    assert len(dms_to_dave) == 1
    assert slack.fake.to("chat.postMessage", channel=USERS["carol"], failed=True)
    async with slack.app.uow_factory() as uow:
        assert await uow.outbox.pending() == 0
    skipped = [r.getMessage() for r in caplog.records if "skipped" in r.getMessage()]
    assert skipped and all(uid not in m for m in skipped for uid in USERS.values())
    # The card shows it open again, and a new claim works.
    await slack.click("dave", "mm:claim:1", channel=MENTORING, ts=ts)
    await slack.replies_to("dave", "you claimed #1")


async def test_a_slow_slack_does_not_hold_up_another_persons_command(
    slack: SlackHarness,
) -> None:
    """SQLite has one writer: no transaction is open while a Slack call takes its time."""
    await slack.join("bob", "python, pandas")
    slack.fake.delay["chat.postMessage"] = 3.0
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.replies_to("alice", "your question is #1")
    started = time.monotonic()
    await slack.command("carol", "/mentor", "join sql")
    await slack.replies_to("carol", "mentor")
    assert time.monotonic() - started < 1.5
    assert cards(slack, 1) == []  # the card is still on its slow way
    slack.fake.delay.clear()
    await slack.card_of(1)


async def test_a_post_that_went_out_is_found_again_behind_a_page_of_newer_messages(
    slack: SlackHarness,
) -> None:
    """A busy channel: more than a page of messages came after the attempt that went out but
    answered an error; the retry pages back through the history and still finds it."""
    await slack.join("bob", "python, pandas")
    # Others' messages, all newer than the card will be (their ts is later): the history reads
    # them first, as if they had been posted between the card's attempt and its retry.
    for n in range(450):
        slack.fake.messages[(MENTORING, f"1800000000.{n:06d}")] = {"text": f"chatter {n}"}
    slack.fake.fail_after_apply[f"chat.postMessage@{MENTORING}"] = 500
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.fake.wait_for(lambda: cards(slack, 1), what="the card's first attempt")
    await slack.settled(within=20)
    assert len(cards(slack, 1)) == 1
    pages = slack.fake.to("conversations.history", channel=MENTORING)
    assert len(pages) >= 3 and all(int(p.params["limit"]) <= 200 for p in pages)
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None and q.card.id.endswith(slack.card_ts(1))


async def test_a_rate_limited_look_for_the_earlier_attempt_waits_and_posts_once(
    slack: SlackHarness,
) -> None:
    """The card's post went out but answered 500; its retry's conversations.history is rate
    limited (Retry-After longer than the client waits): the delivery waits, looks again and
    finds the card instead of posting it blind."""
    await slack.join("bob", "python, pandas")
    slack.fake.fail_after_apply[f"chat.postMessage@{MENTORING}"] = 500
    slack.fake.fail_next("conversations.history", status=429, headers={"Retry-After": "3"})
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.fake.wait_for(lambda: cards(slack, 1), what="the card's first attempt")
    await slack.settled(within=20)
    assert len(cards(slack, 1)) == 1
    assert slack.fake.to("conversations.history", channel=MENTORING, failed=True)
    assert slack.fake.to("conversations.history", channel=MENTORING)  # looked again, found it
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None and q.card.id.endswith(slack.card_ts(1))


def _gateway(fake: FakeSlack) -> SlackGateway:
    return SlackGateway(web_client(SlackSettings(bot_token="xoxb-test", api_url=fake.api_url)))


async def _posted_once_unknown(fake: FakeSlack, gateway: SlackGateway) -> None:
    """A card posted whose answer was lost (applied, answered 500)."""
    fake.fail_after_apply["chat.postMessage"] = 500
    with pytest.raises(SlackApiError):
        await gateway.post_card(channel_ref(MENTORING), CARD, key="k1")
    assert len(fake.messages) == 1


CARD = ChatMessage(body=text("Question #1"))


@pytest.mark.parametrize(
    "failure",
    ["429", "503", "internal_error", "service_unavailable"],
)
async def test_a_retry_that_cannot_look_for_now_does_not_post_blind(
    fake_slack: FakeSlack, failure: str
) -> None:
    gateway = _gateway(fake_slack)
    await _posted_once_unknown(fake_slack, gateway)
    if failure == "429":
        fake_slack.fail_next("conversations.history", status=429, headers={"Retry-After": "30"})
    elif failure == "503":
        for _ in range(3):  # the client repeats a read twice after a 5xx
            fake_slack.fail_next("conversations.history", status=503, headers={"X": "y"})
    else:
        fake_slack.errors["conversations.history"] = failure
    with pytest.raises(Exception) as raised:
        await gateway.post_card(channel_ref(MENTORING), CARD, key="k1", retry=True)
    assert not isinstance(raised.value, DeliveryRefused)  # retried later, not skipped
    if failure == "429":
        assert isinstance(raised.value, RetryAfter) and raised.value.seconds == 30
    assert len(fake_slack.to("chat.postMessage", channel=MENTORING)) == 0  # only the failed one
    assert len(fake_slack.messages) == 1
    # Once Slack answers again, the retry finds the card.
    fake_slack.errors.clear()
    found = await gateway.post_card(channel_ref(MENTORING), CARD, key="k1", retry=True)
    assert len(fake_slack.messages) == 1 and found.id.endswith(next(iter(fake_slack.messages))[1])


@pytest.mark.parametrize("code", ["missing_scope", "channel_not_found", "invalid_cursor"])
async def test_a_retry_that_may_never_look_posts_again(fake_slack: FakeSlack, code: str) -> None:
    """The app cannot read the channel's history (an installation without the scope), or Slack
    answers an error it does not call passing: waiting would give the message up after its
    attempts, so posting again is the only way it arrives at all."""
    gateway = _gateway(fake_slack)
    fake_slack.errors["conversations.history"] = code
    posted = await gateway.post_card(channel_ref(MENTORING), CARD, key="k1", retry=True)
    assert posted.id.startswith(f"{MENTORING}:")
    assert len(fake_slack.to("chat.postMessage", channel=MENTORING)) == 1


@pytest.mark.parametrize(
    "code",
    [
        "user_not_visible",
        "invalid_user_combination",
        "not_enough_users",
        "too_many_users",
        "users_list_not_supplied",
        "user_not_found",
        "user_disabled",
        "cannot_dm_bot",
    ],
)
async def test_a_group_dm_slack_will_not_open_for_these_people_is_refused_at_once(
    fake_slack: FakeSlack, code: str
) -> None:
    """conversations.open's documented errors for the people asked: no retry changes them, so
    the delivery is skipped (`DeliveryRefused`) instead of holding up its lane five times."""
    gateway = _gateway(fake_slack)
    members = [user_ref(USERS["alice"]), user_ref(USERS["bob"])]
    fake_slack.refuse[",".join(m.id for m in members)] = code
    with pytest.raises(DeliveryRefused, match=code):
        await gateway.open_thread(
            card=None, channel=channel_ref(MENTORING), members=members, private=True, name="s"
        )
    assert len(fake_slack.to("conversations.open", failed=True)) == 1


# Slack's documented errors of chat.postMessage / chat.update / chat.postEphemeral that no retry
# changes: each is a refusal (skipped), never a retry that scans the channel's history again.
PERMANENT = [
    "restricted_action_read_only_channel",
    "restricted_action_thread_only_channel",
    "restricted_action_non_threadable_channel",
    "restricted_action_thread_locked",
    "ekm_access_denied",
    "invalid_metadata_format",
    "invalid_metadata_schema",
    "metadata_too_large",
    "no_text",
    "edit_window_closed",
    "is_inactive",
    "as_user_not_supported",
    "cannot_reply_to_message",
    "slack_connect_file_link_sharing_blocked",
    "slack_connect_canvas_sharing_blocked",
    "slack_connect_lists_sharing_blocked",
]


def _slack_error(code: str, status: int = 200) -> SlackApiError:
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="https://slack.com/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": code},
        headers={},
        status_code=status,
    )
    return SlackApiError(code, response)


@pytest.mark.parametrize("code", PERMANENT)
def test_a_permanent_error_is_a_refusal(code: str) -> None:
    refused = classify(_slack_error(code))
    assert isinstance(refused, DeliveryRefused) and code in str(refused)


@pytest.mark.parametrize("code", ["ratelimited", "message_limit_exceeded", "internal_error"])
def test_a_passing_error_is_still_retried(code: str) -> None:
    assert not isinstance(classify(_slack_error(code)), DeliveryRefused)


async def test_a_card_a_read_only_channel_refuses_is_skipped_and_the_operator_told(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.refuse[MENTORING] = "restricted_action_read_only_channel"
    with caplog.at_level(logging.INFO):
        await slack.command("alice", "/askmentor", QUESTION)
        await slack.replies_to("alice", "your question is #1")
        await slack.settled(within=20)
    cards_tried = [
        c
        for c in slack.fake.to("chat.postMessage", channel=MENTORING, failed=True)
        if "Question #1*" in c.text()
    ]
    assert len(cards_tried) == 1  # refused once, not tried again (`[flow] max_attempts`)
    assert not slack.fake.to("conversations.history")
    async with slack.app.uow_factory() as uow:
        assert await uow.outbox.pending() == 0
    [warning] = [
        r
        for r in caplog.records
        if r.name == "adapters.slack.gateway"
        and r.levelno == logging.WARNING
        and "restricted_action_read_only_channel" in r.getMessage()
    ]
    assert MENTORING in warning.getMessage() and "read-only" in warning.getMessage()


async def test_an_ephemeral_a_read_only_channel_refuses_goes_by_dm(fake_slack: FakeSlack) -> None:
    fake_slack.errors["chat.postEphemeral"] = "restricted_action_read_only_channel"
    await _gateway(fake_slack).send_private(
        user=user_ref(USERS["alice"]), channel=channel_ref(MENTORING), message=CARD, key="k1"
    )
    assert fake_slack.to("chat.postMessage", channel=USERS["alice"])
