"""The real AsyncApp against the fake Web API: commands, reactions, buttons, modals, threads, home."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from adapters.slack.translate import channel_ref, user_ref
from bot.domain import QuestionState
from bot.flow.outbox import ReplyTo
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import Call

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


async def eventually(check: Callable[[], Awaitable[Any]], *, within: float = 10.0) -> Any:
    """Poll an async check (database state after the ack) until it is truthy."""
    deadline = time.monotonic() + within
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.02)


async def state_of(slack: SlackHarness, number: int) -> QuestionState | None:
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(number)
    return q.state if q else None


async def asked(slack: SlackHarness, *, mentor: str = "bob") -> str:
    """A mentor has joined and alice asked #1; returns the card's ts."""
    await slack.join(mentor, "python, pandas")
    await slack.command("alice", "/askmentor", QUESTION)
    await slack.card_of(1)
    await slack.replies_to("alice", "your question is #1")
    return slack.card_ts(1)


async def claimed(slack: SlackHarness, *, mentor: str = "bob") -> str:
    ts = await asked(slack, mentor=mentor)
    await slack.click(mentor, "mm:claim:1", channel=MENTORING, ts=ts)
    await intro(slack, ts)
    return ts


async def intro(slack: SlackHarness, card_ts: str) -> Call:
    return await slack.fake.wait_for(
        lambda: next(iter(slack.fake.to("chat.postMessage", thread_ts=card_ts)), None), what="intro"
    )


def card_updates(slack: SlackHarness, ts: str, needle: str) -> list[Call]:
    return [c for c in slack.fake.to("chat.update", channel=MENTORING, ts=ts) if needle in c.text()]


async def test_askmentor_posts_a_card_with_claim_button_and_suggested_mentor(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    response = await slack.command("alice", "/askmentor", QUESTION)
    assert response.status_code == 200
    card = await slack.card_of(1)
    assert "mm:claim:1" in card.text()
    assert f"<@{USERS['bob']}>" in card.text()
    assert "react with ✋" in str(card.params)  # the emoji itself, as Slack shows it
    assert "alice" in card.text()
    await slack.replies_to("alice", "your question is #1")


async def test_askmentor_without_text_opens_a_modal_whose_submission_asks(
    slack: SlackHarness,
) -> None:
    await slack.command("alice", "/askmentor", "")
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view = opened[0].params["view"]
    assert view["callback_id"] == "mm_ask"
    assert opened[0].params["trigger_id"].startswith("trigger.")
    values = {
        "question": {"value": {"type": "plain_text_input", "value": QUESTION}},
        "anonymous": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "anonymous"}]}
        },
    }
    await slack.submit(
        "alice",
        {
            "callback_id": "mm_ask",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    card = await slack.card_of(1)
    assert "anonymous" in card.text()
    assert "alice" not in card.text().lower()


async def test_mentor_join_without_text_opens_a_modal_with_the_slack_timezone(
    slack: SlackHarness,
) -> None:
    await slack.command("bob", "/mentor", "join")
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view = opened[0].params["view"]
    assert view["callback_id"] == "mm_join"
    # The form opens at once (the trigger lasts 3 s); the Slack timezone, looked up after,
    # is shown in it with views.update.
    await slack.fake.wait_for(lambda: slack.fake.to("views.update"), what="views.update")
    shown = slack.fake.views["V0VIEW001"]
    tz_block = next(b for b in shown["blocks"] if b["block_id"] == "timezone")
    assert tz_block["element"]["placeholder"]["text"] == "Europe/Berlin"
    values = {
        "skills": {"value": {"value": "python, sql"}},
        "hours": {"value": {"value": "Mon-Fri 08:00-16:00"}},
        "timezone": {"value": {"value": "Europe/Berlin"}},
    }
    await slack.submit(
        "bob",
        {
            "callback_id": "mm_join",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.replies_to("bob", "python")
    async with slack.app.uow_factory() as uow:
        profile = await uow.mentors.get(slack_user("bob"), slack_team())
    assert profile is not None and profile.timezone == "Europe/Berlin"


def slack_user(name: str) -> Any:
    from adapters.slack.translate import user_ref

    return user_ref(USERS[name])


def slack_team() -> Any:
    from adapters.slack.translate import workspace_ref
    from tests.adapters.slack.fake_slack import TEAM_ID

    return workspace_ref(TEAM_ID)


async def test_reaction_on_the_card_claims_updates_it_and_opens_a_thread(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    await slack.react("bob", MENTORING, ts, "raising_hand::skin-tone-3")
    first = await intro(slack, ts)
    assert f"<@{USERS['alice']}>" in first.text() and f"<@{USERS['bob']}>" in first.text()
    for action in ("mm:resolve:1", "mm:release:1", "mm:extend:1"):
        assert action in first.text()
    assert card_updates(slack, ts, "Claimed by")
    assert await state_of(slack, 1) is QuestionState.CLAIMED


async def test_the_raised_hand_emoji_slack_sends_for_a_hand_claims_too(
    slack: SlackHarness,
) -> None:
    ts = await asked(slack)
    await slack.react("bob", MENTORING, ts, "raised_hand")
    await intro(slack, ts)
    assert await state_of(slack, 1) is QuestionState.CLAIMED


async def test_other_reactions_on_the_card_do_nothing(slack: SlackHarness) -> None:
    ts = await asked(slack)
    before = len(slack.fake.calls)
    response = await slack.react("bob", MENTORING, ts, "tada")
    assert response.status_code == 200
    assert await state_of(slack, 1) is QuestionState.OPEN
    assert len(slack.fake.calls) == before


async def test_claim_button_claims(slack: SlackHarness) -> None:
    ts = await claimed(slack)
    assert card_updates(slack, ts, "Claimed by")
    await slack.replies_to("bob", "you claimed #1")


async def test_mentor_handover_with_a_mention_moves_the_session_when_accepted(
    slack: SlackHarness,
) -> None:
    await slack.join("carol", "pandas")
    ts = await claimed(slack)
    await slack.command("bob", "/mentor", f"handover 1 <@{USERS['carol']}|carol>")
    await slack.replies_to("bob", "asked carol to take over #1")
    channel, offer_ts = await slack.fake.wait_for(
        lambda: next(
            (key for key, m in slack.fake.messages.items() if "mm:accept:1" in json.dumps(m)),
            None,
        ),
        what="the hand-over offer in carol's DM",
    )
    assert channel.startswith("D")
    await slack.click("carol", "mm:accept:1", channel=channel, ts=offer_ts)
    await slack.fake.wait_for(
        lambda: [
            c for c in slack.fake.to("chat.postMessage", thread_ts=ts) if "handed #1" in c.text()
        ],
        what="hand-over note in the thread",
    )
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and q.mentor is not None and q.mentor.id == USERS["carol"]


async def test_release_button_puts_the_card_back_in_the_queue(slack: SlackHarness) -> None:
    ts = await claimed(slack)
    await slack.click("bob", "mm:release:1", channel=MENTORING, ts=ts)
    await slack.fake.wait_for(
        lambda: [c for c in card_updates(slack, ts, "mm:claim:1")], what="card reopened"
    )
    assert await state_of(slack, 1) is QuestionState.OPEN


async def test_extend_button_adds_ten_minutes(slack: SlackHarness) -> None:
    ts = await claimed(slack)
    await slack.click("alice", "mm:extend:1", channel=MENTORING, ts=ts)
    await slack.fake.wait_for(
        lambda: [
            c for c in slack.fake.to("chat.postMessage", thread_ts=ts) if "+10 min" in c.text()
        ],
        what="extension note",
    )


async def test_resolve_then_rate_and_comment(slack: SlackHarness) -> None:
    ts = await claimed(slack)
    await slack.click("alice", "mm:resolve:1", channel=MENTORING, ts=ts)
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    prompts = await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.postMessage", thread_ts=ts)
            if "mm:rate:5:1" in c.text() or "mm:clarity:4:1" in c.text()
        ],
        what="rating buttons",
    )
    assert prompts
    await slack.click("alice", "mm:rate:5:1", channel=MENTORING, ts=ts)
    await slack.replies_to("alice", "rated the help on #1 5/5")
    await slack.click("bob", "mm:clarity:4:1", channel=MENTORING, ts=ts)
    await slack.replies_to("bob", "how clear #1 was 4/5")
    await slack.click("alice", "mm:comment:1", channel=MENTORING, ts=ts)
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="comment modal")
    view = opened[0].params["view"]
    values = {"comment": {"value": {"value": "Quick and clear."}}}
    await slack.submit(
        "alice",
        {
            "callback_id": "mm_comment",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.replies_to("alice", "comment on #1 is saved")


async def test_a_message_in_the_thread_counts_as_activity(slack: SlackHarness) -> None:
    ts = await claimed(slack)
    async with slack.app.uow_factory() as uow:
        before = (await uow.questions.get(1)).last_activity_at  # type: ignore[union-attr]
    await slack.event(
        {
            "type": "message",
            "channel": MENTORING,
            "channel_type": "channel",
            "user": USERS["bob"],
            "text": "Use df.groupby(['a', 'b'])['c'].sum()",
            "ts": "1800000000.000100",
            "thread_ts": ts,
        }
    )

    async def touched() -> bool:
        async with slack.app.uow_factory() as uow:
            q = await uow.questions.get(1)
        return q is not None and q.last_activity_at != before

    assert await eventually(touched)


async def test_app_home_shows_open_questions_profile_and_leaderboard(slack: SlackHarness) -> None:
    await claimed(slack)
    await slack.event(
        {"type": "app_home_opened", "user": USERS["bob"], "channel": "D0BOB", "tab": "home"}
    )
    published = await slack.fake.wait_for(
        lambda: slack.fake.to("views.publish"), what="views.publish"
    )
    assert published[0].params["user_id"] == USERS["bob"]
    view = published[0].params["view"]
    assert view["type"] == "home"
    assert "#1" in published[0].text() and "Your open questions" in published[0].text()


async def test_asker_checkmark_in_the_thread_resolves(slack: SlackHarness) -> None:
    ts = await claimed(slack)
    await slack.react("alice", MENTORING, ts, "white_check_mark")
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    assert await state_of(slack, 1) is QuestionState.RESOLVED


@pytest.mark.parametrize(("status", "retry_after"), [(429, "3"), (500, None)])
async def test_a_checkmark_on_a_reply_waits_out_slacks_trouble_looking_up_its_thread(
    slack: SlackHarness, status: int, retry_after: str | None
) -> None:
    """conversations.replies (Tier 3) may answer 429 or a 5xx: the ✅ is kept and tried
    again, not taken as a reaction on a thread of its own and dropped."""
    ts = await claimed(slack)
    # A person's reply in the session thread whose message event the bot never received: its
    # thread is not known (`ThreadMemory`), so it is looked up.
    reply = slack.fake._next_ts()
    slack.fake.messages[(MENTORING, reply)] = {"type": "message", "ts": reply, "thread_ts": ts}
    headers = {"Retry-After": retry_after} if retry_after else {"Content-Type": "text/plain"}
    for _ in range(3):  # beyond the web client's own retry
        slack.fake.fail_next("conversations.replies", status=status, headers=headers)
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    await slack.fake.wait_for(
        lambda: card_updates(slack, ts, "Resolved"), what="card resolved", within=30
    )
    assert await state_of(slack, 1) is QuestionState.RESOLVED
    assert slack.fake.to("conversations.replies", ts=reply, failed=True)


async def test_a_heavy_check_mark_typed_by_the_asker_in_the_thread_resolves(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    await slack.event(
        {
            "type": "message",
            "channel": MENTORING,
            "user": USERS["alice"],
            "text": ":heavy_check_mark:",
            "ts": "1700000999.000100",
            "thread_ts": ts,
            "channel_type": "channel",
        }
    )
    await slack.fake.wait_for(lambda: card_updates(slack, ts, "Resolved"), what="card resolved")
    assert await state_of(slack, 1) is QuestionState.RESOLVED


def ephemerals_to(slack: SlackHarness, user: str, needle: str) -> list[Call]:
    return [c for c in slack.fake.to("chat.postEphemeral", user=USERS[user]) if needle in c.text()]


async def test_a_private_answer_to_a_checkmark_typed_in_the_thread_shows_in_that_thread(
    slack: SlackHarness,
) -> None:
    """chat.postEphemeral's thread_ts: the asker reads the thread, not the channel."""
    ts = await claimed(slack)
    await slack.event(
        {
            "type": "message",
            "channel": MENTORING,
            "user": USERS["alice"],
            "text": "✅",
            "ts": "1700000999.000100",
            "thread_ts": ts,
            "channel_type": "channel",
        }
    )
    [said] = await slack.fake.wait_for(
        lambda: ephemerals_to(slack, "alice", "is marked resolved"), what="the private answer"
    )
    assert said.params["channel"] == MENTORING
    assert said.params.get("thread_ts") == ts


async def test_a_checkmark_the_mentor_types_in_the_thread_is_a_message_not_a_claim_to_resolve(
    slack: SlackHarness,
) -> None:
    """A ✅ typed in the thread is on that message, not on the card heading the thread: the
    mentor agreeing with something hears nothing back, and the session goes on; the same
    reaction on the card itself is answered with whose ✅ resolves."""
    ts = await claimed(slack)
    await slack.event(
        {
            "type": "message",
            "channel": MENTORING,
            "user": USERS["bob"],
            "text": "✅",
            "ts": "1700000999.000200",
            "thread_ts": ts,
            "channel_type": "channel",
        }
    )
    await slack.react("bob", MENTORING, ts, "white_check_mark")
    [said] = await slack.fake.wait_for(
        lambda: ephemerals_to(slack, "bob", "resolves #1"), what="the answer to the card's ✅"
    )
    assert said.params["text"].startswith("Only the asker's ✅ resolves #1")
    assert said.params.get("thread_ts") is None  # on the card, in the channel
    assert len(ephemerals_to(slack, "bob", "resolves #1")) == 1  # none for the typed one
    assert await state_of(slack, 1) is QuestionState.CLAIMED


async def test_a_private_answer_to_a_checkmark_on_a_reply_in_the_thread_shows_there(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    reply = next(  # the intro, a reply in the session thread
        t for (_, t), m in slack.fake.messages.items() if m.get("thread_ts") == ts and t != ts
    )
    await slack.react("alice", MENTORING, reply, "white_check_mark")
    [said] = await slack.fake.wait_for(
        lambda: ephemerals_to(slack, "alice", "is marked resolved"), what="the private answer"
    )
    assert said.params.get("thread_ts") == ts


async def test_a_private_answer_to_a_checkmark_on_the_card_shows_in_the_channel(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    await slack.react("alice", MENTORING, ts, "white_check_mark")
    [said] = await slack.fake.wait_for(
        lambda: ephemerals_to(slack, "alice", "is marked resolved"), what="the private answer"
    )
    assert said.params["channel"] == MENTORING and "thread_ts" not in said.params


def test_the_thread_to_answer_in_is_stored_with_the_input_and_absent_in_older_rows() -> None:
    to = ReplyTo(user_ref(USERS["alice"]), channel_ref(MENTORING), thread="1700000000.000100")
    assert ReplyTo.from_json(to.to_json()) == to
    older = {k: v for k, v in to.to_json().items() if k != "thread"}
    assert ReplyTo.from_json(older).thread is None


async def test_admin_commands_follow_workspace_admins_and_bot_toml(slack: SlackHarness) -> None:
    slack.fake.add_user(USERS["dave"], "dave", admin=True)
    await slack.command("root", "/mentoradmin", "stats")
    await slack.replies_to("root", "Micromentor stats")
    await slack.command("dave", "/mentoradmin", "stats")
    await slack.replies_to("dave", "Micromentor stats", count=2)
    await slack.command("carol", "/mentoradmin", "stats")
    await slack.replies_to("carol", "is for admins")


async def test_an_admin_whose_rights_slack_takes_away_is_no_admin_from_that_moment(
    slack: SlackHarness,
) -> None:
    slack.fake.add_user(USERS["dave"], "dave", admin=True)
    await slack.command("dave", "/mentoradmin", "stats")
    await slack.replies_to("dave", "Micromentor stats")
    # A workspace owner demotes dave: Slack sends user_change with the whole user object.
    slack.fake.add_user(USERS["dave"], "dave", admin=False)
    response = await slack.event(
        {"type": "user_change", "user": slack.fake.users[USERS["dave"]], "event_ts": "9.9"}
    )
    assert response.status_code == 200
    await slack.command("dave", "/mentoradmin", "stats")
    await slack.replies_to("dave", "is for admins")


async def test_an_older_user_change_delivered_late_does_not_give_admin_rights_back(
    slack: SlackHarness,
) -> None:
    """Slack redelivers an event it saw no timely ack for (a minute, five minutes later): the
    user object of a change made before the demotion must not undo it."""
    slack.fake.add_user(USERS["dave"], "dave", admin=True)
    await slack.command("dave", "/mentoradmin", "stats")
    await slack.replies_to("dave", "Micromentor stats")
    before = {**slack.fake.users[USERS["dave"]], "updated": 1_700_000_000}
    slack.fake.add_user(USERS["dave"], "dave", admin=False)
    demoted = {**slack.fake.users[USERS["dave"]], "updated": 1_700_000_060}
    await slack.event({"type": "user_change", "user": demoted, "event_ts": "9.9"})
    await slack.event({"type": "user_change", "user": before, "event_ts": "9.8"}, retry=1)
    await slack.command("dave", "/mentoradmin", "stats")
    await slack.replies_to("dave", "is for admins")


class TestPrivateSessions:
    @pytest.fixture
    def slack_settings(self) -> dict[str, Any]:
        return {"slack": {"thread_mode": "group_dm"}}

    async def test_group_dm_mode_opens_a_group_dm_with_asker_and_mentor(
        self, slack: SlackHarness
    ) -> None:
        await claimed_in_group_dm(slack)


async def claimed_in_group_dm(slack: SlackHarness) -> str:
    ts = await asked(slack)
    await slack.react("bob", MENTORING, ts)
    opened = await slack.fake.wait_for(lambda: slack.fake.to("conversations.open"), what="group DM")
    assert set(opened[0].params["users"].split(",")) == {USERS["alice"], USERS["bob"]}
    group = await slack.fake.wait_for(
        lambda: next(
            (
                c
                for c in slack.fake.to("chat.postMessage")
                if str(c.params["channel"]).startswith("G")
            ),
            None,
        ),
        what="intro in the group DM",
    )
    assert "thread_ts" not in group.params
    return str(group.params["channel"])


async def test_anonymous_question_gets_a_group_dm_never_a_channel_thread(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", "--anonymous " + QUESTION)
    card = await slack.card_of(1)
    assert USERS["alice"] not in card.text() and "alice" not in card.text().lower()
    ts = slack.card_ts(1)
    await slack.react("bob", MENTORING, ts)
    opened = await slack.fake.wait_for(lambda: slack.fake.to("conversations.open"), what="group DM")
    group = "G" + "".join(u[-3:] for u in sorted(opened[0].params["users"].split(","))).upper()
    await slack.fake.wait_for(
        lambda: slack.fake.to("chat.postMessage", channel=group), what="intro"
    )
    assert not slack.fake.to("chat.postMessage", thread_ts=ts)
    await slack.event(
        {
            "type": "message",
            "channel": group,
            "channel_type": "mpim",
            "user": USERS["alice"],
            "text": "thanks",
            "ts": "1800000000.000200",
        }
    )

    async def touched() -> bool:
        async with slack.app.uow_factory() as uow:
            q = await uow.questions.get(1)
        return (
            q is not None and q.last_activity_at is not None and q.last_activity_at > q.claimed_at
        )  # type: ignore[operator]

    assert await eventually(touched)
