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


def test_an_idea_listing_the_word_as_written_wins_over_a_shared_stem() -> None:
    # "page", "pages", "paged" and "paging" all stem to "page": a web page is a screen, being
    # paged is an alert; each idea keeps the words it lists
    book = SituationBook(
        {"screen": ["page", "pages"], "alerting": ["paged", "pager"]},
        [("frontend development", ["screen"], 0.7), ("observability", ["alerting"], 0.9)],
        technical=["screen", "alerting"],
        technical_skills=["frontend development", "observability"],
    )
    assert book.ideas_in("Customers can reach pages they shouldn't see") == {"screen"}
    assert book.ideas_in("the page jumps around") == {"screen"}
    assert book.ideas_in("I got paged three times last night") == {"alerting"}
    # a form neither idea lists ("paging": screen's regular form of "page") goes to the one
    # whose regular form it is, and a stem-only meeting keeps every idea
    assert book.ideas_in("paging through results") == {"screen"}
    assert SituationBook(
        {"a": ["pages"], "b": ["paged"]}, [], technical=[], technical_skills=[]
    ).ideas_in("the page") == {"a", "b"}


def test_an_error_message_is_a_failure_not_writing() -> None:
    from bot.matching.situations import default_situations

    ideas = default_situations().ideas_in("The program crashes randomly with no error message")
    assert "failure" in ideas
    assert "writing" not in ideas
