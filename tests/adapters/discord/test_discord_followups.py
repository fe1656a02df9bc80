"""An interaction's answer goes on its token, which Discord takes only after the interaction's
response: the first after a deferred "thinking…" edits that response (Edit Original Interaction
Response), the others are ephemeral follow-ups. The answer waits for that response, tries a
token Discord does not know yet again while it is young, and goes by DM when the token takes
nothing."""

from __future__ import annotations

import logging
import re

import discord_payloads as p
import pytest
from discord_fake import Recorded
from discord_fake_rest import LOADING
from discord_harness import Harness
from discord_helpers import eventually, sub

from adapters.discord.translate import user_ref
from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage, text

JOIN = sub("join", ("skills", 3, "python, pandas"))
ORIGINAL = r"/webhooks/\d+/[^/]+/messages/@original"


def _is_dm(harness: Harness, r: Recorded) -> bool:
    """A message the bot posted in a DM channel."""
    m = re.fullmatch(r"/channels/(\d+)/messages", r.path)
    return r.method == "POST" and m is not None and m.group(1) in harness.fake.dm_channels


def _dms(harness: Harness) -> list[Recorded]:
    return [r for r in harness.fake.requests if _is_dm(harness, r)]


def _followups(harness: Harness, token: str) -> list[Recorded]:
    """The answers on `token`: the edit of its "thinking…" and follow-ups."""
    return [r for r in harness.fake.requests if harness.fake.answered_on(token, r)]


def _unknown_webhook_next(harness: Harness) -> None:
    """Discord answers the next edit of a "thinking…" 404 Unknown Webhook (10015), taking
    nothing."""
    harness.fake.fail_next(
        "PATCH", ORIGINAL, status=404, code=10015, message="Unknown Webhook", effect=False
    )


async def _postponed(caplog: pytest.LogCaptureFixture) -> None:
    """Until the outbox has handed the answer back for a retry (not counted as an attempt); the
    log says why, not "rate limited" (Discord did not limit anything)."""

    async def logged() -> bool:
        return "outbox 1: Discord has not taken the interaction's response yet, retrying" in (
            caplog.text
        )

    await eventually(logged)


async def test_an_answer_waits_for_a_slow_acknowledgement_and_edits_the_thinking(
    harness: Harness,
) -> None:
    """The answer is decided while the response ("thinking…") is still on its way: it is sent
    once Discord has taken the response, not as a DM, and replaces the "thinking…" with Edit
    Original Interaction Response (a follow-up for that is deprecated)."""
    fake = harness.fake
    fake.callback_delay = 0.5
    token = await fake.slash("bob", "mentor", JOIN)
    await fake.wait_for(
        lambda r: _is_dm(harness, r) or (fake.answered_on(token, r) and r.status == 200)
    )
    assert [(r.method, r.status) for r in _followups(harness, token)] == [("PATCH", 200)]
    (sent,) = fake.edited_original(token)
    assert "python" in str(sent.body).lower()
    original = fake.messages[fake.originals[token]]
    assert original["flags"] & 64 and not original["flags"] & LOADING  # ephemeral, answered
    assert "python" in str(original).lower()
    assert not _dms(harness)


async def test_answers_after_the_first_are_ephemeral_follow_ups(harness: Harness) -> None:
    """Only the first answer replaces the "thinking…"; the next go as follow-ups beside it."""
    fake = harness.fake
    token = await fake.slash("bob", "mentor", JOIN)
    (first,) = await fake.followups(token)
    assert first.method == "PATCH" and first.status == 200
    to = ReplyTo(user_ref(fake.users["bob"]["id"]), token=token, app_id=fake.application_id)
    await harness.adapter.gateway.reply(to, ChatMessage(body=text("And one more thing.")))
    _, second = await fake.followups(token, count=2)
    assert second.method == "POST" and harness.fake.is_ephemeral(second)  # ephemeral
    assert second.content() == "And one more thing."
    assert len(fake.edited_original(token)) == 1


async def test_a_thinking_this_process_did_not_send_is_found_on_discord(
    harness: Harness,
) -> None:
    """After a restart (or on another replica) the process does not know how the interaction
    was responded to: Discord's original response says it (still "thinking…": LOADING), so
    the first answer edits it and the next is a follow-up."""
    fake = harness.fake
    token = "token-of-an-earlier-run"
    thinking = p.message(
        fake.ids(), channel_id="0", author=fake.bot_user, body={}, flags=64 | LOADING
    )
    fake.messages[thinking["id"]] = thinking
    fake.originals[token] = thinking["id"]
    gateway = harness.adapter.gateway
    to = ReplyTo(user_ref(fake.users["bob"]["id"]), token=token, app_id=fake.application_id)
    await gateway.reply(to, ChatMessage(body=text("Your answer.")))
    await gateway.reply(to, ChatMessage(body=text("Another.")))
    assert [(r.method, r.content()) for r in _followups(harness, token)] == [
        ("PATCH", "Your answer."),
        ("POST", "Another."),
    ]
    assert fake.messages[thinking["id"]]["content"] == "Your answer."


async def test_a_follow_up_right_after_thinking_edits_it_as_discord_keeps_compatible(
    harness: Harness,
) -> None:
    """The fake keeps Discord's documented, deprecated behaviour: a follow-up straight after a
    deferred "thinking…" edits it rather than adding a message."""
    fake = harness.fake
    token = "an-old-clients-token"
    thinking = p.message(
        fake.ids(), channel_id="0", author=fake.bot_user, body={}, flags=64 | LOADING
    )
    fake.messages[thinking["id"]] = thinking
    fake.originals[token] = thinking["id"]
    before = len(fake.messages)
    status, edited = fake._followup(token, {"content": "Hi", "flags": 64})
    assert status == 200 and edited["id"] == thinking["id"] and edited["content"] == "Hi"
    assert not edited["flags"] & LOADING and len(fake.messages) == before


async def test_unknown_webhook_right_after_the_response_is_tried_again_on_the_token(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """discord-api-docs#7220: a follow-up right after a response Discord took may be answered
    10015 Unknown Webhook for a few seconds; the token is tried again, not given up for a DM."""
    caplog.set_level(logging.INFO)
    fake = harness.fake
    _unknown_webhook_next(harness)
    token = await fake.slash("bob", "mentor", JOIN)
    (refused,) = await fake.followups(token)
    assert refused.status == 404
    await _postponed(caplog)
    harness.later(2)
    _, sent = await fake.followups(token, count=2)
    assert sent.status == 200 and "python" in str(sent.body).lower()
    assert not _dms(harness)


async def test_unknown_webhook_a_minute_after_the_interaction_comes_by_dm(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Tried again only while the token is young: a token Discord still does not know a minute
    after the interaction won't be, and the answer goes by DM."""
    caplog.set_level(logging.INFO)
    fake = harness.fake
    for _ in range(2):
        _unknown_webhook_next(harness)
    token = await fake.slash("bob", "mentor", JOIN)
    await fake.followups(token)
    await _postponed(caplog)
    harness.later(61)
    await fake.wait_for(lambda r: _is_dm(harness, r))
    (dm,) = _dms(harness)
    assert dm.status == 200 and "python" in str(dm.body).lower()
    assert [r.status for r in _followups(harness, token)] == [404, 404]


async def test_a_follow_up_after_thinking_was_dismissed_comes_by_dm(harness: Harness) -> None:
    """The member dismissed the ephemeral "thinking…" message: the follow-up is refused with
    10008 Unknown Message, and the answer goes by DM instead of being dropped."""
    fake = harness.fake
    token = await fake.slash("bob", "mentor", JOIN)
    fake.dismiss_thinking(token)
    (refused,) = await fake.followups(token)
    assert refused.status == 404
    await fake.wait_for(lambda r: _is_dm(harness, r))
    (dm,) = _dms(harness)
    assert dm.status == 200 and "python" in str(dm.body).lower()


async def test_an_answer_to_an_interaction_whose_response_was_refused_comes_by_dm_untried(
    harness: Harness,
) -> None:
    """Discord refused the response (10062 Unknown interaction: it came too late): the token
    takes no follow-up, so the answer goes by DM at once, the token untried."""
    fake = harness.fake
    fake.fail_next(
        "POST",
        r"/interactions/\d+/[^/]+/callback",
        status=404,
        code=10062,
        message="Unknown interaction",
        effect=False,
    )
    token = await fake.slash("bob", "mentor", JOIN)
    await fake.wait_for(lambda r: _is_dm(harness, r))
    (dm,) = _dms(harness)
    assert dm.status == 200 and "python" in str(dm.body).lower()
    assert not _followups(harness, token)
