"""Who can see a session, against the fake: a question asked (from another channel) by a member
the mentoring channel's permission overwrites keep from viewing it or reading its history is
answered at once and not taken, since its session thread would be invisible to them."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import discord_payloads as p
import pytest
from discord_harness import Harness
from discord_helpers import ephemeral_answer, eventually, sub

from adapters.discord.translate import thread_ref, user_ref, workspace_ref
from bot.learning.model import DraftState
from bot.messages import ChatMessage, Mention, text

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
CANNOT_SEE = "you can't see that channel"


async def _ask_in_general(harness: Harness, who: str, question: str | None = QUESTION) -> str:
    """/askmentor from #general (made for it); the token."""
    general = await harness.fake.create_channel("general")
    options = [] if question is None else [{"name": "question", "type": 3, "value": question}]
    return await harness.fake.slash(who, "askmentor", options, channel_id=general)


async def _questions(harness: Harness) -> int:
    async with harness.app.uow_factory(read_only=True) as uow:
        return sum([await uow.questions.get(n) is not None for n in (1, 2)])


@pytest.mark.parametrize("question", [QUESTION, None], ids=["typed", "form"])
async def test_a_member_who_cant_view_the_mentoring_channel_is_told_and_nothing_is_taken(
    harness: Harness, question: str | None
) -> None:
    fake = harness.fake
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))
    said = await ephemeral_answer(harness, await _ask_in_general(harness, "alice", question))
    assert CANNOT_SEE in said and "#mentoring" in said
    assert await _questions(harness) == 0
    assert not fake.channel_messages(fake.mentoring_id)


async def test_a_member_denied_the_mentoring_channels_history_is_told_too(
    harness: Harness,
) -> None:
    fake = harness.fake
    alice = fake.users["alice"]["id"]
    await fake.set_overwrites(
        fake.mentoring_id, [p.overwrite(alice, member=True, deny=p.READ_MESSAGE_HISTORY)]
    )
    said = await ephemeral_answer(harness, await _ask_in_general(harness, "alice"))
    assert CANNOT_SEE in said
    assert await _questions(harness) == 0


async def test_a_member_whose_role_sees_the_private_mentoring_channel_asks_as_usual(
    harness: Harness,
) -> None:
    fake = harness.fake
    await fake.restrict_channel(fake.mentoring_id, seen_by=("alice",))
    token = await _ask_in_general(harness, "alice")
    await fake.followups(token)
    await fake.wait_until(lambda: bool(fake.channel_messages(fake.mentoring_id)))
    assert not [r for r in fake.interaction_callbacks(token) if r.json()["type"] == 4]


async def test_a_dm_claim_by_a_mentor_who_cant_view_the_mentoring_channel_is_refused(
    harness: Harness,
) -> None:
    fake = harness.fake
    await harness.join("bob")
    await harness.ask("alice", QUESTION)
    carrier = await harness.dm_to("bob")
    await fake.restrict_channel(fake.mentoring_id, seen_by=("alice",))

    token = await fake.click("bob", f"mm:claim:1@{fake.guild_id}", carrier)
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == 4
    assert "you can't see that channel" in callback.json()["data"]["content"]
    async with harness.app.uow_factory(read_only=True) as uow:
        question = await uow.questions.get(1)
    assert question is not None and question.mentor is None


VAGUE = "Can someone help me with pandas?"


async def _coached_in_a_dm(harness: Harness) -> tuple[str, str]:
    """Alice's vague question is coached (draft 1, its [Post as is] / [Edit] naming the server,
    as they do in a DM); the bot's DM to her, to press them on, and that DM's channel."""
    fake = harness.fake
    asked = await fake.slash(
        "alice", "askmentor", [{"name": "question", "type": 3, "value": VAGUE}]
    )
    await fake.followups(asked)
    await harness.message_with("mm:post:1")
    carrier = await harness.dm_to("alice")
    return carrier, str(fake.messages[carrier]["channel_id"])


async def _nothing_posted(harness: Harness) -> None:
    fake = harness.fake
    async with harness.app.uow_factory(read_only=True) as uow:
        draft = await uow.drafts.get(1)
        pending = await uow.inbox.pending()
    assert await _questions(harness) == 0
    assert draft is not None and draft.state is DraftState.PENDING
    assert pending == 0
    assert not fake.channel_messages(fake.mentoring_id)


@pytest.mark.parametrize("action", ["post:1", "edit:1", "ask:0"])
async def test_a_dm_coaching_button_of_an_asker_who_cant_view_the_mentoring_channel_is_refused(
    harness: Harness, action: str
) -> None:
    fake = harness.fake
    carrier, _ = await _coached_in_a_dm(harness)
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))

    # [Post as is], [Edit], and the home view's [Ask a question] (an empty ask form)
    token = await fake.click("alice", f"mm:{action}@{fake.guild_id}", carrier)
    said = await ephemeral_answer(harness, token)  # an answer: no form opened either
    assert "your question was not posted" in said and CANNOT_SEE in said
    assert "#mentoring" in said
    await _nothing_posted(harness)


async def test_an_ask_form_from_a_dm_of_an_asker_who_cant_view_the_mentoring_channel_is_refused(
    harness: Harness,
) -> None:
    fake = harness.fake
    carrier, dm = await _coached_in_a_dm(harness)
    token = await fake.click("alice", f"mm:edit:1@{fake.guild_id}", carrier)
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == 9  # the form opens while she may see the channel
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))

    submit = await fake.submit_modal("alice", callback.json()["data"], QUESTION, channel_id=dm)
    said = await ephemeral_answer(harness, submit)
    assert CANNOT_SEE in said
    await _nothing_posted(harness)


async def test_a_dm_post_as_is_by_an_asker_who_may_view_the_mentoring_channel_posts(
    harness: Harness,
) -> None:
    fake = harness.fake
    carrier, _ = await _coached_in_a_dm(harness)
    await fake.restrict_channel(fake.mentoring_id, seen_by=("alice",))

    await fake.followups(await fake.click("alice", f"mm:post:1@{fake.guild_id}", carrier))
    await harness.message_with("mm:claim:1")
    assert await _questions(harness) == 1


async def _joined(harness: Harness, who: str) -> str:
    """/mentor join from #general (made for it): the text of its answer."""
    fake = harness.fake
    general = await fake.create_channel("general")
    skills = sub("join", ("skills", 3, "python, pandas"))
    (reply,) = await fake.followups(await fake.slash(who, "mentor", skills, channel_id=general))
    body = reply.json()
    return " ".join(
        [body.get("content") or "", *(e.get("description", "") for e in body.get("embeds", []))]
    )


async def test_a_mentor_who_joins_without_seeing_the_mentoring_channel_joins_and_is_warned(
    harness: Harness,
) -> None:
    fake = harness.fake
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))
    said = await _joined(harness, "alice")
    assert "Welcome aboard" in said  # joined all the same: it's her choice
    assert "you can't see that channel" in said and "#mentoring" in said
    assert "Ask a server admin to let you view #mentoring and read its message history" in said
    async with harness.app.uow_factory(read_only=True) as uow:
        mentor = await uow.mentors.get(
            user_ref(fake.users["alice"]["id"]), workspace_ref(fake.guild_id)
        )
    assert mentor is not None and mentor.active


async def test_a_mentor_who_may_see_the_mentoring_channel_joins_without_a_warning(
    harness: Harness,
) -> None:
    fake = harness.fake
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))
    said = await _joined(harness, "bob")
    assert "Welcome aboard" in said
    assert "can't see" not in said


def _dms_to(harness: Harness, who: str) -> list[str]:
    fake = harness.fake
    user_id = fake.users[who]["id"]
    dms = [d for d, u in fake.dm_channels.items() if u == user_id]
    return [str(m.get("content")) for m in fake.messages.values() if m["channel_id"] in dms]


async def test_an_asker_who_lost_sight_of_the_mentoring_channel_hears_by_dm_at_the_wrap_up(
    harness: Harness,
) -> None:
    fake = harness.fake
    await harness.claim("bob", await harness.ask("alice", QUESTION))
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))  # alice loses sight of it

    harness.later(21 * 60)  # the 20-minute session is up: the wrap-up goes into its thread
    await harness.app.runtime.nudge_worker.drain()
    await fake.wait_until(
        lambda: any("time's up" in str(m.get("content")) for m in fake.messages.values())
    )
    await fake.wait_until(lambda: any("can't see" in d for d in _dms_to(harness, "alice")))
    (told,) = [d for d in _dms_to(harness, "alice") if "can't see" in d]
    assert "#mentoring" in told and "#1" in told and "Acme" in told
    assert not [d for d in _dms_to(harness, "bob") if "can't see" in d]  # bob still sees it


async def _out_of_sight(harness: Harness, *, dm_fails: bool = False) -> None:
    """Bob's session with alice, who then loses sight of #mentoring (the next DM to her
    refused, with `dm_fails`)."""
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    asked = _members_asked(harness)
    await harness.claim("bob", card)
    # The session's intro mentions them: its check (in the background) sees them both in sight.
    await fake.wait_request("GET", MEMBER, count=asked + 1)
    await harness.adapter.gateway.unseen_checks_done()
    await fake.restrict_channel(fake.mentoring_id, seen_by=("bob",))
    if dm_fails:
        (dm,) = [d for d, u in fake.dm_channels.items() if u == fake.users["alice"]["id"]]
        fake.fail_next("POST", rf"/channels/{dm}/messages", status=403, code=50007, effect=False)


async def _wrapped_up(harness: Harness) -> dict[str, Any]:
    """The session is up: its wrap-up, posted in its thread."""
    fake = harness.fake
    harness.later(21 * 60)
    await harness.app.runtime.nudge_worker.drain()
    await fake.wait_until(
        lambda: any("time's up" in str(m.get("content")) for m in fake.messages.values())
    )
    (wrap_up,) = [m for m in fake.messages.values() if "time's up" in str(m.get("content"))]
    return wrap_up


MEMBER = r"/guilds/\d+/members/\d+"


def _members_asked(harness: Harness) -> int:
    return len(
        [r for r in harness.fake.requests if r.method == "GET" and re.fullmatch(MEMBER, r.path)]
    )


async def test_the_post_is_delivered_without_waiting_for_the_check_of_who_can_still_see_it(
    harness: Harness,
) -> None:
    fake = harness.fake

    async def delivered() -> bool:
        async with harness.app.uow_factory() as uow:
            return await uow.outbox.pending() == 0

    # Get Guild Member answers slowly (or discord.py sleeps through a 429): the wrap-up's
    # delivery ends all the same, so its lease can't run out and have it posted twice.
    await _out_of_sight(harness)
    member = fake.hold_next("GET", MEMBER)
    try:
        await _wrapped_up(harness)
        await eventually(delivered)
        assert not [d for d in _dms_to(harness, "alice") if "can't see" in d]
    finally:
        member.set()
        fake.release_holds()
    await fake.wait_until(lambda: any("can't see" in d for d in _dms_to(harness, "alice")))


async def test_a_member_whose_out_of_sight_dm_failed_is_told_at_the_threads_next_post(
    harness: Harness,
) -> None:
    fake = harness.fake
    gateway = harness.adapter.gateway
    await _out_of_sight(harness, dm_fails=True)
    wrap_up = await _wrapped_up(harness)
    await gateway.unseen_checks_done()
    assert not [d for d in _dms_to(harness, "alice") if "can't see" in d]

    alice = user_ref(fake.users["alice"]["id"])
    thread = thread_ref(int(wrap_up["channel_id"]))
    again = ChatMessage(body=text("Still there, ", Mention(alice, "alice"), "?"), question_id=1)
    for _ in range(2):  # told once per thread
        await gateway.post_in_thread(thread, again)
        await gateway.unseen_checks_done()
    assert len([d for d in _dms_to(harness, "alice") if "can't see" in d]) == 1


async def test_a_check_still_running_when_the_gateway_closes_is_cancelled(
    harness: Harness,
) -> None:
    fake = harness.fake
    gateway = harness.adapter.gateway
    await _out_of_sight(harness)
    asked = _members_asked(harness)
    member = fake.hold_next("GET", MEMBER)
    try:
        await _wrapped_up(harness)
        await fake.wait_request("GET", MEMBER, count=asked + 1)  # the check is under way
        await gateway.aclose()
        async with asyncio.timeout(5):  # none left running, though Discord hasn't answered
            await gateway.unseen_checks_done()
    finally:
        member.set()
    assert not [d for d in _dms_to(harness, "alice") if "can't see" in d]
