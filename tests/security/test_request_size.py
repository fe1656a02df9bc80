"""`/slack/events` refuses a body over 1 MB before reading it whole (by its declared length, or
as the bytes arrive when none is declared), and the bot goes on serving Slack."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from adapters.slack.server import MAX_BODY
from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import MENTORING, BotProcess, SlackClient

pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.add_user("U0ASKER01", "alice", tz="UTC")
    yield slack
    await slack.stop()


async def test_a_body_over_one_megabyte_is_refused_and_slack_is_still_served(
    sqlite_url: str, fake: FakeSlack, tmp_path: Path
) -> None:
    bot = BotProcess(sqlite_url, fake.api_url, tmp_path, "[bot]\nadmins = []\n")
    await bot.start()
    client = SlackClient(bot.port, fake.url)
    try:
        events = f"http://127.0.0.1:{bot.port}/slack/events"
        async with httpx.AsyncClient(timeout=30) as http:
            declared = await http.post(
                events,
                content=b"x" * (MAX_BODY + 1),
                headers={"Content-Type": "application/json"},
            )
            assert declared.status_code == 413

            async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked
                for _ in range(40):
                    yield b"y" * 65536

            streamed = await http.post(
                events, content=chunks(), headers={"Content-Type": "application/json"}
            )
            assert streamed.status_code == 413
            assert "content-length" not in {k.lower() for k in streamed.request.headers}
        # A real (small, signed) command right after is taken as usual.
        sent = await client.command(
            "U0ASKER01", "/askmentor", "How do I review a pull request well?"
        )
        assert sent.acked
        await fake.wait_for(
            lambda: fake.to("chat.postMessage", channel=MENTORING), what="the question's card"
        )
        code, _ = await bot.terminate()
        assert code == 0
    finally:
        await client.close()
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()
    assert "refused a request body over" in bot.log.read_text()
