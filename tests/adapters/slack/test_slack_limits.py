"""Every Block Kit payload the app sends stays inside Slack's documented limits, even for a
2000-character question full of characters that grow when escaped."""

from __future__ import annotations

import json

import pytest

from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.slack_limits import limit_problems
from tests.adapters.slack.test_slack_flows import intro

UNIT = "How do I use pandas groupby & <merge> *with* `x` _y_ ~z~ @everyone <!channel> > ünï 🐍 "


def nasty(length: int) -> str:
    return (UNIT * (length // len(UNIT) + 1))[:length]


async def test_a_2000_character_question_keeps_every_payload_within_the_limits(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", nasty(2000))
    await slack.card_of(1)
    ts = slack.card_ts(1)
    await slack.react("bob", MENTORING, ts, emoji="raising_hand::skin-tone-3")
    await intro(slack, ts)
    await slack.click("alice", "mm:resolve:1", channel=MENTORING, ts=ts)
    await slack.replies_to("alice", "resolved")
    await slack.command("alice", "/askmentor", nasty(1990) + " pandas")
    await slack.replies_to("alice", "your question is #2")
    await slack.event(
        {"type": "app_home_opened", "user": USERS["alice"], "tab": "home", "event_ts": "1.2"}
    )
    await slack.fake.wait_for(lambda: slack.fake.to("views.publish"), what="home")
    problems = []
    sent = 0
    for call in slack.fake.calls:
        view = call.params.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        blocks = call.params.get("blocks") or (view or {}).get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not blocks:
            continue
        sent += 1
        max_blocks = 100 if call.method == "views.publish" else 50
        problems += [f"{call.method}: {p}" for p in limit_problems(blocks, max_blocks=max_blocks)]
        if call.method.startswith("chat.") and not call.params.get("text"):
            problems.append(f"{call.method}: no fallback text")
    assert sent >= 8
    assert problems == []


async def test_url_verification_answers_the_challenge(slack: SlackHarness) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"})
    response = await slack.post(body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": challenge}


async def test_the_fake_refuses_what_slack_refuses_and_remembers_it() -> None:
    """The net under every Slack test: a payload outside the limits is answered as Slack
    answers it (so the app's handling is exercised) and recorded (so the test fails)."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    from tests.adapters.slack.fake_slack import FakeSlack

    fake = FakeSlack()
    await fake.start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        section = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}
        await client.chat_postMessage(channel=MENTORING, text="ok", blocks=[section] * 50)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel=MENTORING, text="no", blocks=[section] * 51)
        assert refused.value.response["error"] == "invalid_blocks"
        title = {"type": "plain_text", "text": "A title longer than 24 chars"}
        with pytest.raises(SlackApiError) as refused:
            await client.views_open(
                trigger_id="t.1", view={"type": "modal", "title": title, "blocks": []}
            )
        assert refused.value.response["error"] == "invalid_arguments"
        assert fake.violations == [
            "chat.postMessage: 51 blocks",
            "views.open: modal title empty or over 24",
        ]
        fake.violations.clear()  # seen: the fake's own check at stop has nothing left to say
    finally:
        await fake.stop()
