"""Lightning sessions and kudos through the real AsyncApp against the fake Web API, on a fake
clock: the proposal DM, "I'll teach it" with its form, the card and its sign-up count, reminders,
the rating; `/kudos` and `/lightning` as slash commands."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from adapters.slack import translate as tr
from adapters.slack.listeners import SLASH_COMMANDS
from adapters.slack.translate import workspace_ref
from bot import commands as c
from bot.clock import ManualClock
from bot.lightning.commands import AcceptLightning, JoinLightning
from bot.recognition.commands import GiveKudos
from tests.adapters.slack.conftest import (
    MENTORING,
    USERS,
    SlackHarness,
    slack_config,
    start_harness,
    stop_harness,
)
from tests.adapters.slack.fake_slack import TEAM_ID, Call, FakeSlack

START = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday
STARTS = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)  # Wednesday 15:00 in Berlin
QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
CALL = "https://meet.example.com/lightning"
MANIFESTS = Path(__file__).parents[3] / "adapters" / "slack"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
async def slack(
    fake_slack: FakeSlack, sqlite_url: str, clock: ManualClock
) -> AsyncIterator[SlackHarness]:
    config = slack_config(lightning={"min_questions": 2}, session={"call_link": CALL})
    app, http = await start_harness(fake_slack, sqlite_url, config, clock=clock)
    try:
        yield SlackHarness(app=app, fake=fake_slack, http=http)
    finally:
        await http.aclose()
        await stop_harness(app)


async def later(slack: SlackHarness, clock: ManualClock, when: datetime) -> None:
    """Move the clock and wake the workers, as the scheduler's tick does."""
    clock.set(when)
    slack.app.runtime.wake()


async def dm_to(slack: SlackHarness, user: str, needle: str) -> Call:
    """The first DM to `user` with `needle`, once it is there."""
    found: list[Call] = await slack.fake.wait_for(
        lambda: dms_to(slack, user, needle), what=f"a DM to {user} with {needle!r}"
    )
    return found[0]


def dms_to(slack: SlackHarness, user: str, needle: str) -> list[Call]:
    return [
        c
        for c in slack.fake.to("chat.postMessage", channel=USERS[user])
        if needle in json.dumps(c.params.get("blocks"))
    ]


def lightning_card(slack: SlackHarness) -> dict[str, object]:
    for (channel, _), msg in slack.fake.messages.items():
        if channel == MENTORING and "Lightning session #1" in json.dumps(msg.get("blocks")):
            return msg
    raise AssertionError("no lightning card")


async def proposed(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    for asker in ("alice", "carol"):
        await slack.command(asker, "/askmentor", QUESTION)
    await slack.fake.wait_for(lambda: dms_to(slack, "bob", "mm:teach:1"), what="proposal")


async def taught(slack: SlackHarness) -> None:
    """bob presses I'll teach it and fills in the form."""
    await proposed(slack)
    [proposal] = dms_to(slack, "bob", "mm:teach:1")
    await slack.click("bob", "mm:teach:1", channel="D0BOB0001", ts="1.1")
    opened = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view = opened[-1].params["view"]
    assert view["callback_id"] == "mm_lightning"
    picker = next(b for b in view["blocks"] if b["block_id"] == "starts_at")
    assert picker["element"]["type"] == "datetimepicker"
    values = {
        "title": {"value": {"type": "plain_text_input", "value": "groupby in 15 minutes"}},
        "starts_at": {
            "value": {"type": "datetimepicker", "selected_date_time": int(STARTS.timestamp())}
        },
    }
    await slack.submit(
        "bob",
        {
            "callback_id": "mm_lightning",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.settled()
    assert proposal.params["channel"] == USERS["bob"]


async def test_the_whole_lightning_flow_on_slack(slack: SlackHarness, clock: ManualClock) -> None:
    await taught(slack)
    card = lightning_card(slack)
    shown = json.dumps(card["blocks"])
    assert "mm:join:1" in shown and "0 signed up" in shown
    assert "Wed 2026-11-25 14:00 UTC" in shown
    [invite] = dms_to(slack, "alice", "mm:join:1")
    assert "(15:00 Europe/Berlin)" in invite.text()  # the reader's own zone
    await slack.replies_to("bob", "is on Wed 2026-11-25 14:00 UTC \\(15:00 Europe/Berlin\\)")

    await slack.click("alice", "mm:join:1", channel=MENTORING, ts=str(card["ts"]))
    await slack.replies_to("alice", "You're in!")
    await slack.settled()
    updates = slack.fake.to("chat.update", channel=MENTORING, ts=card["ts"])
    assert updates and "1 signed up" in updates[-1].text()
    # A second person: a talk earns its speaker points once two signed up (and rated it well).
    await slack.click("carol", "mm:join:1", channel=MENTORING, ts=str(card["ts"]))
    await slack.replies_to("carol", "You're in!")

    await later(slack, clock, STARTS - timedelta(days=1))
    day = await dm_to(slack, "alice", "is tomorrow")
    assert CALL in day.text()
    await later(slack, clock, STARTS - timedelta(minutes=15))
    soon = await dm_to(slack, "alice", "starts in 15 minutes")
    assert CALL in soon.text()
    await dm_to(slack, "bob", "starts in 15 minutes")
    assert len(dms_to(slack, "bob", "speaking")) == 2

    await later(slack, clock, STARTS + timedelta(minutes=15))
    prompt = await dm_to(slack, "alice", "mm:lrate:5:1")
    assert "How was the lightning session" in prompt.text()
    await slack.fake.wait_for(
        lambda: "Held" in slack.fake.to("chat.update", channel=MENTORING, ts=card["ts"])[-1].text(),
        what="the card shows the session was held",
    )
    await slack.click("alice", "mm:lrate:5:1", channel="D0ALICE01", ts="1.2")
    await slack.replies_to("alice", "Thanks for rating #1 5/5")
    await slack.settled()
    async with slack.app.uow_factory(read_only=True) as uow:
        board = await uow.points.leaderboard(workspace_ref(TEAM_ID), since=None, limit=5)
    assert [(u.id, pts) for u, pts in board] == [(USERS["bob"], 5)]


async def test_leave_on_the_youre_in_answer_and_a_reminder_takes_you_off_the_list(
    slack: SlackHarness, clock: ManualClock
) -> None:
    await taught(slack)
    card = lightning_card(slack)
    await slack.click("alice", "mm:join:1", channel=MENTORING, ts=str(card["ts"]))
    [joined] = await slack.replies_to("alice", "You're in!")
    assert f"mm:leave:1@{TEAM_ID}" in json.dumps(joined.params.get("blocks"))
    await later(slack, clock, STARTS - timedelta(days=1))
    reminder = await dm_to(slack, "alice", "is tomorrow")
    assert f"mm:leave:1@{TEAM_ID}" in json.dumps(reminder.params.get("blocks"))
    assert "mm:leave" not in json.dumps((await dm_to(slack, "bob", "is tomorrow")).params)
    await slack.click("alice", f"mm:leave:1@{TEAM_ID}", channel=USERS["alice"], ts="1.3")
    await slack.replies_to("alice", r"You're off the list for \*#1\*")
    await later(slack, clock, STARTS - timedelta(minutes=15))
    await dm_to(slack, "bob", "starts in 15 minutes")
    await slack.settled()
    assert dms_to(slack, "alice", "starts in 15 minutes") == []


async def test_lightning_leave_as_a_slash_command(slack: SlackHarness) -> None:
    await slack.command("dave", "/lightning", "propose pandas 2026-11-25 15:00 pivot tables")
    await slack.replies_to("dave", "Thank you!")
    await slack.command("alice", "/lightning", "leave 1")
    await slack.replies_to("alice", "You're not signed up for #1.")
    await slack.command("dave", "/lightning", "leave 1")
    await slack.replies_to("dave", "You're the speaker of #1.")


async def test_not_now_is_a_button_that_answers_privately(slack: SlackHarness) -> None:
    await proposed(slack)
    await slack.click("bob", "mm:notnow:1", channel="D0BOB0001", ts="1.1")
    await slack.replies_to("bob", "No problem")


async def test_lightning_slash_commands_propose_and_list(slack: SlackHarness) -> None:
    await slack.command("dave", "/lightning", "propose pandas 2026-11-25 15:00 pivot tables")
    await slack.replies_to("dave", r"\*Lightning session #1\*.{1,8}pivot tables")
    # dave's Slack timezone is Europe/Berlin: 15:00 there is 14:00 UTC.
    await slack.replies_to("dave", "Wed 2026-11-25 14:00 UTC \\(15:00 Europe/Berlin\\)")
    await slack.command("alice", "/lightning", "list")
    await slack.replies_to("alice", "pivot tables.*0 going")
    await slack.command("alice", "/lightning", "dance")
    await slack.replies_to("alice", "I don't know `/lightning dance`")


@pytest.mark.parametrize(
    ("channel", "shown"),
    [
        ("&lt;!channel&gt;", "&lt;!channel&gt;"),  # typed as is: shown as typed, no ping
        ("<!channel>", "@\u2060channel"),  # Slack's @channel (should_escape): words, no ping
    ],
)
async def test_kudos_with_a_slack_mention_thanks_them_in_the_channel_escaped(
    slack: SlackHarness, channel: str, shown: str
) -> None:
    hostile = f"<@{USERS['bob']}|bob> for the help {channel} @here *bold*"
    await slack.command("alice", "/kudos", hostile)
    await slack.replies_to("alice", "Thanks sent to bob in the mentoring channel")
    post = await slack.fake.wait_for(
        lambda: next(
            (
                c
                for c in slack.fake.to("chat.postMessage", channel=MENTORING)
                if "Kudos" in c.text()
            ),
            None,
        ),
        what="kudos post",
    )
    text = post.text()
    assert f"<@{USERS['bob']}>" in text
    assert "<!channel>" not in text and not re.search(r"(?<!\u2060)@(here|channel)", text)
    assert shown in json.dumps(post.params.get("blocks"), ensure_ascii=False)


async def test_kudos_to_oneself_is_refused_on_slack(slack: SlackHarness) -> None:
    await slack.command("alice", "/kudos", f"<@{USERS['alice']}|alice> for being me")
    await slack.replies_to("alice", "Kudos are for thanking someone else")


@pytest.mark.parametrize("deleted", [False, True])
async def test_kudos_to_someone_slack_does_not_know_here_is_refused(
    slack: SlackHarness, deleted: bool
) -> None:
    ghost = "U0GHOST01"
    if deleted:  # deactivated: users.info still answers, with ``deleted: true``
        slack.fake.add_user(ghost, "ghost")
        slack.fake.users[ghost]["deleted"] = True
    else:  # an id from another workspace, or made up: users.info says user_not_found
        slack.fake.unknown_users.add(ghost)
    await slack.command("alice", "/kudos", f"<@{ghost}|ghost> for the help")
    await slack.replies_to("alice", "can't find that person")
    await slack.settled()
    assert not [c for c in slack.fake.to("chat.postMessage") if "Kudos" in c.text()]


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-socket.yml"])
def test_both_manifests_declare_every_slash_command_the_app_answers(name: str) -> None:
    manifest = (MANIFESTS / name).read_text()
    declared = set(re.findall(r"^\s*- command: (/\S+)$", manifest, re.MULTILINE))
    assert declared == set(SLASH_COMMANDS)
    # Each command that names a person needs Slack to send the mention as <@U…|name>: without
    # escaping it arrives as a plain "@name", and nobody can be exported, forgotten or thanked.
    for command in ("/mentor", "/mentoradmin", "/kudos"):
        entry = manifest.split(f"- command: {command}\n", 1)[1].split("- command:", 1)[0]
        assert "should_escape: true" in entry, command


@pytest.mark.parametrize(
    ("command", "text"),
    [
        ("/mentoradmin", "export @alice"),
        ("/mentoradmin", "forget @alice confirm"),
        ("/kudos", "@alice for the help"),
        ("/mentor", "handover 3 @carol"),
    ],
)
def test_a_typed_at_name_is_told_to_pick_the_person_from_slack(command: str, text: str) -> None:
    parsed = tr.slash_command(command, text, actor=_actor(), now=datetime(2026, 11, 30, tzinfo=UTC))
    assert isinstance(parsed, tr.ParseError)
    assert "Pick the person from Slack's @ list" in parsed.message


def test_an_at_name_in_a_question_with_a_mistyped_flag_gets_no_hint_about_people() -> None:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    parsed = tr.slash_command("/askmentor", "--anonymus how do I ask @bob", actor=_actor(), now=now)
    assert isinstance(parsed, tr.ParseError)
    assert "--anonymous" in parsed.message and "Slack's @ list" not in parsed.message


# --- translating (pure) ----------------------------------------------------------------------


def _actor() -> c.Actor:
    return c.Actor(tr.user_ref(USERS["bob"]), "bob", tr.workspace_ref(TEAM_ID), timezone="UTC")


def test_the_teach_button_opens_the_lightning_form_and_comment_its_own() -> None:
    assert tr.form_for_button("mm:teach:4") == tr.OpenModal("lightning", 4)
    assert tr.form_for_button("mm:comment:2") == tr.OpenModal("comment", 2)
    assert tr.form_for_button("mm:join:4") is None
    # The button carries the session's internal id: by_id.
    assert tr.block_action("mm:join:4", actor=_actor()) == JoinLightning(_actor(), 4, by_id=True)


def test_the_submitted_lightning_form_carries_the_pickers_exact_time() -> None:
    view = {
        "callback_id": "mm_lightning",
        "private_metadata": json.dumps({"lightning_id": 4}),
        "state": {
            "values": {
                "title": {"value": {"type": "plain_text_input", "value": " groupby "}},
                "starts_at": {
                    "value": {"type": "datetimepicker", "selected_date_time": 1764082800}
                },
            }
        },
    }
    command = tr.view_submission(view, actor=_actor())
    assert command == AcceptLightning(
        _actor(), 4, datetime(2025, 11, 25, 15, 0, tzinfo=UTC), "groupby", by_id=True
    )


def test_a_lightning_form_without_a_time_is_no_command() -> None:
    view = {
        "callback_id": "mm_lightning",
        "private_metadata": json.dumps({"lightning_id": 4}),
        "state": {"values": {"title": {"value": {"value": "groupby"}}}},
    }
    assert tr.view_submission(view, actor=_actor()) is None


def test_kudos_text_with_a_slack_mention_becomes_kudos() -> None:
    command = tr.slash_command(
        "/kudos",
        f"--private <@{USERS['alice']}|alice> for the &lt;help&gt;",
        actor=_actor(),
        now=START,
    )
    assert command == GiveKudos(
        _actor(), tr.user_ref(USERS["alice"]), "alice", "for the <help>", True
    )


@pytest.mark.parametrize(
    ("user_id", "is_bot"),
    [("U0SOMEBOT", True), ("USLACKBOT", False)],  # users.info says is_bot: false for Slackbot
)
async def test_kudos_to_a_bot_is_refused_politely_on_slack(
    slack: SlackHarness, user_id: str, is_bot: bool
) -> None:
    slack.fake.add_user(user_id, "somebot")
    slack.fake.users[user_id]["is_bot"] = is_bot
    await slack.command("alice", "/kudos", f"<@{user_id}|somebot> for the great answers")
    await slack.replies_to("alice", "Kudos are for people")
    assert not any("Kudos to" in c.text() for c in slack.fake.to("chat.postMessage"))
