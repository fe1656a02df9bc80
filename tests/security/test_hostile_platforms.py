"""The hostile-input sweep's sample through the real platform clients: generated questions
(mention syntax of both platforms, controls, bidi, zero-width, markdown breakers, huge and empty
text) asked through slack-bolt and discord.py against the fakes; nothing the bot sends pings
anyone it did not mean, or carries a bidi control."""

from __future__ import annotations

import json
import random
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.adapters.slack.conftest import USERS, SlackHarness
from tests.security.discord_two_guilds import Harness, TwoGuilds, eventually, running
from tests.security.hostile import BIDI, discord_pings, hostile_text, slack_pings

SAMPLE = 25
NO_LIMITS = {"limits": {"asks": 0, "claims": 0, "duplicate_similarity": 0}}
_BIDI = re.compile(f"[{BIDI}]")


def questions(seed: int) -> list[str]:
    rng = random.Random(seed)
    # a topic word keeps most of them long enough to be posted and suggested to the mentor
    return [hostile_text(rng) + " python pandas question" for _ in range(SAMPLE)]


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    return {"ask": {"coaching": "off"}, **NO_LIMITS}


async def test_hostile_questions_through_slack_ping_nobody(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    for text in questions(7):
        response = await slack.command("alice", "/askmentor", text[:3000])
        assert response.status_code == 200
    await slack.settled(within=30)
    cards = [c for c in slack.fake.to("chat.postMessage") if "Question #" in c.text()]
    assert len(cards) > SAMPLE // 2
    problems = []
    for call in slack.fake.calls:
        shown = call.text()
        problems += [f"{call.method}: {p}" for p in slack_pings(shown, meant={USERS["bob"]})]
        if _BIDI.search(json.dumps(call.params, ensure_ascii=False)):
            problems.append(f"{call.method}: bidi control")
    assert problems == []


@pytest.fixture
async def discord(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running(TwoGuilds(), sqlite_url, ask={"coaching": "off"}, **NO_LIMITS) as h:
        yield h


async def test_hostile_questions_through_discord_ping_nobody(discord: Harness) -> None:
    fake = discord.fake
    await discord.join("bob", "python, pandas")
    for text in questions(11):
        options = [{"name": "question", "type": 3, "value": text[:6000]}]
        await fake.slash("alice", "askmentor", options)

    async def answered() -> bool:
        return len(fake.acknowledged) >= SAMPLE + 1

    await eventually(answered, within=30)

    async def idle() -> bool:
        async with discord.app.uow_factory(read_only=True) as uow:
            return not (await uow.outbox.pending() + await uow.inbox.pending())

    await eventually(idle, within=30)
    cards = [m for m in fake.channel_messages(fake.mentoring_id) if m.get("embeds")]
    assert len(cards) > SAMPLE // 2
    meant = {u["id"] for u in fake.users.values()} - {fake.users["carol"]["id"]}
    problems = []
    for request in fake.requests:
        body = request.body
        if not isinstance(body, dict):
            continue
        payload = body.get("data") if isinstance(body.get("data"), dict) else body
        if "content" not in payload and "embeds" not in payload:
            continue
        problems += [f"{request.path}: {p}" for p in discord_pings(payload, meant=meant)]
        if _BIDI.search(str(payload)):
            problems.append(f"{request.path}: bidi control")
    assert problems == []
