"""A form with a mistake the person can fix stays open: the ack of the `view_submission` is
``{"response_action": "errors", "errors": {block_id: message}}`` (Slack keeps what they typed),
and nothing is stored or asked."""

from __future__ import annotations

import json
from typing import Any

import httpx

from adapters.slack.translate import ASK_ABOUT_SHORTCUT, quoted_for_ask, workspace_ref
from tests.adapters.slack.conftest import MENTORING, TEAM_ID, USERS, SlackHarness

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


async def opened_form(slack: SlackHarness, user: str, command: str, text: str) -> dict[str, Any]:
    await slack.command(user, command, text)
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view: dict[str, Any] = opened[-1].params["view"]
    return view


async def submit(
    slack: SlackHarness, user: str, view: dict[str, Any], values: dict[str, Any]
) -> httpx.Response:
    return await slack.submit(
        user,
        {
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )


def errors_of(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 200
    body = json.loads(response.text)
    assert body["response_action"] == "errors"
    errors: dict[str, str] = body["errors"]
    return errors


async def test_a_too_short_question_keeps_the_ask_form_open_with_the_reason(
    slack: SlackHarness,
) -> None:
    view = await opened_form(slack, "alice", "/askmentor", "")
    response = await submit(
        slack, "alice", view, {"question": {"value": {"type": "plain_text_input", "value": "hi"}}}
    )
    errors = errors_of(response)
    assert list(errors) == ["question"]
    assert errors["question"].startswith("That's a bit short")
    assert "`" not in errors["question"]  # plain text under the field
    await slack.settled()
    async with slack.app.uow_factory(read_only=True) as uow:
        assert await uow.questions.get_by_number(workspace_ref(TEAM_ID), 1) is None


async def test_an_unknown_timezone_keeps_the_join_form_open_under_that_field(
    slack: SlackHarness,
) -> None:
    view = await opened_form(slack, "bob", "/mentor", "join")
    values = {
        "skills": {"value": {"value": "python, sql"}},
        "hours": {"value": {"value": "Mon-Fri 08:00-16:00"}},
        "timezone": {"value": {"value": "Mars/Olympus"}},
    }
    errors = errors_of(await submit(slack, "bob", view, values))
    assert list(errors) == ["timezone"]
    assert "Mars/Olympus" in errors["timezone"] and "Europe/Berlin" in errors["timezone"]


async def test_a_good_form_is_acknowledged_empty_and_asks(slack: SlackHarness) -> None:
    view = await opened_form(slack, "alice", "/askmentor", "")
    response = await submit(
        slack,
        "alice",
        view,
        {"question": {"value": {"type": "plain_text_input", "value": QUESTION}}},
    )
    assert response.status_code == 200 and response.text == ""
    await slack.card_of(1)


# --- the message shortcut "Ask a mentor about this" -------------------------------------------


def message_action(user: str, text: str) -> dict[str, Any]:
    """A message shortcut's payload as Slack documents it (type ``message_action``)."""
    return {
        "type": "message_action",
        "token": "legacy",
        "action_ts": "1700000100.000001",
        "team": {"id": TEAM_ID, "domain": "fake-team"},
        "user": {"id": USERS[user], "name": user},
        "channel": {"id": MENTORING, "name": "mentoring"},
        "callback_id": ASK_ABOUT_SHORTCUT,
        "trigger_id": "trigger.shortcut.1",
        "message_ts": "1700000000.000100",
        "message": {
            "type": "message",
            "user": USERS["bob"],
            "ts": "1700000000.000100",
            "text": text,
        },
        "response_url": "https://hooks.slack.com/app/T0/1/abc",
    }


async def test_the_message_shortcut_opens_the_ask_form_with_the_message_quoted(
    slack: SlackHarness,
) -> None:
    said = "Deploys fail with &lt;timeout&gt; since <@U0BOB0001> changed it\nsee <!here>"
    response = await slack.post(
        slack.interaction_body(message_action("alice", said)),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    assert opened[0].params["trigger_id"] == "trigger.shortcut.1"
    view = opened[0].params["view"]
    assert view["callback_id"] == "mm_ask"
    question = next(b for b in view["blocks"] if b["block_id"] == "question")
    assert question["element"]["initial_value"] == (
        "> Deploys fail with <timeout> since @bob changed it\n> see @here\n\n"
    )


def test_a_quote_keeps_no_mention_and_stays_short() -> None:
    quoted = quoted_for_ask("<!channel> look at <https://x.example/a|the runbook> " + "x" * 3000)
    assert "<!" not in quoted and "@channel" in quoted
    assert "the runbook (https://x.example/a)" in quoted
    assert len(quoted) < 1300 and quoted.endswith("…\n\n")


async def test_a_form_slack_will_not_open_is_answered_not_dropped(slack: SlackHarness) -> None:
    """views.open refused (a trigger older than Slack's 3 s): the person is told to try again."""
    slack.fake.errors["views.open"] = "expired_trigger_id"
    await slack.command("alice", "/askmentor", "")
    await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    await slack.replies_to("alice", "didn't let me open that form in time")
