"""The form of a message does not change what it is read as being about: Slack markup, what it
says it is not about, an aside or a numbered concern it does not point at, filler words inside a
phrase, non-native English without articles, "zero" for "no", "second" as an ordinal."""

from __future__ import annotations

import pytest

from bot.matching import OfflineClassifier, SituationBook, build_taxonomy, default_situations
from bot.matching.own_words import MentorWords
from bot.matching.situations import plain_question
from bot.matching.taxonomy import Taxonomy
from bot.refs import UserRef


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return build_taxonomy()


def _book() -> SituationBook:
    return SituationBook(
        {
            "money": ["paid more", "underpaid"],
            "outage": ["fire", "on call"],
            "tired": ["no energy", "exhausted"],
            "career": ["career"],
            "need": ["what users need"],
            "speak": ["give a talk"],
        },
        [
            ("salary negotiation", ["money"], 0.9),
            ("incident management", ["outage"], 0.8),
            ("workplace wellbeing", ["tired"], 0.8),
            ("career growth", ["career"], 0.8),
            ("user research", ["need"], 0.8),
            ("public speaking", ["speak"], 0.8),
        ],
        technical=["outage"],
        people=["money", "tired", "career", "need", "speak"],
        technical_skills=["incident management"],
    )


def _guessed(text: str, taxonomy: Taxonomy) -> set[str]:
    return {g.skill for g in OfflineClassifier(taxonomy, situations=_book()).guesses(text)}


def test_slack_markup_is_not_read_but_the_words_it_marks_are() -> None:
    text = "> build failed\n• step 4 :fire: 🔥 *again*\n- `KeyError` <@U123> <https://x.io|the log>"
    plain = plain_question(text)
    assert "fire" not in plain and "🔥" not in plain and "U123" not in plain
    assert ">" not in plain and "•" not in plain and "`" not in plain and "*" not in plain
    for word in ("build failed", "step 4", "again", "KeyError", "the log"):
        assert word in plain


def test_an_emoji_name_evokes_nothing(taxonomy: Taxonomy) -> None:
    assert "incident management" not in _guessed(":fire: i feel underpaid", taxonomy)
    assert "incident management" in _guessed("everything is on fire", taxonomy)
    words = MentorWords([(UserRef("t", "a"), "fire safety and evacuation drills")])
    assert words.match(":fire: how do i ask to be paid more") == {}


def test_what_a_question_says_it_is_not_about_is_not_read(taxonomy: Taxonomy) -> None:
    # a disclaimer: "not a X question", "not about", "not asking", "don't need"
    assert _guessed("not a career question, i just have no energy", taxonomy) == {
        "workplace wellbeing"
    }
    assert "salary negotiation" not in _guessed(
        "i'm not asking to be paid more. i have no energy", taxonomy
    )
    # a negation the rest of the message contrasts with
    assert _guessed("i'm not exhausted, just underpaid", taxonomy) == {"salary negotiation"}
    assert _guessed("i don't feel underpaid, but i have no energy", taxonomy) == {
        "workplace wellbeing"
    }
    # a plain negation or a hedge still says what the question is about
    assert "salary negotiation" in _guessed("i'm not sure i should be paid more", taxonomy)
    assert "workplace wellbeing" in _guessed("i am exhausted and can't sleep", taxonomy)


def test_an_aside_and_the_concerns_a_message_does_not_point_at_are_not_read(
    taxonomy: Taxonomy,
) -> None:
    assert _guessed("i have no energy (also, side note, i feel underpaid)", taxonomy) == {
        "workplace wellbeing"
    }
    text = "two things, mostly the second: 1) is my career stuck? 2) i have no energy"
    assert _guessed(text, taxonomy) == {"workplace wellbeing"}
    both = "two things: 1) is my career stuck? 2) i have no energy"
    assert _guessed(both, taxonomy) >= {"career growth", "workplace wellbeing"}


def test_a_filler_word_inside_a_phrase_does_not_break_it_but_an_article_does() -> None:
    book = _book()
    assert book.ideas_in("we want to know what users really need") == {"need"}
    assert book.ideas_in("what users actually need") == {"need"}
    assert book.ideas_in("the whole sales org on a call") == set()
    assert book.ideas_in("i am on call this week") == {"outage"}


def test_a_phrase_meets_text_that_leaves_out_its_articles() -> None:
    book = _book()
    assert book.ideas_in("I have to give talk on conference in English") == {"speak"}
    assert book.ideas_in("i give a talk") == {"speak"}


def test_zero_reads_as_no() -> None:
    assert _book().ideas_in("i have zero energy left by wednesday") == {"tired"}


def test_second_as_an_ordinal_is_no_duration() -> None:
    book = default_situations()
    assert "slow" not in book.ideas_in("they said no again, second time this quarter")
    assert "slow" not in book.ideas_in("two things, mostly the second")
    assert "slow" in book.ideas_in("the page takes 30 seconds to load")
