"""A slash command whose input is slow to store: Slack wants its HTTP response within 3 seconds
(else the person sees "operation_timeout"), so past the guard it is acknowledged with a short
ephemeral text while the store finishes; the input is still stored and answered once, a store
that then fails is told on the response_url, and a fast store is acknowledged as before.

A button press (block_actions) likewise: Slack wants it acknowledged within 3 seconds (else it
shows an error by the button); past the guard it is acknowledged with no body, stored once, and
a store that then fails is told on the response_url (a message's button) or logged (a button on
the App Home tab, whose payload has no response_url).

A form's submission (view_submission) likewise: past the guard the form is closed (an empty ack),
and a store that then fails is told on the response_url it was opened with (its
private_metadata), else by DM."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from adapters.slack.listeners import NOT_NOW, WORKING_ON_IT, SlackBot
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import TEAM_ID, Call

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
GUARD = 0.05  # the guard the tests run with (STORE_BEFORE_ACK_SECONDS in production)
# Long enough for an acknowledgement that does not wait for the store; without the guard the
# response waits for the gate, which opens only after this.
PROMPT = 2.0
# Only the person who typed the command sees it.
ACK = {"text": WORKING_ON_IT, "response_type": "ephemeral"}


@pytest.fixture(autouse=True)
def short_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SlackBot, "answer_within", GUARD)


class Gate:
    """The inbox's store held back until `open()`: a database that is slow (or locked)."""

    def __init__(self, slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened = asyncio.Event()
        self.waiting = 0
        self.failure: Exception | None = None
        inbox = slack.app.inbox
        receive: Callable[..., Awaitable[bool]] = inbox.receive

        async def slow(**kwargs: Any) -> bool:
            if kwargs.get("kind") == "slack":  # Slack's inputs, not the bot's own
                self.waiting += 1
                await self.opened.wait()
                if self.failure is not None:
                    raise self.failure
            return await receive(**kwargs)

        monkeypatch.setattr(inbox, "receive", slow)

    def open(self, *, failing: Exception | None = None) -> None:
        self.failure = failing
        self.opened.set()


async def answered_promptly(sending: Awaitable[httpx.Response]) -> httpx.Response:
    return await asyncio.wait_for(sending, timeout=PROMPT)


async def acked_before_stored(gate: Gate, sending: Awaitable[httpx.Response]) -> httpx.Response:
    """The response to `sending`, checked to have come within the guard (not before it, not
    after Slack's 3 seconds) while the store still waits behind `gate`."""
    loop = asyncio.get_running_loop()
    sent = loop.time()
    response = await answered_promptly(sending)
    assert GUARD <= loop.time() - sent < PROMPT
    assert gate.waiting == 1 and not gate.opened.is_set()  # acknowledged before it was stored
    return response


async def inbox_rows(slack: SlackHarness, key_like: str) -> int:
    async with slack.app.engine.connect() as conn:
        query = sa.text("SELECT count(*) FROM inbox WHERE key LIKE :key")
        return int((await conn.execute(query, {"key": key_like})).scalar_one())


def told(slack: SlackHarness, needle: str) -> list[Call]:
    """What was said on a response_url containing `needle` (text or blocks, any case)."""
    said = [(c, json.dumps(c.params, ensure_ascii=False)) for c in slack.fake.to("response_url")]
    return [c for c, shown in said if needle.lower() in shown.lower()]


async def test_a_slow_store_is_acknowledged_within_the_guard_with_a_polite_text(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await slack.join("bob", "python, pandas")
    gate = Gate(slack, monkeypatch)
    response = await acked_before_stored(gate, slack.command("alice", "/askmentor", QUESTION))
    assert response.status_code == 200
    assert response.json() == ACK
    gate.open()
    await slack.card_of(1)
    await slack.replies_to("alice", "your question is #1")


async def test_a_slowly_stored_command_is_stored_and_answered_exactly_once(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await slack.join("bob", "python, pandas")
    gate = Gate(slack, monkeypatch)
    body = slack.command_body("alice", "/askmentor", QUESTION)
    form = "application/x-www-form-urlencoded"
    first = await answered_promptly(slack.post(body, content_type=form))
    # The same request again (its trigger_id is the inbox key), while the first is being stored.
    again = await answered_promptly(slack.post(body, content_type=form))
    assert first.json() == again.json() == ACK
    gate.open()
    await slack.card_of(1)
    await slack.replies_to("alice", "your question is #1")
    await slack.settled()
    assert await inbox_rows(slack, "slack:command:%") == 3  # bob's two, alice's one
    cards = [
        c for c in slack.fake.to("chat.postMessage", channel=MENTORING) if "Question #" in c.text()
    ]
    assert len(cards) == 1
    assert len(told(slack, "your question is #1")) == 1
    assert not told(slack, NOT_NOW) and not told(slack, WORKING_ON_IT)


async def test_a_store_that_fails_after_the_polite_ack_is_told_on_the_response_url(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(slack, monkeypatch)
    response = await answered_promptly(slack.command("alice", "/askmentor", QUESTION))
    assert response.json() == ACK
    gate.open(failing=RuntimeError("database is locked"))
    [sorry] = await slack.fake.wait_for(lambda: told(slack, NOT_NOW), what="the apology")
    assert sorry.params["response_type"] == "ephemeral"
    assert sorry.params["key"].startswith("cmd")  # the command's own response_url
    await slack.settled()
    assert await inbox_rows(slack, "slack:command:%") == 0
    assert not [c for c in slack.fake.to("chat.postMessage") if "Question #" in c.text()]


async def test_a_fast_store_is_acknowledged_as_before_with_no_extra_message(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    asked = await slack.command("alice", "/askmentor", QUESTION)
    assert asked.status_code == 200 and asked.text == "Got it — one moment…"
    listed = await slack.command("bob", "/mentor", "hours Mon-Fri 09:00-17:00")
    assert listed.status_code == 200 and listed.text == ""
    await slack.replies_to("alice", "your question is #1")
    await slack.replies_to("bob", "09:00")
    await slack.settled()
    assert not told(slack, WORKING_ON_IT) and not told(slack, NOT_NOW)


# --- button presses (block_actions) -----------------------------------------------------------


async def asked(slack: SlackHarness) -> str:
    """bob mentors, alice asked #1: the ts of its card (where [Claim] is pressed)."""
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.card_of(1)
    await slack.replies_to("alice", "your question is #1")
    await slack.settled()
    return slack.card_ts(1)


def press_body(slack: SlackHarness, user: str, action_id: str, *, ts: str, key: str) -> str:
    """block_actions for a button on a message in the mentoring channel, as Slack sends it (its
    trigger_id makes the inbox key: the same body again is the same press)."""
    payload = {
        "type": "block_actions",
        "user": {"id": USERS[user], "username": user, "team_id": TEAM_ID},
        "api_app_id": "A0APP0001",
        "token": "legacy",
        "trigger_id": slack.fake.issue_trigger(f"trigger.{key}"),
        "team": {"id": TEAM_ID, "domain": "fake-team"},
        "container": {"type": "message", "message_ts": ts, "channel_id": MENTORING},
        "channel": {"id": MENTORING, "name": "mentoring"},
        "message": {"type": "message", "ts": ts, "text": "card"},
        "response_url": slack.fake.response_url(key),
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "mm",
                "value": action_id,
                "text": {"type": "plain_text", "text": "Claim"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)})


FORM = "application/x-www-form-urlencoded"


async def test_a_slow_button_press_is_acknowledged_within_the_guard_then_stored_and_handled(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = await asked(slack)
    gate = Gate(slack, monkeypatch)
    body = press_body(slack, "bob", "mm:claim:1", ts=ts, key="act1")
    response = await acked_before_stored(gate, slack.post(body, content_type=FORM))
    assert response.status_code == 200 and not response.content  # a button needs no text
    gate.open()
    await slack.replies_to("bob", "you claimed #1")
    await slack.settled()
    assert await inbox_rows(slack, "slack:action:%") == 1
    assert not told(slack, NOT_NOW)


async def test_a_button_press_delivered_twice_while_slow_is_stored_and_handled_once(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = await asked(slack)
    gate = Gate(slack, monkeypatch)
    body = press_body(slack, "bob", "mm:claim:1", ts=ts, key="act1")
    first = await answered_promptly(slack.post(body, content_type=FORM))
    again = await answered_promptly(slack.post(body, content_type=FORM))
    assert first.status_code == again.status_code == 200
    assert gate.waiting == 2
    gate.open()
    await slack.replies_to("bob", "you claimed #1")
    await slack.settled()
    assert await inbox_rows(slack, "slack:action:%") == 1
    assert len(told(slack, "you claimed #1")) == 1
    assert not told(slack, NOT_NOW)


async def test_a_slow_button_press_that_then_fails_is_told_on_its_response_url(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = await asked(slack)
    gate = Gate(slack, monkeypatch)
    response = await answered_promptly(
        slack.post(press_body(slack, "bob", "mm:claim:1", ts=ts, key="act1"), content_type=FORM)
    )
    assert response.status_code == 200 and not response.content
    gate.open(failing=RuntimeError("database is locked"))
    [sorry] = await slack.fake.wait_for(lambda: told(slack, NOT_NOW), what="the apology")
    assert sorry.params["key"] == "act1"  # the press's own response_url
    await slack.settled()
    assert await inbox_rows(slack, "slack:action:%") == 0
    assert not told(slack, "you claimed")


async def test_a_slow_home_tab_button_press_that_then_fails_is_logged_without_a_response_url(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    gate = Gate(slack, monkeypatch)
    with caplog.at_level(logging.WARNING):
        # Any button that stores an input (not one that opens a form); the App Home's payload
        # has a view container and no channel or response_url.
        response = await answered_promptly(slack.click_in_home("bob", "mm:claim:1"))
        assert response.status_code == 200 and not response.content
        gate.open(failing=RuntimeError("database is locked"))
        await slack.fake.wait_for(
            lambda: [r for r in caplog.records if "nobody can be told" in r.getMessage()],
            what="the failure logged",
        )
        await slack.settled()
    said = [r.getMessage() for r in caplog.records]
    assert any("storing a Slack button press is slow" in m for m in said), said
    assert not any("storing a slow Slack button press failed" in m for m in said), said
    assert not slack.fake.to("response_url")
    assert await inbox_rows(slack, "slack:action:%") == 0


# --- form submissions (view_submission) -------------------------------------------------------


def ask_form(slack: SlackHarness, *, response_url: str | None) -> dict[str, Any]:
    """The ask form as submitted, with the private_metadata the app put in it when opening."""
    meta = {"channel": MENTORING, "response_url": response_url}
    return {
        "callback_id": "mm_ask",
        "private_metadata": json.dumps(meta),
        "state": {
            "values": {"question": {"value": {"type": "plain_text_input", "value": QUESTION}}}
        },
    }


async def test_a_slow_form_submission_closes_the_form_within_the_guard_then_is_stored(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await slack.join("bob", "python, pandas")
    gate = Gate(slack, monkeypatch)
    form = ask_form(slack, response_url=slack.fake.response_url("form1"))
    response = await acked_before_stored(gate, slack.submit("alice", form))
    assert response.status_code == 200 and not response.content  # an empty ack closes the form
    gate.open()
    await slack.card_of(1)
    await slack.replies_to("alice", "your question is #1")
    await slack.settled()
    assert await inbox_rows(slack, "slack:view:%") == 1
    assert not told(slack, NOT_NOW)


async def test_a_slow_form_that_then_fails_is_told_on_the_response_url_it_was_opened_with(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(slack, monkeypatch)
    form = ask_form(slack, response_url=slack.fake.response_url("form1"))
    response = await answered_promptly(slack.submit("alice", form))
    assert response.status_code == 200 and not response.content
    gate.open(failing=RuntimeError("database is locked"))
    [sorry] = await slack.fake.wait_for(lambda: told(slack, NOT_NOW), what="the apology")
    assert sorry.params["key"] == "form1"
    await slack.settled()
    assert await inbox_rows(slack, "slack:view:%") == 0


async def test_a_slow_form_without_a_response_url_that_then_fails_is_told_by_dm(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    gate = Gate(slack, monkeypatch)
    response = await answered_promptly(slack.submit("alice", ask_form(slack, response_url=None)))
    assert response.status_code == 200 and not response.content
    gate.open(failing=RuntimeError("database is locked"))
    await slack.replies_to("alice", "couldn.t take that right now")
    assert slack.fake.to("chat.postMessage", channel=USERS["alice"])
    assert not slack.fake.to("response_url")
