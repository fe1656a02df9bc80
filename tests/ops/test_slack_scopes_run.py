"""`micromentor run` with a Slack bot token that lacks scopes from the manifest starts (what
needs them fails when used) but says so at start, in the line `micromentor check` gives."""

from __future__ import annotations

from pathlib import Path

import pytest

from adapters.slack.scopes import manifest_scopes
from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import SECRET
from tests.ops.process import Running, clean_env

pytestmark = pytest.mark.timeout(120)

LACKS = (
    "Slack: the bot token lacks scope(s) files:write, users:read.email from "
    "adapters/slack/manifest.yml; add them and reinstall the app"
)


async def _started_log(tmp_path: Path, fake: FakeSlack) -> str:
    env = clean_env(
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-scopes",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=fake.api_url,
        MICROMENTOR_LOG_LEVEL="INFO",
    )
    bot = Running(env, tmp_path)
    await bot.start()
    try:
        await bot.wait_status("/readyz", 200)
    finally:
        await bot.stop()
    return bot.log.read_text(encoding="utf-8")


async def test_run_warns_of_a_token_lacking_scopes(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.scopes = manifest_scopes() - {"files:write", "users:read.email"}
    log = await _started_log(tmp_path, fake_slack)
    [line] = [line for line in log.splitlines() if "lacks scope" in line]
    assert "WARNING" in line and line.endswith(LACKS), line
    assert "Slack: ready for requests" in log
    assert "xoxb-scopes" not in log


async def test_run_says_nothing_of_scopes_when_the_token_has_them_all(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    # usergroups:read is needed only with `[slack] mentor_group`, as `check` judges it.
    fake_slack.scopes = manifest_scopes() - {"usergroups:read"}
    log = await _started_log(tmp_path, fake_slack)
    assert "lacks scope" not in log
    assert "Slack: ready for requests" in log
