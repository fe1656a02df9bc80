"""Topic mistakes of issue 15 (item 17) and the mechanisms that fix them: loose terms settled by
the rest of the question, slot patterns, gapped two-word terms, and unsure guesses offered to the
asker instead of a wrong topic."""

from __future__ import annotations

import pytest

from bot.commands import AskQuestion
from bot.matching import (
    TENTATIVE,
    OfflineClassifier,
    Taxonomy,
    build_taxonomy,
    extract_topics,
    find_topics,
    merge_guesses,
    unsure_topics,
)
from bot.matching._text import term_tokens
from bot.matching.taxonomy import default_loose, default_patterns, expand_patterns
from bot.questions.topic_choice import UNSURE_PROMPT
from tests.unit.core_harness import start_core


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return build_taxonomy()


def _reading(tax: Taxonomy, text: str):  # type: ignore[no-untyped-def]
    return merge_guesses(OfflineClassifier(tax).guesses(text))


# --- the six mistakes seen in a first week of use ------------------------------------------------


def test_command_line_arguments_are_not_a_conflict(tax: Taxonomy) -> None:
    topics = extract_topics("How do I parse command line arguments in Python?", tax)
    assert topics == ["command line", "python"]
    assert "conflict resolution" not in unsure_topics("parse command line arguments", tax)


def test_a_pivot_table_in_excel_is_spreadsheets_not_pandas(tax: Taxonomy) -> None:
    assert extract_topics("How do I make a pivot table in Excel?", tax) == ["spreadsheets"]
    reading = _reading(tax, "pivot table in Excel")
    assert reading.topics == ("spreadsheets",) and "pandas" not in reading.weights


def test_a_parking_permit_renewal_asks_instead_of_saying_account_management(
    tax: Taxonomy,
) -> None:
    assert extract_topics("parking permit renewal", tax) == []
    assert unsure_topics("parking permit renewal", tax) == ["account management"]
    reading = _reading(tax, "Where do I do my parking permit renewal?")
    assert reading.topics == () and reading.unsure
    assert reading.weights["account management"] == TENTATIVE


def test_junior_to_senior_engineer_is_career_growth(tax: Taxonomy) -> None:
    assert extract_topics("junior to senior engineer", tax) == ["career growth"]
    assert extract_topics("How do I grow from mid-level to staff?", tax) == ["career growth"]


def test_retrying_a_function_is_not_api_integration(tax: Taxonomy) -> None:
    text = "How do I write a decorator that retries a function on failure?"
    assert extract_topics(text, tax) == []
    reading = _reading(tax, text)
    assert reading.topics == () and reading.unsure
    # with an API in the question, retries are about integrating with it
    assert "api integration" in extract_topics("Our API client retries on 429 errors", tax)


def test_ml_experiment_tracking_is_mlops_not_ab_testing(tax: Taxonomy) -> None:
    topics = extract_topics("#ml experiments tracking", tax)
    assert topics == ["machine learning", "mlops"]
    assert "a/b testing" not in topics + unsure_topics("#ml experiments tracking", tax)


# --- loose terms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "topics"),
    [
        # seen in a first week: dates in different time zones are a data question
        (
            "How do I merge two pandas DataFrames on a date column when the dates have "
            "different time zones? I tried tz_localize.",
            ("pandas",),
        ),
        ("How do we work well with colleagues in different time zones?", ("remote work",)),
        ("Half my team is in a different time zone, how do we collaborate?", ("remote work",)),
    ],
)
def test_time_zones_are_remote_work_only_beside_people(
    tax: Taxonomy, question: str, topics: tuple[str, ...]
) -> None:
    assert _reading(tax, question).topics == topics


def test_a_loose_term_counts_beside_its_own_skill_a_related_one_or_its_area(
    tax: Taxonomy,
) -> None:
    # the same skill named firmly
    assert "a/b testing" in extract_topics("Our A/B test experiments never finish", tax)
    # a related skill: statistics is related to a/b testing
    assert "a/b testing" in extract_topics("How many experiments before statistical power?", tax)
    # a skill of its area: hiring and recruiting are both people topics
    assert "recruiting" in extract_topics("Hiring: where do I find candidates?", tax)


def test_a_loose_term_beside_only_topics_of_the_other_kind_is_dropped(tax: Taxonomy) -> None:
    found = find_topics("pass arguments to a bash script", tax)
    assert [m.skill for m in found] == ["bash"]
    # a technical loose word beside people topics is read in its everyday sense too
    assert extract_topics("My mentee's career is stuck, should I offer sponsorship?", tax) == [
        "mentoring",
        "career growth",
    ]


def test_a_loose_term_alone_is_unsure_and_offered_with_the_other_guesses(
    tax: Taxonomy,
) -> None:
    [match] = find_topics("how do I deal with the renewal", tax)
    assert match.skill == "account management" and not match.sure
    reading = _reading(tax, "how do I deal with the renewal")
    assert reading.unsure and reading.choices[0] == "account management"


def test_a_named_topic_leads_over_a_loose_guess(tax: Taxonomy) -> None:
    reading = _reading(tax, "How do I write a Python decorator that retries on failure?")
    assert reading.topics == ("python",) and not reading.unsure
    assert reading.weights["api integration"] < TENTATIVE


def test_every_shipped_loose_term_is_a_name_of_its_skill(tax: Taxonomy) -> None:
    for skill, terms in default_loose().items():
        for term in terms:
            assert tax.lookup(term_tokens(term)) == skill, (skill, term)


def test_loose_terms_are_loose_as_written_for_their_skill_only() -> None:
    t = Taxonomy()
    t.add("estimation", ["estimate", "estimating"], loose=["estimate"])
    t.add("sales strategy", ["sales"], loose=["sales"])
    assert t.loose("estimation", "estimate") and t.loose("sales strategy", "Sales")
    # another form of the word is not loose unless listed: "estimating work" is estimation
    assert not t.loose("estimation", "estimating") and not t.loose("estimation", "estimation")
    assert not t.loose("estimation", "sales")


# --- slot patterns ------------------------------------------------------------------------------


def test_patterns_expand_every_slot_word() -> None:
    expanded = expand_patterns(
        {
            "slots": {"level": ["junior", "senior"]},
            "skills": {"career growth": ["{level} to {level}"]},
        }
    )
    assert sorted(expanded["career growth"]) == [
        "junior to junior",
        "junior to senior",
        "senior to junior",
        "senior to senior",
    ]


def test_shipped_patterns_are_aliases(tax: Taxonomy) -> None:
    assert "junior to senior" in default_patterns()["career growth"]
    assert tax.lookup(("mid", "level", "to", "senior")) == "career growth"


# --- gapped two-word terms ----------------------------------------------------------------------


def test_a_two_word_term_meets_its_words_across_a_possessive_or_pronoun(tax: Taxonomy) -> None:
    assert extract_topics("How should I review our code before merging?", tax)[0] == "code review"
    assert "giving feedback" in extract_topics("How do I give them feedback kindly?", tax)


def test_articles_do_not_bridge_a_two_word_term(tax: Taxonomy) -> None:
    assert extract_topics("What's the process for booking a meeting room?", tax) == []


# --- the asker picks ----------------------------------------------------------------------------


async def test_an_unsure_question_gets_pick_one_buttons_not_a_wrong_topic() -> None:
    core = await start_core()
    await core.join("ana", "account management")
    [confirmation] = await core.handle(
        AskQuestion(
            core.actor("bob"),
            "Where do I do the parking permit renewal for the office garage in Berlin?",
        )
    )
    assert UNSURE_PROMPT in confirmation.plain()
    assert "Topics I found: none I'm sure of" in confirmation.plain()
    ids = [a.id for a in confirmation.actions]
    assert ids[0] == "topic:account management" and ids[-2:] == ["topic:other", "cancel"]
    assert core.question(1).topics == ()


# --- word forms and narrower skills ---------------------------------------------------------------


def test_british_spellings_meet_american_terms(tax: Taxonomy) -> None:
    assert extract_topics("How do I prep for a behavioural interview?", tax) == ["job interviews"]
    assert "financial modeling" in extract_topics("financial modelling for a seed round", tax)
    assert extract_topics("Is our colour contrast enough for WCAG?", tax) == ["web accessibility"]


def test_promotion_patterns_name_the_level(tax: Taxonomy) -> None:
    assert extract_topics("What does it take to be promoted to staff?", tax) == ["promotion"]
    assert extract_topics("My senior promotion was denied again", tax) == ["promotion"]


def test_a_general_skill_gives_way_to_a_related_narrower_one(tax: Taxonomy) -> None:
    topics = extract_topics("How do I negotiate a counteroffer from my employer?", tax)
    assert topics == ["salary negotiation"]
    # unrelated or not narrower: both stay
    assert extract_topics("negotiation tips for a sales call", tax) == [
        "negotiation",
        "sales demos",
    ]


def test_conflicts_alone_are_loose_a_merge_is_not_a_quarrel(tax: Taxonomy) -> None:
    # "conflicts" has two senses at work; with nothing to settle it, it is only a guess
    text = "I have conflicts every time I pull"
    assert "conflict resolution" not in extract_topics(text, tax)
    assert "conflict resolution" in unsure_topics(text, tax)
    supported = "team conflicts keep coming up in my one-on-ones"
    assert "conflict resolution" in extract_topics(supported, tax)


def test_the_fallback_choices_are_looked_for_only_when_the_reading_needs_them(
    tax: Taxonomy,
) -> None:
    asked: list[str] = []

    def fallback() -> list[str]:
        asked.append("looked")
        return ["career growth", "python"]

    guesses = OfflineClassifier(tax).guesses
    named = merge_guesses(guesses("How do I write a Python decorator?"), fallback=fallback)
    assert named.topics == ("python",) and asked == []
    unsure = merge_guesses(guesses("how do I deal with the renewal"), fallback=fallback)
    assert asked == ["looked"]
    assert unsure.choices[0] == "account management" and "career growth" in unsure.choices
