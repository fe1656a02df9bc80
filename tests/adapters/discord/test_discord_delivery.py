"""Delivery through the outbox: refused recipients, rate limits, server errors, nonces, lost
leases and expired interaction tokens, against the fake."""

from __future__ import annotations

import logging
import time

import pytest
from discord_harness import Harness
from discord_helpers import custom_ids, eventually, sub

from adapters.discord.ratelimits import NOT_DISCORDS_BACKOFF_SECONDS
from adapters.discord.translate import channel_ref, user_ref
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.messages import ChatMessage, text
from bot.ports import RetryAfter

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"


async def _join(harness: Harness, *names: str) -> None:
    for name in names:
        token = await harness.fake.slash(
            name, "mentor", sub("join", ("skills", 3, "python, pandas"))
        )
        await harness.fake.followups(token)


async def _logged(caplog: pytest.LogCaptureFixture, needle: str) -> None:
    """Until the workers logged `needle` (what they did with a failed delivery)."""

    async def seen() -> bool:
        return needle in caplog.text

    await eventually(seen)


def _dm_posts(harness: Harness, name: str) -> list[tuple[int, str]]:
    """(status, body as text) of every message the bot tried to DM `name`."""
    fake = harness.fake
    dms = {d for d, u in fake.dm_channels.items() if u == fake.users[name]["id"]}
    return [
        (r.status, str(r.body))
        for r in fake.requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.split("/")[2] in dms
    ]


async def test_closed_dms_of_one_member_hold_up_neither_claim_nor_release_nor_others_dms(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await _join(harness, "bob", "carol")
    fake.close_dms("carol")
    card = await harness.ask("alice", QUESTION)
    async with harness.app.uow_factory() as uow:
        question = await uow.questions.get(1)
    assert question is not None
    assert {user_ref(fake.users[n]["id"]) for n in ("bob", "carol")} <= set(question.suggested)

    # Claimed by ✋: its confirmation goes by DM, which Discord refuses; the session opens.
    await fake.react("carol", fake.mentoring_id, card["id"])
    intro = await harness.message_with("mm:resolve:1")
    assert fake.users["carol"]["id"] in fake.thread_members[card["id"]]
    await fake.followups(await fake.click("carol", "mm:release:1", intro["id"]))
    # Released: the suggested mentors are asked again by DM; Bob's arrives.
    await fake.wait_until(
        lambda: any("looking for a mentor again" in t for _, t in _dm_posts(harness, "bob"))
    )
    await fake.wait_until(lambda: "mm:claim:1" in custom_ids(fake.messages[card["id"]]))
    await _logged(caplog, "(50007: the user does not accept DMs from the bot)")

    refused = _dm_posts(harness, "carol")
    assert refused and all(status == 403 for status, _ in refused)
    # What the bot logged (the fake's own access log aside) names no one.
    logged = "\n".join(line for line in caplog.text.splitlines() if "aiohttp.access" not in line)
    assert fake.users["carol"]["id"] not in logged
    carols_dm = next(d for d, u in fake.dm_channels.items() if u == fake.users["carol"]["id"])
    assert carols_dm not in logged


async def _hand_over(harness: Harness, by: str, to: str) -> None:
    """`by` runs /mentor handover 1 <to>; `to` is offered it by DM."""
    fake = harness.fake
    options = [
        {
            "name": "handover",
            "type": 1,
            "options": [
                {"name": "question", "type": 4, "value": 1},
                {"name": "to", "type": 6, "value": fake.users[to]["id"]},
            ],
        }
    ]
    await fake.followups(await fake.slash(by, "mentor", options, mentioning=(to,)))


@pytest.mark.parametrize("anonymous", [False, True])
async def test_a_decline_reaches_a_mentor_whose_dms_are_closed_in_their_session_thread(
    harness: Harness, caplog: pytest.LogCaptureFixture, anonymous: bool
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await _join(harness, "bob", "carol")
    card = await harness.ask("alice", QUESTION, anonymous=anonymous)
    intro = await harness.claim("bob", card)
    thread = intro["channel_id"]  # the card's thread, or the anonymous session's private one
    fake.close_dms("bob")
    await _hand_over(harness, "bob", "carol")
    offer = await harness.message_with("mm:decline:1")  # carol's DMs are open
    decline = next(c for c in custom_ids(offer) if c.startswith("mm:decline:1"))
    await fake.followups(await fake.click("carol", decline, offer["id"]))

    bob, alice = fake.users["bob"]["id"], fake.users["alice"]["id"]

    def told() -> list[dict[str, object]]:
        return [
            m
            for m in fake.channel_messages(thread)
            if "can't take over #1" in str(m.get("content"))
        ]

    await fake.wait_until(lambda: bool(told()))
    (said,) = told()
    assert str(said["content"]).startswith(f"<@{bob}>, I couldn't send you a direct message")
    assert "it stays with you" in str(said["content"])
    # It pings bob alone: never the asker (anonymous or not), nor everyone.
    allowed = said["allowed_mentions"]
    assert isinstance(allowed, dict)
    assert [str(u) for u in allowed["users"]] == [bob]
    assert allowed["parse"] == []
    assert alice not in str(said["content"])
    assert fake.users["bob"]["id"] in fake.thread_members[thread]
    (refused,) = [status for status, body in _dm_posts(harness, "bob") if "take over" in body]
    assert refused == 403
    await _logged(caplog, "said in the session thread instead")
    # Nothing about it in the channel, where everyone reads.
    assert not any("take over" in str(m) for m in fake.channel_messages(fake.mentoring_id))


async def test_a_hand_over_to_a_member_whose_dms_are_closed_comes_back_as_not_reached(
    harness: Harness,
) -> None:
    """Discord refuses the offer (50007): the mentor who asked hears so by DM, instead of
    waiting for an answer that can never come, and the session stays theirs."""
    fake = harness.fake
    await _join(harness, "bob", "carol")
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    fake.close_dms("carol")
    await _hand_over(harness, "bob", "carol")
    await fake.wait_until(
        lambda: any("couldn't reach" in body for _, body in _dm_posts(harness, "bob"))
    )
    [(status, body)] = [p for p in _dm_posts(harness, "bob") if "couldn't reach" in p[1]]
    assert status == 200 and "never saw your request to take over #1" in body
    assert [status for status, body in _dm_posts(harness, "carol")] == [403]
    async with harness.app.uow_factory() as uow:
        question = await uow.questions.get(1)
    assert question is not None and question.handover_to is None
    assert question.mentor == user_ref(fake.users["bob"]["id"])


async def test_a_claim_by_reaction_with_closed_dms_is_confirmed_by_the_intros_ping(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # The ✋ claim's confirmation goes by DM (a reaction has no interaction to answer), which
    # Discord refuses; the session's intro, in the thread the claimer was added to, pings them.
    caplog.set_level(logging.INFO)
    fake = harness.fake
    await _join(harness, "carol")
    fake.close_dms("carol")
    card = await harness.ask("alice", QUESTION)
    await fake.react("carol", fake.mentoring_id, card["id"])
    intro = await harness.message_with("mm:resolve:1")
    carol = fake.users["carol"]["id"]
    assert carol in fake.thread_members[card["id"]]
    assert f"<@{carol}>" in intro["content"] and "question #1" in intro["content"]
    assert carol in [str(u) for u in intro["allowed_mentions"]["users"]]
    await _logged(caplog, "(50007: the user does not accept DMs from the bot)")
    refused = _dm_posts(harness, "carol")
    assert refused and all(status == 403 for status, _ in refused)
    assert any("You claimed #1" in body for _, body in refused)


async def test_a_long_rate_limit_on_the_card_is_retried_when_it_ends_not_waited_out(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    fake.rate_limit_next("POST", rf"/channels/{fake.mentoring_id}/messages", retry_after=60)
    started = time.monotonic()
    options = [{"name": "question", "type": 3, "value": "How do I rebase onto main safely?"}]
    (reply,) = await fake.followups(await fake.slash("alice", "askmentor", options))
    assert "#1" in reply.content()
    await _logged(caplog, "rate limited, retrying in 60.0 s")
    assert fake.channel_messages(fake.mentoring_id) == []

    harness.later(61)
    await fake.wait_until(lambda: bool(fake.channel_messages(fake.mentoring_id)))
    posts = [r for r in fake.requests if r.path == f"/channels/{fake.mentoring_id}/messages"]
    assert [p.status for p in posts] == [429, 200]
    assert len(fake.channel_messages(fake.mentoring_id)) == 1
    assert time.monotonic() - started < 10  # Discord's 60 s were never waited out in a call


async def test_a_long_rate_limit_on_a_follow_up_is_retried_when_it_ends_not_waited_out(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    # discord.py's webhook adapter sleeps out every 429 (up to 5 times): the answer on the
    # interaction's token goes through the client's HTTP, which raises past its limit.
    caplog.set_level(logging.INFO)
    fake = harness.fake
    fake.rate_limit_next("PATCH", r"/webhooks/\d+/[^/]+/messages/@original", retry_after=60)
    started = time.monotonic()
    options = [{"name": "question", "type": 3, "value": "How do I rebase onto main safely?"}]
    token = await fake.slash("alice", "askmentor", options)
    (limited,) = await fake.followups(token)
    assert limited.status == 429
    await _logged(caplog, "rate limited, retrying in 60.0 s")
    assert time.monotonic() - started < 5  # the delivery gave up its turn at once
    await fake.wait_until(lambda: bool(fake.channel_messages(fake.mentoring_id)))  # not held

    harness.later(61)
    _, sent = await fake.followups(token, count=2)
    assert sent.status == 200 and sent.json() == limited.json()
    assert "#1" in sent.content() and harness.fake.is_ephemeral(sent)  # still ephemeral
    assert sent.json()["allowed_mentions"]["parse"] == []
    assert time.monotonic() - started < 10  # Discord's 60 s were never waited out in a call


async def test_a_thread_post_answered_500_after_it_was_made_shows_once(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    fake.fail_next("POST", rf"/channels/{card['id']}/messages")  # the intro, made, then 500
    await harness.claim("bob", card)
    posts = await fake.wait_request("POST", rf"/channels/{card['id']}/messages", count=2)
    assert [p.status for p in posts] == [500, 200]
    assert posts[0].json()["nonce"] == posts[1].json()["nonce"]
    assert len(fake.channel_messages(card["id"])) == 1


async def test_every_send_carries_its_delivery_key_as_an_enforced_nonce(harness: Harness) -> None:
    fake = harness.fake
    await _join(harness, "bob", "carol")
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("carol", card)
    await fake.followups(await fake.click("carol", "mm:release:1", intro["id"]))
    await fake.wait_until(lambda: bool(_dm_posts(harness, "bob")))  # "looking for a mentor"
    sends = [
        r
        for r in fake.requests
        if r.method == "POST" and r.path.startswith("/channels/") and r.path.endswith("/messages")
    ]
    where = {r.path.split("/")[2] for r in sends}
    assert {fake.mentoring_id, card["id"]} <= where  # the card, the thread
    assert where & set(fake.dm_channels)  # a DM
    nonces = [r.json()["nonce"] for r in sends]
    assert all(r.json()["enforce_nonce"] is True for r in sends)
    assert all(n.startswith("mm") and len(n) <= 25 for n in nonces)
    assert len(set(nonces)) == len(nonces)


async def test_a_card_resent_after_its_lease_ran_out_is_the_message_made_the_first_time(
    harness: Harness,
) -> None:
    fake = harness.fake

    async def delivered() -> bool:
        async with harness.app.uow_factory() as uow:
            return await uow.outbox.pending() == 0

    await harness.ask("alice", QUESTION)
    # Everything of the first ask delivered, its answers read: the channel's rate limit bucket
    # is known from here. (Before it is, discord.py sends one request of an unknown bucket at a
    # time, and the resend below would queue behind the answer held back: on a loaded machine
    # the card could go out before the bucket was learned.)
    await eventually(delivered)
    first_answer = fake.hold_next("POST", rf"/channels/{fake.mentoring_id}/messages")
    options = [{"name": "question", "type": 3, "value": "How do I rebase onto main safely?"}]
    await fake.followups(await fake.slash("alice", "askmentor", options))
    try:
        # Discord made card #2, but its answer hangs until the delivery's lease has run out ...
        await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages", count=2)
        harness.later(harness.app.config.flow.lease_seconds + 1)
        # ... and another worker (a replica) takes the row and sends it again, as a retry.
        await harness.app.runtime.outbox_worker.drain()
        posts = await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages", count=3)
        assert posts[1].json()["nonce"] == posts[2].json()["nonce"]
        assert len(fake.channel_messages(fake.mentoring_id)) == 2
        async with harness.app.uow_factory() as uow:
            question = await uow.questions.get(2)
        (card,) = [m for m in fake.channel_messages(fake.mentoring_id) if "#2" in str(m["embeds"])]
        assert question is not None and question.card is not None
        assert question.card.id.endswith(f":{card['id']}")
    finally:
        first_answer.set()  # the first attempt ends too, and records the same card
    await eventually(delivered)
    assert len(fake.channel_messages(fake.mentoring_id)) == 2


async def test_an_answer_whose_interaction_token_expired_comes_by_dm(harness: Harness) -> None:
    fake = harness.fake
    fake.expire_interaction_tokens()
    token = await fake.slash("bob", "mentor", sub("join", ("skills", 3, "python, pandas")))
    (expired,) = await fake.followups(token)
    assert expired.status == 401
    await fake.wait_until(lambda: bool(_dm_posts(harness, "bob")))
    ((status, said),) = _dm_posts(harness, "bob")
    assert status == 200 and "python" in said.lower()


@pytest.mark.parametrize("thread_mode", ["private"])
async def test_a_private_thread_retried_after_a_failed_member_add_is_not_opened_twice(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    # A passing failure (a 403 is a permission the bot lacks: skipped, not retried).
    fake.fail_next(
        "PUT",
        r"/channels/\d+/thread-members/\d+",
        status=503,
        message="503: Service Unavailable",
        effect=False,
    )
    await fake.followups(await fake.click("bob", "mm:claim:1", card["id"]))
    await _logged(caplog, "open_thread #")
    harness.later(5)
    await harness.message_with("mm:resolve:1")
    creates = [r for r in fake.requests if r.path == f"/channels/{fake.mentoring_id}/threads"]
    assert [r.status for r in creates] == [201]
    (thread_id,) = fake.threads
    assert sorted(fake.thread_members[thread_id]) == sorted(
        [fake.users["alice"]["id"], fake.users["bob"]["id"]]
    )


async def test_a_private_message_answered_500_after_it_was_made_shows_once(
    harness: Harness,
) -> None:
    fake = harness.fake
    carol = user_ref(fake.users["carol"]["id"])
    said = ChatMessage(body=text("Only you see this: your draft is saved."))
    private = Delivery(
        Op.PRIVATE,
        f"u:{carol.key()}",
        message=said,
        user=carol,
        channel=channel_ref(fake.mentoring_id),
    )
    fake.fail_next("POST", r"/channels/\d+/messages")  # the DM is made, then Discord says 500
    async with harness.app.uow_factory() as uow:
        row = OutboxItem(private, key=new_key(), due_at=harness.clock.now())
        await uow.outbox.add_many([row])
        await uow.commit()
    harness.app.runtime.wake()
    posts = await fake.wait_request("POST", r"/channels/\d+/messages", count=2)
    assert [p.status for p in posts] == [500, 200]
    assert posts[0].json()["nonce"] == posts[1].json()["nonce"] == row.key
    assert all(p.json()["enforce_nonce"] is True for p in posts)
    (body,) = [b for s, b in _dm_posts(harness, "carol") if s == 200]
    assert "draft is saved" in body
    (dm,) = {p.path.split("/")[2] for p in posts}
    assert len(fake.channel_messages(dm)) == 1


async def test_a_long_global_rate_limit_holds_back_every_request_not_only_the_one_that_met_it(
    harness: Harness,
) -> None:
    fake = harness.fake
    gateway = harness.adapter.gateway
    fake.rate_limit_globally(60)
    with pytest.raises(RetryAfter):
        await gateway.post_card(channel_ref(fake.mentoring_id), ChatMessage(body=text("Digest")))
    asked = len(fake.requests)
    carol = user_ref(fake.users["carol"]["id"])
    with pytest.raises(RetryAfter) as held:
        await gateway.send_dm(carol, ChatMessage(body=text("Your question has a mentor.")))
    assert 50 < held.value.seconds <= 60  # what is left of Discord's global wait
    # Not asked at all meanwhile: every 429 counts towards Cloudflare's ban on invalid requests.
    assert fake.requests[asked:] == []
    assert [r.status for r in fake.requests if r.status == 429] == [429]


@pytest.mark.parametrize(
    ("retry_after", "waits"),
    [(120, 120.0), (None, NOT_DISCORDS_BACKOFF_SECONDS)],
    ids=["with Retry-After", "without Retry-After"],
)
async def test_a_429_that_is_not_discords_waits_its_retry_after_else_briefly(
    harness: Harness, retry_after: int | None, waits: float
) -> None:
    fake = harness.fake
    fake.cloudflare_ban_next(
        "POST", rf"/channels/{fake.mentoring_id}/messages", retry_after=retry_after
    )
    with pytest.raises(RetryAfter) as told:
        await harness.adapter.gateway.post_card(
            channel_ref(fake.mentoring_id), ChatMessage(body=text("Digest"))
        )
    assert told.value.seconds == waits  # not a blind minute


async def test_an_interactions_answer_is_not_held_by_a_global_rate_limit(harness: Harness) -> None:
    """Discord: "Interaction endpoints are not bound to the bot's Global Rate Limit": the
    follow-up answering a command goes at once, not after the minute's global wait."""
    fake = harness.fake
    fake.rate_limit_globally(60)
    with pytest.raises(RetryAfter):
        await harness.adapter.gateway.post_card(
            channel_ref(fake.mentoring_id), ChatMessage(body=text("Digest"))
        )
    token = await fake.slash("alice", "mentor", sub("me"))
    (answer,) = await fake.followups(token)
    assert answer.status == 200
