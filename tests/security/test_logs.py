"""Logs hold no conversations: with MICROMENTOR_LOG_LEVEL=DEBUG, the libraries that print
request and response bodies (slack_sdk, slack_bolt, discord.http, discord.client) stay at
WARNING, so neither a question's text nor an anonymous asker's id reaches the log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli import PAYLOAD_LOGGERS
from bot.config import Config
from bot.logs import configure_logging as _configure_logging
from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import MENTORING, BotProcess, SlackClient

pytestmark = pytest.mark.timeout(120)
SECRET_QUESTION = "How do I ask for a raise when zebrafinch projects slipped this quarter?"
ASKER = "U0ASKERZ9"


def test_payload_loggers_stay_at_warning_whatever_the_level(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "DEBUG")
    root = logging.getLogger()
    before = root.level, {n: logging.getLogger(n).level for n in PAYLOAD_LOGGERS}
    try:
        root.setLevel(logging.DEBUG)  # as MICROMENTOR_LOG_LEVEL=DEBUG sets it in a run
        _configure_logging(Config())
        for name in (
            *PAYLOAD_LOGGERS,
            "slack_sdk.web.async_base_client",
            "slack_bolt.AsyncApp",
            "discord.http",
            "discord.client",
        ):
            assert not logging.getLogger(name).isEnabledFor(logging.INFO), name
            assert logging.getLogger(name).isEnabledFor(logging.WARNING), name
    finally:
        root.setLevel(before[0])
        for name, level in before[1].items():
            logging.getLogger(name).setLevel(level)


def test_known_startup_noise_is_dropped_and_other_warnings_stay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Bolt warns on every start that the client we give it wins over SLACK_BOT_TOKEN (it has
    the token): not a warning an operator can act on. Its other warnings still show."""
    _configure_logging(Config())
    bolt = logging.getLogger("slack_bolt.AsyncApp")
    with caplog.at_level(logging.WARNING):
        bolt.warning("As you gave `client` as well, `token` will be unused.")
        bolt.warning("Unhandled request ({'type': 'event_callback'})")
    said = [r.getMessage() for r in caplog.records if r.name == "slack_bolt.AsyncApp"]
    assert said == ["Unhandled request ({'type': 'event_callback'})"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.add_user(ASKER, "alice", tz="UTC")
    slack.add_user("U0MENTOR1", "bob", tz="UTC")
    yield slack
    await slack.stop()


async def test_a_debug_run_logs_no_question_text_and_no_anonymous_asker(
    sqlite_url: str, fake: FakeSlack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "DEBUG")
    bot = BotProcess(sqlite_url, fake.api_url, tmp_path, "[bot]\nadmins = []\n")
    await bot.start()
    client = SlackClient(bot.port, fake.url)
    try:
        assert (await client.command("U0MENTOR1", "/mentor", "join python, negotiation")).acked
        assert (await client.command(ASKER, "/askmentor", f"--anonymous {SECRET_QUESTION}")).acked
        card = await fake.wait_for(
            lambda: fake.to("chat.postMessage", channel=MENTORING), what="the anonymous card"
        )
        assert "zebrafinch" in card[0].text()  # it went through the Slack client
        code, _ = await bot.terminate()
        assert code == 0
    finally:
        await client.close()
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()
    log = bot.log.read_text()
    assert " DEBUG " in log  # the run really logged at DEBUG
    assert "zebrafinch" not in log
    assert ASKER not in log
