"""Ask → card → claim (reaction, button, race) → thread → resolve → rating, against the fake."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from discord_harness import Harness
from discord_helpers import custom_ids, eventually

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
EPHEMERAL = 64


async def test_ask_posts_a_card_embed_with_claim_and_not_my_area_buttons(harness: Harness) -> None:
    card = await harness.ask("alice", QUESTION)
    (embed,) = card["embeds"]
    assert embed["title"] == "Question #1"
    assert "group a pandas DataFrame" in embed["description"]
    assert custom_ids(card) == ["mm:claim:1", "mm:notmine:1", "mm:cancel:1"]


async def test_ask_is_answered_ephemerally_within_the_interaction(harness: Harness) -> None:
    fake = harness.fake
    token = await fake.slash(
        "alice", "askmentor", [{"name": "question", "type": 3, "value": QUESTION}]
    )
    (reply,) = await fake.followups(token)
    (callback,) = fake.interaction_callbacks(token)
    assert callback.json()["type"] == 5  # deferred "thinking…"
    assert callback.json()["data"]["flags"] & EPHEMERAL
    assert harness.fake.is_ephemeral(reply)
    assert "#1" in reply.json()["content"]


async def test_claim_reaction_is_added_to_the_card_by_the_bot(harness: Harness) -> None:
    card = await harness.ask("alice", QUESTION)
    (put,) = await harness.fake.wait_request(
        "PUT", rf"/channels/\d+/messages/{card['id']}/reactions/.+/@me"
    )
    assert put.path.endswith("/reactions/✋/@me")


async def test_claim_by_reaction_edits_card_and_opens_thread_from_it(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await fake.react("bob", fake.mentoring_id, card["id"])
    await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages/{card['id']}/threads")
    (edit,) = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}"
    )
    status = {f["name"]: f["value"] for f in edit.json()["embeds"][0]["fields"]}["Status"]
    assert "Claimed by" in status and "bob" in status.lower()
    assert edit.json()["components"] == []
    (intro,) = await fake.wait_request("POST", rf"/channels/{card['id']}/messages")
    assert custom_ids(intro.json()) == ["mm:resolve:1", "mm:release:1", "mm:extend:1"]
    assert sorted(fake.thread_members[card["id"]]) == sorted(
        [fake.users["alice"]["id"], fake.users["bob"]["id"]]
    )
    pinged = {str(u) for u in intro.json()["allowed_mentions"]["users"]}
    assert pinged == {fake.users["alice"]["id"], fake.users["bob"]["id"]}


async def test_the_card_names_the_claim_emoji_as_discord_shows_it(harness: Harness) -> None:
    card = await harness.ask("alice", QUESTION)
    fields = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}
    assert fields["How to claim"] == "press Claim or react with ✋"


async def test_the_raising_hand_claims_on_discord_as_it_does_on_slack(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await fake.react("bob", fake.mentoring_id, card["id"], emoji="🙋🏽")
    await fake.wait_request("POST", rf"/channels/{fake.mentoring_id}/messages/{card['id']}/threads")


async def test_claim_by_button_acknowledges_and_tells_the_mentor_ephemerally(
    harness: Harness,
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    token = await fake.click("bob", "mm:claim:1", card["id"])
    (reply,) = await fake.followups(token)
    (callback,) = fake.interaction_callbacks(token)
    assert callback.json()["type"] == 6  # deferred update: the card itself changes
    assert harness.fake.is_ephemeral(reply)
    assert "You claimed #1" in reply.json()["content"]
    await fake.wait_request("POST", rf"/channels/\d+/messages/{card['id']}/threads")
    assert card["id"] in fake.threads


async def test_reaction_and_button_race_has_exactly_one_winner_and_the_loser_is_told(
    harness: Harness,
) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    token, _ = await asyncio.gather(
        fake.click("carol", "mm:claim:1", card["id"]),
        fake.react("bob", fake.mentoring_id, card["id"]),
    )
    (button_reply,) = await fake.followups(token)
    await fake.wait_request("POST", r"/channels/\d+/messages/\d+/threads")
    carol_won = "You claimed #1" in button_reply.json()["content"]
    if carol_won:
        # bob's DM channel (alice's may open too: her first-question badge)
        await fake.wait_for(
            lambda r: (
                r.method == "POST"
                and r.path == "/users/@me/channels"
                and str(r.json()["recipient_id"]) == fake.users["bob"]["id"]
            )
        )
        told = await fake.wait_for(
            lambda r: (
                r.method == "POST"
                and r.path.startswith("/channels/")
                and "claimed #1 first" in r.content()
            )
        )
        assert "Carol" in told[0].json()["content"]
    else:
        assert "Bob claimed #1 first" in button_reply.json()["content"]
        assert harness.fake.is_ephemeral(button_reply)
    threads = [r for r in fake.requests if r.path.endswith("/threads")]
    assert len(threads) == 1


async def test_a_click_on_a_card_that_lost_its_buttons_meanwhile_is_still_answered(
    harness: Harness,
) -> None:
    # Discord sends the message as it is when the click is delivered: claimed already, so the
    # card shows no Claim button, and discord.py passes such a click to no button.
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    first = await fake.click("bob", "mm:claim:1", card["id"])
    await fake.followups(first)
    await fake.wait_for(
        lambda r: r.method == "PATCH" and r.path.endswith(f"/messages/{card['id']}")
    )
    assert not fake.messages[card["id"]].get("components")
    late = await fake.click("carol", "mm:claim:1", card["id"])
    (reply,) = await fake.followups(late)
    assert "Bob claimed #1 first" in reply.json()["content"]
    assert harness.fake.is_ephemeral(reply)


async def test_resolve_edits_the_card_and_posts_rating_buttons(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("bob", card)
    token = await fake.click("alice", "mm:resolve:1", intro["id"])
    (reply,) = await fake.followups(token)
    assert "resolved" in reply.json()["content"]
    edits = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}", count=2
    )
    status = {f["name"]: f["value"] for f in edits[-1].json()["embeds"][0]["fields"]}["Status"]
    assert "Resolved" in status
    prompts = [await harness.message_with(c) for c in ("mm:rate:5:1", "mm:clarity:5:1")]
    ids = [cid for m in prompts for cid in custom_ids(m)]
    assert {f"mm:rate:{i}:1" for i in range(1, 6)} <= set(ids)
    assert {f"mm:clarity:{i}:1" for i in range(1, 6)} <= set(ids)
    assert "mm:comment:1" not in ids  # offered with the reply to a rating


async def _resolved(harness: Harness) -> dict[str, object]:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("bob", card)
    await fake.followups(await fake.click("alice", "mm:resolve:1", intro["id"]))
    return await harness.message_with("mm:rate:5:1")


async def test_rating_button_records_the_score(harness: Harness) -> None:
    prompt = await _resolved(harness)
    token = await harness.fake.click("alice", "mm:rate:5:1", str(prompt["id"]))
    (reply,) = await harness.fake.followups(token)
    assert harness.fake.is_ephemeral(reply)
    async with harness.app.uow_factory() as uow:
        feedback = await uow.feedback.for_questions([1])
    assert [f.score for f in feedback] == [5]


async def test_comment_button_opens_a_modal_whose_submission_is_saved(harness: Harness) -> None:
    fake = harness.fake
    prompt = await _resolved(harness)
    await fake.followups(await fake.click("alice", "mm:rate:4:1", str(prompt["id"])))
    token = await fake.click("alice", "mm:comment:1", str(prompt["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == 9  # MODAL
    modal = callback.json()["data"]
    submit = await fake.submit_modal("alice", modal, "Quick and clear.")
    (reply,) = await fake.followups(submit)
    assert harness.fake.is_ephemeral(reply)
    async with harness.app.uow_factory() as uow:
        feedback = await uow.feedback.for_questions([1])
    assert any("Quick and clear." in (f.comment or "") for f in feedback)


async def _alice_says_and_it_counts(harness: Harness, card: dict[str, Any]) -> None:
    """Seven minutes on, alice writes in #1's thread: until its last activity is then."""
    later = harness.clock.advance(timedelta(minutes=7))
    await harness.fake.say("alice", card["id"])

    async def touched() -> bool:
        async with harness.app.uow_factory() as uow:
            q = await uow.questions.get(1)
        return q is not None and q.last_activity_at == later

    await eventually(touched)


async def test_message_in_the_session_thread_counts_as_activity(harness: Harness) -> None:
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    await _alice_says_and_it_counts(harness, card)


async def test_a_message_in_a_thread_discord_py_has_not_cached_still_counts(
    harness: Harness,
) -> None:
    """An archived thread leaves discord.py's cache (and one from before a restart may not be
    in it): a message there arrives on a PartialMessageable, and still counts."""
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    guild = harness.adapter.bot.get_guild(int(fake.guild_id))
    assert guild is not None
    thread = guild.get_thread(int(card["id"]))
    assert thread is not None
    guild._remove_thread(thread)  # as when it was archived
    await _alice_says_and_it_counts(harness, card)


async def test_asker_check_mark_in_the_thread_resolves(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("bob", card)
    await fake.react("alice", card["id"], intro["id"], "✅")
    edits = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}", count=2
    )
    status = {f["name"]: f["value"] for f in edits[-1].json()["embeds"][0]["fields"]}["Status"]
    assert status.startswith("Resolved")


async def test_asker_check_mark_on_the_card_resolves_as_on_slack(harness: Harness) -> None:
    # A Discord card is not inside its thread (a Slack card heads its thread): ✅ on it counts.
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    await fake.react("alice", fake.mentoring_id, card["id"], "✅")
    edits = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}", count=2
    )
    status = {f["name"]: f["value"] for f in edits[-1].json()["embeds"][0]["fields"]}["Status"]
    assert status.startswith("Resolved")


async def test_a_comment_form_opened_before_a_restart_is_still_saved(harness: Harness) -> None:
    fake = harness.fake
    prompt = await _resolved(harness)
    await fake.followups(await fake.click("alice", "mm:rate:4:1", str(prompt["id"])))
    # No button click in this process: the form was opened by the process before the restart.
    form = {
        "custom_id": "mmform:comment:1",
        "components": [
            {"type": 1, "components": [{"type": 4, "custom_id": "comment", "style": 2}]}
        ],
    }
    submit = await fake.submit_modal("alice", form, "Still useful after a restart.")
    (reply,) = await fake.followups(submit)
    assert harness.fake.is_ephemeral(reply)
    async with harness.app.uow_factory() as uow:
        feedback = await uow.feedback.for_questions([1])
    assert any(f.comment == "Still useful after a restart." for f in feedback)


async def test_a_claim_after_a_release_reuses_the_cards_thread(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("bob", card)
    await fake.followups(await fake.click("bob", "mm:release:1", intro["id"]))
    await fake.wait_until(lambda: "mm:claim:1" in custom_ids(fake.messages[card["id"]]))
    token = await fake.click("carol", "mm:claim:1", card["id"])
    (reply,) = await fake.followups(token)
    assert "You claimed #1" in reply.json()["content"]
    # The intro, the release note, the second intro.
    posts = await fake.wait_request("POST", rf"/channels/{card['id']}/messages", count=3)
    creates = [
        r
        for r in fake.requests
        if r.method == "POST" and r.path.endswith(f"/messages/{card['id']}/threads")
    ]
    assert [r.status for r in creates] == [201, 400]
    assert fake.users["carol"]["id"] in fake.thread_members[card["id"]]
    carol = fake.users["carol"]["id"]
    assert any(carol in {str(u) for u in r.json()["allowed_mentions"]["users"]} for r in posts)


async def test_a_member_who_cannot_be_added_to_a_public_thread_does_not_stop_the_claim(
    harness: Harness,
) -> None:
    fake = harness.fake
    fake.refuse("PUT", r"/channels/\d+/thread-members/\d+")
    card = await harness.ask("alice", QUESTION)
    token = await fake.click("bob", "mm:claim:1", card["id"])
    (reply,) = await fake.followups(token)
    assert "You claimed #1" in reply.json()["content"]
    await fake.wait_request("POST", rf"/channels/{card['id']}/messages")


async def test_mentor_handover_passes_the_session_when_the_chosen_member_accepts(
    harness: Harness,
) -> None:
    fake = harness.fake
    await harness.join("carol")
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    carol = fake.users["carol"]["id"]
    options = [
        {
            "name": "handover",
            "type": 1,
            "options": [
                {"name": "question", "type": 4, "value": 1},
                {"name": "to", "type": 6, "value": carol},
            ],
        }
    ]
    token = await fake.slash("bob", "mentor", options, mentioning=("carol",))
    (reply,) = await fake.followups(token)
    assert harness.fake.is_ephemeral(reply)
    assert "to take over #1" in reply.json()["content"]
    # carol is asked by DM, with Accept and Decline; the session moves when she accepts.
    # The buttons name the server: a DM is shared by every server the bot and carol are in.
    accept, decline = f"mm:accept:1@{fake.guild_id}", f"mm:decline:1@{fake.guild_id}"
    offer = await harness.message_with(accept)
    assert custom_ids(offer) == [accept, decline]
    await fake.followups(await fake.click("carol", accept, offer["id"]))
    async with harness.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.mentor is not None and q.mentor.id == carol
    await fake.wait_until(lambda: carol in fake.thread_members[card["id"]])


async def test_a_server_nickname_is_not_the_name_the_bot_keeps(harness: Harness) -> None:
    """One person is one record across the servers the bot serves: a nickname chosen for one
    server would show to another's members. The bot keeps the account's display name."""
    fake = harness.fake
    fake.nicks.update(alice="Ali (Acme ops)", bob="Bobby (Acme only)")
    card = await harness.ask("alice", QUESTION)
    await fake.react("bob", fake.mentoring_id, card["id"])
    (edit,) = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}"
    )
    status = {f["name"]: f["value"] for f in edit.json()["embeds"][0]["fields"]}["Status"]
    assert "Bob" in status and "Bobby" not in status, status
    assert "Acme" not in str(edit.json()) and "Acme" not in str(card)
