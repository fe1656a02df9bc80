"""Trust boundaries through the real discord.py bot against the fake Discord (issue 10, items
1–8 where Discord is involved): ids not names, anonymous cards that ping nobody, the flag typed
in the question, limits, hand-over only to a mentor, cancel, hygiene."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.security.discord_two_guilds import (
    Harness,
    Recorded,
    TwoGuilds,
    custom_ids,
    eventually,
    running,
    sub,
)

PANDAS = "How do I group a pandas DataFrame by two columns and sum one of them? I tried groupby."
RAISE = "How should I negotiate a raise with my manager after a strong year of results?"


@pytest.fixture
async def discord(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running(TwoGuilds(), sqlite_url) as harness:
        yield harness


async def answer(fake: TwoGuilds, token: str) -> str:
    """What an interaction was answered: at once (a refusal) or in a follow-up."""

    def told(r: Recorded) -> bool:
        if r.path.endswith(f"/{token}/callback"):
            return bool((r.json().get("data") or {}).get("content"))
        # The first answer after "thinking…" edits it (PATCH …/messages/@original); later ones
        # are follow-ups (POST).
        answered = re.fullmatch(rf"/webhooks/\d+/{token}(/messages/@original)?", r.path)
        return answered is not None and r.method in ("POST", "PATCH")

    (r,) = await fake.wait_for(told)
    body = r.json()
    return str((body.get("data") or body).get("content") or "")


async def ask(h: Harness, who: str, question: str, **options: Any) -> str:
    """/askmentor as `who`; what they were told (the card, if any, is posted on its own)."""
    sent = [{"name": "question", "type": 3, "value": question}]
    sent += [{"name": k, "type": 5, "value": v} for k, v in options.items()]
    return await answer(h.fake, await h.fake.slash(who, "askmentor", sent))


async def said(h: Harness, who: str, command: str, options: list[dict[str, Any]]) -> str:
    (told,) = await h.fake.followups(await h.fake.slash(who, command, options))
    return told.content() + str(told.json().get("embeds") or "")


async def settled(h: Harness) -> None:
    async def idle() -> bool:
        async with h.app.uow_factory(read_only=True) as uow:
            return not (await uow.outbox.pending() + await uow.inbox.pending())

    await eventually(idle)


def cards(h: Harness) -> list[dict[str, Any]]:
    return [m for m in h.fake.channel_messages(h.fake.mentoring_id) if m.get("embeds")]


# --- 1. identity ----------------------------------------------------------------------------


async def test_a_member_renamed_admin_gets_no_admin_commands(discord: Harness) -> None:
    # In server A, carol is an ordinary member whatever she is called; "admin" has Manage Server.
    discord.fake.users["carol"].update(username="admin", global_name="admin")
    assert "for admins" in await said(discord, "carol", "mentoradmin", sub("stats"))
    assert "Micromentor stats" in await said(discord, "admin", "mentoradmin", sub("stats"))


# --- 2. anonymous questions -----------------------------------------------------------------


async def test_the_anonymous_card_pings_nobody_and_the_suggested_hear_by_dm(
    discord: Harness,
) -> None:
    fake = discord.fake
    await discord.join("bob", "negotiation, salary")
    card = await discord.ask("alice", RAISE, anonymous=True)
    (post,) = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages")
    body = post.json()
    assert body["allowed_mentions"]["users"] == [] and body["allowed_mentions"]["parse"] == []
    assert "<@" not in str(body.get("content") or "")
    shown = str(card["embeds"]).lower()
    assert "alice" not in shown and "suggested" not in shown and "bob" not in shown
    dm = await discord.message_with(f"mm:claim:1@{fake.guild_id}")
    assert dm["channel_id"] in fake.dm_channels
    assert fake.dm_channels[dm["channel_id"]] == fake.users["bob"]["id"]


async def test_the_channel_bump_of_an_anonymous_question_pings_and_names_nobody(
    discord: Harness,
) -> None:
    fake = discord.fake
    await discord.join("bob", "negotiation, salary")
    await discord.ask("alice", RAISE, anonymous=True)
    discord.later(31 * 60)  # past the DM to the next mentor and the bump in the channel

    def posts() -> list[dict[str, Any]]:
        return [
            r.json()
            for r in fake.requests
            if r.method == "POST" and r.path == f"/channels/{fake.mentoring_id}/messages"
        ]

    await fake.wait_until(lambda: len(posts()) > 1)  # the card, then the bump
    await settled(discord)
    for body in posts():
        assert body["allowed_mentions"]["users"] == [], body
        assert "<@" not in str(body.get("content") or "")
        assert "alice" not in str(body).lower()


async def test_a_non_mentor_cannot_claim_an_anonymous_question(discord: Harness) -> None:
    fake = discord.fake
    card = await discord.ask("alice", RAISE, anonymous=True)
    told = await answer(fake, await fake.click("carol", "mm:claim:1", card["id"]))
    assert "only active mentors can claim it" in told
    await fake.react("carol", fake.mentoring_id, card["id"])
    await fake.wait_for(lambda r: "only active mentors can claim it" in r.content(), count=2)
    await settled(discord)
    assert not fake.threads


async def test_who_released_cannot_claim_again(discord: Harness) -> None:
    fake = discord.fake
    await discord.join("bob", "negotiation")
    card = await discord.ask("alice", RAISE, anonymous=True)
    intro = await discord.claim("bob", card)
    release = next(c for c in custom_ids(intro) if c.startswith("mm:release:"))
    await fake.followups(await fake.click("bob", release, intro["id"]))
    await fake.wait_for(lambda r: "back in the queue" in r.content())  # the asker is told
    # the card offers Claim again
    await fake.wait_until(lambda: "mm:claim:1" in custom_ids(fake.messages[card["id"]]))
    told = await answer(fake, await fake.click("bob", "mm:claim:1", card["id"]))
    assert "has had a session with you already" in told


# --- 3. the flag ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question",
    [f"—anonymous {RAISE}", f"-a {RAISE}", f"--Anonymous {RAISE}", f"{RAISE} –anonymous"],
)
async def test_the_flag_typed_in_the_question_posts_anonymously(
    discord: Harness, question: str
) -> None:
    card = await discord.ask("alice", question)
    shown = str(card["embeds"])
    assert "alice" not in shown.lower() and "anonymous" in shown.lower()
    assert RAISE in card["embeds"][0]["description"].replace("\\", "")
    assert "-anonymous" not in shown.lower() and "—" not in shown


async def test_a_dash_word_typo_is_refused_and_nothing_is_posted(discord: Harness) -> None:
    told = await ask(discord, "alice", f"--anonymus {RAISE}")
    assert "Did you mean `--anonymous`?" in told and "Nothing was posted" in told
    await settled(discord)
    assert cards(discord) == []


# --- 5. limits ------------------------------------------------------------------------------

QUESTIONS = [
    "How do I read a large CSV file in pandas without running out of memory on my laptop?",
    "How do I write unit tests for a python function that calls an external HTTP API?",
    "How do I profile a slow python script to find which function takes the most time?",
    "How do I package a python library with pyproject.toml and publish it to our registry?",
    "How do I set up a python virtual environment on Windows for a new data project?",
    "How do I choose between threads and asyncio in python for a network crawler I wrote?",
]


async def test_a_sixth_ask_in_ten_minutes_is_refused_kindly(discord: Harness) -> None:
    told = [await ask(discord, "alice", q) for q in QUESTIONS]
    assert all(t.startswith("Thanks! Your question is #") for t in told[:5])
    assert "You've asked 5 questions in the last 10 minutes" in told[5]
    await settled(discord)
    assert len(cards(discord)) == 5


async def test_a_near_duplicate_points_to_the_open_question(discord: Harness) -> None:
    await discord.ask("alice", PANDAS)
    told = await ask(discord, "alice", PANDAS.upper())
    assert "You already asked this as #1" in told


# --- 6. hand-over ---------------------------------------------------------------------------


def handover_to(fake: TwoGuilds, target: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "name": "handover",
            "type": 1,
            "options": [
                {"name": "question", "type": 4, "value": 1},
                {"name": "to", "type": 6, "value": target["id"]},
            ],
        }
    ]


@pytest.mark.parametrize(
    ("target", "told"),
    [("carol", "isn't one"), ("alice", "own question"), ("bot", "isn't one")],
)
async def test_a_hand_over_to_a_non_mentor_the_asker_or_a_bot_is_refused(
    discord: Harness, target: str, told: str
) -> None:
    fake = discord.fake
    assert isinstance(fake, TwoGuilds)
    await discord.join("bob")
    await discord.claim("bob", await discord.ask("alice", PANDAS))
    who = fake.bot_user if target == "bot" else fake.users[target]
    token = await _slash_mentioning(fake, "bob", handover_to(fake, who), {who["id"]: who})
    assert told in await answer(fake, token)
    await settled(discord)
    assert not [m for m in fake.messages.values() if "mm:accept:" in str(custom_ids(m))]


async def _slash_mentioning(
    fake: TwoGuilds, who: str, options: list[dict[str, Any]], users: dict[str, Any]
) -> str:
    import discord_payloads as p

    members = {
        uid: {k: v for k, v in p.member(u).items() if k != "user"} for uid, u in users.items()
    }
    payload = p.slash_interaction(
        "mentor",
        options,
        command_id=fake.ids(),
        resolved={"users": users, "members": members},
        **fake._common(who),
    )
    await fake.dispatch("INTERACTION_CREATE", payload)
    return str(payload["token"])


# --- 7. cancel ------------------------------------------------------------------------------


async def test_the_asker_cancels_with_the_button_on_the_confirmation(discord: Harness) -> None:
    fake = discord.fake
    card = await discord.ask("alice", PANDAS)
    cancel = f"mm:cancel:1@{fake.guild_id}"
    confirmation = await discord.message_with(cancel)
    assert confirmation["id"] != card["id"]
    confirmation["channel_id"] = fake.mentoring_id  # an ephemeral reply shows where it was asked
    told = await answer(fake, await fake.click("alice", cancel, confirmation["id"]))
    assert "#1 is cancelled" in told
    await fake.wait_until(lambda: "Cancelled by the asker" in str(fake.messages[card["id"]]))


async def test_the_asker_cancels_with_the_command_and_no_one_else_can(discord: Harness) -> None:
    fake = discord.fake
    card = await discord.ask("alice", PANDAS)
    assert any(c.startswith("mm:cancel:1") for c in custom_ids(card))
    refused = await answer(fake, await fake.click("bob", "mm:cancel:1", card["id"]))
    assert refused and "is cancelled" not in refused
    assert "#1 is cancelled" in await ask(discord, "alice", "cancel 1")


# --- 8. hygiene -----------------------------------------------------------------------------


async def test_a_zero_width_question_is_refused_and_posts_nothing(discord: Harness) -> None:
    told = await ask(discord, "alice", "\u200b\u200c\u200d\u2060\ufeff" * 10)
    assert "Please write your question" in told
    await settled(discord)
    assert cards(discord) == []


async def test_an_rtl_override_is_stripped_from_the_card(discord: Harness) -> None:
    card = await discord.ask("alice", f"\u202e{PANDAS}\u2066")
    assert not re.search("[\u202a-\u202e\u2066-\u2069]", str(card))
