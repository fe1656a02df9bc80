"""A topic named in passing (the kind of a thing of the other world, or who someone is) does not
outrank the situation the question describes; the situation words people use for those."""

from __future__ import annotations

import pytest

from bot.matching import OfflineClassifier, SituationBook, build_taxonomy, default_situations
from bot.matching.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


def _named(text: str, taxonomy: Taxonomy) -> set[str]:
    return {g.skill for g in OfflineClassifier(taxonomy).guesses(text) if g.how == "named"}


def _book() -> SituationBook:
    return SituationBook(
        {"money": ["salary"], "hosting": ["cloud"], "hire": ["hiring"], "failure": ["crash"]},
        [
            ("salary negotiation", ["money"], 0.9),
            ("cloud infrastructure", ["hosting"], 0.8),
            ("hiring", ["hire"], 0.8),
            ("debugging", ["failure"], 0.7),
        ],
        technical=["hosting", "failure"],
        people=["money", "hire"],
        technical_skills=["cloud infrastructure", "debugging"],
    )


def test_a_technical_phrase_describing_people_or_a_place_evokes_nothing() -> None:
    book = _book()
    assert book.ideas_in("an offer from a cloud company") == set()
    assert book.ideas_in("the cloud folks never answer") == set()
    assert book.ideas_in("moving our app to the cloud") == {"hosting"}


def test_a_people_phrase_describing_software_evokes_nothing() -> None:
    book = _book()
    assert book.ideas_in("the hiring portal keeps crashing") == {"failure"}
    assert book.ideas_in("hiring is slow this year") == {"hire"}
    # a technical word before a software word is what the question is about
    assert book.ideas_in("the cloud console") == {"hosting"}


def test_a_topic_named_as_the_kind_of_a_thing_of_the_other_world_is_only_loose(
    taxonomy: Taxonomy,
) -> None:
    assert "cloud infrastructure" not in _named("got an offer from a cloud company", taxonomy)
    assert "security" not in _named("the security folks block our releases", taxonomy)
    assert "hiring" not in _named("the hiring portal throws a traceback", taxonomy)
    # named as what the question is about, the topic stays named
    assert "cloud infrastructure" in _named("we want to move to the cloud", taxonomy)
    assert "hiring" in _named("our hiring takes months", taxonomy)
    assert "python" in _named("my python script crashes", taxonomy)


def test_a_topic_named_only_as_someone_we_work_with_is_only_loose(taxonomy: Taxonomy) -> None:
    book = default_situations()
    assert book.roles_at("me and my tech lead disagree") == [(2, 3)]
    assert "leadership" not in _named(
        "me and my tech lead disagree on basically every design", taxonomy
    )
    # a skill's own name is no role
    assert "leadership" in _named("how do i grow my leadership skills", taxonomy)


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        ("how do i stop checking work email on my phone during holidays", "boundaries"),
        ("the cert on our main domain expired and nothing warned us", "observability"),
        (
            "a senior dev on another team is condescending to me in every thread",
            "conflict resolution",
        ),
        ("my manager wants pr turnaround under a day", "code review"),
        (
            "not sure i still want to be an engineer, how do i figure out what else fits",
            "career change",
        ),
        ("company is merging with another one and my engineers are anxious", "leadership"),
        ("every evening i fix flaky tests instead of having dinner with my family", "boundaries"),
        (
            "people keep dropping their problems on me and i never get to my own work",
            "time management",
        ),
        (
            "i know the deploy pipeline so i get pinged on vacation, never get a real break",
            "boundaries",
        ),
        ("we find out about failed jobs only when someone from sales complains", "observability"),
        ("our dashboards are all green while users say the app is broken", "observability"),
        ("huge javascript bundle makes the first paint take like 6 seconds", "web performance"),
        ("we doubled in size and the way we used to work just doesnt work anymore", "hiring"),
        ("every release we copy version numbers into 4 files by hand", "ci/cd"),
    ],
)
def test_situation_words_for_everyday_phrasings(text: str, skill: str) -> None:
    guesses = default_situations().guess(text)
    assert guesses and guesses[0].skill == skill, [(g.skill, g.weight) for g in guesses]
