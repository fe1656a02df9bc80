"""Parsing slash-command text: `/askmentor`, `/mentor …` and `/mentoradmin …` into commands."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import commands as c
from bot.refs import UserRef
from bot.textcommands import (
    ADMIN_USAGE,
    MENTOR_USAGE,
    ParseError,
    parse_admin,
    parse_ask,
    parse_ask_command,
    parse_duration,
    parse_mentor,
    split_skills,
)
from tests.unit.core_harness import START, WORKSPACE

ACTOR = c.Actor(UserRef("test", "bob"), "bob", WORKSPACE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("How do I sort a list?", (False, "How do I sort a list?")),
        ("  How do I sort?  ", (False, "How do I sort?")),
        ("--anonymous How do I negotiate?", (True, "How do I negotiate?")),
        ("--anon How do I negotiate?", (True, "How do I negotiate?")),
        ("-a How do I negotiate?", (True, "How do I negotiate?")),
        ("--anonymous", (True, "")),
        # a phone turns -- into a dash; people type capitals; or put the flag last
        ("\u2014anonymous How do I negotiate?", (True, "How do I negotiate?")),
        ("\u2013anonymous How do I negotiate?", (True, "How do I negotiate?")),
        ("--Anonymous How do I negotiate?", (True, "How do I negotiate?")),
        ("-A How do I negotiate?", (True, "How do I negotiate?")),
        ("How do I negotiate? --anonymous", (True, "How do I negotiate?")),
        ("How do I negotiate? \u2014ANONYMOUS", (True, "How do I negotiate?")),
        ("What does -a do in ls?", (False, "What does -a do in ls?")),
        ("- How do I sort a list?", (False, "- How do I sort a list?")),
        ("How do I\u200b\u202e sort?", (False, "How do I sort?")),
        ("", (False, "")),
    ],
)
def test_parse_ask_reads_the_anonymous_flag_in_any_form_in_front_or_last(
    raw: str, expected: tuple[bool, str]
) -> None:
    assert parse_ask(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # punctuation, brackets, a space after the dash, a third dash: still anonymous
        ("--anonymous: How do I negotiate?", (True, "How do I negotiate?")),
        ("(--anonymous) How do I negotiate?", (True, "How do I negotiate?")),
        ("How do I negotiate? --anonymous.", (True, "How do I negotiate?")),
        ("How do I negotiate? (anonymous) --anon!", (True, "How do I negotiate? (anonymous)")),
        ("-- anonymous How do I negotiate?", (True, "How do I negotiate?")),
        ("How do I negotiate? \u2014 anonymous", (True, "How do I negotiate?")),
        ("---anonymous How do I negotiate?", (True, "How do I negotiate?")),
        # other punctuated options, and `-a` in a question, stay text
        ("How do I list hidden files, ls -a?", (False, "How do I list hidden files, ls -a?")),
        ("What does git push --force?", (False, "What does git push --force?")),
    ],
)
def test_parse_ask_never_misses_the_anonymous_flag_in_a_sentence(
    raw: str, expected: tuple[bool, str]
) -> None:
    assert parse_ask(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "--anonymus How do I?",
        "\u2014anonymos How?",
        "--secret How do I?",
        "-x How?",
        "--anonymus: How do I?",
        "How do I ask for a raise? --anonymus",
        "How do I ask for a raise? (\u2014anonimous)",
    ],
)
def test_an_unknown_option_in_front_or_a_misspelt_flag_last_is_refused(raw: str) -> None:
    refused = parse_ask(raw)
    assert isinstance(refused, ParseError)
    assert (
        "Did you mean `--anonymous`?" in refused.message and "Nothing was posted" in refused.message
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "--seniour How do I grow?",
            "I don't know the option `--seniour`. Did you mean `--senior`? Nothing was posted: "
            "e.g. `/askmentor --senior How do I ask for a raise?`",
        ),
        (
            "--anonymos How do I grow?",
            "I don't know the option `--anonymos`. Did you mean `--anonymous`? Nothing was "
            "posted: e.g. `/askmentor --anonymous How do I ask for a raise?`",
        ),
        (
            "cancel 1 2",
            "Cancel one question at a time: `/askmentor cancel 1`, then `/askmentor cancel 2`.",
        ),
        (
            "cancel #1, #2",
            "Cancel one question at a time: `/askmentor cancel 1`, then `/askmentor cancel 2`.",
        ),
    ],
)
def test_askmentor_help_matches_what_was_typed(raw: str, message: str) -> None:
    assert parse_ask_command(ACTOR, raw) == ParseError(message)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("python, pandas", ("python", "pandas")),
        ("python; sql\nrust", ("python", "sql", "rust")),
        (" public speaking ,, ", ("public speaking",)),
        ("", ()),
    ],
)
def test_split_skills_splits_on_commas_semicolons_and_newlines(
    raw: str, expected: tuple[str, ...]
) -> None:
    assert split_skills(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("30m", timedelta(minutes=30)),
        ("45min", timedelta(minutes=45)),
        ("12h", timedelta(hours=12)),
        ("7d", timedelta(days=7)),
        ("2w", timedelta(weeks=2)),
        (" 3 D ", timedelta(days=3)),
        ("soon", None),
        ("7", None),
        ("-1d", None),
        ("1.5h", None),
    ],
)
def test_parse_duration(raw: str, expected: timedelta | None) -> None:
    assert parse_duration(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("join python, pandas", c.RegisterMentor(ACTOR, ("python", "pandas"))),
        ("JOIN python", c.RegisterMentor(ACTOR, ("python",))),
        ("join", c.RegisterMentor(ACTOR, ())),
        ("skills sql; rust", c.UpdateMentorSkills(ACTOR, ("sql", "rust"))),
        ("hours Mon-Fri 09:00-17:00", c.SetMentorHours(ACTOR, "Mon-Fri 09:00-17:00")),
        ("tz Europe/Berlin", c.SetMentorTimezone(ACTOR, "Europe/Berlin")),
        ("capacity 5", c.SetMentorCapacity(ACTOR, 5)),
        ("timezone Europe/Berlin", c.SetMentorTimezone(ACTOR, "Europe/Berlin")),
        ("pause", c.PauseMentor(ACTOR, None)),
        ("pause 7d", c.PauseMentor(ACTOR, timedelta(days=7))),
        ("resume", c.ResumeMentor(ACTOR)),
        ("me", c.ShowMentorProfile(ACTOR)),
        ("profile", c.ShowMentorProfile(ACTOR)),
        ("leaderboard", c.ShowLeaderboard(ACTOR)),
        ("list", c.ListMentors(ACTOR, "")),
        ("list kubernetes", c.ListMentors(ACTOR, "kubernetes")),
        ("why 3", c.ExplainMatch(ACTOR, 3)),
        ("why #3", c.ExplainMatch(ACTOR, 3)),
    ],
)
def test_parse_mentor_builds_the_command(raw: str, expected: c.Command) -> None:
    assert parse_mentor(ACTOR, raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "pause soon",
            "I couldn't read `soon` as a duration. Try `/mentor pause 7d`, `12h` or `2w`.",
        ),
        ("why", "Which question? `/mentor why 3`"),
        (
            "capacity lots",
            "Say how many sessions a week you take, from 1 to 100: `/mentor capacity 5`.",
        ),
        (  # a digit to `str.isdigit`, not to `int`
            "capacity \u00b2",
            "Say how many sessions a week you take, from 1 to 100: `/mentor capacity 5`.",
        ),
        ("why three", "Which question? `/mentor why 3`"),
        ("", MENTOR_USAGE),
        ("help", MENTOR_USAGE),
        ("dance", f"I don't know `/mentor dance`. {MENTOR_USAGE}"),
        (
            "jion python",
            f"I don't know `/mentor jion`. Did you mean `/mentor join`? {MENTOR_USAGE}",
        ),
        ("resum", f"I don't know `/mentor resum`. Did you mean `/mentor resume`? {MENTOR_USAGE}"),
        # What they typed can't end the code span it is shown in, nor fill the answer.
        ("da`*nce*`", f"I don't know `/mentor da'*nce*'`. {MENTOR_USAGE}"),
        ("x" * 60, f"I don't know `/mentor {'x' * 39}…`. {MENTOR_USAGE}"),
    ],
)
def test_parse_mentor_explains_what_to_type(raw: str, message: str) -> None:
    assert parse_mentor(ACTOR, raw) == ParseError(message)


def test_parse_admin_builds_stats() -> None:
    assert parse_admin(ACTOR, "stats", now=START) == c.ShowStats(ACTOR)


@pytest.mark.parametrize(
    ("raw", "week"),
    [("digest", None), ("digest 2026-W48", "2026-W48"), ("digest 2026-w48", "2026-W48")],
)
def test_parse_admin_builds_a_digest_stamped_now(raw: str, week: str | None) -> None:
    assert parse_admin(ACTOR, raw, now=START) == c.SendDigest(
        now=START, workspace=WORKSPACE, actor=ACTOR, week=week
    )


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("digest last-week", "Give the week like `2026-W48`"),
        ("", ADMIN_USAGE),
        ("help", ADMIN_USAGE),
        ("reboot", f"I don't know `/mentoradmin reboot`. {ADMIN_USAGE}"),
        ("digets", "I don't know `/mentoradmin digets`. Did you mean `/mentoradmin digest`?"),
    ],
)
def test_parse_admin_explains_what_to_type(raw: str, message: str) -> None:
    parsed = parse_admin(ACTOR, raw, now=START)
    assert isinstance(parsed, ParseError)
    assert parsed.message.startswith(message)


def test_handover_names_a_user_through_the_platforms_lookup() -> None:
    carol = UserRef("test", "U-CAROL")

    def lookup(raw: str) -> tuple[UserRef, str] | None:
        return (carol, "carol") if raw == "<@U-CAROL|carol>" else None

    assert parse_mentor(ACTOR, "handover #3 <@U-CAROL|carol>", user_named=lookup) == (
        c.HandOverQuestion(ACTOR, 3, carol)
    )
    assert isinstance(parse_mentor(ACTOR, "handover 3 nobody", user_named=lookup), ParseError)
    assert isinstance(parse_mentor(ACTOR, "handover 3 <@U-CAROL|carol>"), ParseError)


@pytest.mark.parametrize(
    ("sub", "pointed_to"),
    [
        ("export", "`/mentor mydata`"),
        ("data", "`/mentor mydata`"),
        ("forget", "ask an admin of this workspace (`/mentoradmin forget`)"),
        ("delete", "`/mentor mydata`"),
        ("stats", "`/mentoradmin stats`"),
    ],
)
def test_a_mentor_command_under_another_name_points_to_the_right_one(
    sub: str, pointed_to: str
) -> None:
    """`/mentor export` is what a newcomer types for their data: say where it is."""
    said = parse_mentor(ACTOR, sub)
    assert isinstance(said, ParseError)
    assert said.message.startswith(f"I don't know `/mentor {sub}`. ")
    assert pointed_to in said.message
    assert MENTOR_USAGE not in said.message  # the one answer, not the whole list to search


@pytest.mark.parametrize("raw", ["mine", "list", "status", "Mine", "  STATUS  "])
def test_askmentor_mine_lists_your_open_questions(raw: str) -> None:
    """`/askmentor mine` (or `list`, `status`) is no too-short question: it answers with the
    asker's open questions, as the home view lists them."""
    assert parse_ask_command(ACTOR, raw) == c.ShowHome(ACTOR)


@pytest.mark.parametrize("raw", ["mine crafting?", "list comprehensions?", "status codes in REST"])
def test_askmentor_mine_in_a_question_is_still_a_question(raw: str) -> None:
    assert parse_ask_command(ACTOR, raw) == c.AskQuestion(ACTOR, raw, False)


def test_askmentor_help_says_how_to_list_your_questions() -> None:
    said = parse_ask_command(ACTOR, "help")
    assert isinstance(said, ParseError)
    assert "`/askmentor mine` shows your open questions" in said.message


@pytest.mark.parametrize(
    ("raw", "example"),
    [
        ("handover 1", "`/mentor handover 1 @carol`"),
        ("handover #2", "`/mentor handover 2 @carol`"),
        ("handover 1 nobody", "`/mentor handover 1 @carol`"),
        ("handover", "`/mentor handover 3 @carol`"),
        ("handover carol", "`/mentor handover 3 @carol`"),
    ],
)
def test_the_handover_hint_uses_the_number_typed(raw: str, example: str) -> None:
    def lookup(name: str) -> tuple[UserRef, str] | None:
        return None

    assert parse_mentor(ACTOR, raw, user_named=lookup) == ParseError(
        f"Hand a session over like {example}."
    )


@pytest.mark.parametrize("sub", ["mentors", "Mentors", "list"])
def test_mentoradmin_mentors_points_to_the_mentor_list(sub: str) -> None:
    said = parse_admin(ACTOR, sub, now=START)
    assert isinstance(said, ParseError)
    assert said.message.startswith(f"I don't know `/mentoradmin {sub.lower()}`. ")
    assert "`/mentor list`" in said.message
    assert ADMIN_USAGE not in said.message  # the one answer, not the whole list to search


def test_mentoradmin_help_says_where_the_mentor_list_is() -> None:
    said = parse_admin(ACTOR, "help", now=START)
    assert isinstance(said, ParseError)
    assert "`/mentor list [skill]`" in said.message


@pytest.mark.parametrize(
    ("sub", "meant"),
    [
        ("handover", "`/mentor handover <n> @someone`"),
        ("Reassign", "`/mentor handover <n> @someone`"),
        ("import", "`micromentor mentors import FILE.csv`"),
        ("roster", "`micromentor mentors import FILE.csv`"),
    ],
)
def test_mentoradmin_says_where_a_hand_over_and_a_roster_import_are(sub: str, meant: str) -> None:
    said = parse_admin(ACTOR, f"{sub} 3 @carol", now=START)
    assert isinstance(said, ParseError)
    assert said.message.startswith(f"I don't know `/mentoradmin {sub.lower()}`. ")
    assert meant in said.message


@pytest.mark.parametrize("sub", ["stats", "audit", "dashboard"])
def test_mentoradmin_words_after_a_bare_command_are_not_ignored(sub: str) -> None:
    said = parse_admin(ACTOR, f"{sub} 50 <!channel>", now=START)
    assert isinstance(said, ParseError)
    shows = (
        "; it shows the latest 20 entries, and the dashboard's audit page "
        "(`/mentoradmin dashboard`) the rest"
        if sub == "audit"
        else ""
    )
    assert said.message == (
        f"`/mentoradmin {sub}` takes nothing after it, so I didn't run it: type "
        f"`/mentoradmin {sub}` on its own{shows}."
    )
    assert not isinstance(parse_admin(ACTOR, f"  {sub.upper()}  ", now=START), ParseError)
