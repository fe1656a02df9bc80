"""Situations meet the forms of their words the stemmer keeps apart, and compound error names."""

from __future__ import annotations

from bot.matching import SituationBook


def _book() -> SituationBook:
    return SituationBook(
        {"money": ["raise"], "failure": ["error", "exception"]},
        [("salary negotiation", ["money"], 0.9), ("debugging", ["failure"], 0.7)],
        technical=["failure"],
        technical_skills=["debugging"],
    )


def test_an_idea_word_meets_its_regular_forms() -> None:
    book = _book()
    # "raises" stems apart from "raise" (British -ise spelling), yet it is the same word
    for text in ("no budget for raises", "I was raised to senior", "raising it with my boss"):
        assert [g.skill for g in book.guess(text)] == ["salary negotiation"], text


def test_a_compound_error_name_reads_as_an_error() -> None:
    book = _book()
    for text in ("I get a KeyError in a loop", "a NullPointerException on start"):
        assert [g.skill for g in book.guess(text)] == ["debugging"], text
    assert book.guess("the terror of Mondays") == []  # an ordinary word is not a compound
