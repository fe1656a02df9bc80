"""Lightning sessions and kudos with the real discord.py bot against the fake, on a fake clock:
the proposal DM, "I'll teach it" and its modal, the card and its sign-up count, reminders, the
rating; `/kudos` and `/lightning` as slash commands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from discord_fake import FakeDiscord
from discord_harness import START, Harness, start_bot, stop_bot, wait_started
from discord_helpers import custom_ids, sub

from adapters.discord.components import lightning_form_submission
from adapters.discord.translate import (
    TeachRequest,
    actor_for,
    button_command,
    lightning_command,
    lightning_form_command,
)
from bot.config import Config
from bot.lightning.commands import (
    AcceptLightning,
    CancelLightning,
    DeclineLightning,
    LeaveLightning,
    MoveLightning,
    RateLightning,
)
from bot.textcommands import ParseError

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
CALL = "https://meet.example.com/lightning"
STARTS = datetime.fromisoformat("2026-11-25T15:00:00+00:00")  # typed as 2026-11-25 15:00 (UTC)
EPHEMERAL = 64


@pytest.fixture
async def harness(fake_discord: FakeDiscord, sqlite_url: str) -> AsyncIterator[Harness]:
    config = Config.model_validate(
        {
            "discord": {"guild_ids": [int(fake_discord.guild_id)]},
            "bot": {"admins": []},
            "lightning": {"min_questions": 2},
            "session": {"call_link": CALL},
        }
    )
    app, adapter, task, clock = await start_bot(fake_discord, config, sqlite_url)
    try:
        await wait_started(adapter, task)
        yield Harness(fake_discord, app, adapter, clock)
    finally:
        await stop_bot(app, task)


def dms_to(harness: Harness, name: str, needle: str) -> list[dict[str, Any]]:
    fake = harness.fake
    user = fake.users[name]["id"]
    return [
        m
        for m in fake.messages.values()
        if fake.dm_channels.get(m["channel_id"]) == user
        and (
            needle in str(m.get("content"))
            or needle in str(m.get("embeds"))
            or needle in custom_ids(m)
        )
    ]


async def dm_to(harness: Harness, name: str, needle: str) -> dict[str, Any]:
    await harness.fake.wait_until(lambda: bool(dms_to(harness, name, needle)))
    return dms_to(harness, name, needle)[0]


def at(harness: Harness, when: datetime) -> None:
    harness.later((when - harness.clock.now()).total_seconds())


async def proposed(harness: Harness) -> dict[str, Any]:
    token = await harness.fake.slash("bob", "mentor", sub("join", ("skills", 3, "python, pandas")))
    await harness.fake.followups(token)
    await harness.ask("alice", QUESTION)
    await harness.ask("carol", QUESTION)
    return await dm_to(harness, "bob", f"mm:teach:1@{harness.fake.guild_id}")


async def taught(harness: Harness) -> dict[str, Any]:
    """bob presses I'll teach it and fills in the modal → the card in #mentoring."""
    fake = harness.fake
    proposal = await proposed(harness)
    assert custom_ids(proposal) == [
        f"mm:teach:1@{harness.fake.guild_id}",
        f"mm:notnow:1@{harness.fake.guild_id}",
    ]
    token = await fake.click("bob", f"mm:teach:1@{harness.fake.guild_id}", proposal["id"])
    await fake.wait_until(lambda: bool(fake.interaction_callbacks(token)))
    (callback,) = fake.interaction_callbacks(token)
    assert callback.json()["type"] == 9  # a modal
    modal = callback.json()["data"]
    submit = await fake.submit_modal(
        "bob", modal, {"title": "groupby in 15 minutes", "when": "2026-11-25 15:00"}
    )
    (reply,) = await fake.followups(submit)
    assert "is on Wed 2026-11-25 15:00 UTC" in reply.json()["content"]

    def cards() -> list[dict[str, Any]]:
        return [m for m in fake.channel_messages(fake.mentoring_id) if "mm:join:1" in custom_ids(m)]

    await fake.wait_until(lambda: bool(cards()))
    (card,) = cards()
    return card


def card_field(message: dict[str, Any], name: str) -> str:
    fields = {f["name"]: f["value"] for f in message["embeds"][0]["fields"]}
    return str(fields[name])


async def test_the_whole_lightning_flow_on_discord(harness: Harness) -> None:
    fake = harness.fake
    card = await taught(harness)
    assert card_field(card, "Going") == "0 signed up"
    assert "groupby in 15 minutes" in card["embeds"][0]["title"]
    await dm_to(harness, "alice", "You asked about")

    token = await fake.click("alice", "mm:join:1", card["id"])
    (joined,) = await fake.followups(token)
    assert harness.fake.is_ephemeral(joined) and "You're in!" in joined.json()["content"]
    (edit,) = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}"
    )
    fields = {f["name"]: f["value"] for f in edit.json()["embeds"][0]["fields"]}
    assert fields["Going"] == "1 signed up"

    at(harness, STARTS - timedelta(days=1))
    day = await dm_to(harness, "alice", "is tomorrow")
    assert CALL in str(day.get("content"))
    at(harness, STARTS - timedelta(minutes=15))
    soon = await dm_to(harness, "alice", "starts in 15 minutes")
    assert CALL in str(soon.get("content"))

    at(harness, STARTS + timedelta(minutes=15))
    prompt = await dm_to(harness, "alice", f"mm:lrate:5:1@{harness.fake.guild_id}")
    assert custom_ids(prompt) == [f"mm:lrate:{i}:1@{harness.fake.guild_id}" for i in range(1, 6)]
    await dm_to(harness, "bob", "Thank you for teaching")
    token = await fake.click("alice", f"mm:lrate:5:1@{harness.fake.guild_id}", prompt["id"])
    (rated,) = await fake.followups(token)
    assert "Thanks for rating #1 5/5" in rated.json()["content"]
    await fake.wait_until(lambda: "rated by 1" in str(fake.messages[card["id"]]["embeds"]))


async def test_leave_on_the_youre_in_answer_and_a_reminder_dm_on_discord(harness: Harness) -> None:
    fake = harness.fake
    leave = f"mm:leave:1@{fake.guild_id}"
    await taught(harness)
    (joined,) = await fake.followups(
        await fake.slash("alice", "lightning", sub("join", ("session", 4, 1)))
    )
    assert custom_ids(joined.json()) == [leave]
    at(harness, STARTS - timedelta(days=1))
    reminder = await dm_to(harness, "alice", "is tomorrow")
    assert custom_ids(reminder) == [leave]
    assert custom_ids(await dm_to(harness, "bob", "is tomorrow")) == []
    (left,) = await fake.followups(await fake.click("alice", leave, reminder["id"]))
    assert left.json()["content"].startswith("You're off the list for **#1**"), left.json()
    at(harness, STARTS - timedelta(minutes=15))
    await dm_to(harness, "bob", "starts in 15 minutes")
    assert dms_to(harness, "alice", "starts in 15 minutes") == []


async def test_lightning_leave_slash_command_tells_the_speaker_to_cancel(harness: Harness) -> None:
    fake = harness.fake
    await taught(harness)
    (said,) = await fake.followups(
        await fake.slash("bob", "lightning", sub("leave", ("session", 4, 1)))
    )
    assert "You're the speaker of #1." in said.json()["content"]
    assert "`/lightning cancel 1`" in said.json()["content"]


async def test_not_now_on_discord(harness: Harness) -> None:
    proposal = await proposed(harness)
    token = await harness.fake.click("bob", f"mm:notnow:1@{harness.fake.guild_id}", proposal["id"])
    (reply,) = await harness.fake.followups(token)
    assert "No problem" in reply.json()["content"]


async def test_a_teach_form_with_an_unreadable_time_is_answered_at_once(harness: Harness) -> None:
    fake = harness.fake
    proposal = await proposed(harness)
    token = await fake.click("bob", f"mm:teach:1@{harness.fake.guild_id}", proposal["id"])
    await fake.wait_until(lambda: bool(fake.interaction_callbacks(token)))
    modal = fake.interaction_callbacks(token)[0].json()["data"]
    submit = await fake.submit_modal("bob", modal, {"title": "groupby", "when": "next tuesday"})
    await fake.wait_until(lambda: bool(fake.interaction_callbacks(submit)))
    (answer,) = fake.interaction_callbacks(submit)
    said = answer.json()["data"]["content"]
    assert "couldn't read `next tuesday` as a time" in said
    # What to do in the form (pressed again), not a command with a number it never showed.
    assert "Press **I'll teach it** again" in said and "`YYYY-MM-DD HH:MM`" in said
    assert "<number>" not in said and "/lightning accept" not in said


async def test_lightning_propose_list_and_join_slash_commands(harness: Harness) -> None:
    fake = harness.fake
    options = sub(
        "propose",
        ("topic", 3, "pandas"),
        ("when", 3, "2026-11-25 15:00"),
        ("title", 3, "pivot tables"),
    )
    (reply,) = await fake.followups(await fake.slash("carol", "lightning", options))
    assert "**Lightning session #1** “pivot tables”" in reply.json()["content"]
    (joined,) = await fake.followups(
        await fake.slash("alice", "lightning", sub("join", ("session", 4, 1)))
    )
    assert "You're in!" in joined.json()["content"]
    (listed,) = await fake.followups(await fake.slash("alice", "lightning", sub("list")))
    assert "pivot tables" in str(listed.json()) and "1 going" in str(listed.json())


async def test_kudos_slash_command_thanks_a_member_in_the_channel(harness: Harness) -> None:
    fake = harness.fake
    bob = fake.users["bob"]["id"]
    options = [
        {"name": "member", "type": 6, "value": bob},
        {"name": "why", "type": 3, "value": "for the groupby trick @everyone"},
    ]
    token = await fake.slash("alice", "kudos", options, mentioning=("bob",))
    (reply,) = await fake.followups(token)
    assert "Thanks sent to Bob in the mentoring channel" in reply.json()["content"]
    await fake.wait_until(
        lambda: any(
            "Kudos" in str(m.get("content")) for m in fake.channel_messages(fake.mentoring_id)
        )
    )
    [post] = [
        m for m in fake.channel_messages(fake.mentoring_id) if "Kudos" in str(m.get("content"))
    ]
    (sent,) = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages")
    assert [str(u) for u in sent.json()["allowed_mentions"]["users"]] == [bob]
    assert sent.json()["allowed_mentions"]["parse"] == []
    assert f"<@{bob}>" in str(post["content"])


async def test_private_kudos_go_by_dm_on_discord(harness: Harness) -> None:
    fake = harness.fake
    options = [
        {"name": "member", "type": 6, "value": fake.users["bob"]["id"]},
        {"name": "why", "type": 3, "value": "for the quiet help"},
        {"name": "private", "type": 5, "value": True},
    ]
    token = await fake.slash("alice", "kudos", options, mentioning=("bob",))
    (reply,) = await fake.followups(token)
    assert "privately" in reply.json()["content"]
    await dm_to(harness, "bob", "Kudos from")
    assert not any(
        "Kudos" in str(m.get("content")) for m in fake.channel_messages(fake.mentoring_id)
    )


def test_the_harness_clock_starts_on_a_monday() -> None:
    assert START.weekday() == 0


# --- translating (pure) ----------------------------------------------------------------------


ACTOR = actor_for(user_id=7, name="bob", guild_id=1)


def test_the_teach_button_asks_for_the_form() -> None:
    assert button_command(ACTOR, "mm:teach:4") == TeachRequest(ACTOR, 4)
    # Buttons carry the session's internal id, never typed: by_id.
    assert button_command(ACTOR, "mm:lrate:5:4") == RateLightning(ACTOR, 4, 5, by_id=True)
    assert button_command(ACTOR, "mm:notnow:4") == DeclineLightning(ACTOR, 4, by_id=True)
    assert button_command(ACTOR, "mm:leave:4@77") == LeaveLightning(ACTOR, 4, by_id=True)


def test_the_lightning_form_is_read_from_the_raw_payload() -> None:
    data = {
        "custom_id": "mmform:lightning:4",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "title", "value": "groupby"}]},
            {
                "type": 18,
                "component": {"type": 4, "custom_id": "when", "value": "2026-12-03 15:00"},
            },
        ],
    }
    assert lightning_form_submission(data) == (4, "groupby", "2026-12-03 15:00", None)
    # opened from a DM: the form's id names the server
    assert lightning_form_submission({**data, "custom_id": "mmform:lightning:4@77"}) == (
        4,
        "groupby",
        "2026-12-03 15:00",
        "77",
    )
    assert lightning_form_submission({"custom_id": "mmform:comment:4"}) is None
    assert lightning_form_command(ACTOR, 4, title="groupby", when="2026-12-03 15:00") == (
        AcceptLightning(ACTOR, 4, datetime(2026, 12, 3, 15, 0), "groupby", by_id=True)
    )


def test_lightning_slash_options_become_the_text_grammar() -> None:
    options = {"session": 4, "when": "2026-12-03 15:00", "title": "groupby basics"}
    assert lightning_command(ACTOR, "accept", options) == AcceptLightning(
        ACTOR, 4, datetime(2026, 12, 3, 15, 0), "groupby basics"
    )
    assert lightning_command(ACTOR, "rate", {"session": 4, "score": 5}) == RateLightning(
        ACTOR, 4, 5
    )
    moved = lightning_command(ACTOR, "move", {"session": 4, "when": "2026-12-03 15:00"})
    assert moved == MoveLightning(ACTOR, 4, datetime(2026, 12, 3, 15, 0))
    assert lightning_command(ACTOR, "cancel", {"session": 4}) == CancelLightning(ACTOR, 4)
    assert lightning_command(ACTOR, "leave", {"session": 4}) == LeaveLightning(ACTOR, 4)


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        ("2026-02-30 15:00", "February 2026 has 28 days"),
        ("2026-13-03 15:00", "there is no month 13"),
        ("2026-12-03 24:30", "`24:30` isn't a time of day"),
    ],
    ids=["no such day", "no such month", "no such hour"],
)
def test_an_impossible_time_in_the_teach_form_names_what_is_wrong(typed: str, named: str) -> None:
    refused = lightning_form_command(ACTOR, 4, title="groupby", when=typed)
    assert isinstance(refused, ParseError)
    assert named in refused.message
    assert "couldn't read" not in refused.message
    # Said under the form: what to do in it again (a form shows no session number), never
    # the session's internal id.
    assert "Press **I'll teach it** again" in refused.message
    assert "<number>" not in refused.message and "/lightning accept" not in refused.message
    assert "#4" not in refused.message


def test_an_unreadable_time_in_the_teach_form_still_shows_the_shape_to_use() -> None:
    refused = lightning_form_command(ACTOR, 4, title="groupby", when="next tuesday")
    assert isinstance(refused, ParseError)
    assert refused.message.startswith("I couldn't read `next tuesday` as a time.")
    assert "`YYYY-MM-DD HH:MM`" in refused.message
