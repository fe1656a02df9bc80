"""Slack, questions as people ask them: topic buttons when unsure, the pick re-suggests; own words
from the join form."""

from __future__ import annotations

from typing import Any

import pytest

from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness

VAGUE = "Everything feels like a lot lately and I don't know what to do about it"


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    # Questions phrased as people talk have no stated goal; coaching (tested in
    # test_slack_learning) would hold them for a preview before the topic buttons.
    return {"ask": {"coaching": "off"}}


async def test_unsure_ask_shows_topic_buttons_and_a_click_resuggests(slack: SlackHarness) -> None:
    await slack.join("bob", "workplace wellbeing")
    await slack.command("alice", "/askmentor", VAGUE)
    [confirmation] = await slack.replies_to("alice", "not sure which area this is")
    assert "mm:topic:other:1" in confirmation.text()
    assert "mm:topic:" in confirmation.text().replace("mm:topic:other:1", "")
    await slack.card_of(1)
    ts = slack.card_ts(1)
    await slack.click("alice", "mm:topic:workplace wellbeing:1", channel=MENTORING, ts=ts)
    await slack.replies_to("alice", "#1 is about workplace wellbeing now")
    await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.update", channel=MENTORING, ts=ts)
            if f"<@{USERS['bob']}>" in c.text()
        ],
        what="card suggesting bob",
    )


async def test_the_join_form_takes_the_mentors_own_words(slack: SlackHarness) -> None:
    await slack.command("bob", "/mentor", "join")
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="join modal")
    view = opened[0].params["view"]
    assert any(b.get("block_id") == "about" for b in view["blocks"])
    values = {
        "skills": {"value": {"value": "negotiation"}},
        "hours": {"value": {"value": "Mon-Sun 00:00-24:00"}},
        "timezone": {"value": {"value": "UTC"}},
        "about": {"value": {"value": "Answering offers and counter-offers"}},
    }
    await slack.submit(
        "bob",
        {
            "callback_id": "mm_join",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.replies_to("bob", "Answering offers and counter-offers")
