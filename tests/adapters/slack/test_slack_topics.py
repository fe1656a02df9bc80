"""Slack: a question named only loosely asks the asker to pick an area (buttons) instead of a
wrong topic; the pick sets the topic."""

from __future__ import annotations

from tests.adapters.slack.conftest import MENTORING, SlackHarness

LOOSE = "Where do I do the parking permit renewal for the office garage in Berlin?"


async def test_a_loosely_named_question_shows_pick_one_buttons(slack: SlackHarness) -> None:
    await slack.join("bob", "account management")
    await slack.command("alice", "/askmentor", LOOSE)
    [confirmation] = await slack.replies_to("alice", "not sure which area this is")
    said = confirmation.text()
    assert "none I'm sure of" in said
    assert "mm:topic:account management:1" in said and "mm:topic:other:1" in said
    await slack.card_of(1)
    await slack.click(
        "alice", "mm:topic:account management:1", channel=MENTORING, ts=slack.card_ts(1)
    )
    await slack.replies_to("alice", "#1 is about account management now")
