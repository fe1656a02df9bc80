"""`/mentoradmin dashboard` under `micromentor run`: with no [dashboard] public_url, the link
leads to the dashboard on the HTTP port the process serves (PORT), not to a fixed one."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import BotProcess, SlackClient

pytestmark = pytest.mark.timeout(120)
ADMIN = "U0ADMIN01"


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    slack.add_user(ADMIN, "ada", admin=True, tz="UTC")
    yield slack
    await slack.stop()


async def test_the_sign_in_link_leads_to_the_port_the_bot_serves(
    fake: FakeSlack, tmp_path: Path, sqlite_url: str
) -> None:
    bot = BotProcess(sqlite_url, fake.api_url, tmp_path, f'[bot]\nadmins = ["slack:{ADMIN}"]\n')
    await bot.start()
    client = SlackClient(bot.port, fake.api_url.removesuffix("/api/"))
    try:
        sent = await client.command(ADMIN, "/mentoradmin", "dashboard")
        assert sent.acked
        link = await fake.wait_for(
            lambda: next(
                (
                    found[0]
                    for c in fake.to("chat.postMessage")
                    if (found := re.search(r"http://[^|>\s]+/admin/signin\?token=[\w-]+", c.text()))
                ),
                None,
            ),
            what="the sign-in link by DM",
        )
        assert link.startswith(f"http://localhost:{bot.port}/admin/signin?token=")
        async with httpx.AsyncClient(timeout=10) as http:
            page = await http.get(link.replace("localhost", "127.0.0.1"))
        assert page.status_code == 200 and "Sign in" in page.text
    finally:
        await client.close()
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()
