"""Everyday senses (``[senses]`` in ``skills.toml``, `bot.matching.senses`): a skill word used in
its everyday sense names no topic and evokes no situation; the taxonomy's ``[ignore]`` phrases
evoke no situation either; and the phrasings and links added beside them."""

from __future__ import annotations

import pytest

from bot.matching import (
    MentorCandidate,
    OfflineClassifier,
    Taxonomy,
    build_taxonomy,
    extract_topics,
    merge_guesses,
    rank_mentors,
)
from bot.matching._text import blank_tokens, tokenize
from bot.matching.senses import EverydaySenses, blank_everyday
from bot.refs import UserRef


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return build_taxonomy()


def _topics(tax: Taxonomy, question: str) -> tuple[str, ...]:
    return merge_guesses(OfflineClassifier(tax).guesses(question)).topics


def test_blanking_keeps_every_other_token_and_the_sentence_ends() -> None:
    text = "We saw a python. Then (snakes!) #python's fine"
    blanked = blank_tokens(text, {3, 6}, "_")
    assert blanked == "We saw a _. Then (snakes!) _ fine"
    before, after = tokenize(text), tokenize(blanked)
    assert len(before) == len(after)
    assert [t.sentence_start for t in before] == [t.sentence_start for t in after]


def test_a_word_beside_what_shows_its_everyday_sense_names_nothing() -> None:
    tax = Taxonomy()
    tax.add("python", ["python"], area="software")
    tax.senses.add("python", ["snake", "zoo"])
    assert extract_topics("we saw a huge python at the zoo", tax) == []
    assert extract_topics("my pet snakes: a python and a boa", tax) == []  # any inflection
    assert extract_topics("my python script is slow", tax) == ["python"]


def test_a_phrase_may_have_an_everyday_sense_too() -> None:
    senses = EverydaySenses()
    senses.add("after work", ["drinks", "pub"])
    assert blank_everyday("who's up for drinks after work thursday", senses) == (
        "who's up for drinks _ _ thursday"
    )
    assert blank_everyday("i can't switch off after work", senses) == (
        "i can't switch off after work"
    )


@pytest.mark.parametrize(
    "question",
    [
        "we saw a huge python at the zoo today and my kid wont stop talking about snakes",
        "the coffee machine on floor 3 keeps leaking, who do i tell",
        "the lift in building b is out of order",
        "the queue for the lifts at 9am is a whole pipeline of people, what time do you all arrive",
        "my cat keeps walking across my keyboard during calls haha",
        "who's up for drinks after work thursday",
        "congrats to maria on the new baby!",
    ],
)
def test_shipped_everyday_senses_name_no_topic(tax: Taxonomy, question: str) -> None:
    assert _topics(tax, question) == ()


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("our python service leaks memory under load", "python"),
        ("how do we find a memory leak in our java service", "java"),
        ("how do i stop checking slack after work", "boundaries"),
    ],
)
def test_the_same_words_in_their_work_sense_still_count(
    tax: Taxonomy, question: str, topic: str
) -> None:
    assert topic in _topics(tax, question)


def test_a_phrase_that_names_no_topic_evokes_no_situation(tax: Taxonomy) -> None:
    # "budget airline" is an [ignore] phrase: its "budget" is no money to plan
    assert _topics(tax, "booked a budget airline for my holiday and the seats were awful") == ()
    assert "budgeting" in _topics(tax, "how do i plan next year's budget for my team")


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("how do i announce a reorg to the whole company", "change management"),
        ("team morale is low after the reorg", "change management"),
        ("devs keep pasting database passwords into slack", "secrets management"),
        ("predicting how many calls the contact centre gets each hour", "forecasting"),
        ("i got promoted over my friends and now i'm their boss", "people management"),
        ("i just got promoted and now manage my former teammates", "people management"),
        ("a journalist wants to interview our ceo, how do we prep", "public relations"),
        ("how do i write interview questions that test problem solving", "interviewing candidates"),
    ],
)
def test_everyday_phrasings_of_a_need(tax: Taxonomy, question: str, topic: str) -> None:
    topics = _topics(tax, question)
    assert topic in topics
    assert "job interviews" not in topics and "promotion" not in topics


def test_a_mentor_of_career_growth_is_suggested_for_a_pay_rise(tax: Taxonomy) -> None:
    reading = merge_guesses(OfflineClassifier(tax).guesses("how do i ask my boss for a pay rise"))
    assert reading.topics == ("salary negotiation",)
    career = MentorCandidate(UserRef("t", "career"), ("career growth",), in_hours=True)
    python = MentorCandidate(UserRef("t", "python"), ("python",), in_hours=True)
    ranked = rank_mentors(reading.weights, [python, career], related=tax.related)
    assert [r.ref.id for r in ranked] == ["career"]
    assert ranked[0].related_topics == ("salary negotiation",)
