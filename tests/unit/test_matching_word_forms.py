"""General word-form mechanisms of topic extraction and situations: derivational roots (verb +
object meets an action-noun term), no typo reading of real words, longest idea phrases, and roles
named as the audience."""

from __future__ import annotations

import pytest

from bot.matching import Taxonomy, extract_topics
from bot.matching._text import known_word, root, tokenize
from bot.matching.situations import SituationBook


def test_root_joins_a_verb_with_its_nouns_across_spellings() -> None:
    assert root("manage") == root("managing") == root("management")
    assert root("visualise") == root("visualization") == root("visualising")
    assert root("go") == "go"  # short words are left alone


@pytest.mark.parametrize(
    "text",
    [
        "How do I manage stakeholders?",
        "managing my stakeholders is hard",
        "tips to manage our stakeholder",
    ],
)
def test_verb_and_object_meet_an_action_noun_term(text: str) -> None:
    tax = Taxonomy({"stakeholder management": []})
    assert extract_topics(text, tax) == ["stakeholder management"]


def test_verb_and_object_work_for_any_action_noun_term() -> None:
    tax = Taxonomy({"capacity planning": [], "data visualization": []})
    assert extract_topics("how do we plan capacity for q3", tax) == ["capacity planning"]
    assert extract_topics("best way to visualise data", tax) == ["data visualization"]


def test_the_noun_itself_before_the_object_is_no_verb_phrase() -> None:
    tax = Taxonomy({"stakeholder management": []})
    assert extract_topics("the management stakeholders meeting", tax) == []


def test_a_term_without_an_action_noun_is_not_reversed() -> None:
    tax = Taxonomy({"product roadmap": []})
    assert extract_topics("roadmap product", tax) == []


def test_a_dictionary_word_is_not_read_as_a_typo_of_another() -> None:
    assert known_word("production")
    assert not known_word("projecton")
    tax = Taxonomy({"forecasting": ["projection"]})
    assert extract_topics("a password leaked in production", tax) == []
    assert extract_topics("our revenue projecton is off", tax) == ["forecasting"]


def test_the_longest_idea_phrase_at_a_word_wins_and_its_words_are_not_reread() -> None:
    book = SituationBook(
        {"always_on": ["checking email"], "tests": ["check"], "writing": ["email"]},
        [],
    )
    assert book.ideas_in("I keep checking email at night") == {"always_on"}
    assert book.ideas_in("check the email draft") == {"tests", "writing"}


def test_ideas_sharing_the_longest_phrase_all_count() -> None:
    book = SituationBook({"tired": ["burnt out", "tired"], "stress": ["burnt out"]}, [])
    assert book.ideas_in("I am burnt out") == {"tired", "stress"}


@pytest.fixture
def roles() -> Taxonomy:
    return Taxonomy({"statistics": ["significance"], "product management": ["product manager"]})


def test_a_role_after_to_or_with_is_the_audience_beside_another_topic(roles: Taxonomy) -> None:
    assert extract_topics("explain significance to a product manager", roles) == ["statistics"]
    assert extract_topics("significance, with our product manager", roles) == ["statistics"]


def test_a_role_is_a_topic_when_it_is_not_the_audience_or_alone(roles: Taxonomy) -> None:
    assert extract_topics("how do I become a product manager", roles) == ["product management"]
    assert extract_topics("how do I talk to a product manager", roles) == ["product management"]
    assert extract_topics("a product manager asked about significance", roles) == [
        "product management",
        "statistics",
    ]


def test_a_text_tokenized_again_gives_a_fresh_list_of_the_same_tokens() -> None:
    """Tokens are kept per text (a question is read about ten times over); what a caller does
    with its list never reaches the next caller."""
    first = tokenize("Our #k8s pods keep restarting.")
    first.pop()
    again = tokenize("Our #k8s pods keep restarting.")
    assert [t.text for t in again] == ["our", "k8s", "pods", "keep", "restarting"]
    assert again[1].tag and again[0].sentence_start
