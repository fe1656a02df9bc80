"""A SIGTERM right after a form was asked for: Slack honours a trigger for 3 seconds, and the
form opens after the acknowledgement, so a deploy at that moment lets it finish opening before
the Slack client closes, instead of cutting its views.open short."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import BotProcess, SlackClient

USER = "U0JOINER1"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.add_user(USER, "joiner", tz="Europe/Berlin")
    yield slack
    await slack.stop()


async def test_a_form_being_opened_at_sigterm_still_opens_and_the_bot_exits_cleanly(
    fake: FakeSlack, tmp_path: Path, sqlite_url: str
) -> None:
    bot = BotProcess(sqlite_url, fake.api_url, tmp_path, '[bot]\nlog_level = "INFO"\n')
    await bot.start()
    client = SlackClient(bot.port, fake.api_url.removesuffix("/api/"))
    fake.delay["views.open"] = 0.8  # Slack slow to open the form: SIGTERM lands meanwhile
    try:
        sent = await client.command(USER, "/mentor", "join")
        assert sent.acked
        code, took = await bot.terminate()
    finally:
        await client.close()
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()
    log = bot.log.read_text()
    assert code == 0 and took < 10, log
    [opened] = fake.to("views.open")
    assert opened.params["view"]["callback_id"] == "mm_join"
    # The bot waited for Slack's answer before closing its client (before, the closing client
    # cut the call: "opening a form failed (ServerDisconnectedError)").
    assert "form failed" not in log and "ERROR" not in log, log
    assert took >= 0.5, "the bot did not wait for the form to open"
