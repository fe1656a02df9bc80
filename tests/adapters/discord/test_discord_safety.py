"""Safety and robustness: no mass pings, escaped user text, rate limits retried, private threads."""

from __future__ import annotations

import logging

import discord_payloads as p
import pytest
from discord_harness import Harness

EVERYONE = "@everyone @here <@&1180000000000000999> how do I **reset** my git branch to origin?"


async def test_question_with_everyone_is_posted_with_mentions_disabled(harness: Harness) -> None:
    card = await harness.ask("alice", EVERYONE)
    (post,) = await harness.fake.wait_request(
        "POST", rf"/channels/{harness.fake.mentoring_id}/messages"
    )
    allowed = post.json()["allowed_mentions"]
    assert allowed["parse"] == []
    assert allowed["users"] == []  # nobody suggested yet: no one to ping
    description = card["embeds"][0]["description"]
    assert "@everyone" not in description and "@here" not in description
    assert "<@&1180000000000000999>" not in description
    assert "\\*\\*reset\\*\\*" in description


async def test_intro_quotes_the_question_escaped_and_pings_only_asker_and_mentor(
    harness: Harness,
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", EVERYONE)
    await harness.claim("bob", card)
    (intro,) = await fake.wait_request("POST", rf"/channels/{card['id']}/messages")
    body = intro.json()
    assert "@everyone" not in body["content"]
    assert body["allowed_mentions"]["parse"] == []
    assert {str(u) for u in body["allowed_mentions"]["users"]} == {
        fake.users["alice"]["id"],
        fake.users["bob"]["id"],
    }


async def test_rate_limited_card_post_is_retried_after_retry_after(harness: Harness) -> None:
    fake = harness.fake
    fake.rate_limit_next("POST", rf"/channels/{fake.mentoring_id}/messages", retry_after=0.1)
    await harness.ask("alice", "How do I rebase my feature branch onto main safely?")
    posts = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages", count=2)
    assert [p.status for p in posts] == [429, 200]
    assert posts[0].body == posts[1].body
    assert len(fake.channel_messages(fake.mentoring_id)) == 1


@pytest.mark.parametrize("manage_threads", [False, True], ids=["invite link", "Manage Threads"])
async def test_anonymous_question_gets_a_private_thread_with_both_added(
    harness: Harness, caplog: pytest.LogCaptureFixture, manage_threads: bool
) -> None:
    # Of a private thread that is not invitable only moderators (Manage Threads) may add anyone:
    # it is made invitable, both are added, then it is closed to invitations if the bot may.
    caplog.set_level(logging.INFO)
    fake = harness.fake
    if manage_threads:
        await fake.grant_bot(p.MANAGE_THREADS)
    card = await harness.ask(
        "alice", "How should I prepare for a salary talk next week?", anonymous=True
    )
    assert "alice" not in str(card["embeds"]).lower()
    await harness.join("bob")  # only mentors may claim an anonymous question
    await harness.claim("bob", card)
    (create,) = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/threads")
    assert create.json()["type"] == 12 and create.json()["invitable"] is True
    (thread_id,) = fake.threads
    assert sorted(fake.thread_members[thread_id]) == sorted(
        [fake.users["alice"]["id"], fake.users["bob"]["id"]]
    )
    if manage_threads:
        (lock,) = await fake.wait_request("PATCH", rf"/channels/{thread_id}")
        assert lock.json() == {"invitable": False} and lock.status == 200
    else:
        # The session works either way; the operator hears once what Manage Threads adds, and
        # the bot does not ask for what its permissions say Discord would refuse.
        await fake.wait_request("POST", rf"/channels/{thread_id}/messages")  # the intro
    invitable = fake.threads[thread_id]["thread_metadata"]["invitable"]
    told = [r for r in caplog.records if "granting Manage Threads" in r.getMessage()]
    if manage_threads:
        assert invitable is False and not told
    else:
        assert invitable is True
        assert not [r for r in fake.requests if r.method == "PATCH" and thread_id in r.path]
        assert len(told) == 1 and told[0].levelno == logging.WARNING
        assert "Acme" in told[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text


async def test_private_threads_left_invitable_are_told_once_per_server(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await harness.join("bob")
    for n, question in enumerate(
        (
            "How should I prepare for a salary talk next week?",
            "How do I tell my manager I am burning out?",
        ),
        start=1,
    ):
        card = await harness.ask("alice", question, anonymous=True)
        await harness.claim("bob", card)
        # The session's intro in its new thread: the members are added before it.
        await fake.wait_for(
            lambda r, n=n: (
                r.method == "POST"
                and any(r.path == f"/channels/{t}/messages" for t in fake.threads)
            ),
            count=n,
        )
    assert len(fake.threads) == 2
    for members in fake.thread_members.values():
        assert len(members) == 2
    told = [r for r in caplog.records if "granting Manage Threads" in r.getMessage()]
    assert len(told) == 1


@pytest.mark.parametrize("thread_mode", ["private"])
async def test_private_thread_mode_opens_private_threads_for_every_question(
    harness: Harness,
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", "How do I group a pandas DataFrame by two columns?")
    await fake.react("bob", fake.mentoring_id, card["id"])
    (create,) = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/threads")
    assert create.json()["type"] == 12
    assert not [r for r in fake.requests if r.path.endswith(f"/messages/{card['id']}/threads")]


async def test_asker_reacting_to_own_card_is_told_by_dm(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", "How do I group a pandas DataFrame by two columns?")
    await fake.react("alice", fake.mentoring_id, card["id"])
    (dm,) = await fake.wait_request("POST", r"/users/@me/channels")
    assert str(dm.json()["recipient_id"]) == fake.users["alice"]["id"]
    told = await fake.wait_for(lambda r: "can't claim" in r.content())
    assert told[0].path.startswith("/channels/")
    assert not fake.threads
