"""FAQ entries and questions have numbers of their own: `faq <n>` names a question, the update
instruction uses that numbering only, and a question with an entry keeps its answer unless the
update is explicit."""

from __future__ import annotations

import pytest

from bot.learning.commands import SaveFaq, UpdateFaq
from tests.unit.core_harness import Core, start_core

FIRST = "Use df.groupby(['a', 'b'])['c'].sum(): it returns a Series indexed by both columns."
SECOND = "Ask for a short meeting, bring numbers on your impact, and name a range."
OTHER = "Something unrelated that was meant for another entry altogether."


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def two_entries(core: Core) -> tuple[int, int]:
    """FAQ 1 from one question, FAQ 2 from the next (numbers that differ from the entries')."""
    await core.join("bob", "python", "pandas")
    await core.ask(
        "carol", "How do I read a CSV file with pandas when the separator is a semicolon?"
    )
    first = await core.resolved()
    second = await core.resolved(asker="dave")
    assert (await core.reply(SaveFaq(core.actor("bob"), first, FIRST))).startswith("Saved as FAQ 1")
    said = await core.reply(SaveFaq(core.actor("bob"), second, SECOND))
    assert said.startswith("Saved as FAQ 2"), said
    assert (first, second) == (2, 3)
    return first, second


async def test_update_instruction_names_the_question_number_only(core: Core) -> None:
    _, second = await two_entries(core)
    said = await core.reply(UpdateFaq(core.actor("bob"), 2))
    assert f"`faq {second} update <the new answer>`" in said, said
    assert "`faq 2 " not in said  # the entry's own number is never what to type


async def test_saving_on_a_question_with_an_entry_does_not_silently_replace_it(
    core: Core,
) -> None:
    first, _ = await two_entries(core)
    said = await core.reply(SaveFaq(core.actor("bob"), first, OTHER))
    assert said.startswith(f"Question #{first} has an FAQ answer already (FAQ 1)"), said
    assert f"`faq {first} update <the new answer>`" in said
    answers = {e.number: e.answer for e in core.db.rows("faq")}
    assert answers == {1: FIRST, 2: SECOND}


async def test_an_explicit_update_replaces_the_answer(core: Core) -> None:
    first, _ = await two_entries(core)
    said = await core.reply(SaveFaq(core.actor("bob"), first, f"update {FIRST} Or pivot_table."))
    assert said.startswith("FAQ 1 is updated."), said
    said = await core.reply(SaveFaq(core.actor("bob"), first, FIRST, replace=True))
    assert said.startswith("FAQ 1 is updated."), said
    answers = {e.number: e.answer for e in core.db.rows("faq")}
    assert answers == {1: FIRST, 2: SECOND}


async def test_a_new_answer_starting_with_update_is_kept_whole(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    n = await core.resolved()
    answer = "Update pandas to 2.x first, then df.groupby(['a', 'b']).sum() works."
    assert (await core.reply(SaveFaq(core.actor("bob"), n, answer))).startswith("Saved as FAQ 1")
    [entry] = core.db.rows("faq")
    assert entry.answer == answer
