"""Who may take a question: a bot user's reactions and buttons are ignored (users.info
``is_bot``), someone of another organisation in a Slack Connect channel (users.info ``team_id``
not this workspace's) is told only members can, and a guest of this workspace may."""

from __future__ import annotations

import json

import pytest

from adapters.slack.inbox import ONLY_MEMBERS
from bot.domain import QuestionState
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import Call
from tests.adapters.slack.test_slack_flows import asked, claimed, state_of

ROBOT = "U0ROBOT01"
OUTSIDER = "U0EXTERN1"
OTHER_ORG = "T0OTHERORG"


@pytest.fixture(autouse=True)
def people(slack: SlackHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    slack.fake.add_user(ROBOT, "autobot", bot=True)
    slack.fake.add_user(OUTSIDER, "outsider", team_id=OTHER_ORG)
    slack.fake.add_user("U0GUEST01", "guest", guest=True)
    # The harness's own USERS (pytest may load conftest under another module name, and
    # another folder's conftest may hold that name in sys.modules): the one its methods read.
    names = type(slack).react.__globals__["USERS"]
    for name, uid in (("robot", ROBOT), ("outsider", OUTSIDER), ("guest", "U0GUEST01")):
        monkeypatch.setitem(names, name, uid)
        monkeypatch.setitem(USERS, name, uid)


async def react_from_another_org(slack: SlackHarness, ts: str) -> None:
    """reaction_added as Slack sends it from a Slack Connect channel: ``user_team`` is the
    reacting user's workspace, the envelope says the channel is shared."""
    event = {**slack.reaction_event("outsider", MENTORING, ts), "user_team": OTHER_ORG}
    envelope = {**slack.event_payload(event), "is_ext_shared_channel": True}
    await slack.post(json.dumps(envelope), content_type="application/json")


def said_to(slack: SlackHarness, user: str) -> list[Call]:
    ephemerals = slack.fake.to("chat.postEphemeral", user=user)
    return ephemerals + slack.fake.to("chat.postMessage", channel=user)


@pytest.mark.parametrize("how", ["reaction", "button"])
async def test_a_bot_user_cannot_claim_and_is_not_answered(slack: SlackHarness, how: str) -> None:
    ts = await asked(slack)
    if how == "reaction":
        await slack.react("robot", MENTORING, ts)
    else:
        await slack.click("robot", "mm:claim:1", channel=MENTORING, ts=ts)
    await slack.settled()
    assert await state_of(slack, 1) is QuestionState.OPEN
    assert not said_to(slack, ROBOT)
    assert not [c for c in slack.fake.to("response_url") if "act" in c.params.get("key", "")]


async def test_a_reaction_from_another_organisation_is_refused_politely(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    await react_from_another_org(slack, ts)
    [told] = await slack.replies_to("outsider", ONLY_MEMBERS)
    assert told.method == "chat.postEphemeral" and told.params["channel"] == MENTORING
    await slack.settled()
    assert await state_of(slack, 1) is QuestionState.OPEN


@pytest.mark.parametrize("button", ["mm:claim:1", "mm:accept:1"])
async def test_a_claim_button_from_another_organisation_is_refused_politely(
    slack: SlackHarness, button: str
) -> None:
    """Claiming, or accepting a hand-over offered to them: either way they would meet the
    asker."""
    ts = await asked(slack)
    await slack.click("outsider", button, channel=MENTORING, ts=ts)
    [told] = await slack.replies_to("outsider", ONLY_MEMBERS)
    assert told.method == "response_url"
    await slack.settled()
    assert await state_of(slack, 1) is QuestionState.OPEN


async def test_a_guest_of_the_workspace_may_claim(slack: SlackHarness) -> None:
    ts = await asked(slack)
    await slack.react("guest", MENTORING, ts)
    await slack.settled()
    assert await state_of(slack, 1) is QuestionState.CLAIMED


async def test_a_claim_by_reaction_on_a_reply_is_refused_at_the_root_without_a_look_up(
    slack: SlackHarness,
) -> None:
    """reaction_added names the message, not its thread (Slack's docs). A claim is made on a
    card, at the channel's root: its answer goes there with no conversations.replies call (a
    method Slack rate-limits hard for apps outside the Marketplace), even for a reply."""
    ts = await claimed(slack)
    reply = next(  # the intro, a reply in the session thread
        t for (_, t), m in slack.fake.messages.items() if m.get("thread_ts") == ts and t != ts
    )
    looked = len(slack.fake.to("conversations.replies"))
    await react_from_another_org(slack, reply)
    [told] = await slack.replies_to("outsider", ONLY_MEMBERS)
    assert told.method == "chat.postEphemeral" and told.params["channel"] == MENTORING
    assert "thread_ts" not in told.params
    assert len(slack.fake.to("conversations.replies")) == looked


async def test_a_claim_by_reaction_on_a_card_is_refused_in_the_channel(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    await react_from_another_org(slack, ts)
    [told] = await slack.replies_to("outsider", ONLY_MEMBERS)
    assert told.method == "chat.postEphemeral" and "thread_ts" not in told.params
