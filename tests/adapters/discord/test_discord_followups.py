"""An interaction's answer is an ephemeral follow-up on its token, which Discord takes only after
the interaction's response: the answer waits for that response, tries a token Discord does not
know yet again while it is young, and goes by DM when the token takes no follow-up."""

from __future__ import annotations

import logging
import re

import pytest
from discord_fake import Recorded
from discord_harness import Harness
from discord_helpers import eventually, sub

JOIN = sub("join", ("skills", 3, "python, pandas"))
FOLLOWUP = r"/webhooks/\d+/[^/]+"


def _is_dm(harness: Harness, r: Recorded) -> bool:
    """A message the bot posted in a DM channel."""
    m = re.fullmatch(r"/channels/(\d+)/messages", r.path)
    return r.method == "POST" and m is not None and m.group(1) in harness.fake.dm_channels


def _dms(harness: Harness) -> list[Recorded]:
    return [r for r in harness.fake.requests if _is_dm(harness, r)]


def _followups(harness: Harness, token: str) -> list[Recorded]:
    return [
        r
        for r in harness.fake.requests
        if r.method == "POST" and re.fullmatch(rf"/webhooks/\d+/{token}", r.path)
    ]


def _unknown_webhook_next(harness: Harness) -> None:
    """Discord answers the next follow-up 404 Unknown Webhook (10015), taking nothing."""
    harness.fake.fail_next(
        "POST", FOLLOWUP, status=404, code=10015, message="Unknown Webhook", effect=False
    )


async def _postponed(caplog: pytest.LogCaptureFixture) -> None:
    """Until the outbox has handed the answer back for a retry (not counted as an attempt); the
    log says why, not "rate limited" (Discord did not limit anything)."""

    async def logged() -> bool:
        return "outbox 1: Discord has not taken the interaction's response yet, retrying" in (
            caplog.text
        )

    await eventually(logged)


async def test_an_answer_waits_for_a_slow_acknowledgement_and_is_a_follow_up(
    harness: Harness,
) -> None:
    """The answer is decided while the response ("thinking…") is still on its way: it is sent
    once Discord has taken the response, not as a DM."""
    fake = harness.fake
    fake.callback_delay = 0.5
    token = await fake.slash("bob", "mentor", JOIN)
    await fake.wait_for(
        lambda r: _is_dm(harness, r) or (r.path.endswith(token) and r.status == 200)
    )
    assert [r.status for r in _followups(harness, token)] == [200]
    (sent,) = _followups(harness, token)
    assert sent.json()["flags"] & 64  # ephemeral
    assert "python" in str(sent.body).lower()
    assert not _dms(harness)


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
