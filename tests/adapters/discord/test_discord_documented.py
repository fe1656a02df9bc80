"""Discord as its documentation describes it: a USER option for someone who is not in the
server (``resolved`` has their user, no member), a button or form from an older version of the
bot."""

from __future__ import annotations

import discord_payloads as p
from discord_fake import FakeDiscord
from discord_harness import Harness
from discord_helpers import sub

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
EPHEMERAL = 64


async def _slash_about_a_stranger(fake: FakeDiscord, who: str, command: str, options: list) -> str:
    """A USER option naming someone who left the server: Discord resolves their user only
    (``resolved.members`` holds members of the guild, and they are none)."""
    stranger = p.user(fake.ids(), "dave")
    for option in options[0]["options"]:
        if option["type"] == 6:
            option["value"] = stranger["id"]
    payload = p.slash_interaction(
        command,
        options,
        command_id=fake.ids(),
        resolved={"users": {stranger["id"]: stranger}},
        **fake._common(who),
    )
    await fake.dispatch("INTERACTION_CREATE", payload)
    return str(payload["token"])


async def test_an_admin_can_export_someone_who_has_left_the_server(harness: Harness) -> None:
    fake = harness.fake
    token = await _slash_about_a_stranger(
        fake, "admin", "mentoradmin", sub("export", ("member", 6, "0"))
    )
    (reply,) = await fake.followups(token)
    assert "dave" in reply.json()["content"].lower()  # the core answered about them


async def test_an_admin_can_forget_someone_who_has_left_the_server(harness: Harness) -> None:
    fake = harness.fake
    token = await _slash_about_a_stranger(
        fake, "admin", "mentoradmin", sub("forget", ("member", 6, "0"))
    )
    (reply,) = await fake.followups(token)
    assert harness.fake.is_ephemeral(reply)


async def test_kudos_for_someone_not_in_the_server_is_answered_not_left_failing(
    harness: Harness,
) -> None:
    fake = harness.fake
    stranger = p.user(fake.ids(), "dave")
    options = [
        {"name": "member", "type": 6, "value": stranger["id"]},
        {"name": "why", "type": 3, "value": "thanks"},
    ]
    payload = p.slash_interaction(
        "kudos",
        options,
        command_id=fake.ids(),
        resolved={"users": {stranger["id"]: stranger}},
        **fake._common("alice"),
    )
    await fake.dispatch("INTERACTION_CREATE", payload)
    [answer] = await fake.wait_request("POST", rf"/interactions/\d+/{payload['token']}/callback")
    assert answer.json()["type"] == 4
    assert answer.json()["data"]["flags"] & EPHEMERAL
    assert "not a member of this server" in answer.json()["data"]["content"]


OLDER = "older version"


async def _callback(fake: FakeDiscord, token: str) -> dict:
    [answer] = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback", within=5.0)
    return answer.json()


async def test_a_button_from_an_older_version_is_answered_politely(harness: Harness) -> None:
    """Discord sends a click on any button still shown, however old its message; one whose
    custom id this version does not know gets an answer, not "This interaction failed"."""
    card = await harness.ask("alice", QUESTION)
    fake = harness.fake
    old = ("claim_12", "mm:claimnow:1", "mm:rate:9:1")
    # The card as an earlier version posted it: the clicked button is on the message.
    buttons = [{"type": 2, "style": 1, "label": "Old", "custom_id": i} for i in old]
    card["components"] = [{"type": 1, "components": buttons}]
    for custom_id in old:
        body = await _callback(fake, await fake.click("bob", custom_id, card["id"]))
        assert body["type"] == 4, custom_id
        assert body["data"]["flags"] & EPHEMERAL
        assert OLDER in body["data"]["content"], custom_id


async def test_a_form_from_an_older_version_is_answered_politely(harness: Harness) -> None:
    modal = {
        "custom_id": "mmform:survey:3",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "x", "style": 1, "label": "x"}]}
        ],
    }
    token = await harness.fake.submit_modal("alice", modal, "hello")
    body = await _callback(harness.fake, token)
    assert body["type"] == 4
    assert OLDER in body["data"]["content"]
