"""Pure translation: payload values → commands and refs."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from adapters.discord import translate as t
from bot import commands as c
from bot.learning import commands as lc
from bot.textcommands import ParseError

ACTOR = t.actor_for(user_id=5, name="Bob", guild_id=1)
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize(
    ("permissions", "admin"),
    [(0, False), (1 << 5, True), (1 << 3, True), ((1 << 10) | (1 << 11), False)],
)
def test_manage_server_or_administrator_makes_a_platform_admin(
    permissions: int, admin: bool
) -> None:
    actor = t.actor_for(user_id=5, name="Bob", guild_id=1, permissions=permissions)
    assert actor.platform_admin is admin


@pytest.mark.parametrize(
    ("custom_id", "expected"),
    [
        ("mm:claim:12", c.ClaimQuestion(ACTOR, 12)),
        ("mm:notmine:3", c.MarkNotMyArea(ACTOR, 3)),
        ("mm:resolve:3", c.ResolveQuestion(ACTOR, 3)),
        ("mm:release:3", c.ReleaseQuestion(ACTOR, 3)),
        ("mm:extend:3", c.ExtendTimebox(ACTOR, 3)),
        ("mm:rate:5:3", c.RateSession(ACTOR, 3, 5, role="asker")),
        ("mm:clarity:2:3", c.RateSession(ACTOR, 3, 2, role="mentor")),
        ("mm:comment:3", t.CommentRequest(ACTOR, 3)),
        ("mm:rate:9:3", None),
        ("other:claim:3", None),
    ],
)
def test_button_custom_ids_become_commands(custom_id: str, expected: object) -> None:
    assert t.button_command(ACTOR, custom_id) == expected


def test_recorded_reaction_payload_with_skin_tone_becomes_a_claim_reaction() -> None:
    data = json.loads((FIXTURES / "message_reaction_add.json").read_text(encoding="utf-8"))["d"]
    actor = t.actor_for(user_id=data["user_id"], name="Bob", guild_id=data["guild_id"])
    cmd = t.reaction_command(
        actor,
        channel_id=data["channel_id"],
        message_id=data["message_id"],
        emoji=data["emoji"]["name"],
    )
    assert cmd.emoji == "✋"
    assert cmd.message == t.message_ref(data["channel_id"], data["message_id"])
    assert t.message_ids(cmd.message) == (int(data["channel_id"]), int(data["message_id"]))
    assert cmd.actor.workspace == t.workspace_ref(data["guild_id"])


def test_mentor_options_go_through_the_shared_grammar() -> None:
    assert t.mentor_command(ACTOR, "join", {"skills": "python, sql"}) == c.RegisterMentor(
        ACTOR, ("python", "sql")
    )
    assert t.mentor_command(ACTOR, "why", {"question": 4}) == c.ExplainMatch(ACTOR, 4)
    assert t.mentor_command(ACTOR, "capacity", {"sessions": 5}) == c.SetMentorCapacity(ACTOR, 5)
    assert isinstance(t.mentor_command(ACTOR, "pause", {"duration": "soon"}), ParseError)


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({}, lc.ShowLearning(ACTOR)),
        ({"stop": True}, lc.StopLearning(ACTOR)),
        ({"start": True}, lc.ShowLearning(ACTOR, start=True)),
    ],
)
def test_learn_options_show_stop_or_pick_up_the_lessons(
    options: dict[str, bool], expected: c.Command
) -> None:
    assert t.mentor_command(ACTOR, "learn", options) == expected


def test_admin_digest_carries_the_week() -> None:
    now = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
    cmd = t.admin_command(ACTOR, "digest", {"week": "2026-W47"}, now=now)
    assert cmd == c.SendDigest(now=now, workspace=ACTOR.workspace, actor=ACTOR, week="2026-W47")


def test_timezone_completion_puts_prefix_matches_first() -> None:
    zones = ["America/Berlin_Fake", "Europe/Berlin", "Europe/Busingen"]
    assert t.complete_timezone("europe/b", zones) == ["Europe/Berlin", "Europe/Busingen"]
    assert t.complete_timezone("berlin", zones)[0] in ("America/Berlin_Fake", "Europe/Berlin")


def test_skill_completion_keeps_what_was_typed_and_skips_chosen_skills() -> None:
    terms = ["python", "pandas", "postgres"]
    assert t.complete_skills("python, pa", terms) == ["python, pandas"]
    assert t.complete_skills("p", terms) == ["pandas", "postgres", "python"]


def test_skill_completion_offers_only_lists_that_fit_a_choice_whole() -> None:
    # Picking a choice replaces the whole option: one cut to Discord's 100 characters would
    # drop skills. Past that, nothing is offered and the list is sent as typed.
    typed = "python, pandas, sql, docker, terraform, aws, gcp, azure, react, typescript, java, sw"
    terms = ["swift", "swiftui-and-combine-for-ios"]
    assert t.complete_skills(typed, terms) == [typed[:-2] + "swift"]
    assert t.complete_skills(typed + "ift, rust, kotlin, scala, go, ku", ["kubernetes"]) == []


def test_inbox_keys_are_discords_own_identity_of_each_input() -> None:
    assert t.interaction_key(1180000000000000042) == "discord:ia:1180000000000000042"
    assert t.thread_message_key("77") == "discord:msg:77"
    key = t.reaction_key(channel_id=1, message_id=2, user_id=3, emoji="✋")
    assert key == "discord:react:1:2:3:✋"
    assert key != t.reaction_key(channel_id=1, message_id=2, user_id=4, emoji="✋")


def test_an_interactions_answers_go_to_its_token_and_application() -> None:
    to = t.interaction_reply_to(user_id=5, channel_id=9, token="tok", application_id=8)
    assert to.user == t.user_ref(5) and to.channel == t.channel_ref(9)
    assert (to.token, to.app_id, to.surface) == ("tok", "8", "ephemeral")
    assert "tok" not in repr(to)
    assert (
        t.interaction_reply_to(user_id=5, channel_id=None, token="x", application_id=8).channel
        is None
    )
