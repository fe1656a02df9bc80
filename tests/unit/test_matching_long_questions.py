"""A long question tells a story, then asks: the sentence that asks ("how do i …", "what should i
say …") says what the asker needs; topics named and situations met only in the story weigh less."""

from __future__ import annotations

import pytest

from bot.matching import OfflineClassifier, SituationBook, build_taxonomy
from bot.matching.situations import RECURRING, STORY_ONLY, asked_sentence, default_situations
from bot.matching.taxonomy import Taxonomy


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


_STORY = (
    "i got promoted to lead three months ago and now manage five people, some of them were "
    "my peers. one of them keeps coming in late to standups. what should i say to him?"
)


def test_the_asking_sentence_of_a_long_question_is_found() -> None:
    first, end = asked_sentence(_STORY) or (0, 0)
    assert _STORY.split()[first:end] == ["what", "should", "i", "say", "to", "him?"]
    # a one-sentence or short question is all question
    assert asked_sentence("how do i ask for a raise") is None
    assert asked_sentence("my boss yells. how do i handle it?") is None
    # a story with no asking sentence has none
    assert asked_sentence(_STORY.replace("what should i say to him?", "ugh.")) is None


def test_a_topic_named_only_in_the_story_is_loose(taxonomy: Taxonomy) -> None:
    guesses = OfflineClassifier(taxonomy).guesses(_STORY)
    named = {g.skill for g in guesses if g.how == "named"}
    assert "promotion" not in named
    assert "promotion" in {g.skill for g in guesses}  # still a guess, only a loose one
    # named in the asking sentence, a topic stays named
    asked = _STORY.replace("what should i say to him?", "how do i get a promotion myself?")
    assert "promotion" in {
        g.skill for g in OfflineClassifier(taxonomy).guesses(asked) if g.how == "named"
    }


def test_a_technical_topic_the_story_names_leads_when_the_asking_sentence_names_none(
    taxonomy: Taxonomy,
) -> None:
    # The story is the question's setting: "how can i group and sum" is about pandas.
    story = (
        "My pandas groupby on a 5 GB CSV runs out of memory on my laptop. I tried "
        "chunksize=100000 but then I can't group across chunks. How can I group and sum "
        "across chunks?"
    )
    named = {g.skill for g in OfflineClassifier(taxonomy).guesses(story) if g.how == "named"}
    assert "pandas" in named
    # the asking sentence names another topic: the story's stays loose
    other = story.replace("How can I group and sum across chunks?", "How do I learn sql fast?")
    named = {g.skill for g in OfflineClassifier(taxonomy).guesses(other) if g.how == "named"}
    assert "pandas" not in named and "sql" in named


def test_a_situation_met_only_in_the_story_is_less_sure() -> None:
    book = SituationBook(
        {"money": ["budget"], "speak": ["talk"]},
        [("budgeting", ["money"], 0.8), ("public speaking", ["speak"], 0.7)],
        people=["money", "speak"],
    )
    story = (
        "last quarter we blew the budget on a big offsite for the whole department and "
        "everyone had a great time. how do i give a talk about it?"
    )
    weights = {g.skill: g.weight for g in book.guess(story)}
    assert weights["public speaking"] == 0.7
    assert weights["budgeting"] == round(0.8 * STORY_ONLY, 4) < 0.8
    # a one-sentence question weighs every situation fully
    assert {g.skill: g.weight for g in book.guess("our budget for the talk")} == {
        "budgeting": 0.8,
        "public speaking": 0.7,
    }


def test_a_count_in_a_phrase_meets_any_count() -> None:
    book = SituationBook(
        {"money": ["spend"], "time_spent": ["spend 2 hours"], "away": ["2 years off"]},
        [("budgeting", ["money"], 0.8), ("returning to work", ["away"], 0.7)],
        people=["money", "away"],
    )
    assert book.ideas_in("i spend 3 hours on it every monday") == {"time_spent"}
    assert book.ideas_in("we spend three hours a week in meetings") == {"time_spent"}
    assert book.ideas_in("we spend too much on licences") == {"money"}
    assert book.ideas_in("took 5 years off to raise my kids") == {"away"}
    assert [g.skill for g in book.guess("i spend 40 hours a week on this")] == []


def test_everyday_phrasings_of_the_shipped_situations(taxonomy: Taxonomy) -> None:
    def guessed(text: str) -> set[str]:
        return {g.skill for g in OfflineClassifier(taxonomy).guesses(text)}

    assert "budgeting" not in guessed("i spend 3 hours every week pulling numbers by hand")
    assert "salary negotiation" in guessed("they want me to name a number first")
    assert "hiring" in guessed("we keep making offers to people who then flop")
    assert "web accessibility" in guessed("the light grey text is hard to see")
    assert "security" in guessed("someone keeps trying to log into our accounts")
    assert "public speaking" in guessed("people start checking their phones during my talk")


def test_who_is_involved_casts_no_vote_on_what_a_question_is_about() -> None:
    book = SituationBook(
        {"boss": ["ceo", "manager"], "money": ["paid"], "attack": ["gift cards", "pretending"]},
        [("security", ["attack"], 0.9), ("salary negotiation", ["money"], 0.6)],
        technical=["attack"],
        people=["boss", "money"],
        technical_skills=["security"],
        who=["boss"],
    )
    # two phrases of an attack outweigh one of money; the ceo is only who it was about
    text = "an email pretending to be the ceo asked for gift cards and someone paid"
    assert [g.skill for g in book.guess(text)] == ["security"]
    # with no technical phrase, who is involved still makes a question about people
    assert book.sides("my manager never replies") == ({"boss"}, False, True)


def test_word_senses_of_the_shipped_ideas() -> None:
    book = default_situations()
    # "skips" is no skip-level manager, "staging" no stage to speak on
    assert "senior_person" not in book.ideas_in("my loop skips every other item")
    assert "senior_person" in book.ideas_in("my skip level asked me to do it")
    assert "speak" not in book.ideas_in("the new hire broke staging")
    assert "speak" in book.ideas_in("i freeze on stage")
    # to push for something is no git push
    assert "code_history" not in book.ideas_in("how do i push without making enemies")
    assert "code_history" in book.ideas_in("i pushed to the wrong branch")
    # hunting a bug down is a failure, not an outage
    assert book.ideas_in("how do i track it down") == {"failure"}


def test_a_situation_the_question_keeps_coming_back_to_is_surer() -> None:
    book = SituationBook(
        {"level": ["next level", "next cycle", "almost there"], "money": ["planning"]},
        [("promotion", ["level"], 0.8), ("budgeting", ["money"], 0.8)],
        people=["level", "money"],
    )
    weights = {
        g.skill: g.weight for g in book.guess("almost there, next cycle, next level, planning")
    }
    assert weights["promotion"] == round(0.8 + 2 * RECURRING, 4) > weights["budgeting"] == 0.8
    # at most two further phrases count
    many = "almost there, next cycle, next level, almost there"
    assert book.guess(many)[0].weight == round(0.8 + 2 * RECURRING, 4)
    # a situation of two ideas counts the phrases beyond its two
    pair = SituationBook({"a": ["alpha"], "b": ["beta"]}, [("x", ["a", "b"], 0.7)])
    assert pair.guess("alpha beta")[0].weight == 0.7
    assert pair.guess("alpha beta alpha")[0].weight == round(0.7 + RECURRING, 4)


def test_a_phrase_with_a_stop_word_meets_other_forms_of_its_other_words() -> None:
    book = SituationBook({"slow": ["timing out"], "evening": ["evening"]}, [])
    assert book.ideas_in("the report times out") == {"slow"}
    assert book.ideas_in("the report timed out") == {"slow"}
    # the stop word itself must stand as listed
    assert book.ideas_in("the report times in") == set()
    assert book.ideas_in("it even works") == set()
    # and the shipped sinks keep a program's inputs from reading as input on someone's work
    assert "critique" not in default_situations().ideas_in("recursion error on big inputs")
