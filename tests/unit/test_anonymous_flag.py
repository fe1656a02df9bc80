"""The `/askmentor` flags wherever people put them: a run of flags in front or at the end, in
markdown, guillemets, full-width or katakana dashes — and the anonymous flag anywhere else in
the text refused, never posted under the asker's name."""

from __future__ import annotations

import pytest

from bot.textcommands import ParseError, parse_flags

Q = "How do I ask my manager for a raise?"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a run of flags at the end, in any order
        (f"{Q} --anonymous --senior", (True, "senior", Q)),
        (f"{Q} --senior --anonymous", (True, "senior", Q)),
        (f"{Q} -a --lead", (True, "lead", Q)),
        (f"--senior {Q} --anonymous", (True, "senior", Q)),
        (f"--anonymous {Q} --executive", (True, "executive", Q)),
        # markdown around the flag, at the start or the end
        (f"`--anonymous` {Q}", (True, None, Q)),
        (f"*--anonymous* {Q}", (True, None, Q)),
        (f"_--anonymous_ {Q}", (True, None, Q)),
        (f"~--anonymous~ {Q}", (True, None, Q)),
        (f"**--anonymous** {Q}", (True, None, Q)),
        (f"{Q} `--anonymous`", (True, None, Q)),
        (f"{Q} *--anonymous*", (True, None, Q)),
        (f"{Q} _--anonymous_", (True, None, Q)),
        (f"{Q} ~--anonymous~", (True, None, Q)),
        (
            "`--anonymous` How should I negotiate my salary?",
            (True, None, "How should I negotiate my salary?"),
        ),
        # katakana long-vowel marks and full-width letters used for the flag
        (f"\u30fc\u30fcanonymous {Q}", (True, None, Q)),
        (f"\uff70\uff70anonymous {Q}", (True, None, Q)),
        (
            f"\uff0d\uff0d\uff41\uff4e\uff4f\uff4e\uff59\uff4d\uff4f\uff55\uff53 {Q}",
            (True, None, Q),
        ),
        (
            f"{Q} \uff0d\uff0d\uff41\uff4e\uff4f\uff4e\uff59\uff4d\uff4f\uff55\uff53",
            (True, None, Q),
        ),
        (f"{Q} \u30fc\u30fcanonymous", (True, None, Q)),
        # dashes after the flag too, guillemets, an ellipsis
        (f"{Q} \u2014anonymous\u2014", (True, None, Q)),
        (f"\u2014anonymous\u2014 {Q}", (True, None, Q)),
        (f"{Q} \u00ab--anonymous\u00bb", (True, None, Q)),
        (f"\u00ab--anonymous\u00bb {Q}", (True, None, Q)),
        (f"{Q} --anonymous\u2026", (True, None, Q)),
        (f"{Q} --anonymous...", (True, None, Q)),
        # a lone dash, then the flag
        (f"-- -anonymous {Q}", (True, None, Q)),
        (f"{Q} -- -anonymous", (True, None, Q)),
        (f"--senior -- anonymous {Q}", (True, "senior", Q)),
        # stage flags get the same tolerance
        (f"(--senior) {Q}", (False, "senior", Q)),
        (f"{Q} --senior.", (False, "senior", Q)),
        # the question is kept as typed, full-width text included
        ("--anonymous \uff31\uff1f", (True, None, "\uff31\uff1f")),
    ],
)
def test_flags_in_a_run_in_front_or_at_the_end_in_any_form(
    raw: str, expected: tuple[bool, str | None, str]
) -> None:
    assert parse_flags(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        # words or emoji after the flag: not guessed at, refused
        f"{Q} --anonymous please",
        f"{Q} --anonymous \U0001f64f",
        f"{Q} --anonymous\U0001f642",
        f"{Q} --anonymous thanks!",
        f"{Q} -- anonymous please",
        # glued to a word
        "How do I ask my manager for a raise?--anonymous",
        "raise?--anonymous How do I ask?",
        "How do I ask--anonymous--for a raise?",
        # the middle of the text, in any form
        "How do I --anonymous ask for a raise?",
        "How do I \u2014anonymous ask for a raise?",
        "How do I `--anonymous` ask for a raise?",
        "How do I \u30fc\u30fcanonymous ask for a raise?",
        "How do I \uff0d\uff0d\uff41\uff4e\uff4f\uff4e ask for a raise?",
        "How do I -- anonymous ask for a raise?",
        "How do I --anonymus ask for a raise?",
        # a flag, then an option the run does not know, at the end
        f"{Q} --anonymous --force",
        f"{Q} --anonymous -la",
    ],
)
def test_the_anonymous_flag_anywhere_else_posts_nothing(raw: str) -> None:
    refused = parse_flags(raw)
    assert isinstance(refused, ParseError)
    assert "posted nothing" in refused.message
    assert "`/askmentor --anonymous How do I ask for a raise?`" in refused.message


@pytest.mark.parametrize(
    "raw",
    [
        f"{Q} --anonymus",
        f"{Q} --anonymus --senior",
        f"{Q} \u00ab--anonimous\u00bb",
        f"{Q} \uff0d\uff0d\uff41\uff4e\uff4f\uff4e\uff59\uff4d\uff55\uff53",
    ],
)
def test_a_misspelt_flag_at_the_end_is_refused(raw: str) -> None:
    refused = parse_flags(raw)
    assert isinstance(refused, ParseError)
    assert "Did you mean `--anonymous`?" in refused.message
    assert "Nothing was posted" in refused.message


@pytest.mark.parametrize(
    "raw",
    [
        "How do anonymous surveys work?",
        "Should feedback be anonymous?",
        "Is anonymous feedback (anonymous, really) useful?",
        "Are semi-anonymous surveys honest?",
        "Is a non-anonymous vote fairer?",
        "What does ls -la show?",
        "How do I list hidden files with ls -la",
        "Why does pip install --upgrade fail?",
        "Why does pip install --upgrade",
        "How do I undo git commit --amend",
        "What does -a do in tar -a -f x.tar?",
        "What does tar -a do?",
        "- a list item?",
        "Is an anonymous-ish survey okay? --force",
        "How do I fix this \u2014 the build fails",
        # A dash straight before a word that merely looks like the flag is typography.
        "I keep burning out on call\u2014anyone dealt with this?",
        "the salary is final\u2014non-negotiable. How do I push back?",
        "I asked my lead\u2014Ann\u2014about a promotion",
        "Our survey \u2014 anonymous, of course \u2014 showed burnout. What now?",
        "What's the difference between --force and --force-with-lease?",
    ],
)
def test_text_that_only_looks_like_a_flag_stays_text(raw: str) -> None:
    assert parse_flags(raw) == (False, None, raw)


def test_two_stages_one_in_front_and_one_at_the_end_are_refused() -> None:
    refused = parse_flags(f"--senior {Q} --lead")
    assert isinstance(refused, ParseError)
    assert refused.message.startswith("Ask for one career stage at most")


@pytest.mark.parametrize(
    "raw",
    [
        "How do I see hidden files with ls -a",
        "how do I see stopped containers with docker ps -a",
        "How do I ask for a raise -a",
        "How do I ask for a raise -A --senior",
    ],
)
def test_a_short_flag_after_an_unfinished_sentence_is_asked_about(raw: str) -> None:
    """`… ls -a` may be the option asked about or the anonymous flag: neither reading is taken
    (one would mangle the question, the other post it under the asker's name)."""
    refused = parse_flags(raw)
    assert isinstance(refused, ParseError)
    assert "Nothing was posted" in refused.message
    assert "start with `--anonymous`" in refused.message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            "How do I see hidden files with ls -a?",
            (False, None, "How do I see hidden files with ls -a?"),
        ),
        (f"{Q} -a", (True, None, Q)),
        (f"{Q} --senior -a", (True, "senior", Q)),
        ('Is "ls -a" enough?" -a', (True, None, 'Is "ls -a" enough?"')),
        (
            "-a How do I list hidden files with ls",
            (True, None, "How do I list hidden files with ls"),
        ),
    ],
)
def test_a_short_flag_after_a_finished_sentence_or_a_flag_counts(
    raw: str, expected: tuple[bool, str | None, str]
) -> None:
    assert parse_flags(raw) == expected


def test_a_short_flag_at_the_end_stays_text_when_anonymity_was_chosen_in_the_form() -> None:
    """The form's checkbox already says anonymous: `… ls -a` is then the question's own text."""
    raw = "How do I see hidden files with ls -a"
    assert parse_flags(raw, anonymous=True) == (True, None, raw)
    assert parse_flags(f"{raw}?") == (False, None, f"{raw}?")


@pytest.mark.parametrize(
    "raw",
    [
        "--anonymous How do I list hidden files with ls -a",
        "How do I list hidden files with ls -a --anonymous",
    ],
)
def test_a_short_flag_at_the_end_stays_text_when_the_flag_already_says_anonymous(raw: str) -> None:
    anonymous, stage, question = parse_flags(raw)  # type: ignore[misc]
    assert (anonymous, stage, question) == (True, None, "How do I list hidden files with ls -a")


@pytest.mark.parametrize(
    ("raw", "stage"),
    [
        ("--junior Should I take the offer?", "early"),
        ("--Staff How do I grow a team?", "lead"),
        ("--senior --anonymous How do I ask for a raise?", "senior"),
    ],
)
def test_an_everyday_word_for_a_stage_in_front_is_that_stage(raw: str, stage: str) -> None:
    parsed = parse_flags(raw)
    assert not isinstance(parsed, ParseError)
    assert parsed[1] == stage


def test_a_stage_word_at_the_end_stays_part_of_the_question() -> None:
    """`git rebase --exec` ends a question about git, not a wish to hear from executives."""
    assert parse_flags("How do I use git rebase --exec") == (
        False,
        None,
        "How do I use git rebase --exec",
    )
