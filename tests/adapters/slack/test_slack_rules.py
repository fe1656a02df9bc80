"""Slack's rules: signatures, retries de-duplicated, one claim winner, 429 retried (a user look-up
waits its Retry-After), inert user text."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta

from adapters.slack.runtime import SlackSettings, web_client
from adapters.slack.translate import workspace_ref
from adapters.slack.users import SlackDirectory
from bot.domain import QuestionState
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness, signed_headers
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack
from tests.adapters.slack.test_slack_flows import QUESTION, asked, card_updates, state_of


async def questions(slack: SlackHarness) -> int:
    async with slack.app.uow_factory() as uow:
        return len(await uow.questions.created_between(slack_workspace(), None, None))


def slack_workspace():  # type: ignore[no-untyped-def]
    from adapters.slack.translate import workspace_ref
    from tests.adapters.slack.fake_slack import TEAM_ID

    return workspace_ref(TEAM_ID)


async def test_a_forged_signature_is_refused_and_changes_nothing(slack: SlackHarness) -> None:
    body = slack.command_body("alice", "/askmentor", QUESTION)
    before = len(slack.fake.calls)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed_headers(body, secret="wrong"),
    }
    response = await slack.http.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert await questions(slack) == 0
    assert len(slack.fake.calls) == before


async def test_a_timestamp_older_than_five_minutes_is_refused(slack: SlackHarness) -> None:
    body = slack.command_body("alice", "/askmentor", QUESTION)
    before = len(slack.fake.calls)
    stale = int(time.time()) - 6 * 60
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        **signed_headers(body, timestamp=stale),
    }
    response = await slack.http.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert await questions(slack) == 0
    assert len(slack.fake.calls) == before


async def test_healthz_answers_without_a_signature(slack: SlackHarness) -> None:
    response = await slack.http.get("/healthz")
    assert response.status_code == 200 and response.text == "ok"


async def test_an_event_delivered_three_times_claims_once_and_opens_one_thread(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    event = {
        "type": "reaction_added",
        "user": USERS["bob"],
        "reaction": "raising_hand",
        "item": {"type": "message", "channel": MENTORING, "ts": ts},
        "event_ts": f"{time.time():.6f}",
    }
    results = await asyncio.gather(
        slack.event(event, event_id="Ev0RETRY01"),
        slack.event(event, event_id="Ev0RETRY01", retry=1),
        slack.event(event, event_id="Ev0RETRY01", retry=2),
    )
    assert [r.status_code for r in results] == [200, 200, 200]
    await slack.fake.wait_for(lambda: slack.fake.to("chat.postMessage", thread_ts=ts), what="intro")
    # A fourth, later delivery after the work is done must not do anything either.
    await slack.event(event, event_id="Ev0RETRY01", retry=3)
    await slack.replies_to("bob", "you claimed #1")
    assert len(slack.fake.to("chat.postMessage", thread_ts=ts)) == 1
    assert len(card_updates(slack, ts, "Claimed by")) == 1
    assert not [
        c
        for c in slack.fake.calls
        if "claimed #1 first" in c.text() or "already have #1" in c.text()
    ]


async def test_two_mentors_claiming_at_once_one_wins_and_the_loser_is_told_who(
    slack: SlackHarness,
) -> None:
    await slack.join("carol", "python")
    ts = await asked(slack)
    await asyncio.gather(
        slack.react("bob", MENTORING, ts),
        slack.click("carol", "mm:claim:1", channel=MENTORING, ts=ts),
    )
    await slack.fake.wait_for(lambda: slack.fake.to("chat.postMessage", thread_ts=ts), what="intro")
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.mentor is not None
    winner = next(name for name, uid in USERS.items() if uid == q.mentor.id)
    loser = "carol" if winner == "bob" else "bob"
    told = await slack.replies_to(loser, f"{winner} claimed #1 first")
    assert len(told) == 1
    await slack.replies_to(winner, "you claimed #1")
    assert len(slack.fake.to("chat.postMessage", thread_ts=ts)) == 1
    assert await state_of(slack, 1) is QuestionState.CLAIMED


async def test_a_rate_limited_call_is_retried_after_retry_after(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.fail_next(
        "chat.postMessage", status=429, headers={"Retry-After": "1"}, channel=MENTORING
    )
    started = time.monotonic()
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.card_of(1)
    assert time.monotonic() - started >= 1.0
    assert len(slack.fake.to("chat.postMessage", channel=MENTORING, failed=True)) == 1
    assert len(slack.fake.to("chat.postMessage", channel=MENTORING)) == 1
    await slack.settled()
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.card is not None and q.card.id == f"{MENTORING}:{slack.card_ts(1)}"


async def test_a_question_with_pings_is_posted_inert(slack: SlackHarness) -> None:
    text = "Why does <!channel> and @here and <@U0ROOT001> *break* my `bot` <https://x.y|z> formatting?"
    await slack.command("alice", "/askmentor", text)
    card = await slack.card_of(1)
    posted = json.dumps(card.params)
    for forbidden in (
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U0ROOT001>",
        "<https://x.y|z>",
        "@here",
    ):
        assert forbidden not in posted
    # Slack's markup, however the command's text came, is shown as words, inert (a mention
    # Slack sent without a name, by the name users.info gives).
    assert "@\\u2060channel" in card.text() and "@root" in card.text()
    assert "z (https://x.y)" in card.text()


async def test_private_replies_fall_back_to_a_dm_when_the_user_is_not_in_the_channel(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    slack.fake.errors["chat.postEphemeral"] = "user_not_in_channel"
    await slack.react("bob", MENTORING, ts)
    dm = await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.postMessage", channel=USERS["bob"])
            if "claimed #1" in c.text()
        ],
        what="DM to bob",
    )
    assert len(dm) == 1
    assert [c.params["user"] for c in slack.fake.to("chat.postEphemeral")] == [USERS["bob"]]


async def test_a_long_rate_limit_is_not_waited_out_and_the_question_is_kept(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    slack.fake.fail_next(
        "chat.postMessage", status=429, headers={"Retry-After": "30"}, channel=MENTORING
    )
    started = time.monotonic()
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.replies_to("alice", "Your question is #1")
    assert time.monotonic() - started < 10
    await slack.fake.wait_for(
        lambda: slack.fake.to("chat.postMessage", channel=MENTORING, failed=True), what="429"
    )
    assert slack.fake.to("chat.postMessage", channel=MENTORING) == []
    async with slack.app.uow_factory() as uow:
        assert await uow.questions.get(1) is not None  # decided and kept
    for _ in range(500):  # until the deliverer has put the card back for later
        async with slack.app.uow_factory() as uow:
            waiting = await uow.outbox.lease(
                datetime.now(UTC) + timedelta(seconds=31), lease=timedelta(seconds=1), limit=5
            )
        cards = [row for row in waiting if row.delivery.op == "card" and row.last_error]
        if cards:
            break
        await asyncio.sleep(0.01)
    [card] = cards
    assert card.last_error.startswith("RetryAfter") and card.due_at > datetime.now(UTC)


async def test_a_rate_limited_user_lookup_keeps_what_slack_said_and_waits_its_retry_after(
    fake_slack: FakeSlack,
) -> None:
    dave = USERS["dave"]
    fake_slack.add_user(dave, "dave", admin=True)
    client = web_client(SlackSettings(bot_token="xoxb-test", api_url=fake_slack.api_url))
    directory = SlackDirectory(client, workspace=workspace_ref(TEAM_ID), ttl_seconds=0)
    assert (await directory.actor(dave)).platform_admin  # the cache expires at once

    fake_slack.fail_next("users.info", status=429, headers={"Retry-After": "30"})
    later = await directory.actor(dave)
    # Not a stand-in named "U0DAVE001" who is no admin (their record would be rewritten so).
    assert (later.name, later.platform_admin) == ("dave", True)
    asked = len(fake_slack.calls)
    again = await directory.actor(dave)
    assert again.platform_admin
    assert len(fake_slack.calls) == asked  # Slack said wait 30 s: no users.info meanwhile


async def test_an_admin_of_another_organisation_in_a_shared_channel_is_no_admin_here(
    fake_slack: FakeSlack,
) -> None:
    """Slack Connect: users.info shows an external person's own workspace (``team_id``) and
    their flags there. Only a member of this workspace can be an admin of the bot here; on
    Enterprise Grid, a member of another workspace of the organisation who is in this one too
    (``enterprise_user.teams``) counts."""
    outsider, grid = "U0OUTSIDE", "U0GRIDADM"
    fake_slack.add_user(outsider, "oscar", admin=True)
    fake_slack.users[outsider]["team_id"] = "T0OTHERORG"
    fake_slack.add_user(grid, "greta", admin=True)
    fake_slack.users[grid]["team_id"] = "T0SISTERWS"
    fake_slack.users[grid]["enterprise_user"] = {
        "enterprise_id": "E0ORG",
        "is_admin": True,
        "teams": ["T0SISTERWS", TEAM_ID],
    }
    client = web_client(SlackSettings(bot_token="xoxb-test", api_url=fake_slack.api_url))
    directory = SlackDirectory(client, workspace=workspace_ref(TEAM_ID), ttl_seconds=0)
    assert not (await directory.actor(outsider)).platform_admin
    assert (await directory.actor(grid)).platform_admin

    # A user_change for them (sent to shared-channel members too) keeps it so.
    directory.ttl = 600
    await directory.actor(outsider)
    directory.refresh({**fake_slack.users[outsider], "updated": int(time.time())})
    assert not (await directory.actor(outsider)).platform_admin
