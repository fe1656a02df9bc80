"""Where a session opens with `[slack] thread_mode = "thread"`: under the card only when asker and
mentor are both members of the mentoring channel (conversations.members), else in a group DM, as
someone outside the channel (a private channel, a guest, a public channel never joined) would
never see a thread there; when membership can't be read, in the thread as before."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.test_slack_flows import asked, claimed, intro


async def group_dm_intro(slack: SlackHarness) -> str:
    opened = await slack.fake.wait_for(lambda: slack.fake.to("conversations.open"), what="group DM")
    assert set(opened[0].params["users"].split(",")) == {USERS["alice"], USERS["bob"]}
    group = await slack.fake.wait_for(
        lambda: next(
            (c for c in slack.fake.to("chat.postMessage") if str(c.params["channel"])[0] == "G"),
            None,
        ),
        what="intro in the group DM",
    )
    return str(group.params["channel"])


@pytest.mark.parametrize("outside", ["alice", "bob"])
async def test_a_session_member_outside_the_mentoring_channel_gets_a_group_dm(
    slack: SlackHarness, outside: str
) -> None:
    slack.fake.not_in[MENTORING] = {USERS[outside]}
    ts = await asked(slack)
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=ts)
    await group_dm_intro(slack)
    await slack.settled()
    assert not slack.fake.to("chat.postMessage", thread_ts=ts)


async def test_members_are_read_page_by_page_and_a_session_of_members_stays_in_the_thread(
    slack: SlackHarness,
) -> None:
    slack.fake.members_page = 1  # the asker and mentor on different pages
    ts = await claimed(slack)
    pages = slack.fake.to("conversations.members", channel=MENTORING)
    assert len(pages) >= 2
    assert not slack.fake.to("conversations.open")
    assert (await intro(slack, ts)).params["channel"] == MENTORING


async def test_a_failed_membership_look_up_keeps_the_thread_and_warns_once(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.errors["conversations.members"] = "missing_scope"
    with caplog.at_level(logging.WARNING, logger="adapters.slack.gateway"):
        ts = await claimed(slack)
        await slack.command("carol", "/askmentor", "How do I pivot a pandas DataFrame by date?")
        await slack.card_of(2)
        await slack.click("bob", "mm:claim:2", channel=MENTORING, ts=slack.card_ts(2))
        await intro(slack, slack.card_ts(2))
    assert (await intro(slack, ts)).params["channel"] == MENTORING
    warned = [r for r in caplog.records if "who is in the mentoring channel" in r.getMessage()]
    assert len(warned) == 1
    assert "missing_scope" in warned[0].getMessage()


async def test_a_retried_opening_keeps_the_group_dm_an_earlier_attempt_opened(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first attempt opens the group DM (the asker is not in the channel) and its answer is
    lost; the asker joins the channel meanwhile. The retry keeps the group DM rather than
    choose the card's thread and leave an empty group DM behind."""
    slack.fake.not_in[MENTORING] = {USERS["alice"]}
    slack.fake.fail_after_apply["conversations.open"] = 500  # opened; the answer lost
    opening = slack.fake._conversations_open

    def then_the_asker_joins(p: dict[str, Any]) -> dict[str, Any]:
        result = opening(p)
        if MENTORING in slack.fake.not_in:
            slack.fake.not_in.pop(MENTORING)
            for _ in range(2):  # the web client's own retries fail too: the attempt fails
                slack.fake.fail_next("conversations.open", status=500)
        return result

    monkeypatch.setattr(slack.fake, "_conversations_open", then_the_asker_joins)
    ts = await asked(slack)
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=ts)
    group = await group_dm_intro(slack)
    await slack.settled()
    assert slack.fake.group_dms == {group}
    assert not slack.fake.to("chat.postMessage", thread_ts=ts)  # the thread stays unused
    # Every group DM opened holds the session.
    used = {str(c.params["channel"]) for c in slack.fake.to("chat.postMessage")}
    assert slack.fake.group_dms <= used


async def test_a_retried_opening_never_opened_before_stays_in_the_thread(
    slack: SlackHarness,
) -> None:
    """The first attempt failed before choosing (conversations.members answered a 5xx): the
    retry finds no group DM of theirs and, all being members, opens the session under the
    card, creating none."""
    for _ in range(3):  # beyond the web client's own retries
        slack.fake.fail_next("conversations.members", status=500)
    ts = await claimed(slack)
    assert (await intro(slack, ts)).params["channel"] == MENTORING
    [looked] = slack.fake.to("conversations.open")  # whether an earlier attempt opened one
    assert looked.params.get("prevent_creation") in ("1", "true", True)
    assert not slack.fake.group_dms


async def test_a_retried_opening_leaves_an_earlier_sessions_group_dm_alone(
    slack: SlackHarness,
) -> None:
    """Slack gives the same people the same group DM: the one of an earlier session (it holds
    messages) is not this attempt's, so the retry opens the session under its card."""
    slack.fake.not_in[MENTORING] = {USERS["alice"]}  # session 1 in a group DM
    ts = await asked(slack)
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=ts)
    earlier = await group_dm_intro(slack)
    await slack.settled()
    slack.fake.not_in.pop(MENTORING)  # alice joins; session 2 belongs under its card
    await slack.command("alice", "/askmentor", "How do I merge two pandas DataFrames on a date?")
    await slack.card_of(2)
    for _ in range(3):  # its first opening fails before choosing (beyond the client's retries)
        slack.fake.fail_next("conversations.members", status=500)
    before = len([c for c in slack.fake.to("chat.postMessage") if c.params["channel"] == earlier])
    await slack.click("bob", "mm:claim:2", channel=MENTORING, ts=slack.card_ts(2))
    assert (await intro(slack, slack.card_ts(2))).params["channel"] == MENTORING
    await slack.settled()
    after = len([c for c in slack.fake.to("chat.postMessage") if c.params["channel"] == earlier])
    assert after == before
