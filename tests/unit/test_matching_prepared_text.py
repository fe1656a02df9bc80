"""A question is blanked and tokenized once per reading (`bot.matching.senses.prepare_text`) and
the topic finder reads that prepared text as it is: the same topics as from the plain string."""

from __future__ import annotations

import pytest

from bot.matching import OfflineClassifier, build_taxonomy, find_topics
from bot.matching._text import tokenize
from bot.matching.senses import blank_everyday, prepare_text

QUESTIONS = [
    "I got bitten by a python at the zoo, and my python script keeps crashing",
    "the coffee machine is leaking again; how do I fix our CI pipeline?",
    "On a tight budget: how do I plan marketing for a budget airline launch?",
    "My report keeps missing deadlines after work drinks, what should I do?",
    "#python #k8s help with Go code in R and C",
    "",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_the_finder_reads_a_prepared_text_as_the_plain_string(question: str) -> None:
    tax = build_taxonomy()
    ignored, width = tax.ignored_phrases()
    read = prepare_text(question, tax.senses, ignored=ignored, width=width)
    assert read.text == blank_everyday(question, tax.senses, ignored=ignored, width=width)
    assert list(read.tokens) == tokenize(read.text)
    # blanking again changes nothing, so the finder need not do it
    assert blank_everyday(read.text, tax.senses) == read.text
    assert find_topics(read, tax) == find_topics(read.text, tax)


def test_a_plain_string_is_prepared_by_the_finder() -> None:
    tax = build_taxonomy()
    question = "a python bit me at the zoo, should I learn python for data work?"
    assert find_topics(question, tax) == find_topics(prepare_text(question, tax.senses), tax)


def test_the_classifier_reads_everyday_senses_once_and_still_drops_them() -> None:
    tax = build_taxonomy()
    guesses = OfflineClassifier(tax).guesses("a python at the zoo bit my keeper, any advice?")
    assert "python" not in {g.skill for g in guesses}
