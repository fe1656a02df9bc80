"""Logs hold no conversations, even at DEBUG and for requests the bot refuses: Bolt logs a
refused request's whole body at INFO (a stale timestamp from a drifting clock, a bad or missing
signature), and gives its loggers the root's level, so holding `slack_bolt` at WARNING alone
let the question, the user id and a live response_url into the service's log."""

from __future__ import annotations

import hashlib
import hmac
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import MENTORING, SECRET, TEAM_ID, BotProcess

pytestmark = pytest.mark.timeout(120)
QUESTION = "how do I ask my boss for a raise without sounding greedy"
HOOK = "SECRETHOOK0123456789"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.add_user("U0ASKER01", "asker", tz="UTC")
    yield slack
    await slack.stop()


def _body(fake: FakeSlack, n: int) -> str:
    return urllib.parse.urlencode(
        {
            "team_id": TEAM_ID,
            "channel_id": MENTORING,
            "user_id": "U0ASKER01",
            "user_name": "asker",
            "command": "/askmentor",
            "text": QUESTION,
            "response_url": f"{fake.api_url.removesuffix('/api/')}/respond/{HOOK}{n}",
            "trigger_id": f"trigger.{n}",
        }
    )


def _headers(body: str, *, age: int = 0, secret: str = SECRET) -> dict[str, str]:
    ts = str(int(time.time()) - age)
    sig = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def test_refused_and_accepted_requests_leave_no_question_in_the_log_even_at_debug(
    fake: FakeSlack, tmp_path: Path, sqlite_url: str
) -> None:
    bot = BotProcess(sqlite_url, fake.api_url, tmp_path, '[bot]\nlog_level = "DEBUG"\n')
    await bot.start()
    url = f"http://127.0.0.1:{bot.port}/slack/events"
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            stale = _body(fake, 1)  # signed well, ten minutes ago
            assert (
                await http.post(url, content=stale, headers=_headers(stale, age=600))
            ).status_code == 401
            forged = _body(fake, 2)
            refused = await http.post(url, content=forged, headers=_headers(forged, secret="x"))
            assert refused.status_code == 401
            unsigned = _body(fake, 3)
            bare = {"Content-Type": "application/x-www-form-urlencoded"}
            assert (await http.post(url, content=unsigned, headers=bare)).status_code == 401
            good = _body(fake, 4)
            assert (await http.post(url, content=good, headers=_headers(good))).status_code == 200
        await fake.wait_for(lambda: fake.to("chat.postMessage"), what="the card")
        code, _ = await bot.terminate()
    finally:
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()
    log = bot.log.read_text()
    assert code == 0, log
    assert " DEBUG " in log  # the level asked for is in force
    for secret in ("boss for a raise", "boss+for+a+raise", HOOK, "U0ASKER01"):
        assert secret not in log, secret
