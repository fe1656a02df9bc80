"""translate.py with payloads recorded in the shapes Slack documents (pure, no I/O)."""

from __future__ import annotations

import json
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.slack import translate as tr
from bot import commands as c
from bot.privacy.commands import ForgetPerson
from bot.recognition.commands import GiveKudos
from bot.refs import MessageRef, ThreadRef, UserRef, WorkspaceRef
from bot.textcommands import ParseError

PAYLOADS = Path(__file__).parent / "payloads"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
ALICE = c.Actor(UserRef("slack", "U0ALICE01"), "alice", WorkspaceRef("slack", "T0TEAM001"))


def payload(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((PAYLOADS / name).read_text())
    return data


def test_slash_askmentor_form_becomes_an_anonymous_question() -> None:
    form = dict(urllib.parse.parse_qsl((PAYLOADS / "slash_askmentor.txt").read_text().strip()))
    cmd = tr.slash_command(form["command"], form["text"], actor=ALICE, now=NOW)
    assert cmd == c.AskQuestion(ALICE, "How do I profile a slow SQL query?", True)


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        ("/askmentor", "", tr.OpenModal("ask")),
        ("/askmentor", "   ", tr.OpenModal("ask")),
        ("/mentor", "join", tr.OpenModal("join")),
        ("/mentor", "join python, sql", c.RegisterMentor(ALICE, ("python", "sql"))),
        ("/mentor", "pause 7d", c.PauseMentor(ALICE, __import__("datetime").timedelta(days=7))),
        ("/mentoradmin", "stats", c.ShowStats(ALICE)),
        (
            "/mentor",
            "handover 3 <@U0CAROL01|carol>",
            c.HandOverQuestion(ALICE, 3, UserRef("slack", "U0CAROL01")),
        ),
    ],
)
def test_slash_commands(command: str, text: str, expected: object) -> None:
    assert tr.slash_command(command, text, actor=ALICE, now=NOW) == expected


def test_unknown_mentor_subcommand_is_a_parse_error_with_usage() -> None:
    result = tr.slash_command("/mentor", "dance", actor=ALICE, now=NOW)
    assert isinstance(result, ParseError) and "/mentor join" in result.message


def test_reaction_added_becomes_handle_reaction_on_the_message_without_skin_tone() -> None:
    event = payload("reaction_added.json")["event"]
    cmd = tr.reaction(event, actor=ALICE, thread=None)
    assert cmd == c.HandleReaction(
        ALICE, MessageRef("slack", "C0MENTOR1:1700000000.000004"), "raising_hand"
    )


def test_reaction_on_a_file_is_ignored() -> None:
    event = {
        "type": "reaction_added",
        "reaction": "raising_hand",
        "item": {"type": "file", "file": "F1"},
    }
    assert tr.reaction(event, actor=ALICE, thread=None) is None


def test_thread_message_names_its_thread() -> None:
    event = payload("message_in_thread.json")["event"]
    assert tr.thread_of_message(event) == ThreadRef("slack", "C0MENTOR1:1700000000.000004")


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        (
            {"channel": "G0GROUP01", "channel_type": "mpim", "user": "U1", "ts": "1.2"},
            ThreadRef("slack", "G0GROUP01"),
        ),
        # a reply in a thread of a group DM (Slack threads any conversation): still its session
        (
            {
                "channel": "G0GROUP01",
                "channel_type": "mpim",
                "user": "U1",
                "ts": "1.3",
                "thread_ts": "1.2",
            },
            ThreadRef("slack", "G0GROUP01"),
        ),
        ({"channel": "C0MENTOR1", "channel_type": "channel", "user": "U1", "ts": "1.2"}, None),
        ({"channel": "C1", "thread_ts": "1.1", "bot_id": "B1", "user": "U1"}, None),
        ({"channel": "C1", "thread_ts": "1.1", "subtype": "message_changed"}, None),
        # a subtype that carries a user but is no one talking: pins, topic changes, Slackbot
        ({"channel": "C1", "thread_ts": "1.1", "subtype": "pinned_item", "user": "U1"}, None),
        ({"channel": "C1", "thread_ts": "1.1", "subtype": "channel_topic", "user": "U1"}, None),
        ({"channel": "C1", "thread_ts": "1.1", "subtype": "reminder_add", "user": "U1"}, None),
        (
            {"channel": "C1", "thread_ts": "1.1", "subtype": "thread_broadcast", "user": "U1"},
            ThreadRef("slack", "C1:1.1"),
        ),
        (
            {"channel": "C1", "thread_ts": "1.1", "subtype": "file_share", "user": "U1"},
            ThreadRef("slack", "C1:1.1"),
        ),
    ],
)
def test_only_human_messages_in_threads_and_group_dms_count(
    event: dict[str, Any], expected: object
) -> None:
    assert tr.thread_of_message(event) == expected


def test_rate_button_becomes_rate_session() -> None:
    action = payload("block_actions_rate.json")["actions"][0]
    assert tr.block_action(action["action_id"], actor=ALICE) == c.RateSession(
        ALICE, 1, 5, role="asker"
    )


@pytest.mark.parametrize(
    ("action_id", "expected"),
    [
        ("mm:claim:3", c.ClaimQuestion(ALICE, 3)),
        ("mm:release:3", c.ReleaseQuestion(ALICE, 3)),
        ("mm:resolve:3", c.ResolveQuestion(ALICE, 3)),
        ("mm:extend:3", c.ExtendTimebox(ALICE, 3)),
        ("mm:clarity:2:3", c.RateSession(ALICE, 3, 2, role="mentor")),
        ("mm:comment:3", tr.OpenModal("comment", 3)),
        ("other:claim:3", None),
        ("mm:dance:3", None),
    ],
)
def test_buttons(action_id: str, expected: object) -> None:
    assert tr.block_action(action_id, actor=ALICE) == expected


def test_ask_modal_submission_keeps_the_anonymous_box() -> None:
    view = payload("view_submission_ask.json")["view"]
    cmd = tr.view_submission(view, actor=ALICE)
    assert cmd == c.AskQuestion(ALICE, "How do I profile a slow SQL query in PostgreSQL?", True)
    assert tr.metadata_of(view) == {"channel": "C0MENTOR1", "response_url": None}


def test_refs_round_trip() -> None:
    ref = tr.message_ref("C0MENTOR1", "1700000000.000004")
    assert tr.split_ref(ref.id) == ("C0MENTOR1", "1700000000.000004")
    assert tr.split_ref(tr.thread_ref("G0GROUP01").id) == ("G0GROUP01", None)


@pytest.mark.parametrize(
    ("value", "expected"), [("C0123ABCD", "C0123ABCD"), ("#mentoring", None), ("mentoring", None)]
)
def test_channel_ids_are_used_as_is(value: str, expected: str | None) -> None:
    assert tr.channel_of(value) == expected


def test_slash_command_text_arrives_html_escaped_and_is_unescaped_once() -> None:
    # Slack encodes typed &, < and > in a slash command's text; the question keeps what was typed.
    cmd = tr.slash_command(
        "/askmentor",
        "Why is a &lt; b &amp;&amp; c &gt; d false? &amp;lt; stays",
        actor=ALICE,
        now=NOW,
    )
    assert cmd == c.AskQuestion(ALICE, "Why is a < b && c > d false? &lt; stays", False)


def _user_change(**user: Any) -> dict[str, Any]:
    fields = {"id": "U0BOB0001", "team_id": "T0TEAM001", "name": "bob", **user}
    return {"team_id": "T0TEAM001", "event": {"type": "user_change", "user": fields}}


def test_user_change_says_left_when_deactivated_and_back_when_active() -> None:
    from bot.privacy.commands import PersonBack, PersonLeft

    bob, team = UserRef("slack", "U0BOB0001"), WorkspaceRef("slack", "T0TEAM001")
    assert tr.user_change(_user_change(deleted=True)) == PersonLeft(bob, team)
    assert tr.user_change(_user_change(deleted=False)) == PersonBack(bob, team)
    # A guest (single- or multi-channel) is a person like any other.
    guest = _user_change(deleted=True, is_restricted=True, is_ultra_restricted=True)
    assert tr.user_change(guest) == PersonLeft(bob, team)
    assert tr.user_left(_user_change(deleted=False)) is None


@pytest.mark.parametrize(
    "user",
    [
        {"deleted": True, "is_bot": True},
        {"deleted": False, "is_bot": True},
        {"deleted": True, "id": "USLACKBOT"},
        {"deleted": True, "id": ""},
    ],
)
def test_user_change_of_a_bot_user_or_without_an_id_says_nothing(user: dict[str, Any]) -> None:
    assert tr.user_change(_user_change(**user)) is None
    assert tr.user_left(_user_change(**user)) is None


BOB, CAROL = UserRef("slack", "U0BOB0001"), UserRef("slack", "U0CAROL01")
MARKUP = "in <#C0PYTHON1|python> and <#C0GENERAL>, see <https://x.example/a> or <https://x.example/b|the runbook> with <@U0CAROL01|carol> <!here>"
PLAIN = "in #python and #channel, see https://x.example/a or the runbook (https://x.example/b) with @carol @here"


@pytest.mark.parametrize(
    ("command", "text", "expected"),
    [
        # should_escape: Slack's markup, the free text as plain words
        ("/askmentor", f"How do I test {MARKUP}?", c.AskQuestion(ALICE, f"How do I test {PLAIN}?")),
        ("/mentor", f"about pandas, {MARKUP}", c.SetMentorAbout(ALICE, f"pandas, {PLAIN}")),
        (
            "/kudos",
            f"<@U0BOB0001|bob> for the help {MARKUP}",
            GiveKudos(ALICE, BOB, "bob", f"for the help {PLAIN}"),
        ),
        (
            "/kudos",
            f"--private <@U0BOB0001|bob> --private for   the\nhelp {MARKUP}",
            GiveKudos(ALICE, BOB, "bob", f"for   the\nhelp {PLAIN}", private=True),
        ),
        # the person still read from the mention Slack sent
        ("/mentor", "handover #3 <@U0CAROL01|carol>", c.HandOverQuestion(ALICE, 3, CAROL)),
        (
            "/mentoradmin",
            "forget <@U0CAROL01|carol> confirm",
            ForgetPerson(ALICE, CAROL, "carol", confirmed=True),
        ),
        # should_escape off (the manifests' /askmentor): as typed, a typed "<" stays
        (
            "/askmentor",
            "Why does @carol say a &lt;b&gt; in #python?",
            c.AskQuestion(ALICE, "Why does @carol say a <b> in #python?"),
        ),
    ],
)
def test_slash_command_text_has_slacks_markup_as_plain_words(
    command: str, text: str, expected: object
) -> None:
    assert tr.slash_command(command, text, actor=ALICE, now=NOW) == expected


def test_a_typed_look_alike_of_a_mention_still_names_nobody() -> None:
    typed = tr.slash_command("/kudos", "&lt;@U0BOB0001|bob&gt; for the help", actor=ALICE, now=NOW)
    assert isinstance(typed, ParseError)
