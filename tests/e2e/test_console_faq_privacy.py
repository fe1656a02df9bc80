"""Console, an FAQ entry's question: the asker's words, copied when the mentor saves it, are told
to the asker alone, who may take them out; forgetting the asker takes them out, anonymous or not
(erasure removes a person's words), and an admin's change of an answer goes to its author and
to the accuracy checks."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

ASKED = (
    "My manager Priya keeps rejecting my pandas reports; how do I read a huge CSV without "
    "running out of memory? I tried chunksize."
)
ANSWER = "Use usecols and dtype to cut memory; read in chunks with chunksize."
SIMILAR = "How do I load a large CSV file with pandas without memory errors? I tried chunksize."


async def _saved(console: ConsoleDriver, *, anonymous: bool) -> str:
    """dan asks, bob answers and saves the FAQ; what dan was told of it."""
    out = await console(
        "as bob",
        "/mentor join python, pandas",
        "as dan",
        f"/askmentor {'--anonymous ' if anonymous else ''}{ASKED}",
        "as bob",
        "click claim 1",
        "as dan",
        "click resolve 1",
        "as bob",
        f"faq 1 {ANSWER}",
    )
    told = out.one("DM dan", "saved as FAQ 1")
    # Only the asker hears of it: not the mentor (who must not learn who asked anonymously).
    assert [s for s in out if "saved as FAQ 1" in s] == [told]
    assert "Priya" in told.text and "click faqunquote 1" in told.text
    return told.text


async def test_the_asker_is_told_privately_and_may_take_their_words_out(
    console: ConsoleDriver,
) -> None:
    await _saved(console, anonymous=True)
    out = await console("as eve", "click faqunquote 1")
    assert "isn't from a question of yours" in out.one("only eve sees").text
    out = await console("as dan", "click faqunquote 1")
    assert "now reads “A question about pandas" in out.one("only dan sees").text
    out = await console("as hal", "/askmentor faq csv memory")
    found = out.one("only hal sees").text
    assert "Priya" not in found and ANSWER in found  # still found, by its topics and answer


async def test_forgetting_an_anonymous_asker_takes_their_words_out_of_the_entry_too(
    console: ConsoleDriver,
) -> None:
    # Entries saved before askers were told of the copy never let them take it out; erasure
    # must, though an admin watching the entry may then tell who asked.
    await _saved(console, anonymous=True)
    out = await console("as admin", "/mentoradmin forget dan confirm")
    said = out.one("only admin sees").text
    assert "dan is forgotten" in said and "nothing of dan" not in said
    out = await console("as hal", "/askmentor faq csv memory")
    found = out.one("only hal sees").text
    assert "Priya" not in found and ANSWER in found  # still found, by its topics and answer


async def test_forgetting_a_named_asker_takes_their_words_out_of_the_entry(
    console: ConsoleDriver,
) -> None:
    await _saved(console, anonymous=False)
    out = await console("as admin", "/mentoradmin forget dan confirm")
    assert "dan is forgotten" in out.one("only admin sees").text
    out = await console("as hal", "/askmentor faq csv memory")
    found = out.one("only hal sees").text
    assert "Priya" not in found and ANSWER in found


async def test_an_admin_s_update_is_told_to_the_author_and_checked_with_the_admin(
    console: ConsoleDriver,
) -> None:
    await _saved(console, anonymous=False)
    changed = "Pass usecols and narrow dtypes, then read in chunks with chunksize=100_000."
    out = await console("as admin", f"faq 1 update {changed}")
    assert "I'll ask you whether it's still accurate" in out.one("only admin sees").text
    told = out.one("DM bob").text
    assert "admin updated your answer in FAQ 1" in told and changed in told
    assert "ask them, not you" in told
    out = await console("clock +91d")
    assert not [s for s in out.to("DM bob") if "Is FAQ 1 still accurate" in s]
    asked = out.one("DM admin", "Is FAQ 1 still accurate").text
    assert "You last updated it 90+ days ago" in asked


async def test_forgetting_a_mentor_redraws_the_resolved_cards_that_named_them(
    console: ConsoleDriver,
) -> None:
    await console(
        "as bob",
        "/mentor join python, pandas",
        "as dan",
        f"/askmentor {SIMILAR}",
        "as bob",
        "click claim 1",
        "as dan",
        "click resolve 1",
    )
    out = await console("as admin", "/mentoradmin forget bob confirm")
    [card] = [s for s in out.to("#mentoring") if "Question #1" in s]
    assert "(card updated)" in card.text and "bob" not in card.text
    assert "Resolved ✅ · helped by someone forgotten" in card.text
