"""Slack as its documentation describes it, where an app easily gets it wrong: the
`app_rate_limited` callback (no inner event), blocks Slack refuses (`invalid_blocks`,
`msg_blocks_too_long`), a public channel the app was removed from (`not_in_channel`) and a
private one it cannot join, a message shortcut on a message without text."""

from __future__ import annotations

import json
import logging
import urllib.parse

import pytest
import sqlalchemy as sa

from adapters.slack.translate import ASK_ABOUT_SHORTCUT, quoted_for_ask
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import APP_ID, TEAM_ID
from tests.adapters.slack.test_slack_flows import QUESTION, asked


async def test_app_rate_limited_is_answered_200_and_said(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """docs.slack.dev/reference/events/app_rate_limited: a callback with no inner event; an app
    failing over 5% of deliveries has its event subscriptions disabled."""
    body = json.dumps(
        {
            "token": "legacy",
            "type": "app_rate_limited",
            "team_id": TEAM_ID,
            "minute_rate_limited": 1518467820,
            "api_app_id": APP_ID,
        }
    )
    with caplog.at_level(logging.WARNING):
        response = await slack.post(body, content_type="application/json")
    assert response.status_code == 200
    assert any("rate limited" in r.getMessage() for r in caplog.records)
    async with slack.app.uow_factory(read_only=True) as uow:
        assert await uow.inbox.pending() == 0  # nothing to do but say it


@pytest.mark.parametrize("code", ["invalid_blocks", "msg_blocks_too_long"])
async def test_a_card_whose_blocks_slack_refuses_is_posted_as_its_text(
    slack: SlackHarness, code: str
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.refuse_blocks = code
    await slack.command("alice", "/askmentor", QUESTION)
    posted = await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.postMessage", channel=MENTORING)
            if not c.failed and "#1" in c.text()
        ],
        what="the card as text",
    )
    assert not posted[0].params.get("blocks")
    assert slack.fake.to("chat.postMessage", channel=MENTORING, failed=True)
    await slack.settled()
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None  # recorded: claims by reaction find it


async def test_a_card_update_whose_blocks_slack_refuses_replaces_them_with_text(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    slack.fake.refuse_blocks = "invalid_blocks"
    await slack.react("bob", MENTORING, ts)
    update = await slack.fake.wait_for(
        lambda: [c for c in slack.fake.to("chat.update", ts=ts) if not c.failed],
        what="the card updated as text",
    )
    # chat.update keeps a message's old blocks unless given an empty list (Slack's docs).
    assert update[0].params.get("blocks") == []
    assert "Claimed by bob" in update[0].params["text"]  # the whole card, fields too


async def test_removed_from_the_public_channel_the_app_joins_it_again_and_posts(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.not_member.add(MENTORING)  # someone removed the app from #mentoring
    joins = len(slack.fake.to("conversations.join", channel=MENTORING))
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.card_of(1)
    assert len(slack.fake.to("conversations.join", channel=MENTORING)) == joins + 1
    [refused] = slack.fake.to("chat.postMessage", channel=MENTORING, failed=True)
    assert refused.params.get("metadata")  # the same delivery, posted once
    assert (
        len([c for c in slack.fake.to("chat.postMessage", channel=MENTORING) if not c.failed]) == 1
    )


async def test_a_private_channel_the_app_is_not_in_is_named_for_the_operator(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.not_member.add(MENTORING)
    slack.fake.private.add(MENTORING)
    with caplog.at_level(logging.ERROR):
        await slack.command("alice", "/askmentor", QUESTION)
        await slack.fake.wait_for(
            lambda: slack.fake.to("conversations.join", failed=False, channel=MENTORING)[1:],
            what="a join attempt",
        )
        await slack.settled()
    said = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert any(MENTORING in m and "/invite" in m for m in said), said
    assert not [c for c in slack.fake.to("chat.postMessage", channel=MENTORING) if not c.failed]


@pytest.mark.parametrize(
    ("said", "quoted"),
    [
        # Slack's date formatting: the fallback text is what a reader without it sees
        ("standup <!date^1392734382^{date_short}|Feb 18, 2014> ok", "> standup Feb 18, 2014 ok"),
        ("ask <!subteam^S0614TZR7> please", "> ask @a group please"),
        ("ask <!subteam^S0614TZR7|@platform> please", "> ask @platform please"),
    ],
)
def test_a_quote_reads_dates_and_groups_as_slack_shows_them(said: str, quoted: str) -> None:
    assert quoted_for_ask(said) == quoted + "\n\n"


def test_a_quote_of_many_short_lines_stays_within_its_share_of_the_question() -> None:
    quoted = quoted_for_ask("\n".join("ok" for _ in range(1000)))
    assert quoted.startswith("> ok\n> ok") and len(quoted) <= 1200 + 2


@pytest.mark.parametrize(
    "message",
    [
        {"files": [{"id": "F0FILE001", "name": "trace.log"}], "upload": True},  # no text
        {"text": "stack trace line\n" * 400},
    ],
    ids=["files-only", "very-long"],
)
async def test_ask_about_this_on_any_message_opens_the_form_and_asks(
    slack: SlackHarness, message: dict[str, object]
) -> None:
    await slack.join("bob", "python, pandas")
    payload = {
        "type": "message_action",
        "token": "legacy",
        "action_ts": "1700000100.000001",
        "team": {"id": TEAM_ID, "domain": "fake-team"},
        "user": {"id": USERS["alice"], "name": "alice", "team_id": TEAM_ID},
        "channel": {"id": MENTORING, "name": "mentoring"},
        "is_enterprise_install": False,
        "enterprise": None,
        "callback_id": ASK_ABOUT_SHORTCUT,
        "trigger_id": slack.fake.issue_trigger("trigger.shortcut.9"),
        "message_ts": "1700000000.000100",
        "message": {"type": "message", "user": USERS["bob"], "ts": "1700000000.000100", **message},
        "response_url": slack.fake.response_url("shortcut9"),
    }
    response = await slack.post(
        slack.interaction_body(payload), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view = opened.params["view"]
    field = next(b for b in view["blocks"] if b["block_id"] == "question")["element"]
    quoted = str(field.get("initial_value", ""))
    assert len(quoted) <= 1202
    typed = f"{quoted}{QUESTION}"
    submitted = {
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {"values": {"question": {"value": {"type": "plain_text_input", "value": typed}}}},
    }
    response = await slack.submit("alice", submitted)
    assert response.status_code == 200 and not response.content
    await slack.card_of(1)


async def test_an_ssl_check_is_answered_200_and_nothing_is_done(slack: SlackHarness) -> None:
    """Slash commands: Slack verifies the certificate with ``ssl_check=1`` (no command)."""
    body = urllib.parse.urlencode({"ssl_check": "1", "token": "legacy"})
    response = await slack.post(body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    async with slack.app.uow_factory(read_only=True) as uow:
        assert await uow.inbox.pending() == 0


async def test_edits_deletions_and_bot_messages_in_a_thread_are_acknowledged_and_ignored(
    slack: SlackHarness,
) -> None:
    thread = {"channel": MENTORING, "channel_type": "channel"}
    events = [
        {
            "type": "message",
            "subtype": "message_changed",
            "hidden": True,
            "ts": "1700000001.000002",
            "message": {"type": "message", "user": USERS["bob"], "text": "x", "ts": "1.1"},
            **thread,
        },
        {
            "type": "message",
            "subtype": "message_deleted",
            "hidden": True,
            "ts": "1700000001.000003",
            "deleted_ts": "1.1",
            **thread,
        },
        {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "B0BOT0001",
            "text": "hi",
            "ts": "1700000001.000004",
            "thread_ts": "1700000000.000001",
            **thread,
        },
    ]

    async def stored() -> int:
        async with slack.app.engine.connect() as conn:
            return int((await conn.execute(sa.text("SELECT count(*) FROM inbox"))).scalar_one())

    before = await stored()
    for event in events:
        response = await slack.event(event)
        assert response.status_code == 200
    assert await stored() == before  # acknowledged, and nothing kept to act on


def _mrkdwn_objects(node: object) -> list[dict[str, object]]:
    """Every ``mrkdwn`` text object in a Block Kit payload."""
    if isinstance(node, list):
        return [o for item in node for o in _mrkdwn_objects(item)]
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") == "mrkdwn" else []
    return found + [o for v in node.values() for o in _mrkdwn_objects(v)]


LINKY = QUESTION + " I read https://evil.example/login?next=/pandas and asked in #general."


async def test_no_url_or_channel_name_a_person_typed_becomes_a_link(slack: SlackHarness) -> None:
    """docs.slack.dev/reference/block-kit/composition-objects/text-object: without ``verbatim``
    "URLs will be auto-converted into links, conversation names will be link-ified";
    chat.postMessage: "By default, URLs will be hyperlinked. Set parse to none to remove the
    hyperlinks" (the top-level text)."""
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", LINKY)
    card = await slack.card_of(1)
    assert "https://evil.example" in card.text()
    blocks = card.params["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    texts = _mrkdwn_objects(blocks)
    assert texts and all(t.get("verbatim") is True for t in texts), texts
    assert card.params.get("parse") == "none"


async def test_a_card_sent_as_text_alone_links_no_typed_url_either(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.refuse_blocks = "invalid_blocks"
    await slack.command("alice", "/askmentor", LINKY)
    [posted] = await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.postMessage", channel=MENTORING)
            if not c.failed and "#1" in c.text()
        ],
        what="the card as text",
    )
    assert not posted.params.get("blocks") and "https://evil.example" in posted.params["text"]
    assert posted.params.get("parse") == "none"
