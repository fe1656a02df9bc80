"""Every Block Kit payload the app sends stays inside Slack's documented limits, even for a
2000-character question full of characters that grow when escaped."""

from __future__ import annotations

import json
from typing import Any

from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.test_slack_flows import intro

UNIT = "How do I use pandas groupby & <merge> *with* `x` _y_ ~z~ @everyone <!channel> > ünï 🐍 "


def nasty(length: int) -> str:
    return (UNIT * (length // len(UNIT) + 1))[:length]


def limit_problems(blocks: list[dict[str, Any]], *, max_blocks: int) -> list[str]:
    """What breaks Slack's block limits (https://api.slack.com/reference/block-kit/blocks)."""
    problems = [f"{len(blocks)} blocks"] if len(blocks) > max_blocks else []
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(set(block_ids)) != len(block_ids) or any(len(i) > 255 for i in block_ids):
        problems.append(f"block ids {block_ids}")
    for b in blocks:
        texts = [b["text"]["text"]] if "text" in b else []
        if b["type"] == "section" and any(len(t) > 3000 or not t.strip() for t in texts):
            problems.append("section text empty or over 3000")
        fields = b.get("fields", [])
        if len(fields) > 10 or any(len(f["text"]) > 2000 for f in fields):
            problems.append("fields")
        if b["type"] == "context" and len(b["elements"]) > 10:
            problems.append("context elements")
        if b["type"] == "actions":
            ids = [e["action_id"] for e in b["elements"]]
            if len(ids) > 25 or len(set(ids)) != len(ids) or any(len(i) > 255 for i in ids):
                problems.append(f"action ids {ids}")
            if any(len(e["text"]["text"]) > 75 for e in b["elements"]):
                problems.append("button text over 75")
    return problems


async def test_a_2000_character_question_keeps_every_payload_within_the_limits(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", nasty(2000))
    await slack.card_of(1)
    ts = slack.card_ts(1)
    await slack.react("bob", MENTORING, ts, emoji="raising_hand::skin-tone-3")
    await intro(slack, ts)
    await slack.click("alice", "mm:resolve:1", channel=MENTORING, ts=ts)
    await slack.replies_to("alice", "resolved")
    await slack.command("alice", "/askmentor", nasty(1990) + " pandas")
    await slack.replies_to("alice", "your question is #2")
    await slack.event(
        {"type": "app_home_opened", "user": USERS["alice"], "tab": "home", "event_ts": "1.2"}
    )
    await slack.fake.wait_for(lambda: slack.fake.to("views.publish"), what="home")
    problems = []
    sent = 0
    for call in slack.fake.calls:
        view = call.params.get("view")
        if isinstance(view, str):
            view = json.loads(view)
        blocks = call.params.get("blocks") or (view or {}).get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not blocks:
            continue
        sent += 1
        max_blocks = 100 if call.method == "views.publish" else 50
        problems += [f"{call.method}: {p}" for p in limit_problems(blocks, max_blocks=max_blocks)]
        if call.method.startswith("chat.") and not call.params.get("text"):
            problems.append(f"{call.method}: no fallback text")
    assert sent >= 8
    assert problems == []


async def test_url_verification_answers_the_challenge(slack: SlackHarness) -> None:
    challenge = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"
    body = json.dumps({"token": "legacy", "challenge": challenge, "type": "url_verification"})
    response = await slack.post(body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": challenge}
