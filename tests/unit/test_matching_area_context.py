"""Topic mechanisms of the fourth topic tuning set (``tests/data/matching_eval_tuning4.jsonl``):
area-context words that settle a lone loose term, loose terms that are names of their skill,
a move "into" a field after the asker's own role, and everyday phrases outside software."""

from __future__ import annotations

import pytest

from bot.matching import (
    Taxonomy,
    build_taxonomy,
    extract_topics,
    find_topics,
    topics,
    unsure_topics,
)
from bot.matching.taxonomy import default_context, default_loose


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return build_taxonomy()


# --- area-context words -------------------------------------------------------------------------


def test_a_loose_term_beside_a_context_word_of_its_area_counts() -> None:
    tax = Taxonomy()
    tax.add("account management", ["renewal"], area="sales", loose=["renewal"])
    tax.add_context("sales", ["customers"])
    tax.add_context("finance", ["invoice"])
    [match] = find_topics("the customer wants to talk about the renewal", tax)
    assert match.skill == "account management" and match.sure
    # a word of another area, or none, leaves it a guess to confirm
    [match] = find_topics("the invoice mentions the renewal", tax)
    assert not match.sure
    [match] = find_topics("how do I deal with the renewal", tax)
    assert not match.sure


def test_shipped_context_words_settle_loose_terms(tax: Taxonomy) -> None:
    assert extract_topics("helm upgrade hangs forever on our staging cluster", tax) == [
        "kubernetes"
    ]
    assert extract_topics("our client wants to talk about the renewal", tax) == [
        "account management"
    ]
    # alone, the same words are still only guesses
    assert extract_topics("helm upgrade hangs forever", tax) == []
    assert unsure_topics("parking permit renewal", tax) == ["account management"]


def test_shipped_context_names_only_known_areas(tax: Taxonomy) -> None:
    areas = set(tax.areas.values())
    assert default_context() and set(default_context()) <= areas


# --- loose terms are names of their skill --------------------------------------------------------


def test_a_loose_term_names_its_skill_without_being_an_alias_too(tax: Taxonomy) -> None:
    assert all(tax.loose(skill, w) for skill, words in default_loose().items() for w in words)
    # "freezes" is listed as loose only: it is found, and counts beside an app
    assert extract_topics("the app freezes every few seconds", tax) == ["performance optimization"]
    assert extract_topics("my phone freezes at night", tax) == []
    assert unsure_topics("my phone freezes at night", tax) == ["performance optimization"]


# --- a move "into" a field after naming one's role ----------------------------------------------


@pytest.mark.parametrize(
    ("question", "change"),
    [
        ("teacher for 8 years, want to get into ux, realistic?", True),
        ("i am a nurse and want to break into data analysis", True),
        ("our engineers want to get into the details", False),
        ("the analyst wants to get into it", False),
        ("how do i get into kubernetes", False),
    ],
)
def test_a_move_into_a_field_after_ones_role_is_a_career_change(
    tax: Taxonomy, question: str, change: bool
) -> None:
    assert ("career change" in extract_topics(question, tax)) is change


def test_career_move_origins_are_computed_once() -> None:
    assert topics._MOVE_ORIGINS == topics._FIELDS | topics._ROLE_WORDS
    assert isinstance(topics._MOVE_ORIGINS, frozenset)


# --- everyday phrases outside software -----------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("our biggest supplier went bust last week", "crisis management"),
        ("my manager messages me late at night and i feel i must reply", "boundaries"),
        ("how do i listen better instead of planning my reply", "active listening"),
        ("how do we keep everyone in the loop while the company grows", "internal communications"),
        ("my colleagues in japan say i am too direct", "cross-cultural communication"),
        ("who takes over the team if i go on sabbatical", "succession planning"),
        ("my senior engineer can't let go of control of the codebase", "delegation"),
        ("how do i make a call when the data is unclear", "decision making"),
        ("the founders cant agree on the pricing", "conflict resolution"),
        ("is there demand in brazil for our product", "market research"),
        ("why is our budget vs actuals gap so big this quarter", "forecasting"),
        ("how do i work out the cost per unit of our coffee", "cost accounting"),
        ("what goes into an investor pitch for a seed round", "startup founding"),
        ("the hiring manager offered me 70k, can i ask for more", "salary negotiation"),
        ("thinking about taking a job abroad next year", "relocation"),
    ],
)
def test_everyday_phrases_name_their_topic(tax: Taxonomy, question: str, topic: str) -> None:
    assert topic in extract_topics(question, tax)
