"""Parsing `/kudos` and `/lightning` text (the console and Slack share it), `/mentor leaderboard
[month|all]`, and the lightning buttons; commands survive the inbox's JSON."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot import commands as c
from bot.flow.codec import command_from_json, command_to_json
from bot.lightning.commands import (
    AcceptLightning,
    CancelLightning,
    DeclineLightning,
    JoinLightning,
    LeaveLightning,
    ListLightning,
    MoveLightning,
    ProposeLightning,
    RateLightning,
)
from bot.recognition.commands import GiveKudos
from bot.refs import UserRef
from bot.textcommands import (
    KUDOS_USAGE,
    ParseError,
    parse_kudos,
    parse_lightning,
    parse_mentor,
    parse_when,
)
from tests.unit.core_harness import WORKSPACE

ACTOR = c.Actor(UserRef("test", "bob"), "bob", WORKSPACE)
AT = datetime(2026, 12, 3, 15, 0)


def named(raw: str) -> tuple[UserRef, str] | None:
    name = raw.lstrip("@")
    return (UserRef("test", name), name) if name.isalnum() else None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("alice for the help", GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the help")),
        (
            "@alice thanks a lot",
            GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "thanks a lot"),
        ),
        (
            "--private alice for the quiet help",
            GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the quiet help", True),
        ),
        (
            "--PRIVATE alice for the quiet help",
            GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the quiet help", True),
        ),
        (
            "alice --private for the quiet help",
            GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the quiet help", True),
        ),
        (
            "alice for the quiet help —private",
            GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the quiet help", True),
        ),
        (
            "alice for the --dry-run tip",
            GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the --dry-run tip"),
        ),
        (
            "alice thanks!\n- for the review\n- for `a  b`",
            GiveKudos(
                ACTOR, UserRef("test", "alice"), "alice", "thanks!\n- for the review\n- for `a  b`"
            ),
        ),
        ("alice", ParseError(KUDOS_USAGE)),
        ("", ParseError(KUDOS_USAGE)),
        ("--private alice", ParseError(KUDOS_USAGE)),
        ("@@@ for nothing", ParseError(KUDOS_USAGE)),
    ],
)
def test_parse_kudos(raw: str, expected: object) -> None:
    assert parse_kudos(ACTOR, raw, user_named=named) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "--privat bob thanks a lot",  # a typo of the flag in front
        "bob --privte thanks a lot",  # after the name
        "bob thanks a lot --privat",  # at the end
        "--quiet bob thanks a lot",  # any other option in front
        "-- bob thanks a lot",  # a lone dash is not a name
        "bob thanks --private for all of it",  # the flag in the middle of the thanks
    ],
)
def test_a_mistyped_private_flag_sends_nothing_and_thanks_nobody_made_up(raw: str) -> None:
    """Typed as a name, `--privat` would post in the channel what was meant for one person,
    and thank a person called "--privat"."""

    def anyone(word: str) -> tuple[UserRef, str]:  # the console takes any word as a person
        return UserRef("test", word), word

    refused = parse_kudos(ACTOR, raw, user_named=anyone)
    assert isinstance(refused, ParseError)
    assert "Nothing was sent" in refused.message or refused == ParseError(KUDOS_USAGE)
    assert "bob" not in refused.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("list", ListLightning(ACTOR)),
        (
            "propose pandas 2026-12-03 15:00 groupby basics",
            ProposeLightning(ACTOR, "pandas", AT, "groupby basics"),
        ),
        (
            "accept 3 2026-12-03 15:00 groupby basics",
            AcceptLightning(ACTOR, 3, AT, "groupby basics"),
        ),
        ("accept #3 2026-12-03T15:00 groupby", AcceptLightning(ACTOR, 3, AT, "groupby")),
        ("join 3", JoinLightning(ACTOR, 3)),
        ("leave 3", LeaveLightning(ACTOR, 3)),
        ("LEAVE #3", LeaveLightning(ACTOR, 3)),
        ("rate 3 5", RateLightning(ACTOR, 3, 5)),
        ("cancel #3", CancelLightning(ACTOR, 3)),
        ("move 3 2026-12-03 15:00", MoveLightning(ACTOR, 3, AT)),
    ],
)
def test_parse_lightning(raw: str, expected: object) -> None:
    assert parse_lightning(ACTOR, raw) == expected


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        ("propose pandas tomorrow groupby", "Propose like"),
        ("propose pandas 2026-12-03 15:00", "Propose like"),
        ("accept 3 2026-13-03 15:00 title", "Accept like"),
        ("accept three 2026-12-03 15:00 title", "Which session?"),
        ("rate 3 6", "Rate from 1 to 5"),
        ("join", "Which session?"),
        ("leave", "Which session? `/lightning leave <n> …`, with the number on its card"),
        ("leave three", "Which session? `/lightning leave <n> …`, with the number on its card"),
        ("leave -1", "Which session?"),
        ("leav 3", "Did you mean `/lightning leave`?"),
        ("cancel", "Which session?"),
        ("move 3", "Give the new time. Move like `/lightning move 3 2026-12-03 15:00`"),
        ("move 3 friday", "That isn't a time I can read. Move like"),
        ("move 3 2026-02-30 10:00", "`2026-02-30` isn't a date: February 2026 has 28 days"),
        ("cancle 3", "Did you mean `/lightning cancel`?"),
        ("dance", "I don't know `/lightning dance`"),
        ("propse x", "I don't know `/lightning propse`. Did you mean `/lightning propose`?"),
        ("", "Lightning sessions:"),
    ],
)
def test_bad_lightning_text_says_what_to_type(raw: str, says: str) -> None:
    parsed = parse_lightning(ACTOR, raw)
    assert isinstance(parsed, ParseError) and says in parsed.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("leaderboard", c.ShowLeaderboard(ACTOR, "month")),
        ("leaderboard month", c.ShowLeaderboard(ACTOR, "month")),
        ("leaderboard ALL", c.ShowLeaderboard(ACTOR, "all")),
    ],
)
def test_the_leaderboard_period(raw: str, expected: c.Command) -> None:
    assert parse_mentor(ACTOR, raw) == expected


def test_an_unknown_leaderboard_period_is_explained() -> None:
    parsed = parse_mentor(ACTOR, "leaderboard week")
    assert isinstance(parsed, ParseError) and "`all`" in parsed.message


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (
            "propose pandas 2026-02-30 15:00 groupby basics",
            "Sorry, `2026-02-30` isn't a date: February 2026 has 28 days. Propose like",
        ),
        (
            "accept 3 2028-02-30T15:00 groupby",
            "Sorry, `2028-02-30` isn't a date: February 2028 has 29 days. Accept like",
        ),
        ("propose pandas 2026-04-31 10:00 x", "`2026-04-31` isn't a date: April 2026 has 30 days"),
        ("propose pandas 2026-13-01 10:00 x", "`2026-13-01` isn't a date: there is no month 13"),
        ("propose pandas 2026-12-03 24:30 x", "`24:30` isn't a time of day"),
    ],
    ids=["feb-30", "leap-year", "april-31", "month-13", "hour-24"],
)
def test_an_impossible_date_or_time_is_named_before_the_usage(raw: str, says: str) -> None:
    parsed = parse_lightning(ACTOR, raw)
    assert isinstance(parsed, ParseError) and says in parsed.message
    assert "(the time in your own timezone)" in parsed.message


def test_times_are_read_as_wall_times() -> None:
    assert parse_when("2026-12-03 15:00") == AT
    assert parse_when("2026-12-03 25:00") is None
    assert parse_when("soon") is None


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        ("join", JoinLightning(ACTOR, 4, by_id=True)),
        ("notnow", DeclineLightning(ACTOR, 4, by_id=True)),
        ("leave", LeaveLightning(ACTOR, 4, by_id=True)),
        ("lrate:3", RateLightning(ACTOR, 4, 3, by_id=True)),
        ("teach", None),
        ("lrate:x", None),
    ],
)
def test_lightning_buttons(action: str, expected: c.Command | None) -> None:
    assert c.button_command(ACTOR, action, 4) == expected


@pytest.mark.parametrize(
    "command",
    [
        AcceptLightning(ACTOR, 3, AT, "groupby"),
        MoveLightning(ACTOR, 3, AT),
        CancelLightning(ACTOR, 3),
        LeaveLightning(ACTOR, 3),
        ProposeLightning(ACTOR, "pandas", datetime.fromisoformat("2026-12-03T14:00+00:00"), "t"),
        GiveKudos(ACTOR, UserRef("test", "alice"), "alice", "for the help", True),
        c.ShowLeaderboard(ACTOR, "all"),
    ],
)
def test_community_commands_survive_the_inbox(command: c.Command) -> None:
    again = command_from_json(command_to_json(command))
    assert again == command
    starts = getattr(command, "starts_at", None)
    if starts is not None:  # a naive time stays naive: it is read in the actor's zone
        assert again.starts_at.tzinfo == starts.tzinfo  # type: ignore[attr-defined]


def test_a_lightning_press_stored_before_numbers_per_workspace_is_read_by_its_id() -> None:
    """An inbox row written before migration 0021 (or by a replica not upgraded yet) named the
    session by its internal id: it is not lost across the deploy, and means that session."""
    stored = command_to_json(JoinLightning(ACTOR, 5, by_id=True))
    data = {k: v for k, v in stored["data"].items() if k not in ("number", "by_id")}
    old = {"type": "JoinLightning", "data": {**data, "lightning_id": 5}}
    assert command_from_json(old) == JoinLightning(ACTOR, 5, by_id=True)
    rated = command_to_json(RateLightning(ACTOR, 7, 4))
    rest = {k: v for k, v in rated["data"].items() if k not in ("number", "by_id")}
    old_rating = {"type": "RateLightning", "data": {**rest, "lightning_id": 7}}
    assert command_from_json(old_rating) == RateLightning(ACTOR, 7, 4, by_id=True)
