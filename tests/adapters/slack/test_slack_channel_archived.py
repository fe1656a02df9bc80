"""A workspace whose mentoring channel is archived (or deleted) takes no questions: Slack's
``channel_archive`` / ``channel_deleted`` / ``group_*`` events, or a card Slack refuses as
``is_archived``, mark it; ``/askmentor`` (its text, its form, the message shortcut, a draft's
Post) is then answered that it can't be posted, and nothing is stored; ``channel_unarchive``
brings it back. The operator is told once each way."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from adapters.slack.translate import workspace_ref
from bot.messages import ChatMessage, text
from bot.ports import DeliveryRefused
from bot.refs import ChannelRef
from tests.adapters.slack.conftest import MENTORING, TEAM_ID, USERS, SlackHarness
from tests.adapters.slack.fake_slack import BOT_USER
from tests.adapters.slack.test_slack_ask_about import message_action

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
ADMINS = "C0ADMINS1"
FORM = "application/x-www-form-urlencoded"
CANT = "questions can't be posted right now"


async def ask(slack: SlackHarness, said: str = QUESTION, user: str = "alice") -> httpx.Response:
    response = await slack.command(user, "/askmentor", said)
    assert response.status_code == 200
    return response


def ack_text(response: httpx.Response) -> str:
    """What the acknowledgement says: Bolt sends text alone as is, with options as JSON."""
    if not response.text.startswith("{"):
        return response.text
    return str(json.loads(response.text).get("text") or "")


async def stored(slack: SlackHarness, number: int) -> bool:
    async with slack.app.uow_factory(read_only=True) as uow:
        return await uow.questions.get_by_number(workspace_ref(TEAM_ID), number) is not None


def said_to_operator(caplog: pytest.LogCaptureFixture, *words: str) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.name.startswith("adapters.slack") and all(w in r.getMessage() for w in words)
    ]


async def test_an_archived_mentoring_channel_takes_no_question_until_unarchived(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.join("bob", "python, pandas")
    with caplog.at_level(logging.INFO, logger="adapters.slack"):
        archived = {"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]}
        assert (await slack.event(archived)).status_code == 200
        assert (await slack.event(archived)).status_code == 200  # told once, not twice

        refused = await ask(slack)
        said = ack_text(refused)
        assert CANT in said and "archived" in said and "not saved" in said
        assert json.loads(refused.text)["response_type"] == "ephemeral"
        # The form is not opened either: the command is answered so instead.
        assert CANT in ack_text(await ask(slack, ""))
        await slack.settled()
        assert not slack.fake.to("views.open")
        assert not await stored(slack, 1)
        assert not slack.fake.to("chat.postMessage", channel=MENTORING)

        # `cancel` and `faq` still work (stored and answered, not refused).
        for other in ("cancel 1", "faq pandas"):
            assert CANT not in ack_text(await ask(slack, other))
        await slack.settled()

        [lost] = said_to_operator(caplog, "mentoring channel", "is archived")
        assert TEAM_ID in lost and MENTORING in lost and "unarchive" in lost
        assert "[channels] mentoring" in lost

        await slack.event({"type": "channel_unarchive", "channel": MENTORING})
        assert CANT not in ack_text(await ask(slack))
        await slack.card_of(1)
        [back] = said_to_operator(caplog, "is usable again")
        assert TEAM_ID in back and MENTORING in back


async def test_a_card_refused_as_archived_marks_the_channel_too(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    # The event was missed: the first card Slack refuses says it.
    slack.fake.refuse[MENTORING] = "is_archived"
    with caplog.at_level(logging.INFO, logger="adapters.slack"):
        assert CANT not in ack_text(await ask(slack))
        await slack.settled()
        assert slack.fake.to("chat.postMessage", failed=True, channel=MENTORING)
        refused = await ask(slack, "How do I sum one column of a pandas DataFrame by group?")
        assert CANT in ack_text(refused)
        await slack.settled()
        assert not await stored(slack, 2)
        assert len(said_to_operator(caplog, "mentoring channel", "is archived")) == 1

        del slack.fake.refuse[MENTORING]
        await slack.event({"type": "channel_unarchive", "channel": MENTORING})
        assert CANT not in ack_text(await ask(slack, "Which pandas method pivots a long table?"))
        await slack.card_of(2)


async def test_a_retried_archive_older_than_the_unarchive_leaves_questions_taken(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack retries an event, keeping its ``event_time``: the archive (of second 100) arriving
    again after the unarchive (of second 200) is older news and changes nothing."""
    at = int(time.time()) + 100  # after the start-up check found the channel usable
    archived = {"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]}
    await slack.event(archived, event_id="Ev0ARCHIVE", event_time=at)
    assert CANT in ack_text(await ask(slack))
    await slack.event({"type": "channel_unarchive", "channel": MENTORING}, event_time=at + 100)
    retried = await slack.event(archived, event_id="Ev0ARCHIVE", event_time=at, retry=1)
    assert retried.status_code == 200
    assert CANT not in ack_text(await ask(slack))
    await slack.card_of(1)
    assert len(said_to_operator(caplog, "is archived")) == 1  # the first delivery's, alone


@pytest.mark.parametrize(
    ("event", "word"),
    [
        ({"type": "channel_deleted", "channel": MENTORING}, "deleted"),
        ({"type": "group_archive", "channel": MENTORING}, "archived"),
    ],
)
async def test_a_deleted_or_private_archived_channel_refuses_every_way_of_asking(
    slack: SlackHarness, event: dict[str, Any], word: str
) -> None:
    # A form opened before, submitted after: kept open with why under its field.
    await slack.command("alice", "/askmentor", "")
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view = opened.params["view"]
    await slack.event(event)
    submitted = await slack.submit(
        "alice",
        {
            "callback_id": view["callback_id"],
            "private_metadata": view["private_metadata"],
            "blocks": view["blocks"],
            "state": {
                "values": {"question": {"value": {"type": "plain_text_input", "value": QUESTION}}}
            },
        },
    )
    body = json.loads(submitted.text)
    assert body["response_action"] == "errors"
    assert CANT in body["errors"]["question"] and word in body["errors"]["question"]
    # The message shortcut: no form, an answer.
    shortcut = await slack.post(
        message_action(slack, "alice", "pandas groupby?", n=7), content_type=FORM
    )
    assert shortcut.status_code == 200
    # A coached draft's [Post as is]: not stored, answered.
    await slack.click("alice", "mm:post:1", channel=MENTORING, ts="1.1")

    def answers() -> list[Any]:
        hits = [c for c in slack.fake.to("response_url") if CANT in c.text()]
        return hits if len(hits) >= 2 else []

    await slack.fake.wait_for(answers, what="the shortcut's and the button's answers")
    await slack.settled()
    assert len(slack.fake.to("views.open")) == 1
    assert not await stored(slack, 1)


async def test_an_archived_admin_channel_is_told_once_however_many_deliveries(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.refuse[ADMINS] = "is_archived"
    gateway = slack.app.chat
    with caplog.at_level(logging.INFO, logger="adapters.slack"):
        for _ in range(3):
            with pytest.raises(DeliveryRefused):
                await gateway.post_card(ChannelRef("slack", ADMINS), ChatMessage(body=text("x")))
        [told] = said_to_operator(caplog, "admin channel")
        assert "is archived" in told and "skipped" in told and "[channels] admin" in told
        # Questions are still taken: only the mentoring channel stops them.
        assert CANT not in ack_text(await ask(slack))
        await slack.card_of(1)
        # Posting there works again (the unarchive was missed): said once.
        del slack.fake.refuse[ADMINS]
        await gateway.post_card(ChannelRef("slack", ADMINS), ChatMessage(body=text("x")))
        await gateway.post_card(ChannelRef("slack", ADMINS), ChatMessage(body=text("y")))
        assert len(said_to_operator(caplog, "admin channel", "is usable again")) == 1


async def test_a_renamed_channel_configured_by_name_is_a_warning_for_the_next_start(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="adapters.slack"):
        renamed = {
            "type": "channel_rename",
            "channel": {"id": MENTORING, "name": "ask-a-mentor", "created": 1360782804},
        }
        assert (await slack.event(renamed)).status_code == 200
    [warned] = said_to_operator(caplog, "renamed to #ask-a-mentor")
    assert "[channels] mentoring" in warned and MENTORING in warned
    assert CANT not in ack_text(await ask(slack))  # still posted there, by id
    await slack.card_of(1)


async def test_removed_from_a_private_mentoring_channel_then_invited_back_needs_no_restart(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """`group_left` (the app removed from a private channel) stops questions at once, before a
    card is lost; `member_joined_channel` for the app itself brings the channel back (the
    README's "invite it back"); someone else joining changes nothing."""
    bot_user = BOT_USER  # auth.test's user_id: Bolt's context["bot_user_id"]
    with caplog.at_level(logging.INFO, logger="adapters.slack"):
        assert (await slack.event({"type": "group_left", "channel": MENTORING})).status_code == 200
        said = ack_text(await ask(slack))
        assert CANT in said and "not saved" in said
        [lost] = said_to_operator(caplog, "mentoring channel", "can't be found by the app")
        assert "/invite @Micromentor" in lost

        joined = {"type": "member_joined_channel", "channel": MENTORING, "channel_type": "G"}
        await slack.event({**joined, "user": USERS["alice"]})
        assert CANT in ack_text(await ask(slack))  # not the app: still unusable
        await slack.event({**joined, "user": bot_user, "inviter": USERS["alice"]})
        assert CANT not in ack_text(await ask(slack))
        await slack.card_of(1)
        [back] = said_to_operator(caplog, "is usable again")
        assert MENTORING in back
    assert not await stored(slack, 2)


async def test_a_watch_without_a_database_leaves_out_news_older_than_what_it_applied() -> None:
    """Memory alone (no database) keeps Slack's order too: an archive older than the unarchive
    it applied, or a post begun before the archive, changes nothing."""
    from adapters.slack import channels
    from bot.config import ChannelsSection

    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    watch = channels.ChannelWatch()
    await watch.watch(
        TEAM_ID, ChannelsSection(), name="Acme", mentoring=MENTORING, admin=ADMINS,
        escalation=None, checked_at=start,
    )  # fmt: skip
    await watch.back(TEAM_ID, MENTORING, at=start + timedelta(seconds=200))
    await watch.lost(TEAM_ID, MENTORING, channels.ARCHIVED, at=start + timedelta(seconds=100))
    assert await watch.cannot_ask(TEAM_ID) is None
    await watch.lost(TEAM_ID, MENTORING, channels.ARCHIVED, at=start + timedelta(seconds=300))
    await watch.delivered(TEAM_ID, MENTORING, at=start + timedelta(seconds=250))
    assert await watch.unusable(TEAM_ID) == channels.ARCHIVED
