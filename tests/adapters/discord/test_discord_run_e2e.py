"""End to end: `micromentor run` as a subprocess, configured only by environment, against the fake."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from discord_fake import FakeDiscord
from discord_helpers import custom_ids

ROOT = Path(__file__).resolve().parents[3]
QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"


async def _wait_for_line(stream: asyncio.StreamReader, needle: str, seen: list[str]) -> None:
    while True:
        line = (await stream.readline()).decode(errors="replace")
        if not line:
            raise AssertionError("micromentor run exited:\n" + "".join(seen))
        seen.append(line)
        if needle in line:
            return


@pytest.fixture
async def running_bot(fake_discord: FakeDiscord, tmp_path: Path) -> AsyncIterator[list[str]]:
    config = tmp_path / "bot.toml"
    config.write_text("[bot]\nadmins = []\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        DISCORD_TOKEN="fake-token",
        DISCORD_API_BASE_URL=fake_discord.api_url,
        DISCORD_GATEWAY_URL=fake_discord.gateway_url,
        MICROMENTOR_CONFIG=str(config),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'micromentor.db'}",
        MICROMENTOR_LOG_LEVEL="INFO",
        PORT="0",  # the dashboard on any free port: 3000 may be taken on this machine
        # This checkout first, whatever an older editable install recorded.
        PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        ),
    )
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "micromentor"),
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert proc.stdout is not None
    seen: list[str] = []
    try:
        async with asyncio.timeout(30):
            await _wait_for_line(proc.stdout, "is ready: cards go to #mentoring", seen)
        yield seen
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGINT)
            try:
                async with asyncio.timeout(10):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()
        with contextlib.suppress(Exception):
            await proc.stdout.read()


async def test_micromentor_run_serves_ask_claim_resolve_on_discord(
    fake_discord: FakeDiscord, running_bot: list[str]
) -> None:
    fake = fake_discord
    assert not [r for r in fake.requests if r.path == "/gateway/bot"]  # DISCORD_GATEWAY_URL used
    await fake.wait_request("PUT", rf"/applications/{fake.application_id}/commands")

    token = await fake.slash(
        "alice", "askmentor", [{"name": "question", "type": 3, "value": QUESTION}]
    )
    (confirmation,) = await fake.followups(token, within=20)
    assert "#1" in confirmation.content()
    await fake.wait_until(lambda: bool(fake.channel_messages(fake.mentoring_id)), within=20)
    (card,) = fake.channel_messages(fake.mentoring_id)
    assert custom_ids(card) == ["mm:claim:1", "mm:notmine:1", "mm:cancel:1"]

    # The button, not ✋: its custom id names the question, so it works the moment the card
    # shows (a ✋ needs the card's place recorded first, which this test can't see from here).
    claimed = await fake.followups(await fake.click("bob", "mm:claim:1", card["id"]), within=20)
    assert "You claimed #1" in claimed[0].content()
    (intro,) = await fake.wait_request("POST", rf"/channels/{card['id']}/messages", within=20)
    assert "mm:resolve:1" in custom_ids(intro.json())

    intro_id = fake.channel_messages(card["id"])[0]["id"]
    resolved = await fake.followups(await fake.click("alice", "mm:resolve:1", intro_id), within=20)
    assert "resolved" in resolved[0].content()
    edits = await fake.wait_request(
        "PATCH", rf"/channels/{fake.mentoring_id}/messages/{card['id']}", count=2, within=20
    )
    fields = {f["name"]: f["value"] for f in edits[-1].json()["embeds"][0]["fields"]}
    assert fields["Status"].startswith("Resolved")
