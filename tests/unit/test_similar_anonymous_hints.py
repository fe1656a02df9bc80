"""Similar-question hints leave out other people's anonymous questions: their text was
personal, and their thread is private (a link the new asker could not open)."""

from __future__ import annotations

import pytest

from bot.commands import AskQuestion
from tests.unit.core_harness import QUESTION, Core, start_core

LATER = "How do I group a pandas DataFrame by two columns and count rows?"


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def anonymous_resolved(core: Core) -> int:
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice", QUESTION, anonymous=True)
    assert (await core.claim("bob", n)).startswith(f"You claimed #{n}")
    assert await core.resolve("alice", n) == f"#{n} is marked resolved."
    return n


async def test_an_anonymous_question_is_not_offered_to_another_asker(core: Core) -> None:
    n = await anonymous_resolved(core)
    said = await core.reply(AskQuestion(core.actor("dave"), LATER))
    assert said.startswith("Thanks! Your question is #"), said
    assert "Already answered" not in said
    assert f"#{n} " not in said and f"#{n}\n" not in said


async def test_its_own_asker_is_still_offered_it(core: Core) -> None:
    n = await anonymous_resolved(core)
    said = await core.reply(AskQuestion(core.actor("alice"), LATER))
    assert "Already answered, maybe useful meanwhile:" in said
    assert f"#{n}" in said


async def test_a_named_question_is_still_offered(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(AskQuestion(core.actor("dave"), LATER))
    assert "Already answered, maybe useful meanwhile:" in said
    assert f"#{n}" in said
