"""`micromentor run` in multi-workspace Slack mode (OAuth) as an operator runs it: the install
flow on the bot's HTTP port against the loopback Slack fake, and partial OAuth credentials
refused with one line."""

from __future__ import annotations

import asyncio
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.process import MICROMENTOR, Running, clean_env

pytestmark = pytest.mark.timeout(120)

OAUTH = {
    "SLACK_CLIENT_ID": "1111.2222",
    "SLACK_CLIENT_SECRET": "client-secret-value",
    "SLACK_STATE_SECRET": "state-secret-value",
    "SLACK_SIGNING_SECRET": "signing-secret-value",
}


async def test_run_installs_a_workspace_through_the_oauth_flow(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    fake_slack.oauth_client = (OAUTH["SLACK_CLIENT_ID"], OAUTH["SLACK_CLIENT_SECRET"])
    fake_slack.add_workspace(
        "T0GAMMA01", "Gamma", token="xoxb-gamma-secret", installer="U0GINST01", code="code-g"
    )
    env = clean_env(
        tmp_path, SLACK_API_URL=fake_slack.api_url, MICROMENTOR_LOG_LEVEL="INFO", **OAUTH
    )
    running = Running(env, tmp_path)
    await running.start()
    try:
        await running.wait_status("/readyz", 200)
        async with httpx.AsyncClient(base_url=running.url, timeout=10) as http:
            page = await http.get("/slack/install")
            assert page.status_code == 200 and "1111.2222" in page.text
            state = re.search(r"state=([A-Za-z0-9_.\-]+)", page.text)
            assert state is not None
            cookie = page.headers["set-cookie"].split(";")[0]
            done = await http.get(
                "/slack/oauth_redirect",
                params={"code": "code-g", "state": state.group(1)},
                headers={"Cookie": cookie},
            )
            assert done.status_code == 200, done.text
            forged = await http.get(
                "/slack/oauth_redirect",
                params={"code": "code-g", "state": state.group(1) + "x"},
                headers={"Cookie": cookie},
            )
            assert forged.status_code >= 400
        [dm] = await fake_slack.wait_for(
            lambda: [
                c
                for c in fake_slack.to("chat.postMessage", channel="U0GINST01")
                if fake_slack.token_of(c) == "xoxb-gamma-secret"
            ],
            what="the welcome DM",
            within=30,
        )
        assert "first Micromentor admin" in dm.text()
    finally:
        await running.stop()
    # `micromentor check` accepts the OAuth mode (on the database `run` migrated).
    check = await asyncio.create_subprocess_exec(
        *MICROMENTOR,
        "check",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(check.communicate(), 60)
    assert check.returncode == 0, err.decode()
    # Without PUBLIC_URL (or [dashboard] public_url) it warns that sign-in links lead nowhere.
    assert "note: Slack (OAuth): neither PUBLIC_URL" in err.decode()
    logged = running.log.read_text()
    assert "/slack/install" in logged
    for secret in ("xoxb-gamma-secret", *OAUTH.values()):
        if secret != OAUTH["SLACK_CLIENT_ID"]:
            assert secret not in logged


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"SLACK_CLIENT_ID": "1.2"}, "SLACK_CLIENT_SECRET, SLACK_STATE_SECRET missing"),
        ({k: v for k, v in OAUTH.items() if k != "SLACK_SIGNING_SECRET"}, "SLACK_SIGNING_SECRET"),
        ({**OAUTH, "SLACK_BOT_TOKEN": "xoxb-1"}, "not both"),
    ],
)
def test_partial_oauth_credentials_are_one_line(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    result = subprocess.run(
        [*MICROMENTOR, "run"],
        env=clean_env(tmp_path, **env),
        cwd=tmp_path,
        input="",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], result.stderr
    assert "client-secret-value" not in result.stderr
