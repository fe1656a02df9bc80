"""The single-workspace mode serves its token's workspace alone: the same app installed in a
second workspace (without the OAuth mode) sends that workspace's requests to the same URL, and
they are not handled as the first's. A slash command is told why (ephemeral), anything else is
acknowledged and dropped, and the operator is told once for each such workspace."""

from __future__ import annotations

import json
import logging
import urllib.parse
from typing import Any

import pytest

from adapters.slack.one_team import ANOTHER_WORKSPACE, OneTeam
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import TEAM_ID
from tests.adapters.slack.test_slack_flows import QUESTION

OTHER = "T0OTHER01"


async def _foreign_command(slack: SlackHarness, text: str) -> Any:
    payload = slack.command_payload("alice", "/askmentor", text)
    payload["team_id"] = OTHER
    payload["team_domain"] = "other-team"
    body = urllib.parse.urlencode(payload)
    return await slack.post(body, content_type="application/x-www-form-urlencoded")


@pytest.fixture
def stored(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the inputs the listeners stored in the inbox."""
    keys: list[str] = []
    receive = slack.app.inbox.receive

    async def spy(*, key: str, **rest: Any) -> bool:
        keys.append(key)
        return await receive(key=key, **rest)

    monkeypatch.setattr(slack.app.inbox, "receive", spy)
    return keys


async def test_a_command_from_another_workspace_is_answered_and_not_taken(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture, stored: list[str]
) -> None:
    await slack.join("bob", "python, pandas")
    stored.clear()
    with caplog.at_level(logging.WARNING, logger="adapters.slack.one_team"):
        first = await _foreign_command(slack, QUESTION)
        second = await _foreign_command(slack, QUESTION)
    for answer in (first, second):
        assert answer.status_code == 200
        said = answer.json()
        assert said == {"response_type": "ephemeral", "text": ANOTHER_WORKSPACE}
    await slack.settled()
    assert stored == []
    assert not [
        c for c in slack.fake.calls if c.method == "chat.postMessage" and "Question" in c.text()
    ]
    warned = [r for r in caplog.records if OTHER in r.getMessage()]
    assert len(warned) == 1  # once per workspace, not per request
    assert "xoxb" not in caplog.text and "test" not in warned[0].getMessage()
    # The token's own workspace is served as always.
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.card_of(1)


def _event(slack: SlackHarness, *, team: str, authorized: str | None) -> dict[str, Any]:
    payload = slack.event_payload(slack.reaction_event("bob", MENTORING, "1700000000.000001"))
    payload["team_id"] = team
    if authorized is not None:
        payload["authorizations"] = [
            {"team_id": authorized, "user_id": "U0BOT0001", "is_bot": True}
        ]
    return payload


async def test_an_event_from_another_workspace_is_acknowledged_and_dropped(
    slack: SlackHarness, stored: list[str]
) -> None:
    payload = _event(slack, team=OTHER, authorized=OTHER)
    answer = await slack.post(json.dumps(payload), content_type="application/json")
    assert answer.status_code == 200 and answer.text == ""
    assert stored == []


async def test_an_event_in_a_shared_channel_delivered_to_this_installation_is_handled(
    slack: SlackHarness, stored: list[str]
) -> None:
    """An event in a channel shared with another workspace may name that one (where it
    happened); its ``authorizations`` name this installation: it is this workspace's."""
    payload = _event(slack, team=OTHER, authorized=TEAM_ID)
    answer = await slack.post(json.dumps(payload), content_type="application/json")
    assert answer.status_code == 200
    assert stored == [f"slack:ev:{payload['event_id']}"]


async def test_a_button_from_another_workspace_is_acknowledged_and_dropped(
    slack: SlackHarness, stored: list[str]
) -> None:
    payload = {
        "type": "block_actions",
        "user": {"id": USERS["bob"], "username": "bob", "team_id": OTHER},
        "api_app_id": "A0APP0001",
        "token": "legacy",
        "trigger_id": "trigger.x",
        "team": {"id": OTHER, "domain": "other-team"},
        "container": {"type": "view", "view_id": "V0HOME001"},
        "view": {"id": "V0HOME001", "team_id": OTHER, "type": "home", "blocks": []},
        "actions": [
            {
                "type": "button",
                "action_id": "mm:0:pause:1",
                "block_id": "mm",
                "value": "x",
                "action_ts": "1.2",
            }
        ],
    }
    body = slack.interaction_body(payload)
    answer = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 200 and answer.text == ""
    assert stored == []


# --- which requests are the token's --------------------------------------------------------


def test_a_request_without_a_team_is_handled() -> None:
    assert OneTeam("T1").foreign({"type": "url_verification"}) is None


def test_a_workspace_token_in_an_enterprise_org_refuses_another_workspace_of_it() -> None:
    """Enterprise Grid: each workspace's installation has its own token; another workspace of
    the same organization is another installation."""
    one = OneTeam.of_auth({"team_id": "T1", "enterprise_id": "E1"})
    assert one.foreign({"team_id": "T2", "enterprise_id": "E1"}) == "T2"
    assert one.foreign({"team_id": "T1", "enterprise_id": "E1"}) is None


def test_an_org_wide_token_takes_every_workspace_of_its_organization() -> None:
    """An organization-wide installation: one token for each workspace of the org, whose
    requests name the workspace they came from; another organization's are refused."""
    one = OneTeam.of_auth({"team_id": "", "enterprise_id": "E1", "is_enterprise_install": True})
    assert one.foreign({"team_id": "T2", "enterprise_id": "E1"}) is None
    assert one.foreign({"team": {"id": "T3", "enterprise_id": "E1"}}) is None
    assert one.foreign({"team_id": "T9", "enterprise_id": "E9"}) == "E9"
    assert one.foreign({"team_id": "T2"}) is None  # no organization named: handled


def test_a_button_on_the_apps_card_pressed_by_someone_of_another_org_is_handled() -> None:
    """Slack Connect: the presser's team is theirs, the card's (the app's message) is ours."""
    one = OneTeam("T1")
    body = {
        "type": "block_actions",
        "team": {"id": "T7"},
        "user": {"id": "U7", "team_id": "T7"},
        "message": {"type": "message", "team": "T1", "bot_id": "B1"},
    }
    assert one.foreign(body) is None
