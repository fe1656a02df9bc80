"""The answer to a reaction goes to the thread of the message reacted to (reaction_added names
the message only, Slack's docs): the apology for a reaction given up on too."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.messagebus import SOMETHING_WENT_WRONG
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.test_slack_flows import claimed


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    return {"flow": {"inbox_attempts": 1}}  # the first failure gives the input up


async def test_the_apology_for_a_reaction_given_up_on_goes_to_its_thread(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = await claimed(slack)
    reply = next(  # the intro, a reply in the session thread
        t for (_, t), m in slack.fake.messages.items() if m.get("thread_ts") == ts and t != ts
    )
    # The ✅'s thread can't be looked up once (an error that counts as a failed attempt).
    looked_up = slack.fake._conversations_replies
    failures = iter([{"ok": False, "error": "invalid_auth"}])

    def once(p: dict[str, Any]) -> dict[str, Any]:
        return next(failures, None) or looked_up(p)

    monkeypatch.setattr(slack.fake, "_conversations_replies", once)
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    [said] = await slack.replies_to("alice", re.escape(SOMETHING_WENT_WRONG[:40]))
    assert said.method == "chat.postEphemeral" and said.params["channel"] == MENTORING
    assert said.params.get("thread_ts") == ts
    assert said.params["user"] == USERS["alice"]
